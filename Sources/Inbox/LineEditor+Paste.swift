extension LineEditor {
    /// Pasted text as it may go into a reply: what a terminal would act on is removed.
    ///
    /// Text copied from a terminal or a log can carry colour codes, titles or a bell. Shown as
    /// placeholders in the editor, they would still be sent to the customer as they are. Escape
    /// sequences (CSI, OSC, DCS, APC, PM, SOS, in 7- and 8-bit form) and other control
    /// characters go; tabs and line breaks stay, with CR LF and lone CRs made line feeds.
    public static func plain(_ pasted: String) -> String {
        var out = String.UnicodeScalarView()
        var scalars = pasted.unicodeScalars[...]
        while let s = scalars.popFirst() {
            switch s.value {
            case 0x09, 0x0A:
                out.append(s)
            case 0x0D:
                out.append("\n")
                if scalars.first == "\n" { scalars.removeFirst() }
            case 0x1B:
                guard let next = scalars.popFirst() else { break }
                switch next {
                case "[": skipControlSequence(&scalars)
                case "]", "P", "X", "^", "_": skipString(&scalars)
                default:
                    // ESC, intermediates (as in ESC ( B), then one final character.
                    if (0x20...0x2F).contains(next.value) {
                        while let s = scalars.popFirst(), (0x20...0x2F).contains(s.value) {}
                    }
                }
            case 0x9B:
                skipControlSequence(&scalars)
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F:
                skipString(&scalars)
            case 0x00...0x1F, 0x7F...0x9F:
                break
            default:
                out.append(s)
            }
        }
        return String(out)
    }

    /// Skips a CSI's parameters and its final byte.
    private static func skipControlSequence(_ scalars: inout Substring.UnicodeScalarView) {
        while let s = scalars.popFirst(), !(0x40...0x7E).contains(s.value) {}
    }

    /// Skips an OSC, DCS or like string up to its terminator (BEL, ST or ESC \).
    private static func skipString(_ scalars: inout Substring.UnicodeScalarView) {
        while let s = scalars.popFirst() {
            if s.value == 0x07 || s.value == 0x9C { return }
            if s.value == 0x1B { if scalars.first == "\\" { scalars.removeFirst() }; return }
        }
    }
}
