import Foundation
import Inbox
import SkyLight

// Boxes drawn over the panes: help, messages, questions and the tag picker.
extension InboxView {
    func renderOverlay(_ state: InboxState, _ frame: inout Frame) {
        switch state.mode {
        case .help(let scroll):
            let entries = reducer.keyMap.helpLines
            let keyWidth = min(18, entries.map { TextWidth.width(of: $0.keys) }.max() ?? 8)
            var body = entries.map { Frame.truncate($0.keys, to: keyWidth).padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "  " + $0.summary }
            body += ["", "Typing: Enter send/accept · C-j or M-Enter new line · Esc cancel (drafts are kept)",
                     "Commands: :theme NAME · :tag TITLE · :untag TITLE · :note TEXT · :channel NAME · :messages · :q"]
            box(title: "Keys", lines: Array(body.dropFirst(min(scroll, max(0, body.count - 5)))), footer: "j/k scroll · any other key closes", &frame)
        case .messages(let scroll):
            // Whole, wrapped to the box: the status bar cuts a long one to the terminal's width.
            let width = max(20, frame.width - 10)
            var body: [String] = []
            for said in state.said.reversed() {
                let lines = Wrap.lines(Sanitizer.clean(said.text), width: width - 7)
                body += lines.enumerated().map { ($0 == 0 ? time.clock(said.at) + (said.isError ? " ✗ " : "   ") : "       ") + $1 }
            }
            if body.isEmpty { body = ["Nothing said yet"] }
            box(title: "Messages, newest first", lines: Array(body.dropFirst(min(scroll, max(0, body.count - 5)))),
                footer: "j/k scroll · any other key closes", &frame)
        case .confirm(let confirmation):
            box(title: "Confirm", lines: Wrap.lines(Sanitizer.clean(confirmation.question), width: 52) + ["", "y  yes        n / Esc  no"],
                footer: nil, &frame, role: .overlay)
        case .tagPicker(let picker):
            let candidates = Reducer.pickerCandidates(state, picker)
            let name = Sanitizer.clean(state.contacts[picker.contactID]?.name ?? "contact")
            let title = picker.purpose == .add ? "Add tag to \(name)" : "Remove tag from \(name)"
            // Ten at a time, scrolled to keep the chosen one in sight: Enter applies what is shown.
            let shown = TagPicker.rowsShown
            var first = max(0, min(picker.firstShown, candidates.count - shown))
            if !(first..<first + shown).contains(picker.selection) { first = max(0, picker.selection - shown + 1) }
            var lines = ["› " + Sanitizer.clean(picker.editor.text), first > 0 ? "  ↑ \(first) more" : ""]
            let visible = Array(candidates.dropFirst(first).prefix(shown))
            for (i, c) in visible.enumerated() { lines.append((first + i == picker.selection ? "▸ " : "  ") + Sanitizer.clean(c)) }
            if visible.isEmpty { lines.append("  " + Sanitizer.clean(Reducer.pickerNoMatch(state, picker))) }
            if candidates.count > shown { lines.append(first + shown < candidates.count ? "  ↓ \(candidates.count - first - shown) more" : "") }
            let origin = box(title: title, lines: lines, footer: "↑↓ PgUp PgDn choose · Enter apply · Esc cancel", &frame,
                             selectedLine: visible.isEmpty ? nil : 2 + picker.selection - first)
            let before = Sanitizer.clean(String(picker.editor.characters.prefix(picker.editor.cursor)))
            frame.cursor = (origin.x + 2 + TextWidth.width(of: before), origin.y)
        default:
            break
        }
    }

    /// Draws a bordered box in the middle of the screen; returns where its first body line starts.
    @discardableResult
    func box(title: String, lines: [String], footer: String?, _ frame: inout Frame, role: StyleRole = .overlay,
             selectedLine: Int? = nil) -> (x: Int, y: Int) {
        let innerWidth = min(frame.width - 6, max(40, (lines + [title, footer ?? ""]).map { TextWidth.width(of: $0) }.max() ?? 40))
        let innerHeight = min(frame.height - 4, lines.count + (footer == nil ? 0 : 2))
        let x = (frame.width - innerWidth - 4) / 2
        let y = (frame.height - innerHeight - 2) / 2
        frame.fill(x: x, y: y, width: innerWidth + 4, height: innerHeight + 2, role: role)
        let top = "┌─ " + Frame.truncate(title, to: innerWidth - 2) + " "
        frame.put(top + String(repeating: "─", count: max(0, innerWidth + 3 - TextWidth.width(of: top))) + "┐", x: x, y: y,
                  maxWidth: innerWidth + 4, role: .overlayTitle)
        for row in 1...innerHeight {
            frame[x, y + row] = Cell(text: "│", role: .overlayTitle)
            frame[x + innerWidth + 3, y + row] = Cell(text: "│", role: .overlayTitle)
        }
        frame.put("└" + String(repeating: "─", count: innerWidth + 2) + "┘", x: x, y: y + innerHeight + 1, maxWidth: innerWidth + 4,
                  role: .overlayTitle)
        let bodyRows = innerHeight - (footer == nil ? 0 : 2)
        for (i, line) in lines.prefix(bodyRows).enumerated() {
            frame.put(Frame.truncate(line, to: innerWidth), x: x + 2, y: y + 1 + i, maxWidth: innerWidth,
                      role: i == selectedLine ? .selectedFocused : role)
        }
        if let footer {
            frame.put(Frame.truncate(footer, to: innerWidth), x: x + 2, y: y + innerHeight, maxWidth: innerWidth, role: .dim)
        }
        return (x + 2, y + 1)
    }
}
