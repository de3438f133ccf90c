import Inbox
import SkyLight

/// The pure view: inbox state in, a frame out. No terminal, no I/O.
public struct InboxView: Sendable {
    public var time: TimeFormat
    public var reducer: Reducer
    /// List rows already drawn, by everything they show: moving the selection redraws two.
    let rowCache = Memo<RowKey, [Cell]>(limit: 1024)
    /// Thread panes already drawn: the selection's and its neighbours'.
    let threadBodies = Memo<ThreadBodyKey, ThreadBody>(limit: 8)

    /// Creates a view rendering times at a UTC offset.
    public init(time: TimeFormat = TimeFormat(offset: 0), reducer: Reducer = Reducer()) {
        self.time = time; self.reducer = reducer
    }

    /// Renders the whole screen.
    public func render(_ state: InboxState, width: Int, height: Int) -> Frame {
        let layout = Layout(width: width, height: height, sidebar: state.sidebarShown)
        var frame = Frame(width: width, height: height)
        if layout.tooSmall {
            renderTooSmall(state, &frame)
            return frame
        }
        renderHeader(state, &frame)
        for column in layout.separators {
            for row in layout.list.y..<layout.list.maxY { frame[column, row] = Cell(text: "│", role: .border) }
        }
        renderList(state, layout.list, &frame)
        renderThread(state, layout.thread, &frame)
        if let sidebar = layout.sidebar { renderSidebar(state, sidebar, &frame) }
        renderStatus(state, &frame)
        renderOverlay(state, &frame)
        return frame
    }

    func renderTooSmall(_ state: InboxState, _ frame: inout Frame) {
        var lines = ["Terminal too small: \(frame.width)×\(frame.height)",
                     "SkyLight Inbox needs at least \(Layout.minimumWidth)×\(Layout.minimumHeight).",
                     "Enlarge the window" + reducer.keyMap.hint(.quit) { ", or press \($0) to quit" } + "."]
        // A question asked before the window shrank (q with replies unsent) still needs its answer.
        if case .confirm(let confirmation) = state.mode {
            lines = [lines[0]] + Wrap.lines(Sanitizer.clean(confirmation.question), width: max(8, frame.width - 2)) + ["y yes · n no"]
        }
        let top = max(0, frame.height / 2 - 1)
        for (i, line) in lines.enumerated() where top + i < frame.height {
            let text = Frame.truncate(line, to: frame.width)
            frame.put(text, x: max(0, (frame.width - TextWidth.width(of: text)) / 2), y: top + i, maxWidth: frame.width,
                      role: i == 0 ? .warning : .normal)
        }
    }

    // MARK: Header and status

    func renderHeader(_ state: InboxState, _ frame: inout Frame) {
        if case .offline(let since, _) = state.connection {
            // Offline, the whole top line says so: what is on screen may be old.
            let banner = " OFFLINE since \(time.clock(since)) · showing saved conversations · replies wait in the outbox and go when the connection returns"
            frame.fill(x: 0, y: 0, width: frame.width, height: 1, role: .statusError)
            frame.put(Frame.truncate(banner, to: frame.width), x: 0, y: 0, maxWidth: frame.width, role: .statusError)
            return
        }
        frame.fill(x: 0, y: 0, width: frame.width, height: 1, role: .header)
        // With pages of the list still unread by the inbox, there may be more: Space finds them.
        let atLeast = reducer.pagesNotRead(state) ? "+" : ""
        let left = " SkyLight Inbox │ \(Sanitizer.clean(state.accountLabel)) │ \(state.unreadTotal)\(atLeast) unread │ \(state.filter.label)"
        let right = "? help "
        frame.put(Frame.truncate(left, to: frame.width - right.count - 1), x: 0, y: 0, maxWidth: frame.width, role: .header)
        frame.put(right, x: frame.width - right.count, y: 0, maxWidth: right.count, role: .header)
    }

    func renderStatus(_ state: InboxState, _ frame: inout Frame) {
        let y = frame.height - 1
        frame.fill(x: 0, y: y, width: frame.width, height: 1, role: .status)
        switch state.mode {
        case .search(let editor), .command(let editor):
            let prompt = { if case .search = state.mode { "/" } else { ":" } }()
            let text = Sanitizer.clean(editor.text)
            let visible = Frame.truncate(text, to: frame.width - 2)
            let used = frame.put(prompt + visible, x: 0, y: y, maxWidth: frame.width, role: .status)
            let before = Sanitizer.clean(String(editor.characters.prefix(editor.cursor)))
            frame.cursor = (min(frame.width - 1, 1 + TextWidth.width(of: before)), y)
            if case .command = state.mode {
                // What Tab would complete, so the commands and their arguments need no manual.
                // As many as fit, so a narrow terminal still shows some and says there are more.
                let choices = CommandCompletion.candidates(for: editor.text, in: state).map { Sanitizer.clean($0) }
                func hint(_ count: Int) -> String {
                    choices.prefix(count).joined(separator: "  ") + (count < choices.count ? "  …" : "") + "  Tab "
                }
                var count = 0
                while count < choices.count, TextWidth.width(of: hint(count + 1)) <= frame.width - used - 2 { count += 1 }
                if count > 0 {
                    frame.put(hint(count), x: frame.width - TextWidth.width(of: hint(count)), y: y, maxWidth: frame.width, role: .dim)
                }
            }
            return
        default: break
        }
        var x = 0
        // A poll on a stalled link can wait for its answer a long time: the status says so,
        // rather than "live" (or a retry already under way) as if nothing were pending.
        let waited = state.pollStartedAt.map { Int(state.now.seconds(since: $0)) }.flatMap { $0 >= 5 ? $0 : nil }
        let (dot, label, role, reason): (String, String, StyleRole, String?) = switch state.connection {
        case .connecting: ("◌", "connecting" + (waited.map { " · \($0) s" } ?? ""), .status, nil)
        case .live: waited.map { ("◌", "waiting \($0) s for the server", .status, nil) } ?? ("●", "live", .statusLive, nil)
        case .retrying(let at, let reason):
            ("⟳", state.pollInFlight ? "retrying" + (waited.map { " · waiting \($0) s" } ?? " now")
                                     : "retrying in \(max(1, Int(at.seconds(since: state.now).rounded(.up)))) s", .statusError, reason)
        case .offline(let since, let reason): ("✗", "offline since \(time.clock(since))", .statusError, reason)
        }
        x += frame.put(" \(dot) \(label)", x: x, y: y, maxWidth: frame.width, role: role)
        if let sync = state.lastSync {
            x += frame.put(" · synced \(time.clock(sync))", x: x, y: y, maxWidth: frame.width - x, role: .status)
        }
        let pending = state.unsentReplies
        if pending > 0 { x += frame.put(" · outbox \(pending)", x: x, y: y, maxWidth: frame.width - x, role: .status) }
        let hint = statusHint(filtered: state.filter.isActive)
        // A failed poll says why (a refused key and a server error call for different things),
        // unless a notice answering the agent's last key needs the room.
        if let text = state.notice?.text ?? reason ?? state.warning {
            x += frame.put(" │ ", x: x, y: y, maxWidth: frame.width - x, role: .status)
            frame.put(Frame.truncate(Sanitizer.clean(text), to: frame.width - x), x: x, y: y, maxWidth: frame.width - x,
                      role: state.notice?.isError ?? true ? .statusError : .status)
        } else if frame.width - x > hint.count + 2 {
            frame.put(hint, x: frame.width - hint.count, y: y, maxWidth: hint.count, role: .status)
        }
    }

    /// The status bar's reminder of the triage keys, as bound.
    func statusHint(filtered: Bool) -> String {
        let keys = reducer.keyMap
        let triage: [(Command, String)] = [(.reply, "reply"), (.tag, "tag"), (.blacklist, "blacklist"), (.note, "note"), (.nextUnread, "next unread")]
        return (filtered ? keys.hint(.clearFilter) { " \($0) all conversations " } : "")
            + " " + triage.compactMap { command, what in keys.hint(command).map { "\($0) \(what)" } }.joined(separator: "  ") + " "
    }

    // MARK: List

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

    // MARK: Thread

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

    // MARK: Sidebar

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

    // MARK: Overlays

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

import Foundation

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
