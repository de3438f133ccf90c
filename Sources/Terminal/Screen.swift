import CNcursesw
import Foundation
import Inbox

/// What the terminal sent: keys, or a new size.
public enum InputEvent: Equatable, Sendable {
    case key(Key)
    case resize

    /// Whether this is a key the agent typed, not a resize or a focus report.
    var isTyped: Bool {
        if case .key(let key) = self { key != .focusIn && key != .focusOut } else { false }
    }
}

/// The only owner of ncurses. Draws frames by diffing them against the previous one, so an
/// unchanged screen costs nothing and a moved highlight costs a few bytes.
final class Screen {
    let window: UnsafeMutablePointer<WINDOW>
    var previous: Frame?
    var styles: [StyleRole: (attrs: attr_t, pair: Int32)] = [:]
    var cursorVisible = false
    /// Raw bytes of an escape sequence being read (focus events, bracketed paste).
    var paste: [UInt32]?
    /// A key read along with the one returned before it, returned next.
    var queued: InputEvent?

    /// Set when $TERM has no terminfo entry here and a stand-in type draws instead.
    private(set) var standIn: (asked: String, used: String)?
    /// Set when the locale asked for gives no UTF-8 here and a UTF-8 one draws instead.
    private(set) var localeStandIn: (asked: String, used: String)?

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        localeStandIn = try Screen.chooseUTF8Locale(environment: environment)
        let asked = environment["TERM"] ?? ""
        // Here, in the file that also opens the spool and prepares the bytes the handler writes:
        // a debug build compiles each file apart, each with its own copy of the shim's statics.
        skylight_restore_on_crash()
        var opened = skylight_open_terminal(nil)
        // Over SSH, a terminal's own type (xterm-kitty, alacritty…) is often unknown to the
        // server: draw as the xterm type it emulates rather than refuse to start.
        if opened == nil, let type = Screen.standIn(forTerminal: asked, colorTerm: environment["COLORTERM"]) {
            opened = skylight_open_terminal(type)
            if opened != nil { standIn = (asked, type) }
        }
        guard let window = opened else {
            throw TerminalError(message: asked.isEmpty ? "TERM is not set" : "this machine has no terminfo entry for TERM=\(asked); try TERM=xterm-256color")
        }
        guard skylight_can_address_cursor() == 1 else {
            endwin()
            throw TerminalError(message: "TERM=\(asked) cannot move the cursor, so the inbox cannot draw on it; "
                                + "run it in a terminal emulator, or set TERM to the one in use (e.g. TERM=xterm-256color)")
        }
        self.window = window
        raw(); noecho(); nonl()
        keypad(window, true)
        nodelay(window, true)
        set_escdelay(25)
        // Without this, ncurses stops mid-update to look for typeahead and flushes each part
        // separately: many small writes instead of one per frame.
        typeahead(-1)
        skylight_spool_open()
        intrflush(window, false)
        curs_set(0)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        // Focus reports and bracketed paste.
        Screen.writeRaw("\u{1B}[?1004h\u{1B}[?2004h")
        skylight_prepare_crash_restore()
    }

    /// Sets the locale from the environment, with UTF-8 characters: the inbox draws names and
    /// messages in every script, and ncurses in a C locale turns them into `?` and broken columns.
    /// Over SSH the locale asked for is often unset or not installed on the server while the
    /// terminal is UTF-8, so a UTF-8 stand-in is used then, and handed on to `$EDITOR`.
    /// Returns the stand-in, or nil when the environment's locale is UTF-8.
    static func chooseUTF8Locale(environment: [String: String]) throws -> (asked: String, used: String)? {
        setlocale(LC_ALL, "")
        if isUTF8(String(cString: nl_langinfo(nl_item(CODESET)))) { return nil }
        let asked = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        let candidates: [String] = ["C.UTF-8", "en_US.UTF-8"]
        guard let used = candidates.first(where: { setlocale(LC_CTYPE, $0) != nil }) else {
            throw TerminalError(message: "the inbox needs a UTF-8 locale and this machine has none (LANG=\(asked)); "
                                + "install one, e.g. `locale-gen C.UTF-8`, and set LANG to it")
        }
        // LC_ALL outranks LC_CTYPE, so the editor only gets UTF-8 through whichever is set.
        setenv((environment["LC_ALL"] ?? "").isEmpty ? "LC_CTYPE" : "LC_ALL", used, 1)
        return (asked, used)
    }

    /// Whether a codeset name (`nl_langinfo(CODESET)`) is UTF-8.
    static func isUTF8(_ codeset: String) -> Bool {
        ["UTF-8", "UTF8"].contains(codeset.uppercased())
    }

    /// The xterm type to draw as when `term` has no terminfo entry, or nil when there is none to try.
    ///
    ///     Screen.standIn(forTerminal: "xterm-kitty", colorTerm: "truecolor")   // "xterm-256color"
    static func standIn(forTerminal term: String, colorTerm: String?) -> String? {
        guard !term.isEmpty, term != "dumb", !term.hasPrefix("xterm-256color"), term != "xterm" else { return nil }
        let manyColours = term.contains("256") || term.contains("direct") || !(colorTerm ?? "").isEmpty
            || ["kitty", "ghostty", "alacritty", "wezterm", "foot", "contour", "rio"].contains { term.contains($0) }
        return manyColours ? "xterm-256color" : "xterm"
    }

    /// Gives the terminal back as it was: the shell's screen again, or a clear one where the
    /// terminal has no alternate screen to hide the inbox's.
    func end() {
        curs_set(1)
        letGo()
    }

    /// Hands the terminal back, for good or to a child: focus reports and bracketed paste off,
    /// curses' modes undone, and the inbox's screen put out of sight.
    private func letGo() {
        Screen.writeRaw("\u{1B}[?2004l\u{1B}[?1004l")
        endwin()
        Screen.writeRaw(String(cString: skylight_clear_on_leaving()))
    }

    var size: (width: Int, height: Int) { (Int(getmaxx(window)), Int(getmaxy(window))) }

    /// Maps every role to attributes and a colour pair for this terminal.
    func apply(_ theme: Theme, colors enabled: Bool) {
        let colors = Int(skylight_colors())
        let usable = enabled && has_colors() && colors >= 8
        styles = [:]
        for (index, role) in StyleRole.allCases.enumerated() {
            let spec = theme.style(role)
            var attrs: attr_t = 0
            if spec.bold { attrs |= skylight_attr_bold() }
            if spec.dim { attrs |= skylight_attr_dim() }
            if spec.italic { attrs |= skylight_attr_italic() }
            if spec.underline { attrs |= skylight_attr_underline() }
            if spec.reverse { attrs |= skylight_attr_reverse() }
            var pair: Int32 = 0
            // Every role gets its own pair, the terminal's default colours included: ncurses
            // leaves a coloured run for pair 0 with a colour reset and a full attribute reset
            // (11 bytes), for another pair with the colour change alone (5). About 5% of a key's
            // bytes, for the same screen.
            if usable {
                pair = Int32(index + 1)
                let mapped = ColorMapper.pair(fg: spec.fg, bg: spec.bg, colors: colors, highlight: role.isHighlight && !spec.reverse)
                init_extended_pair(pair, mapped.fg, mapped.bg)
                if mapped.reverse { attrs |= skylight_attr_reverse() }
            } else if spec.fg != .terminalDefault || spec.bg != .terminalDefault, !spec.reverse, role.isHighlight {
                // Without colours, highlights need an attribute to stay visible.
                attrs |= skylight_attr_reverse()
            }
            styles[role] = (attrs, pair)
        }
        previous = nil
    }

    /// Brings ncurses to the terminal's present size if a burst of resizes left it behind.
    func followTerminalSize() {
        var rows: Int32 = 0, cols: Int32 = 0
        guard skylight_terminal_size(&rows, &cols) == 0, Int(cols) != size.width || Int(rows) != size.height else { return }
        resizeterm(rows, cols)
    }

    /// Forgets what is on screen so the next frame is drawn in full (Ctrl-L).
    func invalidate() {
        previous = nil
        clearok(skylight_curscr(), true)
    }

    /// Draws the cells that changed since the last frame.
    func draw(_ frame: Frame) {
        var changed = false
        if previous?.width != frame.width || previous?.height != frame.height {
            // After a resize, what the terminal shows is not what ncurses last drew: tmux, for
            // one, keeps the bottom rows when a window shrinks. Repaint all of it.
            werase(window)
            clearok(skylight_curscr(), true)
            previous = nil
        }
        var run: [wchar_t] = []
        run.reserveCapacity(frame.width)
        let cells = frame.cells
        let oldCells = previous?.cells
        for y in 0..<frame.height {
            let rowStart = y * frame.width
            if let oldCells, oldCells[rowStart..<(rowStart + frame.width)] == cells[rowStart..<(rowStart + frame.width)] { continue }
            var runStart = 0
            var runRole = StyleRole.normal
            func flush() {
                guard !run.isEmpty else { return }
                let style = styles[runRole] ?? (0, 0)
                _ = skylight_put_run(window, Int32(y), Int32(runStart), run, Int32(run.count), style.attrs, style.pair)
                run.removeAll(keepingCapacity: true)
            }
            for x in 0..<frame.width {
                let cell = cells[rowStart + x]
                if let oldCells, oldCells[rowStart + x] == cell {
                    // The right half of a wide character in the run is drawn with it.
                    if !(cell.code == 0 && x > 0 && !run.isEmpty) { flush() }
                    continue
                }
                changed = true
                if cell.code == 0 { continue }
                // Runs of one style, one scalar per cell, widths agreed with the C library.
                let scalar = cell.code & Cell.valueMask
                if cell.code & Cell.tableBit == 0, (0x20..<0x7F).contains(scalar) || Int(skylight_wcwidth(Int32(bitPattern: scalar))) == cell.width {
                    if run.isEmpty || runRole != cell.role { flush(); runStart = x; runRole = cell.role }
                    run.append(wchar_t(bitPattern: scalar))
                } else {
                    flush()
                    if let text = cell.text { put(text, width: cell.width, x: x, y: y, role: cell.role) }
                }
            }
            flush()
        }
        let wantCursor = frame.cursor != nil
        if wantCursor != cursorVisible || (wantCursor && (previous?.cursor?.x != frame.cursor?.x || previous?.cursor?.y != frame.cursor?.y)) {
            changed = true
        }
        if wantCursor != cursorVisible {
            curs_set(wantCursor ? 1 : 0)
            cursorVisible = wantCursor
        }
        previous = frame
        guard changed else { return }
        if let cursor = frame.cursor { wmove(window, Int32(cursor.y), Int32(cursor.x)) }
        wnoutrefresh(window)
        skylight_doupdate()
    }

    func put(_ grapheme: Character, width expected: Int, x: Int, y: Int, role: StyleRole) {
        let style = styles[role] ?? (0, 0)
        var scalars = Array(grapheme.unicodeScalars)
        // ncurses places text by the C library's widths: where they disagree with the frame's,
        // draw a replacement of the right width instead, so nothing after it moves.
        if Int(skylight_wcwidth(Int32(bitPattern: scalars[0].value))) != expected
            || scalars.dropFirst().contains(where: { skylight_wcwidth(Int32(bitPattern: $0.value)) != 0 }) {
            scalars = expected == 2 ? ["\u{FF1F}"] : ["?"]
        }
        var wide = scalars.prefix(5).map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        _ = skylight_put(window, Int32(y), Int32(x), &wide, style.attrs, style.pair)
    }

    /// Reads every pending key without waiting.
    func readEvents() -> [InputEvent] {
        var events: [InputEvent] = []
        while let event = next() { events.append(event) }
        return events
    }

    func readRaw() -> (code: Int32, value: UInt32)? {
        var ch: wint_t = 0
        let r = wget_wch(window, &ch)
        if r == ERR { return nil }
        return (r, ch)
    }

    func next() -> InputEvent? {
        if let event = queued { queued = nil; return event }
        // A loop, not a call per skipped byte: a paste of many kilobytes would overflow the stack.
        while let (code, value) = readRaw() {
            if let event = decode(code: code, value: value) { return event }
        }
        return nil
    }

    /// The event a key read starts, or nil when it starts none (a key we do not use, a byte of
    /// a paste still coming, a sequence we skip).
    func decode(code: Int32, value: UInt32) -> InputEvent? {
        if code == KEY_CODE_YES { return Screen.functionKey(Int32(value)) }
        if paste != nil {
            // Inside a bracketed paste: collect until ESC [ 2 0 1 ~. Appended in place: a copy
            // taken out to append to would copy the whole paste for every byte.
            paste!.append(value)
            if let buffer = paste, buffer.count >= 6, buffer.suffix(6).elementsEqual([27, 91, 50, 48, 49, 126]) {
                paste = nil
                let scalars = buffer.dropLast(6).compactMap(Unicode.Scalar.init)
                return .key(.paste(String(String.UnicodeScalarView(scalars))))
            }
            return nil
        }
        if value == 27 {
            guard let (c2, v2) = readRaw() else { return .key(.escape) }
            if c2 == KEY_CODE_YES {
                // Esc, then an arrow or the like in the same read: both count.
                queued = Screen.functionKey(Int32(v2))
                return .key(.escape)
            }
            if v2 == 13 || v2 == 10 { return .key(.altEnter) }
            if v2 == 91 {
                // CSI: read to the final byte.
                var body: [UInt32] = []
                while let (_, v) = readRaw() {
                    body.append(v)
                    if (0x40...0x7E).contains(v) || body.count > 16 { break }
                }
                switch body {
                case [73]: return .key(.focusIn)
                case [79]: return .key(.focusOut)
                case [50, 48, 48, 126]:
                    paste = []
                    return nil
                default: return nil
                }
            }
            guard let scalar = Unicode.Scalar(v2) else { return .key(.escape) }
            if v2 == 127 || v2 == 8 { return .key(.alt("\u{7F}")) }
            return .key(.alt(Character(scalar)))
        }
        return .key(Key(terminalByte: value))
    }

    static func functionKey(_ code: Int32) -> InputEvent? {
        switch code {
        case KEY_RESIZE: return .resize
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_BTAB: return .key(.backTab)
        case KEY_ENTER: return .key(.enter)
        case KEY_F0 + 1...KEY_F0 + 24: return .key(.function(Int(code - KEY_F0)))
        default: return nil
        }
    }

    func bell() { beep() }

    /// Leaves curses mode for a child program (the editor).
    func suspend() {
        def_prog_mode()
        letGo()
    }

    /// Comes back after `suspend()` and redraws everything.
    func resume() {
        reset_prog_mode()
        Screen.writeRaw("\u{1B}[?1004h\u{1B}[?2004h")
        invalidate()
        refresh()
    }

    /// Writes control sequences of our own (never text from the API) straight to the terminal.
    static func writeRaw(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }
}

extension StyleRole {
    /// Roles that must stand out even without colours.
    var isHighlight: Bool { [.selected, .selectedFocused, .header, .status, .statusLive, .titleFocused, .blacklisted].contains(self) }
}

/// The terminal could not be used.
public struct TerminalError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Theme colours to terminal colour numbers: exact on direct-colour terminals, nearest on
/// 256-colour ones. On 16- and 8-colour ones a grey has no near match (the nearest 8-colour
/// match of a mid grey is yellow), so greys go to the terminal's own colours instead.
public enum ColorMapper {
    /// The colour number for `color` as a foreground on a terminal with `colors` colours
    /// (-1: the terminal's default).
    public static func number(_ color: ThemeColor, colors: Int) -> Int32 {
        switch color {
        case .terminalDefault: return -1
        case .indexed(let i):
            if i < colors { return Int32(i) }
            let (r, g, b) = rgb(ofIndexed: i)
            return number(.rgb(r, g, b), colors: colors)
        case .rgb(let r, let g, let b):
            if colors >= 0x1000000 { return Int32(r) << 16 | Int32(g) << 8 | Int32(b) }
            if colors >= 256 { return Int32(nearest(r, g, b, in: Array(16..<256))) }
            guard isGrey((r, g, b)) else { return Int32(nearest(r, g, b, in: colors >= 16 ? [1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14] : [1, 2, 3, 4, 5, 6])) }
            if colors >= 16 { return Int32(nearest(r, g, b, in: [0, 8, 7, 15])) }
            // Eight colours have no grey: black and white stay, the rest read best as the
            // terminal's own text colour, on a dark background or a light one.
            let level = luminance(r, g, b)
            return level <= 16 ? 0 : level >= 240 ? 7 : -1
        }
    }

    /// A style's foreground, background and whether it needs reverse video on a terminal with
    /// `colors` colours. A grey background becomes the terminal's own (on 16 colours the
    /// nearest of a dark grey is black, which hides a selection on a dark screen); a highlight
    /// that loses its background this way is drawn in reverse video instead.
    ///
    ///     ColorMapper.pair(fg: .rgb(255, 255, 255), bg: .rgb(0x3a, 0x3a, 0x3a), colors: 8, highlight: true)
    ///     // (fg: 7, bg: -1, reverse: true)
    public static func pair(fg: ThemeColor, bg: ThemeColor, colors: Int, highlight: Bool) -> (fg: Int32, bg: Int32, reverse: Bool) {
        let front = number(fg, colors: colors)
        let grey = switch bg {
        case .terminalDefault: false
        case .indexed(let i): i >= min(16, colors) && isGrey(rgb(ofIndexed: i))
        case .rgb(let r, let g, let b): isGrey((r, g, b))
        }
        return colors < 256 && grey ? (front, -1, highlight) : (front, number(bg, colors: colors), false)
    }

    /// The RGB value xterm gives an indexed colour.
    public static func rgb(ofIndexed i: Int) -> (UInt8, UInt8, UInt8) {
        let ansi: [(UInt8, UInt8, UInt8)] = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
                                            (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
                                            (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
        if i < 16 { return ansi[max(0, i)] }
        if i < 232 {
            let steps: [UInt8] = [0, 95, 135, 175, 215, 255]
            let n = i - 16
            return (steps[n / 36], steps[n / 6 % 6], steps[n % 6])
        }
        let v = UInt8(8 + (i - 232) * 10)
        return (v, v, v)
    }

    static func isGrey(_ c: (UInt8, UInt8, UInt8)) -> Bool {
        Int(max(c.0, c.1, c.2)) - Int(min(c.0, c.1, c.2)) < 48
    }

    static func luminance(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        (Int(r) * 3 + Int(g) * 4 + Int(b) * 2) / 9
    }

    static func nearest(_ r: UInt8, _ g: UInt8, _ b: UInt8, in candidates: [Int]) -> Int {
        var best = candidates[0], bestDistance = Int.max
        for i in candidates {
            let (cr, cg, cb) = rgb(ofIndexed: i)
            let d = (Int(cr) - Int(r)) * (Int(cr) - Int(r)) * 3 + (Int(cg) - Int(g)) * (Int(cg) - Int(g)) * 4
                + (Int(cb) - Int(b)) * (Int(cb) - Int(b)) * 2
            if d < bestDistance { bestDistance = d; best = i }
        }
        return best
    }
}
