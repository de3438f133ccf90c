import Foundation
import Testing
import Inbox
import SkyLight
@testable import Terminal

/// A small inbox in a known state, for snapshots.
enum Sample {
    static let now = Timestamp("2026-03-04T12:00:00.000000Z")!

    static func state(width: Int = 80, height: Int = 24) -> InboxState {
        var state = InboxState(accountLabel: "acme", now: now)
        let rows = [
            Conversation(contactID: 42, contactName: "Sarah Johnson", channel: .whatsapp, lastMessage: "Where is my order?",
                         lastMessageAt: now.adding(seconds: -120), unreadCount: 2),
            Conversation(contactID: 7, contactName: "نورة العتيبي", channel: .telegram, lastMessage: "شكراً جزيلاً",
                         lastMessageAt: now.adding(seconds: -3 * 3600), unreadCount: 0),
            Conversation(contactID: 9, contactName: "\u{1B}]0;pwned\u{07}Eve \u{1B}[31mRed", channel: .instagram,
                         lastMessage: "注文した商品はいつ届きますか？🎉", lastMessageAt: now.adding(seconds: -2 * 86_400), unreadCount: 1),
        ]
        state.setConversations(rows)
        state.conversationsLoaded = true
        state.selectedID = 42
        state.connection = .live
        state.lastSync = now
        state.contacts[42] = Contact(id: 42, name: "Sarah Johnson", email: "sarah@example.com", phone: "+14155551234", type: .whatsapp,
                                     status: .active, blacklisted: false, tags: ["VIP Customer", "newsletter"])
        state.notes[42] = [Note(id: 1, contactID: 42, content: "Called today — interested in Pro plan.", createdAt: now.adding(seconds: -600))]
        var thread = ThreadState()
        _ = thread.merge([
            Message(id: 1, contactID: 42, direction: .inbound, channel: .whatsapp, content: "Hi, where is my order? It was supposed to arrive yesterday.",
                    status: .delivered, createdAt: now.adding(seconds: -86_400 - 600)),
            Message(id: 2, contactID: 42, direction: .outbound, channel: .whatsapp, content: "Let me check that for you.",
                    status: .read, createdAt: now.adding(seconds: -86_400)),
            Message(id: 3, contactID: 42, direction: .outbound, channel: .whatsapp, content: "Tracking link sent.", status: .failed,
                    error: "No whatsapp channel connected.", createdAt: now.adding(seconds: -300)),
            Message(id: 4, contactID: 42, direction: .inbound, channel: .whatsapp, content: "Where is my order?", status: .delivered,
                    createdAt: now.adding(seconds: -120)),
        ])
        thread.pagesLoaded = 1
        state.threads[42] = thread
        let layout = Layout(width: width, height: height, sidebar: state.sidebarShown)
        _ = Reducer().reduce(&state, .viewport(listItems: layout.listItems, threadLines: layout.thread.height - 1, sidebarFits: width >= 120,
                                               width: width))
        return state
    }
}

/// Frame snapshots of the main screens. Set SNAPSHOT_RECORD=1 to rewrite them after a deliberate change.
struct SnapshotTests {
    let view = InboxView(time: TimeFormat(offset: 0))

    func check(_ name: String, _ frame: Frame) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/\(name).txt")
        let text = frame.text + "\n"
        if ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "snapshot \(name) differs:\n\(text)")
    }

    @Test func mainScreen80x24() throws {
        try check("main-80x24", view.render(Sample.state(), width: 80, height: 24))
    }

    @Test func mainScreenWithSidebar140x30() throws {
        try check("main-140x30", view.render(Sample.state(width: 140, height: 30), width: 140, height: 30))
    }

    /// The composer wraps paragraph by paragraph; what it shows is what wrapping the whole
    /// text gives, and its cursor sits before the character it stands at, wherever it is.
    @Test func aLongReplyWrapsAsAWholeWhereverTheCursorIs() {
        var state = Sample.state(width: 100, height: 40)
        let id = state.selectedID!
        let text = (1...12).map { "Point \($0)." }.joined(separator: "\n") + "\nThanks for waiting.\n\nYour refund of 配送 order 4411 was sent 👍🏽 today and should reach you in three to five days, "
            + "depending on the bank.\n\tشكرا été\n\n" + (1...60).map { "word\($0)" }.joined(separator: " ") + "\n"
        let width = 60
        let maxLines = max(1, min(6, state.threadLines / 3))
        let all = Wrap.uncachedLines(Sanitizer.uncachedClean(text, multiline: true, tabWidth: 4), width: width - 3)
        for cursor in [0, 5, 19, 20, 21, 60, 90, 122, 140, 180, 200, 227, 228, 229, text.count - 30, text.count - 1, text.count] {
            var editor = LineEditor(text, multiline: true)
            while editor.cursor > cursor { _ = editor.handle(.left) }
            state.mode = .compose(contactID: id, editor: editor)
            guard let shown = view.composerLines(state, id, width: width) else { Issue.record("no composer"); return }
            let lines = shown.lines.dropFirst().map { String($0.segments.map(\.0).joined().dropFirst(2)) }
            let first = lines.isEmpty ? 0 : all.firstIndex { $0 == lines[0] } ?? -1
            #expect(lines == Array(all[max(0, first)..<min(all.count, max(0, first) + lines.count)]), "cursor \(cursor)")
            // As many letters are drawn before the cursor as the text has before it (spaces and
            // line breaks aside: a row's last space is not drawn), and it sits on the next one.
            let row = first + shown.cursor.y - 1
            var drawnBefore = all[..<row].reduce(0) { $0 + $1.filter { $0 != " " }.count }
            var column = 0
            let cursorRow = Array(all[row])
            var next = cursorRow.startIndex
            while next < cursorRow.count, column < shown.cursor.x - 2 {
                if cursorRow[next] != " " { drawnBefore += 1 }
                column += TextWidth.width(of: cursorRow[next]); next += 1
            }
            let before = Sanitizer.uncachedClean(String(Array(text)[..<cursor]), multiline: true, tabWidth: 4)
            #expect(drawnBefore == before.filter { $0 != " " && $0 != "\n" }.count, "cursor \(cursor)")
            if cursor < text.count, !Array(text)[cursor].isWhitespace {
                #expect(next < cursorRow.count && cursorRow[next] == Sanitizer.clean(String(Array(text)[cursor])).first, "cursor \(cursor)")
            }
            // The window ends at the cursor's line, and the prompt marks the reply's first line only.
            let content = shown.lines.dropFirst().map { $0.segments.map(\.0).joined() }
            #expect(first == max(0, row - maxLines + 1) && lines.count == min(maxLines, all.count - first), "cursor \(cursor)")
            #expect(content.enumerated().allSatisfy { $0.element.hasPrefix($0.offset == 0 && first == 0 ? "› " : "  ") }, "cursor \(cursor)")
        }
    }

    /// Inside a word that moved whole to the next row, the cursor is drawn on that row.
    @Test func theCursorIsDrawnWhereItsWordWrapped() {
        var state = Sample.state(width: 100, height: 40)
        let id = state.selectedID!
        var editor = LineEditor(String(repeating: "a", count: 20) + " " + String(repeating: "b", count: 10), multiline: true)
        for _ in 0..<5 { _ = editor.handle(.left) }
        state.mode = .compose(contactID: id, editor: editor)
        let shown = view.composerLines(state, id, width: 30)
        #expect(shown?.lines.count == 3)
        #expect(shown?.cursor.x == 2 + 5 && shown?.cursor.y == 2)
    }

    /// Up and Down move by the rows the composer draws, at the column they started from,
    /// whether or not the sidebar narrows the pane.
    @Test func upAndDownMoveByTheRowsDrawn() {
        let reducer = Reducer(textLayout: .composer)
        for (width, height) in [(80, 24), (100, 40), (140, 40)] {
            var state = Sample.state(width: width, height: height)
            _ = reducer.reduce(&state, .key(.char("r")))
            _ = reducer.reduce(&state, .key(.paste((1...30).map { "word\($0)" }.joined(separator: " "))))
            func cursor() -> (x: Int, y: Int)? { view.render(state, width: width, height: height).cursor }
            guard let end = cursor() else { Issue.record("no cursor at \(width)"); continue }
            _ = reducer.reduce(&state, .key(.up))
            guard let up = cursor() else { Issue.record("no cursor at \(width)"); continue }
            #expect(up.y == end.y - 1 && up.x <= end.x && up.x >= end.x - 6, "\(width)×\(height): \(end) then \(up)")
            _ = reducer.reduce(&state, .key(.up))
            let top = cursor()
            #expect(top?.y == end.y - 2, "\(width)×\(height)")
            // Back down over the same rows, to the same column.
            _ = reducer.reduce(&state, .key(.down))
            _ = reducer.reduce(&state, .key(.down))
            #expect(cursor()?.x == end.x && cursor()?.y == end.y, "\(width)×\(height)")
            _ = reducer.reduce(&state, .key(.up))
            _ = reducer.reduce(&state, .key(.char("¶")))
            let frame = view.render(state, width: width, height: height)
            #expect(frame[up.x, up.y].text == "¶", "\(width)×\(height): \(frame.text)")
        }
    }

    @Test func homeAndEndGoToTheEdgesOfTheRowDrawn() {
        let reducer = Reducer(textLayout: .composer)
        for (width, height) in [(80, 24), (140, 40)] {
            var state = Sample.state(width: width, height: height)
            _ = reducer.reduce(&state, .key(.char("r")))
            _ = reducer.reduce(&state, .key(.paste((1...30).map { "word\($0)" }.joined(separator: " "))))
            func cursor() -> (x: Int, y: Int)? { view.render(state, width: width, height: height).cursor }
            _ = reducer.reduce(&state, .key(.ctrl("a")))  // C-a: the reply's very start
            guard let start = cursor() else { Issue.record("no cursor at \(width)"); continue }
            _ = reducer.reduce(&state, .key(.ctrl("e")))
            _ = reducer.reduce(&state, .key(.up))
            guard let middle = cursor(), middle.y > start.y else { Issue.record("\(width)×\(height): one row only"); continue }
            _ = reducer.reduce(&state, .key(.home))
            #expect(cursor()?.x == start.x && cursor()?.y == middle.y, "\(width)×\(height): \(String(describing: cursor()))")
            _ = reducer.reduce(&state, .key(.end))
            let frame = view.render(state, width: width, height: height)
            guard let end = frame.cursor else { Issue.record("no cursor at \(width)"); continue }
            // Just after the row's last word, and nothing drawn further on that row.
            #expect(end.y == middle.y && frame[end.x - 1, end.y].text?.isNumber == true, "\(width)×\(height): \(end)")
            #expect((end.x..<width).allSatisfy { [nil, " ", "│"].contains(frame[$0, end.y].text) },
                    "\(width)×\(height): \(frame.row(end.y))")
        }
    }

    @Test func composing() throws {
        var state = Sample.state()
        let reducer = Reducer()
        _ = reducer.reduce(&state, .key(.char("r")))
        for c in "Your order ships today 🚚" { _ = reducer.reduce(&state, .key(.char(c))) }
        let frame = view.render(state, width: 80, height: 24)
        try check("compose-80x24", frame)
        #expect(frame.cursor != nil && !frame.text.contains("characters"))
        // A long reply counts itself.
        _ = reducer.reduce(&state, .key(.paste(String(repeating: "word ", count: 200))))
        #expect(view.render(state, width: 80, height: 24).text.contains("─ Reply · 1024 characters · Enter send"))
    }

    @Test func theWhatsAppWindowWarningWrapsToThePane() {
        var state = Sample.state()
        state.threads[42]?.messages.removeAll { $0.id == 4 }  // the customer last wrote a day ago
        let reducer = Reducer()
        _ = reducer.reduce(&state, .key(.char("r")))
        _ = reducer.reduce(&state, .key(.char("x")))
        let frame = view.render(state, width: 80, height: 24)
        let rows = (0..<24).map { frame.row($0) }
        let warning = rows.filter { $0.contains("⚠") || $0.contains("free text") }
        #expect(warning.count == 2 && warning.last?.contains("may reject free text") == true, "\(rows.joined(separator: "\n"))")
        #expect(frame.cursor.map { rows[$0.y].contains("› x") } == true)
    }

    @Test func replyingToABlacklistedContactWarnsFirst() {
        var state = Sample.state()
        state.contacts[42]?.blacklisted = true
        _ = Reducer().reduce(&state, .key(.char("r")))
        let text = view.render(state, width: 80, height: 24).text
        #expect(text.contains("⚠ this contact is blacklisted"))
    }

    /// `:messages` shows what the status bar said, whole: a long notice is cut there at 80 columns.
    @Test func messagesShowALongNoticeWhole() {
        var state = Sample.state()
        let reducer = Reducer()
        let reason = "the server closed the connection before answering"
        _ = reducer.reduce(&state, .tagChanged(contactID: 42, .failure(.outcomeUnknown(reason: reason)), description: ""))
        let status = view.render(state, width: 80, height: 24).row(23)
        #expect(status.contains("Tag change not confirmed") && !status.contains("answering"), "\(status)")
        for key in [Key.char(":")] + "messages".map({ Key.char($0) }) + [.enter] { _ = reducer.reduce(&state, .key(key)) }
        #expect(state.mode == .messages(scroll: 0))
        let frame = view.render(state, width: 80, height: 24)
        let text = (0..<24).map { frame.row($0) }.joined(separator: "\n")
        #expect(text.contains("Messages, newest first") && text.contains("12:00 ✗ Tag change not confirmed") && text.contains("answering"), "\(text)")
        _ = reducer.reduce(&state, .key(.char("x")))
        #expect(state.mode == .normal)
    }

    @Test func help() throws {
        var state = Sample.state()
        _ = Reducer().reduce(&state, .key(.char("?")))
        try check("help-80x24", view.render(state, width: 80, height: 24))
    }

    @Test func blacklistConfirmation() throws {
        var state = Sample.state()
        _ = Reducer().reduce(&state, .key(.char("b")))
        try check("confirm-blacklist-80x24", view.render(state, width: 80, height: 24))
    }

    /// A long tag list scrolls with the choice: the tag Enter applies is always on screen.
    @Test func theChosenTagStaysInSight() throws {
        var state = Sample.state()
        let reducer = Reducer()
        _ = reducer.reduce(&state, .tagsLoaded((1...300).map { Tag(id: $0, title: "Tag number \($0)") }))
        _ = reducer.reduce(&state, .key(.char("t")))
        for _ in 0..<40 { _ = reducer.reduce(&state, .key(.down)) }
        var text = view.render(state, width: 80, height: 24).text
        #expect(text.contains("▸ Tag number 41 ") && text.contains("↑ 31 more") && text.contains("↓ 259 more"), "\(text)")
        _ = reducer.reduce(&state, .key(.pageUp))
        text = view.render(state, width: 80, height: 24).text
        #expect(text.contains("▸ Tag number 31 ") && text.contains("↑ 30 more") && text.contains("↓ 260 more"), "\(text)")
        _ = reducer.reduce(&state, .key(.down))  // within what is shown: the list stays put
        text = view.render(state, width: 80, height: 24).text
        #expect(text.contains("▸ Tag number 32 ") && text.contains("↑ 30 more"), "\(text)")
        _ = reducer.reduce(&state, .key(.up))
        #expect(reducer.reduce(&state, .key(.enter)) == [.assignTag(contactID: 42, tagID: 31, title: "Tag number 31")])
    }

    @Test func tooSmall() throws {
        var state = Sample.state()
        let frame = view.render(state, width: 60, height: 20)
        #expect(frame.text.contains("Terminal too small: 60×20"))
        #expect(!frame.text.contains("│"))
        state.mode = .confirm(.quitWithUnsentReplies(count: 2))
        #expect(view.render(state, width: 60, height: 20).text.contains("2 replies are not sent yet"))
    }

    @Test func bordersHoldAtEverySize() {
        for (w, h) in [(80, 24), (81, 25), (100, 30), (119, 40), (120, 40), (200, 50)] {
            let state = Sample.state(width: w, height: h)
            let frame = view.render(state, width: w, height: h)
            let layout = Layout(width: w, height: h, sidebar: state.sidebarShown)
            for column in layout.separators {
                for row in 1..<(h - 1) { #expect(frame[column, row].text == "│", "\(w)x\(h) at \(column),\(row)") }
            }
        }
    }

    @Test func hostileNamesAreShownSafely() {
        let frame = view.render(Sample.state(), width: 80, height: 24)
        #expect(frame.text.contains("␛Eve ␛Red"))
        #expect(!frame.text.contains("pwned"))
        #expect(!frame.text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }

    @Test func offlineIsABannerAcrossTheTop() {
        var state = Sample.state()
        state.connection = .offline(since: Sample.now, reason: "refused")
        let top = InboxView().render(state, width: 80, height: 24).row(0)
        #expect(top.hasPrefix(" OFFLINE since ") && top.contains("saved conversations"))
        #expect(InboxView().render(state, width: 80, height: 24)[1, 0].role == .statusError)
    }

    @Test func aLongListsTitleCountsTheSelectionsPlace() {
        var state = Sample.state()
        #expect(!view.render(state, width: 80, height: 24).row(1).contains("/3"))
        state.setConversations((1...30).map {
            Conversation(contactID: $0, contactName: "Customer \($0)", channel: .telegram, lastMessage: "Hello",
                         lastMessageAt: Sample.now.adding(seconds: -60 * Double($0)), unreadCount: 0)
        })
        state.selectedID = 1
        #expect(view.render(state, width: 80, height: 24).row(1).contains("1/30 │"))
        state.selectedID = 7
        #expect(view.render(state, width: 80, height: 24).row(1).contains("7/30 │"))
    }

    @Test func aNarrowPaneShortensWhatItMustNotCut() {
        var state = Sample.state()
        state.setConversations((1...240).map {
            Conversation(contactID: $0, contactName: "Customer \($0)", channel: .telegram, lastMessage: "Hello",
                         lastMessageAt: Sample.now.adding(seconds: -60 * Double($0)), unreadCount: 0)
        })
        state.selectedID = 42
        state.notes[42] = [Note(id: 1, contactID: 42, content: "Prefers email", createdAt: Sample.now)]
        state.sidebarPreference = true  // all three panes in 80 columns
        let frame = view.render(state, width: 80, height: 24)
        #expect(frame.row(1).hasPrefix(" Conversations ") && frame.row(1).contains("42/240 │") && !frame.row(1).contains("…"))
        #expect(frame.text.contains("4 Mar 2026 12:00") && !frame.text.contains("Wed 4 Mar 2026 1…"))
    }

    @Test func aFailedPollSaysWhy() {
        var state = Sample.state()
        state.connection = .retrying(at: Sample.now.adding(seconds: 4), reason: "HTTP 401: Unauthenticated.")
        #expect(view.render(state, width: 80, height: 24).row(23).contains("⟳ retrying in 4 s · synced 12:00 │ HTTP 401: Unauthenticated."))
        state.connection = .offline(since: Sample.now, reason: "connection refused \u{1B}[31m")
        let status = view.render(state, width: 80, height: 24).row(23)
        #expect(status.contains("offline since") && status.contains("│ connection refused ␛") && !status.contains("\u{1B}"))
        // The answer to the agent's last key comes first.
        state.notice = Notice(text: "Offline: tags need the server", isError: true, expires: Sample.now.adding(seconds: 8))
        #expect(view.render(state, width: 80, height: 24).row(23).contains("│ Offline: tags need the server"))
    }

    @Test func aThreadThatFailedToLoadSaysWhyAndWhatHappensNext() {
        var state = Sample.state()
        state.threads[42] = ThreadState()
        state.threads[42]?.failure = "HTTP 500: Server Error \u{1B}[2J"
        let text = view.render(state, width: 80, height: 24).text
        #expect(text.contains("Messages not loaded: HTTP 500: Server") && text.contains("Asked for again with the next"))
        #expect(!text.contains("Loading messages") && !text.contains("\u{1B}"))
    }

    @Test func tagsAndNotesThatNeverArrivedAreNotShownAsNone() {
        var state = Sample.state(width: 140, height: 30)
        state.contacts[42] = nil
        state.notes[42] = nil
        #expect(view.render(state, width: 140, height: 30).text.components(separatedBy: "loading…").count == 3)
        state.connection = .offline(since: Sample.now, reason: "connection refused")
        let text = view.render(state, width: 140, height: 30).text
        #expect(text.components(separatedBy: "not loaded: no connection").count == 3 && !text.contains("none · "))
    }

    @Test func aLongThreadOfWrappedMessagesScrollsToItsFirstMessage() {
        var state = Sample.state()
        var thread = ThreadState()
        let words = "a message long enough to wrap over two or three lines of a narrow pane, like real ones"
        _ = thread.merge((1...40).map {
            Message(id: $0, contactID: 42, direction: .inbound, content: "\($0) \(words)", createdAt: Sample.now.adding(seconds: Double($0 - 100)))
        })
        thread.pagesLoaded = 1
        thread.scrollUp = 1 << 30
        state.threads[42] = thread
        let frame = view.render(state, width: 80, height: 24)
        #expect(frame.text.contains("1 a message long"))
        let top = frame.shown
        #expect(top?.contactID == 42)
        // Four lines a message (header, two of text, a gap), so far more than two a message.
        #expect((top?.thread ?? 0) > 40 * 3)
        // At the reported top, the frame is the same; one line less shows the line below.
        state.threads[42]?.scrollUp = top?.thread ?? 0
        #expect(view.render(state, width: 80, height: 24) == frame)
        state.threads[42]?.scrollUp -= 1
        #expect(view.render(state, width: 80, height: 24) != frame)
        // Partway up, the view shows what was asked.
        state.threads[42]?.scrollUp = 10
        #expect(view.render(state, width: 80, height: 24).shown?.thread == 10)
    }

    @Test func aMessageArrivingWhileScrolledUpDoesNotMoveWhatTheAgentReads() {
        var state = Sample.state()
        var thread = ThreadState()
        _ = thread.merge((1...30).map {
            Message(id: $0, contactID: 42, direction: .inbound, content: "message \($0)", createdAt: Sample.now.adding(seconds: Double($0 - 100)))
        })
        thread.pagesLoaded = 1
        thread.scrollUp = 12
        state.threads[42] = thread
        let before = view.render(state, width: 80, height: 24)
        _ = state.threads[42]?.merge([Message(id: 31, contactID: 42, direction: .inbound, content: "a new one\nof two lines",
                                              createdAt: Sample.now)])
        state.threads[42]?.arrivedAfter = 30
        let after = view.render(state, width: 80, height: 24)
        #expect(Array(after.text.split(separator: "\n").dropFirst(2).prefix(18)) == Array(before.text.split(separator: "\n").dropFirst(2).prefix(18)))
        #expect(after.shown?.thread == 12 + 4)  // header, two lines and a gap
    }

    @Test func onlyTheFailedReplyThatResendingWouldSendOffersIt() {
        var state = Sample.state()
        let text = view.render(state, width: 80, height: 24).text
        #expect(text.contains("No whatsapp channel connected. · R"))
        // Sent again and delivered: the failed copy stays in the history, without the offer.
        _ = state.threads[42]?.merge([Message(id: 5, contactID: 42, direction: .outbound, channel: .whatsapp, content: "Tracking link sent.",
                                              status: .delivered, createdAt: Sample.now.adding(seconds: -60))])
        let after = view.render(state, width: 80, height: 24).text
        #expect(after.contains("No whatsapp channel connected.") && !after.contains("· R"))
    }

    /// Every hint on screen names the agent's own keys, and leaves out a command with none.
    @Test func hintsNameTheKeysAsBound() {
        var keys = KeyMap.standard
        keys.bind(.reply, to: [.char("x"), .enter])
        keys.bind(.blacklist, to: [.char("B")])
        keys.bind(.resend, to: [.ctrl("r")])
        keys.bind(.note, to: [.char("n")])
        keys.bind(.tag, to: [])
        let view = InboxView(time: TimeFormat(offset: 0), reducer: Reducer(keyMap: keys))
        var state = Sample.state(width: 140, height: 30)
        state.contacts[42]?.tags = []
        state.notes[42] = []
        var frame = view.render(state, width: 140, height: 30)
        #expect(frame.row(29).hasSuffix(" x reply  B blacklist  n note  space next unread "), "\(frame.row(29))")
        #expect(frame.text.contains("No whatsapp channel connected. · C-r resend"))
        #expect(frame.text.contains("none · n to add") && !frame.text.contains("t to add"))
        state.filter.unreadOnly = true
        frame = view.render(state, width: 140, height: 30)
        #expect(frame.row(29).contains(" Esc all conversations  x reply"), "\(frame.row(29))")
        #expect(InboxView(reducer: Reducer(keyMap: keys)).render(state, width: 40, height: 10).text.contains("or press q to quit"))
        keys.bind(.quit, to: [.char("Q")])
        #expect(InboxView(reducer: Reducer(keyMap: keys)).render(state, width: 40, height: 10).text.contains("or press Q to quit"))
    }

    /// A message of blank lines cannot push the conversation off the screen, and one with no
    /// text still shows that it came.
    @Test func blankLinesInAMessageAreCountedNotDrawn() {
        #expect(Wrap.collapsingBlankRuns(["", " ", "a", "", "", "", "b", "", "c", "  "])
                == [.text("a"), .blanks(3), .text("b"), .text(""), .text("c")])
        #expect(Wrap.collapsingBlankRuns(["", "  "]) == [])
        var state = Sample.state()
        _ = state.threads[42]?.merge([
            Message(id: 5, contactID: 42, direction: .inbound, content: String(repeating: "\n", count: 2000) + "after the gap"
                    + String(repeating: "\n", count: 300) + "last line\n\n\n", createdAt: Sample.now.adding(seconds: -60)),
            Message(id: 6, contactID: 42, direction: .inbound, content: " \n ", createdAt: Sample.now.adding(seconds: -30)),
        ])
        let rows = view.render(state, width: 80, height: 24).text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let gap = rows.firstIndex(where: { $0.contains("after the gap") }) else {
            Issue.record("the message's text is off screen"); return
        }
        #expect(rows[gap - 1].contains("Sarah Johnson  11:59"))
        #expect(rows[gap + 1].contains("⋯ 299 blank lines") && rows[gap + 2].contains("last line"))
        #expect(rows[gap + 3].trimmingCharacters(in: .whitespaces).hasSuffix("│"))  // the gap between messages
        #expect(rows[gap + 4].contains("Sarah Johnson  11:59") && rows[gap + 5].contains("(no text)"))
        // Notes alike, in the sidebar.
        var wide = Sample.state(width: 140, height: 30)
        wide.notes[42] = [Note(id: 2, contactID: 42, content: "Called" + String(repeating: "\n", count: 500) + "twice", createdAt: Sample.now)]
        let sidebar = view.render(wide, width: 140, height: 30).text
        #expect(sidebar.contains("Called") && sidebar.contains("⋯ 499 blank lines") && sidebar.contains("twice"))
    }

    /// With pages of the list not yet read, the unread count is a floor.
    @Test func theUnreadCountSaysWhenMoreMayBeOnPagesNotRead() {
        var state = Sample.state()
        state.conversationPages = 1
        state.conversationLastPage = 3
        #expect(view.render(state, width: 80, height: 24).row(0).contains("│ 2+ unread │"))
        state.conversationPages = 3
        #expect(view.render(state, width: 80, height: 24).row(0).contains("│ 2 unread │"))
    }

    /// While the server's search is out, the list says so rather than "no match".
    @Test func aSearchWaitingOnTheServerSaysSo() {
        var state = Sample.state()
        state.filter.query = "zz"
        state.filter.server = .waiting
        var text = view.render(state, width: 140, height: 30).text
        #expect(text.contains("Conversations 0 · searching… · /zz") && text.contains("Searching the server for /zz…"))
        #expect(!text.contains("No conversations match"))
        // A broad search: the server sends its first 100 and says how many it found.
        state.filter.server = .answered
        state.filter.serverMatches = Dictionary(uniqueKeysWithValues: (1000..<1100).map { ($0, Conversation(contactID: $0, contactName: "Maria \($0)")) })
        state.filter.serverTotal = 700
        #expect(view.render(state, width: 140, height: 30).row(1).contains("Conversations 100 · 700 found · /zz"))
        state.filter.serverMatches = [:]
        state.filter.server = .failed("HTTP 500")
        text = view.render(state, width: 140, height: 30).text
        #expect(text.contains("Conversations 0 · search failed · /zz") && text.contains("No local match for /zz") && text.contains("HTTP 500"))
    }

    @Test func aLongSidebarScrollsToTheOldestNote() {
        var state = Sample.state(width: 140, height: 30)
        state.notes[42] = (1...15).reversed().map { Note(id: $0, content: "Note \($0): called about the order", createdAt: Sample.now) }
        let top = view.render(state, width: 140, height: 30)
        #expect(top.row(28).contains("↓ more · Tab to scroll") && !top.text.contains("Note 1:"))
        state.focus = .sidebar
        state.sidebarScroll = 1 << 30
        let bottom = view.render(state, width: 140, height: 30)
        #expect(bottom.text.contains("Note 1:") && !bottom.text.contains("↓ more"))
        guard let shown = bottom.shown else { Issue.record("the frame reports no scroll"); return }
        #expect(shown.sidebar > 0 && shown.sidebar < 100)
        // At the reported scroll, the same frame.
        state.sidebarScroll = shown.sidebar
        #expect(view.render(state, width: 140, height: 30) == bottom)
    }

    @Test func aReplyInAThreadWhoseHistoryNeverCameSaysWhyNotThatOlderMessagesWait() {
        var state = Sample.state(width: 140, height: 30)
        state.selectedID = 7
        var thread = ThreadState()
        thread.failure = "rate limited (retry after 7 s)"
        state.threads[7] = thread
        state.outbox = [OutboxEntry(id: "a", contactID: 7, text: "hello while limited", createdAt: Sample.now)]
        state.connection = .retrying(at: Sample.now.adding(seconds: 7), reason: "rate limited")
        let text = view.render(state, width: 140, height: 30).text
        #expect(text.contains("Earlier messages not loaded: rate limited") && text.contains("hello while limited"))
        #expect(!text.contains("older messages: scroll up"))
        // The server answered: the sidebar does not claim the connection is gone.
        #expect(text.contains("not loaded yet · retrying") && !text.contains("no connection"))
        state.threads[7]?.loadingNewest = true
        #expect(view.render(state, width: 140, height: 30).text.contains("Loading earlier messages…"))
    }

    @Test func aStandingWarningStaysInTheStatusBar() {
        var state = Sample.state(width: 100, height: 30)
        state.warning = "No local cache (disk full): replies, drafts and notes are not kept if the inbox closes"
        #expect(view.render(state, width: 100, height: 30).row(29).contains("│ No local cache (disk full)"))
    }

    @Test func aPollWaitingOnAStalledLinkSaysSo() {
        var state = Sample.state(width: 100, height: 30)
        state.connection = .live
        state.pollStartedAt = state.now.adding(seconds: -3)
        #expect(view.render(state, width: 100, height: 30).row(29).hasPrefix(" ● live"))
        // Twelve seconds without an answer: "live" would claim what nobody knows any more.
        state.pollStartedAt = state.now.adding(seconds: -12)
        #expect(view.render(state, width: 100, height: 30).row(29).hasPrefix(" ◌ waiting 12 s for the server"))
        // A retry under way is not "retrying in 1 s" for as long as it takes.
        state.connection = .retrying(at: state.now.adding(seconds: -10), reason: "timed out")
        #expect(view.render(state, width: 100, height: 30).row(29).hasPrefix(" ⟳ retrying · waiting 12 s"))
        state.pollStartedAt = state.now
        #expect(view.render(state, width: 100, height: 30).row(29).hasPrefix(" ⟳ retrying now"))
        state.pollStartedAt = nil
        state.connection = .retrying(at: state.now.adding(seconds: 7), reason: "timed out")
        #expect(view.render(state, width: 100, height: 30).row(29).hasPrefix(" ⟳ retrying in 7 s"))
    }

    @Test func theCommandLineOffersWhatTabCompletes() {
        var state = Sample.state(width: 100, height: 30)
        state.themeNames = ["default-dark", "light"]
        state.mode = .command(editor: LineEditor("theme "))
        let status = view.render(state, width: 100, height: 30).row(29)
        #expect(status.hasPrefix(":theme ") && status.hasSuffix("default-dark  light  Tab "), "\(status)")
        // Free text (a note) offers nothing.
        state.mode = .command(editor: LineEditor("note called"))
        #expect(!view.render(state, width: 100, height: 30).row(29).contains("Tab"))
        // Tag titles come from the server: offered, they are made safe like any other text.
        state.tags = [Tag(id: 1, title: "\u{1B}]0;owned\u{07}VIP\u{202E}"), Tag(id: 2, title: "Billing")]
        state.mode = .command(editor: LineEditor("tag "))
        let offered = view.render(state, width: 100, height: 30).row(29)
        #expect(offered.contains("Billing") && offered.contains("␛") && !offered.contains("\u{1B}") && !offered.contains("\u{202E}"))
        // At 80 columns the eleven command names do not all fit: the first do, and "…" says there are more.
        state.mode = .command(editor: LineEditor(""))
        let narrow = view.render(state, width: 80, height: 24).row(23)
        #expect(narrow.hasSuffix("  …  Tab ") && narrow.contains("channel  help") && !narrow.contains("untag"), "\(narrow)")
        #expect(view.render(state, width: 120, height: 30).row(29).hasSuffix("unread  untag  Tab "))
    }

    @Test func aNoteNotYetSavedIsNamedInTheSidebarAndTheList() {
        var state = Sample.state(width: 140, height: 30)
        state.noteDrafts[42] = ["Refund approved"]
        #expect(view.render(state, width: 140, height: 30).text.contains("✎ 1 unsaved · a"))
        // At 80×24 the sidebar is folded away; the list row still says so.
        state = Sample.state(width: 80, height: 24)
        state.noteDrafts[42] = ["Refund approved"]
        #expect(view.render(state, width: 80, height: 24).text.contains("✎ note: Refund"))
        // A reply draft comes first: it is what the agent will send.
        state.drafts[42] = "On its way"
        let frame = view.render(state, width: 80, height: 24)
        #expect(frame.text.contains("✎ On its way") && !frame.text.contains("✎ note:"))
    }

    @Test func renderingIsPure() {
        let state = Sample.state()
        #expect(view.render(state, width: 80, height: 24) == view.render(state, width: 80, height: 24))
    }
}

struct LayoutTests {
    @Test func sidebarFoldsOnNarrowTerminals() {
        #expect(Layout(width: 80, height: 24, sidebar: false).sidebar == nil)
        let wide = Layout(width: 160, height: 40, sidebar: true)
        #expect(wide.sidebar != nil && wide.thread.width >= 60)
        let forced = Layout(width: 80, height: 24, sidebar: true)
        #expect(forced.sidebar != nil && forced.thread.width >= 20)
        #expect(Layout(width: 79, height: 24, sidebar: false).tooSmall && Layout(width: 80, height: 23, sidebar: false).tooSmall)
        #expect(!Layout(width: 80, height: 24, sidebar: false).tooSmall)
    }
}

struct ColorTests {
    @Test func mapsToTheTerminal() {
        #expect(ColorMapper.number(.terminalDefault, colors: 256) == -1)
        #expect(ColorMapper.number(.rgb(0xff, 0, 0), colors: 256) == 196)
        #expect(ColorMapper.number(.rgb(0x12, 0x34, 0x56), colors: 0x1000000) == 0x123456)
        #expect(ColorMapper.number(.rgb(0, 0xcd, 0), colors: 8) == 2)
        #expect(ColorMapper.number(.indexed(196), colors: 16) == 9)
        #expect(ColorMapper.number(.indexed(4), colors: 8) == 4)
    }

    @Test func greysKeepTheirPlaceOnFewColours() {
        // The nearest 8-colour match of a mid grey is yellow; the terminal's own colour reads as grey does.
        #expect(ColorMapper.number(.rgb(0x80, 0x80, 0x80), colors: 8) == -1)
        #expect(ColorMapper.number(.rgb(0x80, 0x80, 0x80), colors: 16) == 8)
        #expect(ColorMapper.number(.indexed(244), colors: 16) == 8)
        #expect(ColorMapper.number(.rgb(0, 0, 0), colors: 8) == 0)
        #expect(ColorMapper.number(.rgb(0xff, 0xff, 0xff), colors: 8) == 7)
        // Colours keep their hue.
        #expect(ColorMapper.number(.rgb(0x87, 0xaf, 0xd7), colors: 8) == 6)
        #expect(ColorMapper.number(.rgb(0xff, 0xd7, 0x5f), colors: 16) == 11)
    }

    @Test func aHighlightOnAGreyBackgroundTurnsToReverseVideo() {
        let selected = ColorMapper.pair(fg: .rgb(0xff, 0xff, 0xff), bg: .rgb(0x3a, 0x3a, 0x3a), colors: 16, highlight: true)
        #expect(selected.fg == 15 && selected.bg == -1 && selected.reverse)
        let composer = ColorMapper.pair(fg: .rgb(0xff, 0xff, 0xff), bg: .rgb(0x26, 0x26, 0x26), colors: 8, highlight: false)
        #expect(composer.fg == 7 && composer.bg == -1 && !composer.reverse)
        let header = ColorMapper.pair(fg: .rgb(0xff, 0xff, 0xff), bg: .rgb(0, 0x5f, 0x87), colors: 8, highlight: true)
        #expect(header.bg == 4 && !header.reverse)
        let chosen = ColorMapper.pair(fg: .indexed(7), bg: .indexed(0), colors: 8, highlight: true)
        #expect(chosen.fg == 7 && chosen.bg == 0 && !chosen.reverse)
        let exact = ColorMapper.pair(fg: .rgb(0xff, 0xff, 0xff), bg: .rgb(0x3a, 0x3a, 0x3a), colors: 256, highlight: true)
        #expect(exact.bg == 237 && !exact.reverse)
    }
}

struct TerminalTypeTests {
    @Test func anUnknownTerminalDrawsAsTheXtermItEmulates() {
        #expect(Screen.standIn(forTerminal: "xterm-kitty", colorTerm: nil) == "xterm-256color")
        #expect(Screen.standIn(forTerminal: "alacritty", colorTerm: nil) == "xterm-256color")
        #expect(Screen.standIn(forTerminal: "rxvt-unicode", colorTerm: "truecolor") == "xterm-256color")
        #expect(Screen.standIn(forTerminal: "screen.linux", colorTerm: nil) == "xterm")
        // Nothing to try when the type is missing or already one of the stand-ins.
        #expect(Screen.standIn(forTerminal: "", colorTerm: nil) == nil)
        #expect(Screen.standIn(forTerminal: "dumb", colorTerm: nil) == nil)
        #expect(Screen.standIn(forTerminal: "xterm-256color", colorTerm: nil) == nil)
    }
}

struct WrapTests {
    @Test func wrapsByWordsAndBreaksLongOnes() {
        #expect(Wrap.lines("the quick brown fox", width: 9) == ["the quick", "brown fox"])
        #expect(Wrap.lines("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(Wrap.lines("日本語テキスト", width: 5) == ["日本", "語テ", "キス", "ト"])
        #expect(Wrap.lines("a\n\nb", width: 5) == ["a", "", "b"])
    }

    @Test func relativeTimes() {
        let now = Sample.now
        let f = TimeFormat(offset: 0)
        #expect(f.relative(now.adding(seconds: -30), now: now) == "now")
        #expect(f.relative(now.adding(seconds: -300), now: now) == "5m")
        #expect(f.relative(now.adding(seconds: -7200), now: now) == "2h")
        #expect(f.relative(now.adding(seconds: -86_400 * 3), now: now) == "3d")
        #expect(f.relative(now.adding(seconds: -86_400 * 30), now: now) == "Feb 2")
        #expect(f.clock(now) == "12:00" && f.day(now) == "Wed 4 Mar 2026")
    }

    /// Past their first minute, ages change when the clock's minute turns, all together: a row
    /// whose message came at 11:58:40 reads 1m until 12:00:00, then 2m, like its neighbours.
    @Test func relativeTimesMoveOnWhenTheMinuteTurns() {
        let noon = Sample.now
        let f = TimeFormat(offset: 0)
        let message = noon.adding(seconds: -80)
        #expect(f.relative(message, now: noon.adding(seconds: -20)) == "1m")
        #expect(f.relative(message, now: noon.adding(seconds: -1)) == "1m")
        #expect(f.relative(message, now: noon) == "2m")
        // Its first minute is still "now", however the clock's minutes fall.
        #expect(f.relative(noon.adding(seconds: -2), now: noon) == "now")
        #expect(f.relative(noon.adding(seconds: -59), now: noon.adding(seconds: -0.5)) == "now")
        // Hours and days count the same minutes: 11:00:30 is 1h from 12:00:00 until 12:59:59.
        #expect(f.relative(noon.adding(seconds: -3570), now: noon) == "1h")
        #expect(f.relative(noon.adding(seconds: -3570), now: noon.adding(seconds: -1)) == "59m")
        #expect(f.relative(noon.adding(seconds: -86_370), now: noon) == "1d")
    }

    /// Each time is shown at the offset of its own moment: in November, a July message in
    /// Berlin is at its summer hour, and the night of the change counts 02:59, then 02:00.
    @Test func timesFollowDaylightSavingTime() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        func at(_ text: String) throws -> Timestamp { try #require(Timestamp(text)) }
        let now = try at("2026-11-04T12:00:00.000000Z")
        let f = TimeFormat(zone: berlin, around: Date(timeIntervalSince1970: Double(now.epochSeconds)))
        #expect(f.clock(now) == "13:00")
        #expect(try f.clock(at("2026-07-01T12:00:00.000000Z")) == "14:00")
        #expect(try f.clock(at("2026-10-25T00:59:00.000000Z")) == "02:59" && f.clock(at("2026-10-25T01:00:00.000000Z")) == "02:00")
        // A summer day starts at 22:00 UTC.
        #expect(try f.dayNumber(at("2026-06-30T21:59:00.000000Z")) != f.dayNumber(at("2026-06-30T22:00:00.000000Z")))
        #expect(try f.day(at("2026-06-30T22:30:00.000000Z")) == "Wed 1 Jul 2026")
        #expect(try f.relative(at("2026-07-31T22:30:00.000000Z"), now: now) == "Aug 1")
    }
}
