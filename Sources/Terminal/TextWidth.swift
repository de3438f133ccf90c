/// Display width of text, decided per grapheme cluster, agreeing with glibc's `wcwidth` on
/// the characters the sanitiser lets through (so ncurses and the frame never disagree).
public enum TextWidth {
    /// Ranges of East Asian Wide / Fullwidth characters and emoji with emoji presentation.
    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55, 0x2E80...0x303E,
        0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
        0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF,
        0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248,
        0x1F250...0x1F251, 0x1F260...0x1F265, 0x1F300...0x1F320, 0x1F32D...0x1F335, 0x1F337...0x1F37C,
        0x1F37E...0x1F393, 0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0, 0x1F3F4...0x1F3F4,
        0x1F3F8...0x1F43E, 0x1F440...0x1F440, 0x1F442...0x1F4FC, 0x1F4FF...0x1F53D, 0x1F54B...0x1F54E,
        0x1F550...0x1F567, 0x1F57A...0x1F57A, 0x1F595...0x1F596, 0x1F5A4...0x1F5A4, 0x1F5FB...0x1F64F,
        0x1F680...0x1F6C5, 0x1F6CC...0x1F6CC, 0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7, 0x1F6DC...0x1F6DF,
        0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB, 0x1F7F0...0x1F7F0, 0x1F90C...0x1F93A,
        0x1F93C...0x1F945, 0x1F947...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// Whether a scalar takes two cells.
    public static func isWide(_ value: UInt32) -> Bool {
        if value < 0x1100 { return false }
        var low = 0, high = wide.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if wide[mid].upperBound < value { low = mid + 1 }
            else if wide[mid].lowerBound > value { high = mid - 1 }
            else { return true }
        }
        return false
    }

    /// Width of a grapheme that has been through ``Sanitizer``: 2 for a wide base, else 1.
    public static func width(of grapheme: Character) -> Int {
        guard let base = grapheme.unicodeScalars.first else { return 0 }
        return isWide(base.value) ? 2 : 1
    }

    /// Width of sanitised text.
    public static func width(of text: String) -> Int {
        let ascii = text.utf8.withContiguousStorageIfAvailable { isPrintableASCII($0) ? $0.count : nil }
        if let ascii, let width = ascii { return width }
        return text.reduce(0) { $0 + width(of: $1) }
    }

    /// Whether a scalar is always a grapheme of its own once sanitised: it neither extends
    /// the one before (combining marks, joiners, selectors, modifiers) nor joins the next
    /// (Hangul jamo, regional indicators, prepended marks).
    static func standsAlone(_ value: UInt32) -> Bool {
        switch value {
        case 0x20...0x7E, 0xA0...0xAC, 0xAE...0x2FF: return true
        case 0x370...0x482, 0x48A...0x52F: return true                     // Greek, Cyrillic letters
        case 0x621...0x64A, 0x660...0x66F, 0x671...0x6D5: return true      // Arabic letters, digits
        case 0x2010...0x2027, 0x2030...0x205E, 0x2070...0x20CF: return true // punctuation, currency
        case 0x2100...0x2BFF: return true                                  // symbols, arrows, boxes, shapes
        case 0x3041...0x3096, 0x30A1...0x30FA: return true                 // kana
        case 0x4E00...0x9FFF, 0xAC00...0xD7A3: return true                 // CJK ideographs, Hangul syllables
        default: return false
        }
    }

    /// Whether every byte is printable ASCII, so each is one grapheme one cell wide.
    static func isPrintableASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 &- 0x20 < 0x5F }
    }
}
