/// A key press, decoded from the terminal. The reducer sees only these, never raw bytes.
public enum Key: Hashable, Sendable {
    case char(Character)
    case ctrl(Character)
    case alt(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, altEnter, tab, backTab, backspace, delete, escape
    case function(Int)
    case focusIn, focusOut
    /// Text pasted in one piece (bracketed paste): inserted as is, never run as keys.
    case paste(String)

    /// The key one character read from the terminal stands for: Enter, Tab, Backspace, a
    /// control key or the character itself.
    public init(terminalByte value: UInt32) {
        switch value {
        case 13: self = .enter
        case 10: self = .ctrl("j")
        case 9: self = .tab
        case 127, 8: self = .backspace
        case 0: self = .ctrl(" ")
        case 1...26: self = .ctrl(Character(Unicode.Scalar(value + 96)!))
        case 27: self = .escape
        default: self = .char(Unicode.Scalar(value).map(Character.init) ?? "\u{FFFD}")
        }
    }

    /// Parses the key notation of the key map: `j`, `G`, `space`, `enter`, `C-l`, `M-x`,
    /// `up`, `pgdn`, `backspace`, `tab`, `f5`.
    public init?(notation: String) {
        let lower = notation.lowercased()
        let named: [String: Key] = [
            "up": .up, "down": .down, "left": .left, "right": .right, "pgup": .pageUp, "pageup": .pageUp,
            "pgdn": .pageDown, "pagedown": .pageDown, "home": .home, "end": .end, "enter": .enter, "return": .enter,
            "m-enter": .altEnter, "tab": .tab, "s-tab": .backTab, "backtab": .backTab, "backspace": .backspace,
            "bs": .backspace, "delete": .delete, "del": .delete, "esc": .escape, "escape": .escape, "space": .char(" "),
        ]
        if let key = named[lower] { self = key; return }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...24).contains(n) { self = .function(n); return }
        if notation.count == 3, lower.hasPrefix("c-") { self = .ctrl(Character(lower.dropFirst(2).lowercased())); return }
        if notation.count == 3, lower.hasPrefix("m-") { self = .alt(notation.last!); return }
        if notation.count == 1 { self = .char(notation.first!); return }
        return nil
    }

    /// The notation of this key, for help screens.
    public var notation: String {
        switch self {
        case .char(" "): "space"
        case .char(let c): String(c)
        case .ctrl(let c): "C-\(c)"
        case .alt(let c): "M-\(c)"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .altEnter: "M-Enter"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .escape: "Esc"
        case .function(let n): "F\(n)"
        case .focusIn: "focus-in"
        case .focusOut: "focus-out"
        case .paste: "paste"
        }
    }
}
