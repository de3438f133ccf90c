import Foundation
import Inbox
import SkyLight

// The conversation list and its rows.
extension InboxView {
    func renderList(_ state: InboxState, _ rect: Rect, _ frame: inout Frame) {
        let items = max(1, (rect.height - 1) / 2)
        let start = min(state.listScroll, max(0, state.visible.count - items))
        // Unfiltered, the count is the server's: later pages load as the selection nears them.
        let count = state.filter.isActive ? state.visible.count : max(state.visible.count, state.conversationTotal)
        // Where the selection is, as "12/240", once the list is longer than the pane: an agent
        // reads this as their place in the queue.
        let position = count > items ? state.selectedIndex.map { "\($0 + 1)/\(count) " } ?? "" : ""
        // Where "12/240" already gives the count, a narrow pane drops it from the title rather than cut it.
        let counted = " Conversations \(count)"
        let searching = switch state.filter.server {
        case .waiting: " · searching…"
        case .failed: " · search failed"
        case .answered where state.filter.serverTotal > state.filter.serverMatches.count:
            " · \(state.filter.serverTotal) found"
        case .idle, .answered: ""
        }
        let rest = searching + (state.filter.isActive ? " · \(state.filter.label)" : "")
        let title = (position.isEmpty || TextWidth.width(of: counted + rest) + position.count < rect.width ? counted : " Conversations") + rest
        let titleRole: StyleRole = state.focus == .list ? .titleFocused : .title
        frame.putPadded(Frame.truncate(Sanitizer.clean(title), to: rect.width - position.count - 1), x: rect.x, y: rect.y,
                        width: rect.width, role: titleRole)
        frame.put(position, x: rect.maxX - position.count, y: rect.y, maxWidth: position.count, role: titleRole)
        if state.visible.isEmpty {
            var text = !state.conversationsLoaded ? "Loading conversations…"
                : state.filter.server == .waiting ? "Searching the server for \(state.filter.label)…"
                : state.filter.isActive ? "No conversations match \(state.filter.label)" : "No conversations yet"
            if case .failed(let why) = state.filter.server { text = "No local match for \(state.filter.label). The server's search failed: \(why)" }
            for (i, line) in Wrap.lines(Sanitizer.clean(text), width: rect.width - 2).prefix(max(0, rect.height - 2)).enumerated() {
                frame.put(line, x: rect.x + 1, y: rect.y + 2 + i, maxWidth: rect.width - 2, role: .dim)
            }
            return
        }
        for slot in 0..<items {
            let index = start + slot
            guard index < state.visible.count, let c = state.conversation(state.visible[index]) else { break }
            renderRow(state, c, x: rect.x, y: rect.y + 1 + slot * 2, width: rect.width, &frame)
        }
    }

    /// As much of a draft as a row of `width` can show: a long reply is typed into the composer
    /// key by key, and the row would otherwise make the whole of it safe on every key.
    static func shownInRow(_ text: String, width: Int) -> String {
        String(text.prefix(2 * width + 16))
    }

    func renderRow(_ state: InboxState, _ c: Conversation, x: Int, y: Int, width: Int, _ frame: inout Frame) {
        let selected = c.contactID == state.selectedID
        let key = RowKey(conversation: c, width: width,
                               base: selected ? (state.focus == .list ? .selectedFocused : .selected) : .normal,
                               unread: state.isUnread(c), when: time.relative(c.lastMessageAt, now: state.now),
                               fallbackName: c.contactName == nil ? state.contacts[c.contactID]?.name : nil,
                               blacklisted: state.contacts[c.contactID]?.blacklisted == true,
                               deleted: state.deleted.contains(c.contactID),
                               draft: state.drafts[c.contactID].map { Self.shownInRow($0, width: width) },
                               keptNote: state.noteDrafts[c.contactID]?.last.map { Self.shownInRow($0, width: width) })
        let cells = rowCache.value(for: key) {
            var row = Frame(width: width, height: 2)
            drawRow(key, &row)
            return row.cells
        }
        frame.copy(cells, x: x, y: y, width: width)
    }

    func drawRow(_ key: RowKey, _ frame: inout Frame) {
        let (c, width, x, y) = (key.conversation, key.width, 0, 0)
        let (selected, unread, base, when) = (key.base != .normal, key.unread, key.base, key.when)
        frame.fill(x: x, y: y, width: width, height: 2, role: base)
        frame.put(unread ? "●" : " ", x: x, y: y, maxWidth: 1, role: selected ? base : (unread ? .unread : base))
        let name = Sanitizer.clean(c.contactName ?? key.fallbackName ?? "Contact \(c.contactID)")
        let nameWidth = width - 3 - when.count
        frame.put(Frame.truncate(name, to: nameWidth), x: x + 2, y: y, maxWidth: nameWidth, role: selected ? base : (unread ? .unread : .normal))
        frame.put(when, x: x + width - when.count - 1, y: y, maxWidth: when.count, role: selected ? base : .timestamp)
        let (badge, badgeRole): (String, StyleRole) = switch c.channel {
        case .whatsapp?: ("WA", .badgeWhatsapp)
        case .telegram?: ("TG", .badgeTelegram)
        case .instagram?: ("IG", .badgeInstagram)
        default: ("··", .dim)
        }
        frame.put(badge, x: x + 2, y: y + 1, maxWidth: 2, role: selected ? base : badgeRole)
        var count = ""
        if unread { count = (c.unreadCount ?? 0) > 0 ? " \(min(c.unreadCount!, 999))" : " •" }
        let blacklisted = key.blacklisted
        let snippetWidth = width - 6 - count.count - (blacklisted ? 3 : 0)
        var snippet = Sanitizer.clean(c.lastMessage ?? "")
        if key.deleted { snippet = "✗ deleted on the server" }
        else if let draft = key.draft, !draft.isEmpty { snippet = "✎ " + Sanitizer.clean(draft) }
        else if let note = key.keptNote { snippet = "✎ note: " + Sanitizer.clean(note) }
        frame.put(Frame.truncate(snippet, to: snippetWidth), x: x + 5, y: y + 1, maxWidth: snippetWidth, role: selected ? base : .dim)
        if blacklisted { frame.put("⊘", x: x + width - 2 - count.count - 1, y: y + 1, maxWidth: 1, role: .blacklisted) }
        if !count.isEmpty {
            frame.put(count, x: x + width - count.count - 1, y: y + 1, maxWidth: count.count, role: selected ? base : .unreadCount)
        }
    }
}

/// Everything that decides how a list row looks.
struct RowKey: Hashable, Sendable {
    var conversation: Conversation
    var width: Int
    var base: StyleRole
    var unread: Bool
    var when: String
    var fallbackName: String?
    var blacklisted: Bool
    var deleted: Bool
    var draft: String?
    /// The newest kept note, shown when there is no reply draft: the sidebar that lists kept
    /// notes folds away on a narrow terminal.
    var keptNote: String?

    // Hashing every string of the row costs more than drawing it; equality still checks all.
    func hash(into hasher: inout Hasher) {
        hasher.combine(conversation.contactID)
        hasher.combine(conversation.lastMessageAt?.microseconds)
        hasher.combine(width)
        hasher.combine(base)
        hasher.combine(unread)
    }
}
