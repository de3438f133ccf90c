import Foundation
import Inbox
import SkyLight

// The contact sidebar: details, tags and notes.
extension InboxView {
    func renderSidebar(_ state: InboxState, _ rect: Rect, _ frame: inout Frame) {
        frame.putPadded(" Contact", x: rect.x, y: rect.y, width: rect.width, role: state.focus == .sidebar ? .titleFocused : .title)
        guard let id = state.selectedID else { return }
        let contact = state.contacts[id]
        let w = rect.width - 2
        var lines: [(text: String, role: StyleRole)] = [("", .normal)]
        func line(_ text: String, _ role: StyleRole = .normal) { lines.append((Frame.truncate(text, to: w), role)) }
        line(Sanitizer.clean(contact?.name ?? state.conversation(id)?.contactName ?? "Contact \(id)"), .author)
        if contact?.blacklisted == true { line(" BLACKLISTED ", .blacklisted) }
        if let type = contact?.type ?? state.conversation(id)?.channel { line(Self.channelName(type), .dim) }
        if let phone = contact?.phone { line(Sanitizer.clean(phone)) }
        if let email = contact?.email { line(Sanitizer.clean(email)) }
        if let status = contact?.status { line("status: \(Sanitizer.clean(status.rawValue))", .dim) }
        line("")
        line("Tags", .title)
        // What never arrived is not shown as empty: "no tags" would be a claim about the customer.
        let unknown = switch state.connection {
        case .offline: "not loaded: no connection"
        case .retrying: "not loaded yet · retrying"
        case .connecting, .live: "loading…"
        }
        let tags = (contact?.tags ?? []).map { "[" + Sanitizer.clean($0) + "]" }
        if tags.isEmpty { line(contact == nil ? unknown : "none" + reducer.keyMap.hint(.tag) { " · \($0) to add" }, .dim) }
        var row = ""
        for tag in tags {
            if !row.isEmpty, TextWidth.width(of: row) + 1 + TextWidth.width(of: tag) > w { line(row, .tag); row = "" }
            row += (row.isEmpty ? "" : " ") + tag
        }
        if !row.isEmpty { line(row, .tag) }
        line("")
        let notes = state.notes[id] ?? []
        line(state.notes[id] == nil ? "Notes" : "Notes \(notes.count)", .title)
        if let kept = state.noteDrafts[id] { line("✎ \(kept.count) unsaved" + reducer.keyMap.hint(.note) { " · \($0)" }, .warning) }
        if notes.isEmpty { line(state.notes[id] == nil ? unknown : "none" + reducer.keyMap.hint(.note) { " · \($0) to add" }, .dim) }
        for note in notes {
            if lines.count > state.sidebarScroll + rect.height { break }  // enough to fill the pane and say there is more
            if let at = note.createdAt {
                let stamp = time.day(at) + " " + time.clock(at)
                line(stamp.count <= w ? stamp : String(stamp.drop { $0 != " " }.dropFirst()), .timestamp)  // without the weekday
            }
            for (text, role) in shownText(Sanitizer.clean(note.content ?? "", multiline: true), width: w, role: .note) { line(text, role) }
        }

        // Below the title, the lines scroll (older notes are further down); when they overflow,
        // the last row says so.
        let rows = lines.count > rect.height - 1 ? rect.height - 2 : rect.height - 1
        let scroll = max(0, min(state.sidebarScroll, lines.count - rows))
        frame.shown?.sidebar = scroll
        for (row, (text, role)) in lines.dropFirst(scroll).prefix(rows).enumerated() {
            frame.put(text, x: rect.x + 1, y: rect.y + 1 + row, maxWidth: w, role: role)
        }
        if scroll + rows < lines.count {
            let wanted = state.focus == .sidebar ? " ↓ more below " : " ↓ more" + reducer.keyMap.hint(.nextPane) { " · \($0) to scroll" } + " "
            let marker = [wanted, " ↓ more "].first { TextWidth.width(of: $0) <= w } ?? "↓"
            frame.put(marker, x: rect.x + 1 + w - TextWidth.width(of: marker), y: rect.maxY - 1, maxWidth: w, role: .newMarker)
        }
    }
}
