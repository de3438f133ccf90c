import Foundation
import Inbox
import SkyLight

// The message thread, its markers and the composer.
extension InboxView {
    /// One display line of the thread.
    struct Line {
        var segments: [(String, StyleRole)]
        var indent = 0
    }

    func renderThread(_ state: InboxState, _ rect: Rect, _ frame: inout Frame) {
        guard rect.width > 4 else { return }
        guard let id = state.selectedID else {
            frame.putPadded(" No conversation selected", x: rect.x, y: rect.y, width: rect.width, role: .title)
            return
        }
        let contact = state.contacts[id]
        let conversation = state.conversation(id)
        let name = Sanitizer.clean(contact?.name ?? conversation?.contactName ?? "Contact \(id)")
        let channel = (conversation?.channel ?? contact?.type).map(Self.channelName) ?? ""
        var title = " \(name)"
        if !channel.isEmpty { title += " · \(channel)" }
        if let phone = contact?.phone, !state.sidebarShown { title += " · " + Sanitizer.clean(phone) }
        let titleRole: StyleRole = state.focus == .thread ? .titleFocused : .title
        frame.putPadded(title, x: rect.x, y: rect.y, width: rect.width, role: titleRole)
        if state.deleted.contains(id) {
            let badge = " DELETED "
            frame.put(badge, x: rect.maxX - badge.count, y: rect.y, maxWidth: badge.count, role: .blacklisted)
        } else if contact?.blacklisted == true {
            let badge = " BLACKLISTED "
            frame.put(badge, x: rect.maxX - badge.count, y: rect.y, maxWidth: badge.count, role: .blacklisted)
        }

        // The composer (or note editor) takes the bottom of the pane.
        var bodyHeight = rect.height - 1
        if let composer = composerLines(state, id, width: rect.width) {
            let top = rect.maxY - composer.lines.count
            for (i, line) in composer.lines.enumerated() {
                frame.fill(x: rect.x, y: top + i, width: rect.width, height: 1, role: i == 0 ? .composerTitle : .composer)
                var x = rect.x
                for (text, role) in line.segments {
                    x += frame.put(text, x: x, y: top + i, maxWidth: rect.maxX - x, role: role)
                }
            }
            frame.cursor = (rect.x + composer.cursor.x, top + composer.cursor.y)
            bodyHeight -= composer.lines.count
        }
        guard bodyHeight > 0 else { return }
        let body = threadBody(state, id, width: rect.width, height: bodyHeight)
        frame.copy(body.cells, x: rect.x, y: rect.y + 1, width: rect.width)
        frame.shown = ShownScroll(contactID: id, thread: body.scrollUp, sidebar: state.sidebarScroll)
    }

    /// The messages part of a conversation's pane, drawn once per content and size: the
    /// neighbours of the selection are drawn ahead (``warm(_:width:height:)``), so moving to
    /// one copies cells instead of laying out its thread.
    func threadBody(_ state: InboxState, _ id: Int, width: Int, height: Int) -> ThreadBody {
        let key = ThreadBodyKey(id: id, name: Sanitizer.clean(state.contacts[id]?.name ?? state.conversation(id)?.contactName ?? "Contact"),
                                thread: state.threads[id] ?? ThreadState(), outbox: state.outbox.filter { $0.contactID == id },
                                width: width, height: height)
        return threadBodies.value(for: key) {
            var block = Frame(width: width, height: height)
            let scrollUp = drawThreadBody(key, &block)
            return ThreadBody(cells: block.cells, scrollUp: scrollUp)
        }
    }

    /// Draws the messages; returns how many lines up from the bottom they are shown.
    @discardableResult
    func drawThreadBody(_ key: ThreadBodyKey, _ frame: inout Frame) -> Int {
        let (thread, bodyHeight, width) = (key.thread, key.height, key.width)
        var (lines, complete, arrived) = threadLines(key, width: width - 1, needed: bodyHeight + thread.scrollUp)
        if lines.isEmpty {
            if let failure = thread.failure, !thread.loadingNewest {
                let wrapWidth = max(8, width - 2)
                let said = Wrap.lines("Messages not loaded: \(Sanitizer.clean(failure))", width: wrapWidth).map { ($0, StyleRole.warning) }
                    + Wrap.lines("Asked for again with the next refresh, or when you come back to this conversation.",
                                 width: wrapWidth).map { ($0, StyleRole.dim) }
                for (row, (line, role)) in said.prefix(bodyHeight - 1).enumerated() {
                    frame.put(line, x: 1, y: row + 1, maxWidth: width - 2, role: role)
                }
                return 0
            }
            let text = thread.loadingNewest || thread.pagesLoaded == 0 ? "Loading messages…" : "No messages yet"
            frame.put(text, x: 1, y: 1, maxWidth: width - 2, role: .dim)
            return 0
        }
        if complete, thread.pagesLoaded == 0 {
            // Only replies from this inbox are here: the history itself has not arrived.
            let said: (String, StyleRole) = if let failure = thread.failure, !thread.loadingNewest {
                ("Earlier messages not loaded: \(Sanitizer.clean(failure))", .warning)
            } else {
                ("Loading earlier messages…", .dim)
            }
            lines.insert(contentsOf: Wrap.lines(said.0, width: max(8, width - 4)).map { Line(segments: [($0, said.1)], indent: 2) }, at: 0)
        } else if thread.hasOlder, complete {
            lines.insert(Line(segments: [(thread.loadingOlder ? "  ↑ loading older messages…" : "  ↑ older messages: scroll up", .dim)]), at: 0)
        }
        let maxScroll = max(0, lines.count - bodyHeight)
        // Scrolled up, the agent keeps reading where they were: what arrived since stays below.
        let asked = thread.scrollUp > 0 ? thread.scrollUp + arrived : 0
        let scroll = complete ? min(asked, maxScroll) : asked
        let first = max(0, lines.count - bodyHeight - scroll)
        // Like a chat, a short thread sits at the bottom, next to the composer.
        let top = max(0, bodyHeight - lines.count)
        for row in top..<bodyHeight {
            let index = first + row - top
            guard index < lines.count else { break }
            var x = 1 + lines[index].indent
            for (text, role) in lines[index].segments {
                x += frame.put(text, x: x, y: row, maxWidth: width - x, role: role)
            }
        }
        if scroll > 0 {
            let marker = thread.unseenNew > 0 ? " ↓ \(thread.unseenNew) new" + reducer.keyMap.hint(.bottom) { " · \($0) to jump" } + " "
                                              : " ↓ more below" + reducer.keyMap.hint(.bottom) { " · \($0)" } + " "
            frame.put(marker, x: width - TextWidth.width(of: marker) - 1, y: bodyHeight - 1, maxWidth: width, role: .newMarker)
        }
        return scroll
    }

    /// A message's or a note's text as drawn: wrapped, a long run of blank lines shown as its
    /// count (see ``Wrap/collapsingBlankRuns(_:)``), and a placeholder when there is no text.
    func shownText(_ text: String, width: Int, role: StyleRole) -> [(String, StyleRole)] {
        let shown = Wrap.collapsingBlankRuns(Wrap.lines(text, width: width)).map { line -> (String, StyleRole) in
            switch line {
            case .text(let text): (text, role)
            case .blanks(let count): ("⋯ \(count) blank lines", .placeholder)
            }
        }
        return shown.isEmpty ? [("(no text)", .placeholder)] : shown
    }

    /// Draws ahead the threads next to the selection, after a frame is on screen.
    public func warm(_ state: InboxState, width: Int, height: Int) {
        let layout = Layout(width: width, height: height, sidebar: state.sidebarShown)
        guard !layout.tooSmall, layout.thread.width > 4, let index = state.selectedIndex else { return }
        for neighbour in [index + 1, index - 1] where state.visible.indices.contains(neighbour) {
            let other = state.visible[neighbour]
            guard let thread = state.threads[other], !thread.messages.isEmpty else { continue }
            let composer = composerLines(state, other, width: layout.thread.width)?.lines.count ?? 0
            let bodyHeight = layout.thread.height - 1 - composer
            if bodyHeight > 0 { _ = threadBody(state, other, width: layout.thread.width, height: bodyHeight) }
        }
    }

    /// The thread's last `needed` display lines or more (all of them when `complete`), not
    /// counting the `arrived` lines of messages after ``ThreadState/arrivedAfter``: only what
    /// can be on screen is wrapped and laid out, however long the thread.
    func threadLines(_ key: ThreadBodyKey, width: Int, needed: Int = .max) -> (lines: [Line], complete: Bool, arrived: Int) {
        let (name, thread) = (key.name, key.thread)
        let bodyWidth = max(10, width - 6)
        func dayLine(_ t: Timestamp) -> Line {
            let label = " \(time.day(t)) "
            let side = max(2, (width - TextWidth.width(of: label)) / 2)
            let rule = String(repeating: "─", count: side)
            return Line(segments: [(rule + label + rule, .daySeparator)])
        }
        /// A day separator when `t` falls on another day than `previous`.
        func separator(_ t: Timestamp?, after previous: Timestamp?) -> [Line] {
            guard let t else { return [] }
            if let previous, time.dayNumber(previous) == time.dayNumber(t) { return [] }
            return [dayLine(t)]
        }
        let resendable = thread.failedReply(outbox: key.outbox)
        func block(_ message: Message) -> [Line] {
            let outbound = message.direction != .inbound
            let stamp = message.timestamp.map(time.clock) ?? ""
            var header: [(String, StyleRole)] = [(outbound ? "You" : name, .author), ("  " + stamp, .timestamp)]
            if outbound { header += mark(message.status) }
            var lines = [Line(segments: header, indent: outbound ? 4 : 0)]
            let text = Sanitizer.clean(message.content ?? "", multiline: true)
            for segment in shownText(text, width: bodyWidth - (outbound ? 4 : 0), role: outbound ? .outbound : .inbound) {
                lines.append(Line(segments: [segment], indent: outbound ? 6 : 2))
            }
            if message.status == .failed {
                let why = Sanitizer.clean(message.error ?? "not delivered")
                for part in Wrap.lines("✗ \(why)" + (message.id == resendable?.id ? reducer.keyMap.hint(.resend) { " · \($0) resend" } : ""), width: bodyWidth - 4) {
                    lines.append(Line(segments: [(part, .markFailed)], indent: 6))
                }
            }
            lines.append(Line(segments: []))
            return lines
        }

        // Replies still in the outbox come after the thread, oldest first.
        /// The time of the last message before `index` that has one.
        func timestamp(before index: Int) -> Timestamp? {
            thread.messages[..<index].last(where: { $0.timestamp != nil })?.timestamp
        }
        var tail: [Line] = []
        var previousDay = timestamp(before: thread.messages.count)
        for entry in key.outbox {
            tail += separator(entry.createdAt, after: previousDay)
            previousDay = entry.createdAt
            let (label, role): (String, StyleRole) = switch entry.state {
            case .queued: ("  … queued", .markPending)
            case .sending: ("  … sending", .markPending)
            case .unknown: ("  ? checking whether it was delivered", .markPending)
            case .failed: ("  ✗ failed", .markFailed)
            }
            tail.append(Line(segments: [("You", .author), ("  " + time.clock(entry.createdAt), .timestamp), (label, role)], indent: 4))
            for part in Wrap.lines(Sanitizer.clean(entry.text, multiline: true), width: bodyWidth - 4) {
                tail.append(Line(segments: [(part, .outbound)], indent: 6))
            }
            if case .failed(let why) = entry.state {
                for part in Wrap.lines("✗ \(Sanitizer.clean(why))" + reducer.keyMap.hint(.resend) { " · \($0) resend" }, width: bodyWidth - 4) {
                    tail.append(Line(segments: [(part, .markFailed)], indent: 6))
                }
            }
            tail.append(Line(segments: []))
        }

        // Messages from the newest back, until the screen (and the scroll) is covered.
        var blocks: [[Line]] = []
        var count = tail.count
        var arrived = 0
        let anchor = thread.arrivedAfter.flatMap { id in thread.messages.lastIndex { $0.id == id } } ?? thread.messages.count
        var index = thread.messages.count
        while index > 0, count - arrived < needed + 1 {
            index -= 1
            let message = thread.messages[index]
            let lines = separator(message.timestamp, after: timestamp(before: index)) + block(message)
            count += lines.count
            if index > anchor { arrived += lines.count }
            blocks.append(lines)
        }
        var lines: [Line] = []
        lines.reserveCapacity(count)
        for block in blocks.reversed() { lines += block }
        lines += tail
        while lines.last?.segments.isEmpty == true { lines.removeLast() }
        return (lines, index == 0, arrived)
    }

    static func channelName(_ type: ChannelType) -> String {
        switch type {
        case .whatsapp: "WhatsApp"
        case .telegram: "Telegram"
        case .instagram: "Instagram"
        default: Sanitizer.clean(type.rawValue)
        }
    }

    func mark(_ status: MessageStatus?) -> [(String, StyleRole)] {
        switch status {
        case .pending?: [("  …", .markPending)]
        case .sent?: [("  ✓", .markSent)]
        case .delivered?: [("  ✓✓", .markSent)]
        case .read?: [("  ✓✓ read", .markRead)]
        case .failed?: [("  ✗ failed", .markFailed)]
        default: []
        }
    }

    /// The composer's lines (title first) and the cursor within them.
    func composerLines(_ state: InboxState, _ id: Int, width: Int) -> (lines: [Line], cursor: (x: Int, y: Int))? {
        let editor: LineEditor
        let title: String
        var warning: String?
        switch state.mode {
        case .compose(let contactID, let e) where contactID == id:
            editor = e
            // A long reply shows its length: a server's limit is counted in characters.
            let length = e.characters.count >= 1000 ? "\(e.characters.count) characters · " : ""
            title = "─ Reply · \(length)Enter send · C-j newline · Esc draft "
            if state.contacts[id]?.blacklisted == true {
                warning = "⚠ this contact is blacklisted: the server refuses replies until "
                    + (reducer.keyMap.hint(.blacklist).map { "\($0) unblacklists it" } ?? "it is unblacklisted")
            } else if reducer.outsideWhatsAppWindow(state, id) {
                warning = "⚠ last inbound message is over 24 h old: WhatsApp may reject free text"
            }
        case .note(let contactID, let e) where contactID == id:
            editor = e
            title = "─ Note · Enter save · C-j newline · Esc keep "
        default:
            return nil
        }
        let textWidth = Self.composerTextWidth(paneWidth: width)
        var lines = [Line(segments: [(title + String(repeating: "─", count: max(0, width - TextWidth.width(of: title))), .composerTitle)])]
        // The warning wraps: cut at a narrow pane's edge, it would lose its point.
        let warningLines = warning.map { Wrap.lines($0, width: max(8, width - 1)) } ?? []
        lines += warningLines.map { Line(segments: [(" " + $0, .warning)]) }
        // Only the paragraphs that reach the lines shown are wrapped: the cursor's own, placed
        // afresh (it changes with every key), then its neighbours, wrapped once and remembered,
        // until the window is full. A key in a long reply costs about one paragraph, not all of it.
        let maxLines = max(1, min(6, state.threadLines / 3))
        let characters = editor.characters
        func paragraph(endingAt end: Int) -> Int { characters[..<end].lastIndex(of: "\n").map { $0 + 1 } ?? 0 }
        func paragraph(startingAt start: Int) -> Int { characters[start...].firstIndex(of: "\n") ?? characters.count }
        let start = paragraph(endingAt: editor.cursor), end = paragraph(startingAt: editor.cursor)
        let placed = ComposerText.place(characters[start..<end], width: textWidth)
        var wrapped = placed.rows
        let cursor = placed.positions[editor.cursor - start]
        var cursorRow = cursor.row
        // Back to the first line, or far enough that the window starts below it.
        var earliest = start
        while earliest > 0, cursorRow < maxLines - 1 {
            let previous = paragraph(endingAt: earliest - 1)
            let added = ComposerText.rows(characters[previous..<earliest - 1], width: textWidth)
            wrapped.insert(contentsOf: added, at: 0)
            cursorRow += added.count
            earliest = previous
        }
        // On past the cursor only while the window has room below it.
        var latest = end
        while latest < characters.count, wrapped.count - max(0, cursorRow - maxLines + 1) < maxLines {
            let next = paragraph(startingAt: latest + 1)
            wrapped += ComposerText.rows(characters[latest + 1..<next], width: textWidth)
            latest = next
        }
        let firstRow = max(0, cursorRow - maxLines + 1)
        let shown = Array(wrapped.dropFirst(firstRow).prefix(maxLines))
        let startsAtTheTop = earliest == 0 && firstRow == 0
        for (i, part) in (shown.isEmpty ? [""] : shown).enumerated() {
            lines.append(Line(segments: [(i == 0 && startsAtTheTop ? "› " : "  ", .composerTitle), (part, .composer)]))
        }
        return (lines, (min(width - 1, 2 + cursor.column), 1 + warningLines.count + cursorRow - firstRow))
    }

    /// The cells a line of the composer has for text in a thread pane `paneWidth` wide.
    static func composerTextWidth(paneWidth: Int) -> Int { max(8, paneWidth - 3) }
}

/// Everything a thread pane's messages part shows.
struct ThreadBodyKey: Hashable, Sendable {
    var id: Int
    var name: String
    var thread: ThreadState
    var outbox: [OutboxEntry]
    var width: Int
    var height: Int

    // Equality compares the messages (at once when the array is the same); hashing them would
    // cost as much as drawing them.
    func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(thread.messages.count)
        hasher.combine(thread.messages.last?.id)
        hasher.combine(thread.scrollUp)
        hasher.combine(width)
        hasher.combine(height)
    }
}

/// A drawn thread pane body, and how many lines up from the bottom it shows.
struct ThreadBody: Sendable {
    var cells: [Cell]
    var scrollUp: Int
}
