import Foundation
import Testing
@testable import Inbox
import SkyLight

/// A reducer and a state to drive it, as a person would, key by key.
struct Harness {
    var state: InboxState
    let reducer: Reducer
    static let t0 = Timestamp("2026-03-04T12:00:00.000000Z")!

    init(unread: [Int: Int] = [1: 0, 2: 3, 3: 0, 4: 1, 5: 0], channels: [Int: ChannelType] = [:], keyMap: KeyMap = .standard) {
        reducer = Reducer(keyMap: keyMap)
        state = InboxState(accountLabel: "test", now: Harness.t0)
        let rows = unread.keys.sorted().map { id in
            Conversation(contactID: id, contactName: "Contact \(id)", channel: channels[id] ?? .whatsapp, lastMessage: "hello \(id)",
                         lastMessageAt: Harness.t0.adding(seconds: Double(-60 * id)), unreadCount: unread[id])
        }
        _ = reducer.reduce(&state, .viewport(listItems: 3, threadLines: 10, sidebarFits: false))
        _ = reducer.reduce(&state, .conversationsLoaded(Page(items: rows, meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: rows.count)),
                                                        isPoll: false))
    }

    @discardableResult
    mutating func send(_ action: Action) -> [Effect] { reducer.reduce(&state, action) }

    @discardableResult
    mutating func press(_ keys: Key...) -> [Effect] { keys.flatMap { send(.key($0)) } }

    @discardableResult
    mutating func type(_ text: String) -> [Effect] { text.flatMap { send(.key(.char($0))) } }

    mutating func loadThread(_ id: Int, _ messages: [Message]) {
        send(.threadLoaded(contactID: id, page: Page(items: messages, meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 50, total: messages.count)),
                           pageNumber: 1))
    }
}

struct NavigationTests {
    @Test func firstLoadSelectsTheNewestAndFetchesItsPreview() {
        var h = Harness(unread: [:])
        let effects = h.send(.conversationsLoaded(Page(items: [Conversation(contactID: 8, lastMessageAt: Harness.t0)],
                                                       meta: PageMeta(currentPage: 1, lastPage: 2, perPage: 1, total: 2)), isPoll: false))
        #expect(h.state.selectedID == 8)
        #expect(effects.contains(.loadThread(contactID: 8, page: 1)) && effects.contains(.loadContact(8)) && effects.contains(.loadNotes(8)))
        #expect(effects.contains(.loadConversations(page: 2, isPoll: false)))  // the list is shorter than two screens
    }

    @Test func movingSelectsAndScrolls() {
        var h = Harness()
        #expect(h.state.selectedID == 1)
        h.press(.char("j"), .char("j"), .char("j"))
        #expect(h.state.selectedID == 4 && h.state.listScroll == 1)
        h.press(.char("G"))
        #expect(h.state.selectedID == 5)
        h.press(.char("g"))
        #expect(h.state.selectedID == 1 && h.state.listScroll == 0)
        h.press(.up)
        #expect(h.state.selectedID == 1)
    }

    @Test func spaceJumpsToUnreadAndBackspaceReturns() {
        var h = Harness()
        h.press(.char(" "))
        #expect(h.state.selectedID == 2)
        h.press(.char(" "))
        #expect(h.state.selectedID == 4)
        h.press(.char(" "))
        #expect(h.state.selectedID == 2)
        h.press(.backspace)
        #expect(h.state.selectedID == 4)
        h.press(.backspace, .backspace)
        #expect(h.state.selectedID == 1)
    }

    @Test func filters() {
        var h = Harness(channels: [3: .telegram, 5: .instagram])
        h.press(.char("u"))
        #expect(h.state.visible == [1, 2, 4])  // the selected conversation stays while the filter is on
        h.press(.char("j"))
        #expect(h.state.selectedID == 2)
        h.press(.char("u"), .char("c"))
        #expect(h.state.filter.channel == .whatsapp && h.state.visible == [1, 2, 4])
        h.press(.char("c"))
        #expect(h.state.visible == [3] && h.state.selectedID == 3)
        h.press(.char("c"), .char("c"))
        #expect(h.state.filter.channel == nil && h.state.visible.count == 5)
    }

    /// The server's search reaches conversations on pages the list has not loaded: they are
    /// listed after the loaded matches, read as any other, and a reply brings one to the top.
    /// The status bar's notices are kept, newest last and at most ``Said/kept``, for `:messages`.
    @Test func noticesAreKeptForMessages() {
        var h = Harness()
        for n in 0..<60 { h.press(.char(":")); h.type("nosuch\(n)"); h.press(.enter) }
        #expect(h.state.said.count == Said.kept && h.state.said.last?.text == "Unknown command :nosuch59 (try :help)")
        #expect(h.state.said.allSatisfy(\.isError) && h.state.said.first?.text == "Unknown command :nosuch10 (try :help)")
        h.press(.char(":")); h.type("mes"); h.press(.enter)
        #expect(h.state.mode == .messages(scroll: 0))
        h.press(.char("j"), .char("j"), .char("k"))
        #expect(h.state.mode == .messages(scroll: 1))
        h.press(.escape)
        #expect(h.state.mode == .normal)
    }

    /// Why sync failed is cut to the status bar's width; `:messages` has it whole, once per
    /// outage and cause, and when it came back.
    @Test func syncFailuresAreKeptForMessagesOncePerCause() {
        var h = Harness()
        let unavailable = SkyLightError.http(status: 503, message: nil, fieldErrors: [:])
        for _ in 0..<3 {
            h.send(.conversationsFailed(unavailable, isPoll: true))
            h.press(.char(":")); h.type("nosuch"); h.press(.enter)  // other notices in between
        }
        h.send(.conversationsFailed(.cannotConnect(reason: "connection refused"), isPoll: true))
        h.send(.conversationsLoaded(Page(items: h.state.conversations, meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 5)), isPoll: true))
        h.send(.conversationsFailed(unavailable, isPoll: true))
        let sync = h.state.said.map(\.text).filter { $0.hasPrefix("Sync") }
        #expect(sync == ["Sync failed: HTTP 503", "Sync failed: cannot connect: connection refused",
                         "Sync back: the server answers again", "Sync failed: HTTP 503"], "\(sync)")
        #expect(h.state.notice?.text != "Sync failed: HTTP 503")  // the status bar shows it already
    }

    /// Esc after reading a conversation the search found beyond the loaded pages keeps it
    /// selected, in the list where its time puts it, rather than jumping to the top.
    @Test func clearingASearchKeepsAFarMatchSelected() {
        var h = Harness()
        h.press(.char("/"))
        h.type("Amina")
        let far = Contact(id: 900, name: "Amina Yusuf", type: .telegram, lastMessageAt: Harness.t0.adding(seconds: -86_400))
        h.send(.searchResults(query: "Amina", .success(Page(items: [far], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 1)))))
        h.press(.enter)
        h.loadThread(900, [Message(id: 70, contactID: 900, direction: .inbound, content: "Is my refund through?", createdAt: Harness.t0.adding(seconds: -86_400))])
        let effects = h.press(.escape)
        #expect(!h.state.filter.isActive && h.state.selectedID == 900, "\(h.state.selectedID.map(String.init) ?? "none")")
        #expect(h.state.visible == [1, 2, 3, 4, 5, 900] && h.state.conversation(900)?.lastMessage == "Is my refund through?")
        // Its thread is already on screen: nothing is fetched again for it.
        #expect(!effects.contains { if case .loadThread(900, _) = $0 { true } else { false } }, "\(effects)")
    }

    @Test func aSearchListsMatchesBeyondTheLoadedPages() {
        var h = Harness()
        h.press(.char("/"))
        h.type("Amina")
        #expect(h.state.filter.server == .waiting && h.state.visible.isEmpty)
        let far = Contact(id: 900, name: "Amina Yusuf", phone: "+2348000000900", type: .telegram, lastMessageAt: Harness.t0.adding(seconds: -86_400))
        h.send(.searchResults(query: "Amina", .success(Page(items: [far], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 1)))))
        #expect(h.state.filter.server == .answered && h.state.visible == [900])
        #expect(h.state.conversation(900)?.contactName == "Amina Yusuf" && h.state.contacts[900]?.phone == "+2348000000900")
        h.press(.enter)
        #expect(h.state.selectedID == 900)
        h.loadThread(900, [Message(id: 70, contactID: 900, direction: .inbound, content: "Is my refund through?", createdAt: Harness.t0.adding(seconds: -86_400))])
        #expect(h.state.conversation(900)?.lastMessage == "Is my refund through?")
        // A reply makes it the newest conversation: it joins the list for good.
        h.press(.char("r")); h.type("Yes, today"); h.press(.enter)
        let id = h.state.outbox[0].id
        h.send(.preSendChecked(outboxID: id, newer: []))
        h.send(.sendFinished(outboxID: id, .success(Message(id: 71, contactID: 900, direction: .outbound, content: "Yes, today", createdAt: Harness.t0))))
        h.press(.escape)
        #expect(h.state.filter.query.isEmpty && h.state.visible.first == 900 && h.state.visible.count == 6)
        // A search the server cannot answer says so; the local matches stay.
        h.press(.char("/"))
        h.type("Contact")
        h.send(.searchResults(query: "Contact", .failure(.http(status: 500, message: "Server Error", fieldErrors: [:]))))
        #expect({ if case .failed = h.state.filter.server { true } else { false } }())
        #expect(h.state.visible.count == 5 && h.state.notice?.text.hasPrefix("Server search failed") == true)
        // The next poll the server answers asks the search again.
        let rows = h.state.conversations
        let effects = h.send(.conversationsLoaded(Page(items: rows, meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: rows.count)),
                                                  isPoll: true))
        #expect(effects.contains(.searchContacts("Contact")) && h.state.filter.server == .waiting)
    }

    /// Space reaches unread conversations on pages of the list not yet loaded: it reads the
    /// next page before going round to the top, and the header says the count may be higher.
    @Test func spaceReadsLaterPagesForUnreadConversations() {
        var h = Harness(unread: Dictionary(uniqueKeysWithValues: (1...10).map { ($0, $0 == 2 ? 1 : 0) }))
        func page(_ number: Int, _ rows: [(Int, Int)]) -> Action {
            .conversationsLoaded(Page(items: rows.map { id, unread in
                Conversation(contactID: id, contactName: "Contact \(id)", channel: .whatsapp, lastMessage: "hello \(id)",
                             lastMessageAt: Harness.t0.adding(seconds: Double(-60 * id)), unreadCount: unread)
            }, meta: PageMeta(currentPage: number, lastPage: 3, perPage: 10, total: 30)), isPoll: false)
        }
        h.send(page(1, (1...10).map { ($0, $0 == 2 ? 1 : 0) }))
        #expect(Reducer().pagesNotRead(h.state))
        h.press(.char(" "))
        #expect(h.state.selectedID == 2)
        // No unread row after this one is loaded: the next page is read first.
        #expect(h.press(.char(" ")).contains(.loadConversations(page: 2, isPoll: false)))
        #expect(h.state.selectedID == 2 && h.state.seekingUnread && h.state.notice?.text == "Looking for unread conversations: page 2 of 3…")
        h.send(page(2, (11...20).map { ($0, $0 == 17 ? 4 : 0) }))
        #expect(h.state.selectedID == 17 && !h.state.seekingUnread && h.state.notice == nil)
        // Page 3 holds none: round to the top.
        h.press(.char(" "))
        h.send(page(3, (21...30).map { ($0, 0) }))
        #expect(h.state.selectedID == 2 && !Reducer().pagesNotRead(h.state))
        h.press(.backspace)
        #expect(h.state.selectedID == 17)
        // A key while the page is on its way: the agent has moved on, the page does not move them.
        var k = Harness(unread: Dictionary(uniqueKeysWithValues: (1...10).map { ($0, 0) }))
        k.send(page(1, (1...10).map { ($0, 0) }))
        k.press(.char(" "))
        #expect(k.state.seekingUnread)
        k.press(.char("j"))
        k.send(page(2, (11...20).map { ($0, $0 == 15 ? 1 : 0) }))
        #expect(k.state.selectedID == 2)
    }

    /// A channel filter reads on through later pages of the list: a channel's older
    /// conversations are reached, not only those on the pages already loaded.
    @Test func aChannelFilterReadsOnThroughLaterPages() {
        var h = Harness()
        func page(_ number: Int, _ ids: ClosedRange<Int>, telegram: Set<Int>) -> Action {
            .conversationsLoaded(Page(items: ids.map { id in
                Conversation(contactID: id, contactName: "Contact \(id)", channel: telegram.contains(id) ? .telegram : .whatsapp,
                             lastMessage: "hello \(id)", lastMessageAt: Harness.t0.adding(seconds: Double(-60 * id)), unreadCount: 0)
            }, meta: PageMeta(currentPage: number, lastPage: 3, perPage: 10, total: 30)), isPoll: false)
        }
        h.send(page(1, 1...10, telegram: [3]))
        h.press(.char("c"))
        #expect(h.press(.char("c")).contains(.loadConversations(page: 2, isPoll: false)))
        #expect(h.state.filter.channel == .telegram && h.state.visible == [3])
        #expect(h.send(page(2, 11...20, telegram: [15])).contains(.loadConversations(page: 3, isPoll: false)))
        #expect(h.state.visible == [3, 15])
    }

    /// Over a long day the threads held stay bounded: the ones longest unseen go (and are read
    /// again if opened), never the selection's, its neighbours' or one with a reply waiting.
    @Test func aLongDayHoldsABoundedNumberOfThreads() {
        var h = Harness(unread: Dictionary(uniqueKeysWithValues: (1...400).map { ($0, 0) }))
        h.loadThread(1, [Message(id: 1, contactID: 1, direction: .inbound, content: "hi", createdAt: Harness.t0)])
        h.press(.char("r")); h.type("on its way"); h.press(.enter)  // waits in the outbox
        for _ in 2...400 {
            h.press(.char("j"))
            let id = h.state.selectedID!
            h.loadThread(id, [Message(id: 1000 + id, contactID: id, direction: .inbound, content: "message \(id)", createdAt: Harness.t0)])
        }
        #expect(h.state.selectedID == 400)
        #expect(h.state.threads.count <= Reducer().threadsKept)
        #expect(h.state.threads[400]?.pagesLoaded == 1 && h.state.threads[399]?.pagesLoaded == 1 && h.state.threads[1] != nil)
        #expect(h.state.threads[200] == nil)
        // Opened again, a thread let go is read again.
        h.press(.char("g"))
        #expect(h.state.selectedID == 1)
        for _ in 1..<200 { h.press(.char("j")) }
        #expect(h.state.selectedID == 200 && h.state.threads[200]?.loadingNewest == true)
    }

    /// Notes are only ever added: a list read before one was added does not take it away.
    @Test func aNotesListWithoutANoteOnScreenKeepsIt() {
        var h = Harness()
        let older = Note(id: 1, contactID: 1, content: "Called", createdAt: Harness.t0.adding(seconds: -60))
        h.send(.notesLoaded(contactID: 1, [older]))
        h.send(.noteAdded(contactID: 1, text: "Refund approved", .success(Note(id: 2, contactID: 1, content: "Refund approved", createdAt: Harness.t0))))
        h.send(.notesLoaded(contactID: 1, [older]))
        #expect(h.state.notes[1]?.map(\.id) == [2, 1])
    }

    @Test func searchFiltersLiveAndAsksTheServer() {
        var h = Harness()
        h.press(.char("/"))
        let effects = h.type("4")
        #expect(effects.last == .searchContacts("4"))
        #expect(h.state.visible == [4])
        h.send(.searchResults(query: "4", .success(Page(items: [Contact(id: 2, name: "Contact 2")], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 1)))))
        #expect(h.state.visible == [2, 4])
        h.press(.enter)
        #expect(h.state.mode == .normal && h.state.filter.query == "4")
        h.press(.char("/"), .escape)
        #expect(h.state.filter.query.isEmpty && h.state.visible.count == 5)
    }

    /// Page `n` of a nine-conversation list served three at a time, newest first.
    static func listPage(_ n: Int) -> Page<Conversation> {
        let rows = ((n - 1) * 3 + 1...n * 3).map { id in
            Conversation(contactID: id, contactName: "Contact \(id)", channel: .whatsapp, lastMessage: "hello",
                         lastMessageAt: Harness.t0.adding(seconds: Double(-60 * id)), unreadCount: 0)
        }
        return Page(items: rows, meta: PageMeta(currentPage: n, lastPage: 3, perPage: 3, total: 9))
    }

    @Test func bottomFollowsOlderPagesToTheLastConversation() {
        var h = Harness(unread: [:])
        #expect(h.send(.conversationsLoaded(Self.listPage(1), isPoll: false)).contains(.loadConversations(page: 2, isPoll: false)))
        h.press(.char("G"))
        #expect(h.state.selectedID == 3 && h.state.notice?.text == "Loading older conversations: page 2 of 3…")
        // On the way, only the count moves: no redrawn list, no thread asked for per page.
        let onTheWay = h.send(.conversationsLoaded(Self.listPage(2), isPoll: false))
        #expect(onTheWay.contains(.loadConversations(page: 3, isPoll: false)))
        #expect(!onTheWay.contains { if case .loadThread = $0 { true } else { false } })
        #expect(h.state.selectedID == 3 && h.state.notice?.text == "Loading older conversations: page 3 of 3…")
        h.send(.conversationsLoaded(Self.listPage(3), isPoll: false))
        #expect(h.state.selectedID == 9 && h.state.notice?.text == "All 9 conversations loaded")
        #expect(!h.state.followingEnd)
    }

    @Test func anyKeyStopsFollowingTheEnd() {
        var h = Harness(unread: [:])
        h.send(.conversationsLoaded(Self.listPage(1), isPoll: false))
        h.press(.char("G"), .char("k"))
        #expect(h.state.selectedID == 2)
        h.send(.conversationsLoaded(Self.listPage(2), isPoll: false))
        #expect(h.state.selectedID == 2)  // the agent moved on: the selection stays where they put it
    }

    @Test func escAndAKeyInOneReadAreBothKept() {
        // The terminal reports Esc then `a` arriving together as Alt-a.
        var h = Harness()
        h.press(.char("r")); h.type("half")
        h.press(.alt("a"))  // Esc leaves the composer (the draft stays), `a` starts a note
        guard case .note(1, _) = h.state.mode else { Issue.record("\(h.state.mode)"); return }
        #expect(h.state.drafts[1] == "half")
        h.type("first line")  // into the note, not run as i, r… in the list
        guard case .note(1, let editor) = h.state.mode else { Issue.record("\(h.state.mode)"); return }
        #expect(editor.text == "first line" && h.state.sidebarPreference == nil)
        h.press(.escape)
        h.press(.altEnter)  // Esc then Enter: Enter replies
        guard case .compose(1, _) = h.state.mode else { Issue.record("\(h.state.mode)"); return }
        h.press(.altEnter)  // in the composer, Alt-Enter is a new line
        guard case .compose(1, let reply) = h.state.mode else { Issue.record("\(h.state.mode)"); return }
        #expect(reply.text == "half\n")
        // A key map that binds an Alt key keeps it.
        var bound = Harness()
        var keys = KeyMap.standard
        keys.bind(.help, to: [.alt("h")])
        bound.state.mode = .normal
        _ = Reducer(keyMap: keys).reduce(&bound.state, .key(.alt("h")))
        #expect(bound.state.mode == .help(scroll: 0))
    }

    @Test func escapeShowsAllConversationsAgain() {
        var h = Harness(channels: [3: .telegram])
        h.press(.char("u"), .char("c"), .char("/"))
        h.type("2")
        h.press(.enter)
        #expect(h.state.visible == [2] && h.state.selectedID == 2)
        h.press(.escape)
        #expect(h.state.filter == Filter() && h.state.visible.count == 5)
        #expect(h.state.selectedID == 2)  // the agent keeps their place
        #expect(h.state.notice?.text == "Showing all conversations")
        h.state.notice = nil
        h.press(.escape)
        #expect(h.state.notice == nil)  // nothing to clear, nothing said
    }

    @Test func paneCyclingAndThreadScroll() {
        var h = Harness()
        h.press(.tab)
        #expect(h.state.focus == .thread)
        h.press(.char("k"), .char("k"))
        #expect(h.state.threads[1]?.scrollUp == 0)  // nothing loaded to scroll through yet
        h.loadThread(1, (1...20).map { Message(id: $0, contactID: 1, direction: .inbound, content: "m\($0)", createdAt: Harness.t0.adding(seconds: Double($0))) })
        h.press(.char("k"), .char("k"))
        #expect(h.state.threads[1]?.scrollUp == 2)
        h.press(.char("G"))
        #expect(h.state.threads[1]?.scrollUp == 0)
        h.press(.tab)
        #expect(h.state.focus == .list)
    }

    @Test func theViewsTopBringsAnOvershootBack() {
        var h = Harness()
        h.loadThread(1, (1...20).map { Message(id: $0, contactID: 1, direction: .inbound, content: "m\($0)", createdAt: Harness.t0.adding(seconds: Double($0))) })
        h.press(.tab, .char("g"))
        // However many lines the messages wrap to, `g` asks for the top…
        #expect((h.state.threads[1]?.scrollUp ?? 0) > 20 * 100)
        // …and the view says where it is: the next `j` moves at once.
        h.send(.scrollShown(ShownScroll(contactID: 1, thread: 87, sidebar: 0)))
        #expect(h.state.threads[1]?.scrollUp == 87)
        h.press(.char("j"))
        #expect(h.state.threads[1]?.scrollUp == 86)
    }

    @Test func messagesArrivingWhileScrolledUpStayBelowTheScreen() {
        var h = Harness()
        let old = (1...20).map { Message(id: $0, contactID: 1, direction: .inbound, content: "m\($0)", createdAt: Harness.t0.adding(seconds: Double($0))) }
        h.loadThread(1, old)
        h.press(.tab, .char("k"), .char("k"))
        h.loadThread(1, old + [Message(id: 21, contactID: 1, direction: .inbound, content: "new", createdAt: Harness.t0.adding(seconds: 30))])
        #expect(h.state.threads[1]?.arrivedAfter == 20 && h.state.threads[1]?.unseenNew == 1)
        // The view shows the two lines up plus the new message's three; the state takes that over.
        h.send(.scrollShown(ShownScroll(contactID: 1, thread: 5, sidebar: 0)))
        #expect(h.state.threads[1]?.scrollUp == 5 && h.state.threads[1]?.arrivedAfter == nil)
        #expect(h.state.threads[1]?.unseenNew == 1)  // still not seen
        h.press(.char("G"))
        #expect(h.state.threads[1]?.scrollUp == 0 && h.state.threads[1]?.unseenNew == 0)
        // At the bottom, new messages simply show: nothing to keep below.
        h.loadThread(1, old + [Message(id: 22, contactID: 1, direction: .inbound, content: "newer", createdAt: Harness.t0.adding(seconds: 40))])
        #expect(h.state.threads[1]?.arrivedAfter == nil)
    }

    @Test func aPollOnItsWayDoesNotHoldUpScrollingBackAndAnOlderPageIsAskedForOnce() {
        var h = Harness()
        let newest = (51...100).map { Message(id: $0, contactID: 1, direction: .inbound, content: "m\($0)", createdAt: Harness.t0.adding(seconds: Double($0))) }
        h.send(.threadLoaded(contactID: 1, page: Page(items: newest, meta: PageMeta(currentPage: 1, lastPage: 2, perPage: 50, total: 100)), pageNumber: 1))
        h.press(.tab)
        // The poll asks for the newest page again; it is still on its way when the agent scrolls up.
        #expect(h.send(.tick(now: h.state.nextPollAt, jitter: 0)).contains(.loadThread(contactID: 1, page: 1)))
        #expect(h.state.threads[1]?.loadingNewest == true)
        // Scrolling on past the loaded messages asks for the older page once, and `g` waits for it.
        let scrolled = (0..<30).flatMap { _ in h.press(.pageUp) } + h.press(.char("g"))
        #expect(scrolled == [.loadThread(contactID: 1, page: 2)])
        #expect(h.state.threads[1]?.loadingOlder == true)
        // A failed poll leaves the older page's load alone, and the other way round.
        h.send(.threadFailed(contactID: 1, pageNumber: 1, .cannotConnect(reason: "connection refused")))
        #expect(h.state.threads[1]?.loadingNewest == false && h.state.threads[1]?.loadingOlder == true)
        // With the older page still on its way, the next poll asks for the newest page again.
        h.send(.conversationsLoaded(Page(items: [], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 5)), isPoll: true))
        #expect(h.send(.tick(now: h.state.nextPollAt, jitter: 0)).contains(.loadThread(contactID: 1, page: 1)))
        h.send(.threadFailed(contactID: 1, pageNumber: 2, .cannotConnect(reason: "connection refused")))
        #expect(h.state.threads[1]?.loadingOlder == false)
        #expect(h.press(.pageUp) == [.loadThread(contactID: 1, page: 2)])
    }

    @Test func topInTheThreadFollowsOlderPagesToTheFirstMessage() {
        var h = Harness()
        func page(_ number: Int) -> Action {
            let ids = (1...50).map { (3 - number) * 50 + $0 }
            return .threadLoaded(contactID: 1, page: Page(items: ids.map {
                Message(id: $0, contactID: 1, direction: .inbound, content: "m\($0)", createdAt: Harness.t0.adding(seconds: Double($0)))
            }, meta: PageMeta(currentPage: number, lastPage: 3, perPage: 50, total: 150)), pageNumber: number)
        }
        h.send(page(1))
        h.press(.tab)
        #expect(h.press(.char("g")) == [.loadThread(contactID: 1, page: 2)])
        h.send(.scrollShown(ShownScroll(contactID: 1, thread: 140, sidebar: 0)))
        #expect(h.send(page(2)) == [.loadThread(contactID: 1, page: 3)])
        #expect((h.state.threads[1]?.scrollUp ?? 0) > 140)  // still at the top as it grows
        #expect(h.send(page(3)) == [])
        #expect(h.state.followingThreadTop == nil && h.state.threads[1]?.messages.count == 150)

        // Any key stops it: the page that was on its way arrives and the view stays put.
        var other = Harness()
        other.send(page(1))
        other.press(.tab, .char("g"))
        other.send(.scrollShown(ShownScroll(contactID: 1, thread: 140, sidebar: 0)))
        other.press(.char("j"))
        #expect(other.send(page(2)) == [])
        #expect(other.state.threads[1]?.scrollUp == 139)
    }

    @Test func theSidebarScrollsWhenFocusedAndOpensAtTheTop() {
        var h = Harness()
        h.send(.viewport(listItems: 3, threadLines: 10, sidebarFits: true))
        h.press(.tab, .tab)
        #expect(h.state.focus == .sidebar)
        h.press(.char("j"), .char("j"), .char("j"), .char("k"))
        #expect(h.state.sidebarScroll == 2 && h.state.selectedID == 1)  // the list stays put
        h.press(.char("G"))
        h.send(.scrollShown(ShownScroll(contactID: 1, thread: 0, sidebar: 9)))  // the view's end
        #expect(h.state.sidebarScroll == 9)
        h.press(.char("k"))
        #expect(h.state.sidebarScroll == 8)
        h.press(.char(" "))  // the next unread conversation opens at the top of its sidebar
        #expect(h.state.selectedID == 2 && h.state.sidebarScroll == 0)
    }

    @Test func toggleReadKeepsALocalWatermark() {
        var h = Harness()
        h.press(.char("j"))
        #expect(h.state.isUnread(h.state.conversation(2)!))
        let effects = h.press(.char("m"))
        #expect(!h.state.isUnread(h.state.conversation(2)!))
        #expect(effects == [.saveReadMark(contactID: 2, at: h.state.conversation(2)!.lastMessageAt)])
        h.press(.char("m"))
        #expect(h.state.isUnread(h.state.conversation(2)!))
        h.press(.char("k"), .char("m"))
        #expect(h.state.isUnread(h.state.conversation(1)!))
    }

    @Test func helpIsGeneratedFromTheKeyMap() {
        var map = KeyMap.standard
        map.bind(.reply, to: [Key(notation: "C-r")!])
        #expect(map.helpLines.contains { $0.keys == "C-r" && $0.summary.contains("reply") })
        #expect(map.command(for: .char("r")) == nil)
        var h = Harness()
        h.press(.char("?"))
        #expect(h.state.mode == .help(scroll: 0))
        h.press(.char("x"))
        #expect(h.state.mode == .normal)
    }
}

struct ReplyTests {
    @Test func replyGoesToTheOutboxBeforeTheNetwork() {
        var h = Harness()
        h.loadThread(1, [Message(id: 10, contactID: 1, direction: .inbound, content: "hi", createdAt: Harness.t0)])
        h.press(.char("r"))
        h.type("Hello 👋🏽")
        #expect(h.state.drafts[1] == "Hello 👋🏽")
        let effects = h.press(.enter)
        #expect(h.state.mode == .normal && h.state.outbox.count == 1 && h.state.drafts[1] == nil)
        let entry = h.state.outbox[0]
        #expect(entry.text == "Hello 👋🏽" && entry.state == .queued)
        #expect(effects == [.saveOutbox(entry), .saveDraft(contactID: 1, text: ""), .checkBeforeSend(entry, seenLatestID: 10)])
        let sendEffects = h.send(.preSendChecked(outboxID: entry.id, newer: []))
        #expect(h.state.outbox[0].state == .sending && sendEffects.contains { if case .send = $0 { true } else { false } })
        let saved = Message(id: 11, contactID: 1, direction: .outbound, content: "Hello 👋🏽", status: .sent, createdAt: Harness.t0)
        let done = h.send(.sendFinished(outboxID: entry.id, .success(saved)))
        #expect(h.state.outbox.isEmpty && h.state.threads[1]?.messages.last?.id == 11)
        #expect(done.contains(.removeOutbox(id: entry.id)))
    }

    @Test func closingTheComposerFocusesWhereTheReplyStarted() {
        var h = Harness()
        h.press(.char("r"))
        #expect(h.state.focus == .thread)
        h.type("ok")
        h.press(.enter)
        #expect(h.state.focus == .list)
        h.press(.char("j"))
        #expect(h.state.selectedID == 2)
        h.press(.tab, .char("r"), .escape)
        #expect(h.state.focus == .thread)
        h.press(.tab, .char("r"), .escape)
        #expect(h.state.focus == .list)
    }

    /// A reply refused for a reason other than its text (a key revoked mid-session) stays in
    /// the outbox for R, and the agent hears of it though they have moved on.
    @Test func aReplyRefusedByTheServerIsSaidWithItsContact() {
        var h = Harness()
        let entry = Self.queued(&h)
        h.press(.char("j"))
        h.send(.sendFinished(outboxID: entry.id, .failure(.http(status: 401, message: "Unauthenticated.", fieldErrors: [:]))))
        #expect(h.state.outbox.first?.state == .failed("HTTP 401: Unauthenticated."))
        #expect(h.state.notice?.text == "Reply to Contact 1 not sent: HTTP 401: Unauthenticated. (check SKYLIGHT_API_KEY or api_key in the config) · R resends it")
        h.press(.char("r")); h.type("again"); h.press(.enter)  // to Contact 2, now selected
        let second = h.state.outbox[1]
        h.send(.preSendChecked(outboxID: second.id, newer: []))
        h.send(.sendFinished(outboxID: second.id, .failure(.unsuccessful(status: 200, message: "Message could not be delivered.", savedMessage: nil))))
        #expect(h.state.notice?.text == "Reply to Contact 2 not delivered: Message could not be delivered. · R resends it")
    }

    static func queued(_ h: inout Harness) -> OutboxEntry {
        h.loadThread(1, [Message(id: 10, contactID: 1, direction: .inbound, content: "hi", createdAt: Harness.t0)])
        h.press(.char("r")); h.type("ok"); h.press(.enter)
        let id = h.state.outbox[0].id
        h.send(.preSendChecked(outboxID: id, newer: []))
        return h.state.outbox[0]
    }

    /// An agent who moved a command to another key is told that key, not the default.
    @Test func noticesNameTheKeysAsBound() {
        var keys = KeyMap.standard
        keys.bind(.resend, to: [.ctrl("r")])
        keys.bind(.note, to: [.char("n")])
        keys.bind(.reply, to: [.char("x"), .enter])
        var h = Harness(keyMap: keys)
        h.loadThread(1, [Message(id: 10, contactID: 1, direction: .inbound, content: "hi", createdAt: Harness.t0)])
        h.press(.char("x")); h.type("ok"); h.press(.enter)
        let id = h.state.outbox[0].id
        h.send(.preSendChecked(outboxID: id, newer: []))
        let saved = Message(id: 50, contactID: 1, direction: .outbound, content: "ok", status: .failed,
                            error: "No whatsapp channel connected.", createdAt: Harness.t0.adding(seconds: 5))
        h.send(.sendFinished(outboxID: id, .failure(.unsuccessful(status: 200, message: "Message could not be delivered.", savedMessage: saved))))
        #expect(h.state.notice?.text == "Reply not delivered: No whatsapp channel connected. · C-r resends it")
        h.press(.char("n")); h.type("Refund approved"); h.press(.escape)
        #expect(h.state.notice?.text == "Note kept · n to finish it")
        h.press(.paste("pasted"))
        #expect(h.state.notice?.text == "Not pasted: open a reply (x) or a note (n) to paste into")
        // A command with no key at all is not offered.
        keys.bind(.resend, to: [])
        h = Harness(keyMap: keys)
        h.send(.editorTextKept(contactIDs: [2]))
        #expect(h.state.notice?.text == "Unsaved editor text for Contact 2: press E there to recover it")
        keys.bind(.replyInEditor, to: [])
        h = Harness(keyMap: keys)
        h.send(.editorTextKept(contactIDs: [2]))
        #expect(h.state.notice?.text == "Unsaved editor text for Contact 2")
    }

    @Test func aColleaguesReplyAsksFirst() {
        var h = Harness()
        h.loadThread(1, [Message(id: 10, contactID: 1, direction: .inbound, content: "hi", createdAt: Harness.t0)])
        h.press(.char("r")); h.type("ok"); h.press(.enter)
        let id = h.state.outbox[0].id
        h.send(.preSendChecked(outboxID: id, newer: [Message(id: 12, contactID: 1, direction: .inbound, content: "still there?")]))
        #expect(h.state.mode == .confirm(.sendAfterNewMessages(outboxID: id)))
        let effects = h.press(.char("n"))
        #expect(h.state.outbox.isEmpty && h.state.drafts[1] == "ok" && effects.contains(.removeOutbox(id: id)))
        guard case .compose(1, let editor) = h.state.mode else { Issue.record("not composing"); return }
        #expect(editor.text == "ok")
    }

    @Test func repliesInOneSecondEachKeepTheirOwnOutboxEntry() {
        var h = Harness()
        h.loadThread(1, [Message(id: 10, contactID: 1, direction: .inbound, content: "hi", createdAt: Harness.t0)])
        func reply(_ text: String) -> OutboxEntry {
            h.press(.char("r")); h.type(text); h.press(.enter)
            return h.state.outbox.last!
        }
        let first = reply("one"), second = reply("two")
        h.send(.sendFinished(outboxID: first.id, .success(Message(id: 11, contactID: 1, direction: .outbound, content: "one"))))
        // The outbox is as long as before the first left, and the clock has not moved on.
        let third = reply("three")
        #expect(Set([first.id, second.id, third.id]).count == 3)
        #expect(h.send(.preSendChecked(outboxID: third.id, newer: [])) == [.saveOutbox(h.state.outbox[1]), .send(h.state.outbox[1])])
        #expect(h.state.outbox.map(\.text) == ["two", "three"] && h.state.outbox[1].state == .sending)
    }

    @Test func aQuestionThatComesWhileTheAgentIsBusyWaitsItsTurn() {
        var h = Harness()
        h.loadThread(1, [Message(id: 10, contactID: 1, direction: .inbound, content: "hi", createdAt: Harness.t0)])
        h.loadThread(2, [Message(id: 20, contactID: 2, direction: .inbound, content: "yo", createdAt: Harness.t0)])
        h.press(.char("r")); h.type("first"); h.press(.enter)
        h.press(.char("j"), .char("r")); h.type("second"); h.press(.enter)
        let (first, second) = (h.state.outbox[0].id, h.state.outbox[1].id)
        // The agent writes a note when the first check finds a colleague's message: the note stays.
        h.press(.char("a")); h.type("half a note")
        h.send(.preSendChecked(outboxID: first, newer: [Message(id: 11, contactID: 1, direction: .inbound, content: "still there?")]))
        guard case .note(2, let editor) = h.state.mode, editor.text == "half a note" else { Issue.record("\(h.state.mode)"); return }
        #expect(h.state.notice?.text.contains("asked once you are done here") == true)
        h.press(.escape)
        #expect(h.state.mode == .confirm(.sendAfterNewMessages(outboxID: first)))
        // A second question while the first is open waits for it; neither reply is left behind.
        h.send(.preSendChecked(outboxID: second, newer: [Message(id: 21, contactID: 2, direction: .inbound, content: "hello?")]))
        #expect(h.state.mode == .confirm(.sendAfterNewMessages(outboxID: first)))
        #expect(h.press(.char("y")).contains(.send(h.state.outbox[0])))
        #expect(h.state.mode == .confirm(.sendAfterNewMessages(outboxID: second)))
        #expect(h.press(.char("y")).contains(.send(h.state.outbox[1])))
        #expect(h.state.mode == .normal && h.state.pendingQuestions.isEmpty && h.state.noteDrafts[2] == ["half a note"])

        // A reply sent back to its composer keeps what the agent wrote to that contact meanwhile.
        h.press(.char("r")); h.type("third"); h.press(.enter)
        let third = h.state.outbox.last!.id
        h.press(.char("r")); h.type("and more")
        h.send(.preSendChecked(outboxID: third, newer: [Message(id: 22, contactID: 2, direction: .inbound, content: "?")]))
        h.press(.escape)
        #expect(h.state.mode == .confirm(.sendAfterNewMessages(outboxID: third)))
        h.press(.char("n"))
        guard case .compose(2, let composer) = h.state.mode else { Issue.record("\(h.state.mode)"); return }
        #expect(composer.text == "third\nand more" && h.state.drafts[2] == "third\nand more")
    }

    @Test func aReplyNotFoundAfterA5xxFailsNamingTheError() {
        var h = Harness()
        let entry = Self.queued(&h)
        let error = SkyLightError.http(status: 502, message: "Bad Gateway", fieldErrors: [:])
        h.send(.sendFinished(outboxID: entry.id, .failure(error)))
        let effects = h.send(.sendReconciled(outboxID: entry.id, found: nil))
        guard case .failed(let why) = h.state.outbox[0].state else { Issue.record("not failed: \(h.state.outbox[0].state)"); return }
        #expect(why.hasPrefix(error.description) && why.contains("not delivered"))
        #expect(effects == [.saveOutbox(h.state.outbox[0])])
    }

    @Test func aReplyTheServerRefusesComesBackToItsDraftNotAResend() {
        var h = Harness()
        let entry = Self.queued(&h)
        // Meanwhile the agent has started a second reply to the same contact.
        h.press(.char("r")); h.type("and more")
        let tooLong = SkyLightError.http(status: 422, message: "The message field must not be greater than 4096 characters.",
                                         fieldErrors: ["message": ["The message field must not be greater than 4096 characters."]])
        let effects = h.send(.sendFinished(outboxID: entry.id, .failure(tooLong)))
        #expect(effects == [.removeOutbox(id: entry.id), .saveDraft(contactID: 1, text: "ok\nand more")])
        #expect(h.state.outbox.isEmpty && h.state.drafts[1] == "ok\nand more")
        guard case .compose(1, let composer) = h.state.mode else { Issue.record("\(h.state.mode)"); return }
        #expect(composer.text == "ok\nand more")
        #expect(h.state.notice?.text.hasPrefix("Not sent: The message field must not be greater than 4096 characters.") == true)
    }

    @Test func neverLeftIsQueuedAndResentAutomatically() {
        var h = Harness()
        let entry = Self.queued(&h)
        h.send(.sendFinished(outboxID: entry.id, .failure(.cannotConnect(reason: "refused"))))
        #expect(h.state.outbox[0].state == .queued && h.state.outbox[0].retryAt != nil)
        let effects = h.send(.tick(now: Harness.t0.adding(seconds: 120), jitter: 0.5))
        #expect(effects.contains { if case .send = $0 { true } else { false } })
    }

    @Test func unknownOutcomeIsReconciledNotResent() {
        var h = Harness()
        let entry = Self.queued(&h)
        let effects = h.send(.sendFinished(outboxID: entry.id, .failure(.outcomeUnknown(reason: "timeout"))))
        #expect(h.state.outbox[0].state == .unknown(reason: SkyLightError.outcomeUnknown(reason: "timeout").description))
        #expect(effects.contains { if case .reconcile = $0 { true } else { false } })
        #expect(!effects.contains { if case .send = $0 { true } else { false } })
        let later = h.send(.tick(now: Harness.t0.adding(seconds: 600), jitter: 0.5))
        #expect(!later.contains { if case .send = $0 { true } else { false } })
        h.send(.sendReconciled(outboxID: entry.id, found: Message(id: 30, contactID: 1, direction: .outbound, content: "ok", status: .sent)))
        #expect(h.state.outbox.isEmpty && h.state.threads[1]?.messages.contains { $0.id == 30 } == true)
    }

    @Test func unknownOutcomeNotFoundOffersResend() {
        var h = Harness()
        let entry = Self.queued(&h)
        h.send(.sendFinished(outboxID: entry.id, .failure(.outcomeUnknown(reason: "timeout"))))
        h.send(.sendReconciled(outboxID: entry.id, found: nil))
        guard case .failed = h.state.outbox[0].state else { Issue.record("\(h.state.outbox[0].state)"); return }
        let effects = h.press(.char("R"))
        #expect(h.state.outbox[0].state == .sending && h.state.outbox[0].attempts == 2)
        #expect(effects.contains { if case .send = $0 { true } else { false } })
    }

    @Test func aReplyTheServerKeptAsFailedShowsOnceAndIsResentOnce() {
        var h = Harness()
        let entry = Self.queued(&h)
        let saved = Message(id: 50, contactID: 1, direction: .outbound, content: "ok", status: .failed,
                            error: "No whatsapp channel connected.", createdAt: Harness.t0.adding(seconds: 5))
        let effects = h.send(.sendFinished(outboxID: entry.id, .failure(.unsuccessful(status: 200, message: "Message could not be delivered.",
                                                                                       savedMessage: saved))))
        // Shown from the history, not a second time from the outbox.
        #expect(h.state.outbox.isEmpty && effects == [.removeOutbox(id: entry.id)])
        #expect(h.state.threads[1]?.messages.filter { $0.content == "ok" }.map(\.id) == [50])
        #expect(h.state.notice?.text == "Reply not delivered: No whatsapp channel connected. · R resends it")
        // R sends it again once, however often it is pressed.
        let resent = h.press(.char("R"))
        #expect(h.state.outbox.count == 1 && h.state.outbox[0].text == "ok")
        #expect(resent.contains { if case .send = $0 { true } else { false } })
        #expect(h.press(.char("R")).isEmpty && h.state.outbox.count == 1)
        h.send(.sendFinished(outboxID: h.state.outbox[0].id, .success(Message(id: 51, contactID: 1, direction: .outbound, content: "ok",
                                                                                status: .sent, createdAt: Harness.t0.adding(seconds: 9)))))
        #expect(h.state.outbox.isEmpty)
        #expect(h.press(.char("R")).isEmpty && h.state.notice?.text == "No failed reply to resend here")
    }

    @Test func rateLimitWaitsForRetryAfter() {
        var h = Harness()
        let entry = Self.queued(&h)
        h.send(.sendFinished(outboxID: entry.id, .failure(.rateLimited(retryAfter: 30, message: nil))))
        #expect(h.state.outbox[0].retryAt == Harness.t0.adding(seconds: 30))
        #expect(!h.send(.tick(now: Harness.t0.adding(seconds: 10), jitter: 0)).contains { if case .send = $0 { true } else { false } })
        #expect(h.send(.tick(now: Harness.t0.adding(seconds: 31), jitter: 0)).contains { if case .send = $0 { true } else { false } })
    }

    @Test func whatsAppWindowWarnsBeforeFreeText() {
        var h = Harness()
        h.loadThread(1, [Message(id: 10, contactID: 1, direction: .inbound, content: "hi", createdAt: Harness.t0.adding(seconds: -25 * 3600))])
        h.press(.char("r")); h.type("late"); h.press(.enter)
        #expect(h.state.mode == .confirm(.sendOutsideWindow(contactID: 1, text: "late")) && h.state.outbox.isEmpty)
        h.press(.char("y"))
        #expect(h.state.outbox.count == 1)
    }

    @Test func escapeKeepsTheDraft() {
        var h = Harness()
        h.press(.char("r")); h.type("half a thought")
        let effects = h.press(.escape)
        #expect(h.state.mode == .normal && h.state.drafts[1] == "half a thought" && effects.isEmpty)
        h.press(.char("r"))
        guard case .compose(_, let editor) = h.state.mode else { Issue.record("not composing"); return }
        #expect(editor.text == "half a thought")
    }

    @Test func quittingWithUnsentRepliesAsksFirst() {
        var h = Harness()
        h.press(.char("q"))
        #expect(h.state.quitting)  // nothing waiting: q quits at once
        h.state.quitting = false
        h.state.outbox = [OutboxEntry(id: "a", contactID: 1, text: "hi", createdAt: Harness.t0),
                          OutboxEntry(id: "b", contactID: 2, text: "gone", state: .failed("422"), createdAt: Harness.t0)]
        h.press(.char("q"))
        #expect(h.state.mode == .confirm(.quitWithUnsentReplies(count: 1)) && !h.state.quitting)
        #expect(Confirmation.quitWithUnsentReplies(count: 1).question.hasPrefix("1 reply is not sent yet. It waits in the outbox and goes the next"))
        #expect(Confirmation.quitWithUnsentReplies(count: 2).question.hasPrefix("2 replies are not sent yet. They wait in the outbox and go the next"))
        h.press(.char("n"))
        #expect(h.state.mode == .normal && !h.state.quitting)
        h.press(.char("q"), .char("y"))
        #expect(h.state.quitting)
        h.state.quitting = false
        h.press(.char(":")); h.type("q!")
        h.press(.enter)
        #expect(h.state.quitting)  // as in vim, :q! does not ask
    }

    @Test func editorTextComesBackToTheComposer() {
        var h = Harness()
        #expect(h.press(.char("E")) == [.openEditor(contactID: 1, text: "")])
        h.send(.editorFinished(contactID: 1, text: "from vim"))
        guard case .compose(1, let editor) = h.state.mode else { Issue.record("not composing"); return }
        #expect(editor.text == "from vim")
        h.press(.escape)
        h.send(.editorFinished(contactID: 1, text: nil, failure: "The editor “nvi” could not be run: set $VISUAL or $EDITOR"))
        #expect(h.state.mode == .normal && h.state.notice?.isError == true && h.state.notice?.text.hasPrefix("The editor “nvi”") == true)
        h.send(.editorFinished(contactID: 1, text: nil))
        #expect(h.state.notice?.text == "Editor closed without saving: nothing changed" && h.state.notice?.isError == false)
    }

    @Test func unsavedEditorTextIsPointedToUntilTheEditorOpensAgain() {
        var h = Harness()
        #expect(h.send(.editorTextKept(contactIDs: [2])).isEmpty)
        #expect(h.state.notice?.text == "Unsaved editor text for Contact 2: press E there to recover it")
        h.send(.editorTextKept(contactIDs: [2, 3, 4]))
        #expect(h.state.notice?.text == "Unsaved editor text for Contact 2 and 2 more: press E there to recover it")
        // Still there after an error notice's time: the agent may be looking elsewhere on reconnecting.
        h.send(.tick(now: h.state.now.adding(seconds: 10), jitter: 0))
        #expect(h.state.notice?.keptEditorText == [2, 3, 4])
        // A contact the cache does not know is asked for, and named when it comes.
        #expect(h.send(.editorTextKept(contactIDs: [777])) == [.loadContact(777)])
        #expect(h.state.notice?.text == "Unsaved editor text for contact 777: press E there to recover it")
        h.send(.contactLoaded(Contact(id: 777, name: "Amina Yusuf")))
        #expect(h.state.notice?.text == "Unsaved editor text for Amina Yusuf: press E there to recover it")
        h.send(.editorFinished(contactID: 2, text: "recovered"))
        #expect(h.state.notice == nil)
    }
}

struct ContactActionTests {
    @Test func blacklistConfirmsAndNamesTheResult() {
        var h = Harness()
        h.send(.contactLoaded(Contact(id: 1, name: "Sarah", status: .active, blacklisted: false)))
        h.press(.char("b"))
        #expect(h.state.mode == .confirm(.blacklist(contactID: 1, name: "Sarah", willBlacklist: true)))
        #expect(Confirmation.blacklist(contactID: 1, name: "Sarah", willBlacklist: true).question.contains("BLACKLISTED"))
        #expect(h.press(.char("n")).isEmpty && h.state.mode == .normal)
        h.press(.char("b"))
        #expect(h.press(.enter).isEmpty)
        h.press(.char("b"))
        #expect(h.press(.char("y")) == [.toggleBlacklist(contactID: 1, expected: true)])
        h.send(.blacklistFinished(contactID: 1, expected: true, .success(Contact(id: 1, blacklisted: true))))
        #expect(h.state.contacts[1]?.blacklisted == true && h.state.contacts[1]?.name == "Sarah")
        #expect(h.state.notice?.text == "Sarah is now BLACKLISTED")
    }

    @Test func blacklistUnknownOutcomeRereadsTheContact() {
        var h = Harness()
        let effects = h.send(.blacklistFinished(contactID: 1, expected: true, .failure(.outcomeUnknown(reason: "reset"))))
        #expect(effects == [.loadContact(1)])
    }

    @Test func tagPickerCompletesAndCreates() {
        var h = Harness()
        h.send(.tagsLoaded([Tag(id: 5, title: "Hot Lead"), Tag(id: 7, title: "VIP Customer")]))
        h.send(.contactLoaded(Contact(id: 1, name: "Sarah", status: .active, tags: ["Hot Lead"])))
        h.press(.char("t"))
        h.type("vc")
        #expect(Reducer.pickerCandidates(h.state, { if case .tagPicker(let p) = h.state.mode { p } else { fatalError() } }()) == ["VIP Customer"])
        #expect(h.press(.enter) == [.assignTag(contactID: 1, tagID: 7, title: "VIP Customer")])
        h.press(.char("t"))
        h.type("Refund request")
        func picker() -> TagPicker { if case .tagPicker(let p) = h.state.mode { p } else { fatalError() } }
        #expect(Reducer.pickerNoMatch(h.state, picker()) == "Enter creates “Refund request”")
        #expect(h.press(.enter) == [.assignTag(contactID: 1, tagID: nil, title: "Refund request")])
        // A tag the contact carries, typed in another case, is not offered as a new one.
        h.press(.char("t"))
        h.type("hot lead")
        #expect(Reducer.pickerCandidates(h.state, picker()).isEmpty)
        #expect(Reducer.pickerNoMatch(h.state, picker()) == "already tagged “Hot Lead”")
        #expect(h.press(.enter) == [] && h.state.notice?.text == "Already tagged “Hot Lead”")
    }

    /// Tags a colleague made are offered once the list is a minute old, and a list arriving
    /// while the agent picks keeps the tag chosen.
    @Test func theTagPickerOffersTagsMadeSinceAndKeepsTheChoice() {
        var h = Harness()
        func picker() -> TagPicker { if case .tagPicker(let p) = h.state.mode { p } else { fatalError() } }
        h.send(.tagsLoaded([Tag(id: 5, title: "Hot Lead"), Tag(id: 7, title: "VIP Customer")]))
        h.send(.contactLoaded(Contact(id: 1, name: "Sarah", status: .active, tags: [])))
        #expect(h.press(.char("t")) == [])
        h.press(.escape)
        h.send(.tick(now: Harness.t0.adding(seconds: 61), jitter: 0))
        #expect(h.press(.char("t")) == [.loadTags])
        h.press(.down)
        #expect(Reducer.pickerCandidates(h.state, picker())[picker().selection] == "VIP Customer")
        h.send(.tagsLoaded([Tag(id: 3, title: "Billing"), Tag(id: 5, title: "Hot Lead"), Tag(id: 9, title: "Refund"),
                            Tag(id: 7, title: "VIP Customer")]))
        #expect(Reducer.pickerCandidates(h.state, picker()) == ["Billing", "Hot Lead", "Refund", "VIP Customer"])
        #expect(h.press(.enter) == [.assignTag(contactID: 1, tagID: 7, title: "VIP Customer")])
    }

    @Test func pageKeysMoveThroughALongTagListInTheOrderPeopleCount() {
        var h = Harness()
        func picker() -> TagPicker { if case .tagPicker(let p) = h.state.mode { p } else { fatalError() } }
        h.send(.tagsLoaded((1...25).map { Tag(id: $0, title: "Tag \($0)") }))
        h.press(.char("t"))
        #expect(Reducer.pickerCandidates(h.state, picker()).prefix(3) == ["Tag 1", "Tag 2", "Tag 3"])
        h.press(.pageDown, .pageDown, .pageDown)
        #expect(picker().selection == 24)
        h.press(.pageUp)
        #expect(h.press(.enter) == [.assignTag(contactID: 1, tagID: 15, title: "Tag 15")])
    }

    @Test func untagMapsTheTitleToItsID() {
        var h = Harness()
        h.send(.tagsLoaded([Tag(id: 5, title: "Hot Lead")]))
        h.send(.contactLoaded(Contact(id: 1, name: "Sarah", status: .active, tags: ["Hot Lead"])))
        h.press(.char("T"))
        #expect(h.press(.enter) == [.unassignTag(contactID: 1, tagID: 5, title: "Hot Lead")])
        // Typed in another case, the tag is named as the account spells it.
        h.press(.char(":")); h.type("untag hot lead")
        #expect(h.press(.enter) == [.unassignTag(contactID: 1, tagID: 5, title: "Hot Lead")])
        h.send(.contactLoaded(Contact(id: 1, name: "Sarah", status: .active, tags: [])))
        h.press(.char(":")); h.type("untag Hot Lead")
        #expect(h.press(.enter).isEmpty && h.state.notice?.text == "“Hot Lead” is not one of this contact's tags")
    }

    @Test func aNoteTheServerDidNotTakeOrTheAgentLeftComesBackWithA() {
        var h = Harness()
        func editorText() -> String? { if case .note(_, let editor) = h.state.mode { editor.text } else { nil } }
        h.press(.char("a")); h.type("Refund approved")
        #expect(h.press(.enter) == [.addNote(contactID: 1, text: "Refund approved")])
        // Kept; the cache already holds it (it was written as it was typed).
        #expect(h.send(.noteAdded(contactID: 1, text: "Refund approved", .failure(.cannotConnect(reason: "connection refused")))) == [])
        #expect(h.state.noteDrafts[1] == ["Refund approved"])
        #expect(h.state.notice?.text.hasPrefix("Note not saved, a brings it back: cannot connect") == true)
        h.press(.char("a"))
        #expect(editorText() == "Refund approved")
        // A second failure while the agent writes on: both texts are kept, nothing is lost.
        h.send(.noteAdded(contactID: 1, text: "Called back", .failure(.outcomeUnknown(reason: "no answer"))))
        h.type(" twice")
        h.press(.escape)
        #expect(h.state.mode == .normal && h.state.notice?.text == "Note kept · a to finish it")
        h.press(.char("a"))
        #expect(editorText() == "Called back\n\nRefund approved twice")
        #expect(h.press(.enter) != [])
        // Added: nothing is kept, the next note starts empty.
        h.send(.noteAdded(contactID: 1, text: "x", .success(Note(id: 9, contactID: 1, content: "x"))))
        h.press(.char("a"))
        #expect(editorText() == "")
        h.press(.escape)
        // The answer was lost but the note was saved: when it shows among the notes, it is let go.
        h.send(.noteAdded(contactID: 1, text: "Sent the label", .failure(.outcomeUnknown(reason: "no answer"))))
        #expect(h.state.noteDrafts[1] == ["Sent the label"])
        h.send(.notesLoaded(contactID: 1, [Note(id: 10, contactID: 1, content: "Sent the label")]))
        #expect(h.state.noteDrafts[1] == nil)
    }

    @Test func aNoteIsInTheCacheFromItsFirstLetterUntilTheServerTakesIt() {
        var h = Harness()
        h.press(.char("a"))
        #expect(h.type("Cal") == [.saveNoteDrafts([1: ["C"]]), .saveNoteDrafts([1: ["Ca"]]), .saveNoteDrafts([1: ["Cal"]])])
        h.type("led back")
        // Sent: it stays in the cache while the server has not answered…
        #expect(h.press(.enter) == [.addNote(contactID: 1, text: "Called back")])
        #expect(h.state.unsavedNotes == [1: ["Called back"]])
        h.press(.char(":")); h.type("note Refund approved")
        #expect(h.press(.enter) == [.addNote(contactID: 1, text: "Refund approved"),
                                    .saveNoteDrafts([1: ["Called back", "Refund approved"]])])
        // …and leaves it once the server has it.
        #expect(h.send(.noteAdded(contactID: 1, text: "Called back", .success(Note(id: 7, contactID: 1, content: "Called back"))))
                 == [.saveNoteDrafts([1: ["Refund approved"]])])

        // Killed before the answer: the next run brings the note back, or lets it go if the
        // server took it after all.
        var next = Harness()
        next.send(.restored(drafts: [:], noteDrafts: h.state.unsavedNotes, outbox: [], readMarks: [:], conversations: []))
        #expect(next.state.noteDrafts[1] == ["Refund approved"])
        next.send(.notesLoaded(contactID: 1, [Note(id: 8, contactID: 1, content: "Refund approved")]))
        #expect(next.state.noteDrafts[1] == nil && next.state.unsavedNotes.isEmpty)
    }

    @Test func ctrlZSuspendsFromAnyModeAndLeavesWhatIsBeingWritten() {
        var h = Harness()
        #expect(h.press(.ctrl("z")) == [.suspend])
        h.press(.char("r")); h.type("half a reply")
        #expect(h.press(.ctrl("z")) == [.suspend])
        guard case .compose(1, let editor) = h.state.mode, editor.text == "half a reply" else { Issue.record("\(h.state.mode)"); return }
        h.send(.viewport(listItems: 3, threadLines: 10, sidebarFits: false, tooSmall: true))
        #expect(h.press(.ctrl("z")) == [.suspend])
        #expect(KeyMap.standard.keys(for: .suspend) == [.ctrl("z")])
    }

    @Test func aCommandDoesNotInheritTheLastOnesMessage() {
        var h = Harness()
        h.press(.char(":")); h.type("channel fax"); h.press(.enter)
        #expect(h.state.notice?.isError == true)
        h.press(.char(":")); h.type("search olivia"); h.press(.enter)
        #expect(h.state.notice == nil && h.state.filter.query == "olivia")
    }

    @Test func anOutboxEntryNamesTheInboxThatMadeIt() {
        var h = Harness()
        h.state.instance = "C0FFEE42-"
        h.press(.char("r")); h.type("hi"); h.press(.enter)
        #expect(h.state.outbox.first?.owner == "C0FFEE42")
    }

    @Test func aKeyRefusedMidSessionSaysWhatToCheck() {
        var h = Harness()
        h.send(.conversationsFailed(.http(status: 401, message: "Unauthenticated.", fieldErrors: [:]), isPoll: true))
        guard case .retrying(_, let reason) = h.state.connection else { Issue.record("\(h.state.connection)"); return }
        #expect(reason.hasPrefix("the server refused the API key (HTTP 401") && reason.hasSuffix("check SKYLIGHT_API_KEY or api_key in the config"))
    }

    @Test func aBaseURLWithoutTheAPIPathSaysWhatToCheck() {
        // A warm cache painted the list; the server at the new address has no /conversations.
        var h = Harness()
        h.send(.conversationsFailed(.http(status: 404, message: "Not found.", fieldErrors: [:]), isPoll: true))
        guard case .retrying(_, let reason) = h.state.connection else { Issue.record("\(h.state.connection)"); return }
        #expect(reason == "no conversation list at this address (HTTP 404: Not found.): check SKYLIGHT_BASE_URL or base_url in the config, which ends in /api/v1")
    }

    @Test func ctrlCSaysHowToQuit() {
        var h = Harness()
        #expect(h.press(.ctrl("c")) == [] && !h.state.quitting && h.state.notice?.text == "q quits")
        // In a composer it leaves the composer, keeping the draft, as Esc does.
        h.press(.char("r")); h.type("hi")
        h.press(.ctrl("c"))
        #expect(h.state.mode == .normal && h.state.drafts[1] == "hi")
    }

    @Test func keysTypedIntoATooSmallTerminalDoNothingButQuit() {
        var h = Harness()
        h.send(.contactLoaded(Contact(id: 1, name: "Sarah", status: .active, blacklisted: false, tags: [])))
        h.press(.char("a")); h.type("half a note")
        h.send(.viewport(listItems: 3, threadLines: 10, sidebarFits: false, tooSmall: true))
        // Blind keys: nothing is typed, nothing is sent, nothing opens.
        #expect(h.type("b y r hello") == [] && h.press(.enter) == [])
        guard case .note(1, let editor) = h.state.mode, editor.text == "half a note" else { Issue.record("\(h.state.mode)"); return }
        // q leaves, and the note is kept.
        h.press(.char("q"))
        #expect(h.state.quitting && h.state.noteDrafts[1] == ["half a note"])

        // With replies unsent, q asks; the question shows on the small screen and y answers it.
        var other = Harness()
        other.send(.viewport(listItems: 3, threadLines: 10, sidebarFits: false, tooSmall: true))
        other.state.outbox = [OutboxEntry(id: "a", contactID: 1, text: "hi", createdAt: Harness.t0)]
        other.press(.char("q"))
        guard case .confirm = other.state.mode else { Issue.record("\(other.state.mode)"); return }
        other.press(.char("y"))
        #expect(other.state.quitting)

        // Esc is safe blind: it closes what is open and keeps what was written, as at any size.
        var third = Harness()
        third.press(.char("r")); third.type("kept")
        third.send(.viewport(listItems: 3, threadLines: 10, sidebarFits: false, tooSmall: true))
        third.press(.escape)
        #expect(third.state.mode == .normal && third.state.drafts[1] == "kept")
        third.send(.viewport(listItems: 10, threadLines: 20, sidebarFits: false, tooSmall: false))
        third.press(.char("?"))
        third.send(.viewport(listItems: 3, threadLines: 10, sidebarFits: false, tooSmall: true))
        third.press(.escape)
        #expect(third.state.mode == .normal)
    }

    @Test func noteAndCommandLine() {
        var h = Harness()
        h.press(.char("a")); h.type("Called")
        #expect(h.press(.enter) == [.addNote(contactID: 1, text: "Called")])
        h.press(.char(":")); h.type("theme light")
        #expect(h.press(.enter) == [.applyTheme("light")])
        h.state.themeNames = ["default-dark", "light"]
        h.press(.char(":")); h.type("theme")
        #expect(h.press(.enter).isEmpty && h.state.notice?.text == "Themes: default-dark, light · now default-dark · :theme NAME switches")
        h.press(.char(":")); h.type("tag VIP")
        #expect(h.press(.enter) == [.assignTag(contactID: 1, tagID: nil, title: "VIP")])
        h.press(.char(":")); h.type("bogus")
        h.press(.enter)
        #expect(h.state.notice?.isError == true)
        h.press(.char(":")); h.type("channel tg")
        h.press(.enter)
        #expect(h.state.filter.channel == .telegram)
        h.press(.char(":")); h.type("channel sms")
        h.press(.enter)
        #expect(h.state.filter.channel == .telegram && h.state.notice?.text.hasPrefix("Unknown channel “sms”") == true)
        h.press(.char(":")); h.type("q")
        h.press(.enter)
        #expect(h.state.quitting)
    }
}

struct RefresherTests {
    @Test func pollsWhenDueAndBacksOffWhenIdle() {
        var h = Harness()
        h.state.nextPollAt = Harness.t0
        let effects = h.send(.tick(now: Harness.t0.adding(seconds: 1), jitter: 0.5))
        #expect(effects.contains(.loadConversations(page: 1, isPoll: true)))
        #expect(h.state.pollInterval == 2)
        #expect(h.send(.tick(now: Harness.t0.adding(seconds: 2), jitter: 0.5)).isEmpty)  // one poll at a time
        h.send(.conversationsLoaded(Page(items: [], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 0)), isPoll: true))
        let idle = Harness.t0.adding(seconds: 200)
        h.state.nextPollAt = idle
        h.send(.tick(now: idle, jitter: 0.5))
        #expect((15...30).contains(h.state.pollInterval))
        h.press(.char("j"))
        #expect(h.state.pollInterval == 2)
    }

    @Test func errorsShowRetryingAndRateLimitsAreHonoured() {
        var h = Harness()
        h.send(.conversationsFailed(.rateLimited(retryAfter: 12, message: nil), isPoll: true))
        #expect(h.state.nextPollAt == h.state.now.adding(seconds: 12))
        guard case .retrying = h.state.connection else { Issue.record("\(h.state.connection)"); return }
        h.send(.conversationsFailed(.cannotConnect(reason: "refused"), isPoll: true))
        guard case .offline = h.state.connection else { Issue.record("\(h.state.connection)"); return }
        h.send(.conversationsLoaded(Page(items: [], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 0)), isPoll: true))
        #expect(h.state.connection == .live)
    }

    @Test func newInboundOffScreenRingsAndMarksStale() {
        var h = Harness()
        h.loadThread(4, [Message(id: 1, contactID: 4, direction: .inbound, content: "a")])
        var row = h.state.conversation(4)!
        row.unreadCount = 2
        row.lastMessageAt = Harness.t0.adding(seconds: 5)
        let effects = h.send(.conversationsLoaded(Page(items: [row], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 1)), isPoll: true))
        #expect(effects.contains(.bell))
        #expect(h.state.notice?.text == "New message · Contact 4: hello 4")
        #expect(h.state.visible.first == 4 && h.state.selectedID == 1)
        #expect(h.state.threads[4]?.pagesLoaded == 0)
    }

    @Test func severalNewMessagesAreAllNamedNewestFirst() {
        var h = Harness()
        var rows: [Conversation] = []
        for (offset, id) in [4, 3, 2].enumerated() {
            var row = h.state.conversation(id)!
            row.unreadCount = (row.unreadCount ?? 0) + 1
            row.lastMessage = String(repeating: "x", count: 40)
            row.lastMessageAt = Harness.t0.adding(seconds: Double(10 - offset))
            rows.append(row)
        }
        h.send(.conversationsLoaded(Page(items: rows, meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 5)), isPoll: true))
        let short = String(repeating: "x", count: 29) + "…"
        #expect(h.state.notice?.text == "3 new messages · Contact 4: \(short) · Contact 3: \(short) · Contact 2: \(short)")
        #expect(h.state.notice?.isError == false)
    }

    @Test func offlineContactActionsSaySoAndChangeNothing() {
        var h = Harness()
        h.send(.conversationsFailed(.cannotConnect(reason: "refused"), isPoll: true))  // retrying
        h.send(.conversationsFailed(.cannotConnect(reason: "refused"), isPoll: true))  // offline
        guard case .offline = h.state.connection else { Issue.record("\(h.state.connection)"); return }
        for key in ["t", "T", "b", "a"] {
            #expect(h.press(.char(Character(key))).isEmpty)
            #expect(h.state.mode == .normal && h.state.notice?.text.hasPrefix("Offline:") == true)
        }
        h.press(.char("r"))
        guard case .compose = h.state.mode else { Issue.record("replies still open the composer offline"); return }
    }

    /// A load skipped because the agent moved on faster than the server answered is asked for
    /// again when the agent comes back to that conversation.
    @Test func aSkippedLoadIsAskedForAgainOnComingBack() {
        var h = Harness()
        let first = try! #require(h.state.selectedID)
        #expect(h.state.threads[first]?.loadingNewest == true)
        #expect(!h.press(.char("j"), .char("k")).contains(.loadContact(first)))  // still on its way
        h.send(.loadSkipped(.loadThread(contactID: first, page: 1)))
        h.send(.loadSkipped(.loadContact(first)))
        let back = h.press(.char("j"), .char("k"))  // it is asked for as the new selection's neighbour
        #expect(back.contains(.loadThread(contactID: first, page: 1)) && back.contains(.loadContact(first)) && back.contains(.loadNotes(first)))
    }

    /// "Offline: …" goes when the server answers again, not when its time runs out: an agent
    /// who reads it after the link is back would think it still down.
    @Test func anOfflineNoticeGoesWhenTheServerAnswers() {
        var h = Harness()
        h.send(.conversationsFailed(.cannotConnect(reason: "refused"), isPoll: true))  // retrying
        h.send(.conversationsFailed(.cannotConnect(reason: "refused"), isPoll: true))  // offline
        h.press(.char("t"))
        #expect(h.state.notice?.text.hasPrefix("Offline:") == true)
        h.send(.conversationsLoaded(Page(items: [], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 5)), isPoll: true))
        guard case .live = h.state.connection else { Issue.record("\(h.state.connection)"); return }
        #expect(h.state.notice == nil)
        // Other notices keep their time.
        h.send(.terminalNote("Not suspended: no shell with job control started the inbox"))
        let shown = h.state.notice
        h.send(.conversationsLoaded(Page(items: [], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 5)), isPoll: true))
        #expect(shown != nil && h.state.notice == shown)
    }

    @Test func cachedDetailsShowAtOnceAndAreAskedForAgain() {
        var h = Harness(unread: [:])
        let cached = Message(id: 9, contactID: 1, direction: .inbound, content: "from the cache")
        h.send(.restoredDetails(threads: [1: [cached]], contacts: [Contact(id: 1, name: "Ann", status: .active)],
                                notes: [1: [Note(id: 1, content: "cached note")]], tags: [Tag(id: 1, title: "VIP")]))
        let effects = h.send(.conversationsLoaded(Page(items: [Conversation(contactID: 1, lastMessageAt: Harness.t0)],
                                                       meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 1)), isPoll: false))
        #expect(h.state.threads[1]?.messages.map(\.content) == ["from the cache"] && h.state.contacts[1]?.name == "Ann")
        #expect(h.state.notes[1]?.first?.content == "cached note" && h.state.tags.count == 1)
        #expect(effects.contains(.loadContact(1)) && effects.contains(.loadNotes(1)))
    }

    @Test func theOpenContactsDetailsAreAskedForAgainAfterAMinute() {
        var h = Harness()  // contact 1 selected, its details asked for at t0
        func answer(_ h: inout Harness) {
            for id in 1...5 {
                h.send(.contactLoaded(Contact(id: id, name: "Contact \(id)", status: .active)))
                h.send(.notesLoaded(contactID: id, []))
            }
        }
        h.press(.char("j"), .char("k"))
        answer(&h)
        #expect(!h.press(.char("j"), .char("k")).contains(.loadNotes(1)))  // asked a moment ago
        // A colleague may have tagged, blacklisted or noted the customer since.
        h.state.lastActivity = Harness.t0.adding(seconds: 50)
        let effects = h.send(.tick(now: Harness.t0.adding(seconds: 61), jitter: 0.5))
        #expect(effects.contains(.loadContact(1)) && effects.contains(.loadNotes(1)))
        // Nobody at the keyboard: nothing is asked for on their behalf.
        var away = Harness()
        answer(&away)
        away.state.focused = false
        #expect(!away.send(.tick(now: Harness.t0.adding(seconds: 61), jitter: 0.5)).contains(.loadNotes(1)))
        // Coming back to a conversation after a minute asks again too.
        away.press(.char("j"))
        away.state.now = Harness.t0.adding(seconds: 200)
        #expect(away.press(.char("k")).contains(.loadNotes(1)))
    }

    @Test func aPollOfKnownRowsChangesNothingAndANewRowStillLands() {
        var h = Harness()
        let before = h.state
        let same = Array(h.state.conversations.prefix(3))
        let effects = h.send(.conversationsLoaded(Page(items: same, meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 5)), isPoll: true))
        #expect(h.state.conversations == before.conversations && h.state.visible == before.visible && h.state.notice == nil)
        #expect(!effects.contains(.bell) && h.state.unreadTotal == 2 && h.state.lastSync == h.state.now)
        #expect(!effects.contains { if case .cacheConversations = $0 { true } else { false } })
        let newcomer = Conversation(contactID: 9, contactName: "New", channel: .telegram, lastMessage: "hi",
                                    lastMessageAt: Harness.t0.adding(seconds: 1), unreadCount: 1)
        let more = h.send(.conversationsLoaded(Page(items: same + [newcomer], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 6)), isPoll: true))
        #expect(more.contains(.cacheConversations(same + [newcomer])))
        #expect(h.state.visible.first == 9 && h.state.conversation(9)?.contactName == "New" && h.state.unreadTotal == 3)
        #expect(h.state.notice?.text == "New message · New: hi")
    }

    @Test func anOlderPagesUnreadRowsAreNotNewMessages() {
        var h = Harness(unread: [:])
        h.send(.conversationsLoaded(NavigationTests.listPage(1), isPoll: false))
        var older = NavigationTests.listPage(2)
        older.items = older.items.map { var row = $0; row.unreadCount = 2; return row }
        let effects = h.send(.conversationsLoaded(older, isPoll: false))
        #expect(!effects.contains(.bell) && h.state.notice == nil)
        #expect(h.state.unreadTotal == 3)
    }

    @Test func offlineAnyAnswerFromTheServerBringsThePollForward() {
        var h = Harness()
        h.send(.conversationsFailed(.cannotConnect(reason: "connection refused"), isPoll: true))
        h.send(.conversationsFailed(.cannotConnect(reason: "connection refused"), isPoll: true))
        guard case .offline = h.state.connection else { Issue.record("\(h.state.connection)"); return }
        #expect(h.state.nextPollAt > h.state.now)
        // A failure changes nothing; a reply checked in the history proves the server is back.
        h.send(.threadFailed(contactID: 1, pageNumber: 1, .cannotConnect(reason: "connection refused")))
        #expect(!h.send(.tick(now: h.state.now, jitter: 0)).contains(.loadConversations(page: 1, isPoll: true)))
        h.send(.sendReconciled(outboxID: "x", found: nil))
        #expect(h.send(.tick(now: h.state.now, jitter: 0)).contains(.loadConversations(page: 1, isPoll: true)))
    }

    @Test func aThreadThatFailedOfflineLoadsWhenTheConnectionReturns() {
        var h = Harness()
        h.send(.conversationsFailed(.cannotConnect(reason: "connection refused"), isPoll: true))
        h.send(.conversationsFailed(.cannotConnect(reason: "connection refused"), isPoll: true))
        guard case .offline = h.state.connection else { Issue.record("\(h.state.connection)"); return }
        h.state.threads[1] = ThreadState()
        h.state.threads[1]?.loadingNewest = true
        h.send(.threadFailed(contactID: 1, pageNumber: 1, .cannotConnect(reason: "connection refused")))
        #expect(h.state.threads[1]?.failure == "cannot connect: connection refused")
        #expect(h.state.notice == nil)  // the offline banner says it already
        let effects = h.send(.conversationsLoaded(Page(items: [], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 5)), isPoll: true))
        #expect(effects.contains(.loadThread(contactID: 1, page: 1)))
        h.loadThread(1, [Message(id: 1, contactID: 1, direction: .inbound, content: "back")])
        #expect(h.state.threads[1]?.failure == nil)
    }

    /// Online, a thread that failed to load (a malformed answer, a 5xx) is asked for again with
    /// the next poll, without the agent moving away and back.
    @Test func aThreadThatFailedOnlineIsAskedForAgainWithTheNextPoll() {
        var h = Harness()
        h.state.threads[1] = ThreadState()
        h.state.threads[1]?.loadingNewest = true
        h.send(.threadFailed(contactID: 1, pageNumber: 1, .decoding(endpoint: "GET /contacts/1/messages", path: "", detail: "malformed JSON")))
        #expect(h.state.connection == .live && h.state.threads[1]?.failure != nil)
        let effects = h.send(.tick(now: h.state.nextPollAt, jitter: 0))
        #expect(effects.contains(.loadConversations(page: 1, isPoll: true)) && effects.contains(.loadThread(contactID: 1, page: 1)), "\(effects)")
        // Asked once: a poll while that request is out asks nothing more for it.
        h.send(.conversationsLoaded(Page(items: h.state.conversations, meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 5)), isPoll: true))
        #expect(!h.send(.tick(now: h.state.nextPollAt, jitter: 0)).contains(.loadThread(contactID: 1, page: 1)))
        h.loadThread(1, [Message(id: 1, contactID: 1, direction: .inbound, content: "back")])
        #expect(h.state.threads[1]?.failure == nil)
    }

    @Test func openThreadIsRefetchedWhenItChanges() {
        var h = Harness()
        h.loadThread(1, [Message(id: 1, contactID: 1, direction: .inbound, content: "a")])
        var row = h.state.conversation(1)!
        row.lastMessageAt = Harness.t0.adding(seconds: 5)
        let effects = h.send(.conversationsLoaded(Page(items: [row], meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 1)), isPoll: true))
        #expect(effects.contains(.loadThread(contactID: 1, page: 1)) && !effects.contains(.bell))
    }

    @Test func scrolledUpThreadCountsNewMessages() {
        var h = Harness()
        h.loadThread(1, (1...30).map { Message(id: $0, contactID: 1, direction: .inbound, content: "m", createdAt: Harness.t0.adding(seconds: Double($0))) })
        h.press(.tab, .char("k"), .char("k"))
        h.loadThread(1, [Message(id: 31, contactID: 1, direction: .inbound, content: "new", createdAt: Harness.t0.adding(seconds: 100))])
        #expect(h.state.threads[1]?.unseenNew == 1 && h.state.threads[1]?.scrollUp == 2)
        h.press(.char("G"))
        #expect(h.state.threads[1]?.unseenNew == 0)
    }

    @Test func restartResumesOutboxAndChecksInterruptedSends() {
        var h = Harness()
        let interrupted = OutboxEntry(id: "x", contactID: 1, text: "hi", state: .sending, createdAt: Harness.t0)
        let offline = OutboxEntry(id: "y", contactID: 1, text: "later", state: .queued, createdAt: Harness.t0, attempts: 2)
        let unasked = OutboxEntry(id: "z", contactID: 2, text: "asked about", state: .queued, createdAt: Harness.t0)
        let effects = h.send(.restored(drafts: [2: "draft"], noteDrafts: [3: ["kept note"]], outbox: [interrupted, offline, unasked],
                                       readMarks: [:], conversations: []))
        #expect(h.state.drafts[2] == "draft" && h.state.noteDrafts[3] == ["kept note"])
        #expect(h.state.outbox[0].state == .unknown(reason: "the inbox closed while sending"))
        #expect(effects.contains { if case .reconcile(let e) = $0 { e.id == "x" } else { false } })
        // Queued while offline: it goes again by itself. Never tried (its check, or a question
        // about a colleague's message, was pending): it waits for R.
        #expect(h.state.outbox[1].state == .queued && h.state.outbox[1].retryAt == Harness.t0)
        #expect(h.state.outbox[2].state == .failed("not sent: the inbox closed before it went"))
    }
}

/// A contact a colleague renamed: the list row follows the contact as read, and so does the cache.
struct RenamedContactTests {
    @Test func theListRowTakesTheNewName() {
        var h = Harness()
        let effects = h.send(.contactLoaded(Contact(id: 3, name: "Sarah Johnson (VIP)", status: .active)))
        #expect(h.state.conversation(3)?.contactName == "Sarah Johnson (VIP)")
        #expect(effects == [.cacheConversations([h.state.conversation(3)!])])
        #expect(h.send(.contactLoaded(Contact(id: 3, name: "Sarah Johnson (VIP)", status: .active))).isEmpty)
        h.press(.char("/")); h.type("vip")
        #expect(h.state.visible == [3])
    }
}

/// A contact a colleague or a script deleted on the server while the inbox shows it.
struct DeletedContactTests {
    static let gone = SkyLightError.http(status: 404, message: "Contact not found.", fieldErrors: [:])

    @Test func theOpenConversationStaysMarkedUntilTheAgentMovesOn() {
        var h = Harness()
        h.press(.char("j"))
        h.send(.threadFailed(contactID: 2, pageNumber: 1, Self.gone))
        #expect(h.state.deleted == [2] && h.state.visible == [1, 2, 3, 4, 5])
        #expect(h.state.notice?.text == "Contact 2 was deleted on the server: the conversation leaves the list when you move on")
        // Nothing can be written to it: each key says why instead of failing at the server.
        for key in ["r", "E", "t", "b", "a"] {
            h.state.notice = nil
            #expect(h.press(.char(Character(key))).isEmpty && h.state.mode == .normal, "\(key)")
            #expect(h.state.notice?.text.contains("deleted on the server") == true, "\(key)")
        }
        // The poll does not ask for its thread or details again.
        let polled = h.send(.tick(now: h.state.nextPollAt, jitter: 0))
        #expect(polled.contains(.loadConversations(page: 1, isPoll: true)))
        #expect(!polled.contains(.loadThread(contactID: 2, page: 1)) && !polled.contains(.loadContact(2)), "\(polled)")
        let effects = h.press(.char("j"))
        #expect(h.state.selectedID == 3 && h.state.visible == [1, 3, 4, 5])
        #expect(effects.contains(.forgetContact(2)))
        #expect(h.state.threads[2] == nil && h.state.conversation(2) == nil)
        // A poll from a server that still lists it (a lagging replica) does not bring it back.
        let rows = [Conversation(contactID: 2, contactName: "Contact 2", lastMessageAt: Harness.t0)] + h.state.conversations
        h.send(.conversationsLoaded(Page(items: rows, meta: PageMeta(currentPage: 1, lastPage: 1, perPage: 100, total: 5)), isPoll: true))
        #expect(h.state.visible == [1, 3, 4, 5] && h.state.selectedID == 3)
    }

    @Test func anotherConversationLeavesAtOnceAndItsDraftIsSaidWhole() {
        var h = Harness()
        h.state.drafts[4] = "Your refund is on its way"
        let effects = h.send(.threadFailed(contactID: 4, pageNumber: 1, Self.gone))
        #expect(h.state.visible == [1, 2, 3, 5] && h.state.selectedID == 1)
        #expect(effects == [.forgetContact(4)])
        #expect(h.state.said.last?.text == "Contact 4 was deleted on the server, so your draft to them was not sent: “Your refund is on its way”")
        #expect(h.state.drafts[4] == "Your refund is on its way")  // the cache keeps it too
    }

    @Test func aNotFoundBeforeTheServerAnsweredTheListIsOnlyAFailure() {
        // A wrong base URL answers 404 to everything: nothing is taken for deleted then.
        var h = Harness()
        h.state.connection = .connecting
        h.send(.threadFailed(contactID: 2, pageNumber: 1, Self.gone))
        #expect(h.state.deleted.isEmpty && h.state.visible.count == 5 && h.state.threads[2]?.failure != nil)
    }
}

struct LineEditorTests {
    @Test func editsByGrapheme() {
        var editor = LineEditor("", multiline: true)
        for c in "héllo 👍🏽" { _ = editor.handle(.char(c)) }
        _ = editor.handle(.backspace)
        #expect(editor.text == "héllo ")
        _ = editor.handle(.ctrl("j"))
        _ = editor.handle(.char("x"))
        #expect(editor.text == "héllo \nx")
        _ = editor.handle(.left)
        _ = editor.handle(.left)
        #expect(editor.cursor == 6)
        _ = editor.handle(.ctrl("a"))
        #expect(editor.cursor == 0)
        _ = editor.handle(.ctrl("k"))
        #expect(editor.text == "\nx")
        #expect(editor.handle(.enter) == .submit && editor.handle(.escape) == .cancel)
        _ = editor.handle(.paste("line1\nline2"))
        #expect(editor.text.contains("line1\nline2"))
        var single = LineEditor()
        _ = single.handle(.paste("a\nb"))
        #expect(single.text == "a b")
        #expect(single.handle(.altEnter) == .submit)
    }

    /// Up and Down go to the row above or below as the layout draws it, paragraphs included,
    /// and keep the column they started from until another key.
    @Test func upAndDownMoveByRowsAndKeepTheirColumn() {
        // Rows of ten characters.
        let rowsOfTen = { (paragraph: ArraySlice<Character>) in
            (0...paragraph.count).map { TextLayout.Position(row: $0 / 10, column: $0 % 10) }
        }
        let first = "abcdefghijklmnopqrstuvwxy", second = "hi", third = "ABCDEFGHIJKLMNOPQRSTUVWXY"
        var editor = LineEditor([first, second, third].joined(separator: "\n"), multiline: true)
        let thirdStart = first.count + 1 + second.count + 1
        var visited: [Int] = []
        for _ in 0..<4 {
            #expect(editor.moveRow(down: false, placing: rowsOfTen) == .moved)
            visited.append(editor.cursor)
        }
        // From the end (row 2, column 5): two rows up the third paragraph, the end of "hi",
        // then the first paragraph's last row at column 5 again.
        #expect(visited == [thirdStart + 15, thirdStart + 5, first.count + 1 + 2, 25])
        _ = editor.moveRow(down: true, placing: rowsOfTen)
        _ = editor.moveRow(down: true, placing: rowsOfTen)
        #expect(editor.cursor == thirdStart + 5)
        // Another key forgets the column.
        _ = editor.moveRow(down: false, placing: rowsOfTen)
        _ = editor.handle(.left)
        _ = editor.moveRow(down: false, placing: rowsOfTen)
        #expect(editor.cursor == 21)
        // Nothing above the first row nor below the last; a one-line editor has no rows to move by.
        _ = editor.moveRow(down: false, placing: rowsOfTen)
        _ = editor.moveRow(down: false, placing: rowsOfTen)
        #expect(editor.cursor == 1 && editor.moveRow(down: false, placing: rowsOfTen) == .ignored && editor.cursor == 1)
        var bottom = LineEditor("one\ntwo", multiline: true)
        #expect(bottom.moveRow(down: true, placing: rowsOfTen) == .ignored && bottom.cursor == 7)
        var single = LineEditor("search")
        #expect(single.moveRow(down: false, placing: rowsOfTen) == .ignored)
    }

    /// A terminal sends a joined emoji or a decomposed accent one scalar at a time.
    @Test func piecesTypedOneScalarAtATimeMakeOneGrapheme() {
        var editor = LineEditor("", multiline: true)
        func typeScalars(_ text: String) {
            for s in text.unicodeScalars { _ = editor.handle(.char(Character(s))) }
        }
        typeScalars("ok 👍🏽 e\u{301} 👩‍👩‍👧!")
        #expect(editor.characters == Array("ok 👍🏽 e\u{301} 👩‍👩‍👧!"))
        #expect(editor.cursor == editor.characters.count)
        _ = editor.handle(.left)
        _ = editor.handle(.backspace)
        #expect(editor.text == "ok 👍🏽 e\u{301} !")
        _ = editor.handle(.ctrl("a"))
        _ = editor.handle(.right); _ = editor.handle(.right); _ = editor.handle(.right)
        _ = editor.handle(.delete)
        #expect(editor.text == "ok  e\u{301} !")
        // Deleting what sat between two halves of a sequence joins them.
        var joined = LineEditor("👩\u{200D}x👧")
        _ = joined.handle(.left); _ = joined.handle(.backspace)
        #expect(joined.characters == ["👩\u{200D}👧"] && joined.cursor == 1)
        // A paste joins what it lands next to, and the cursor stays after what was pasted.
        var pasted = LineEditor("e!")
        _ = pasted.handle(.left)
        _ = pasted.handle(.paste("\u{301}\u{327}"))
        #expect(pasted.characters == ["e\u{301}\u{327}", "!"] && pasted.cursor == 1)
        // In the middle of a reply, only what meets at the cursor joins; the rest is left as it was.
        var middle = LineEditor("مرحبا 👩 شكرا", multiline: true)
        for _ in 0..<5 { _ = middle.handle(.left) }
        typeEachScalar("\u{200D}👧", into: &middle)
        #expect(middle.characters == Array("مرحبا 👩\u{200D}👧 شكرا") && middle.cursor == 7)
        typeEachScalar("ش", into: &middle)
        #expect(middle.text == "مرحبا 👩\u{200D}👧ش شكرا" && middle.cursor == 8)
    }

    func typeEachScalar(_ text: String, into editor: inout LineEditor) {
        for s in text.unicodeScalars { _ = editor.handle(.char(Character(s))) }
    }

    @Test func aPasteLeavesOutWhatATerminalWouldActOn() {
        var editor = LineEditor("", multiline: true)
        _ = editor.handle(.paste("paste \u{1B}[31mred\u{1B}[0m\ttab\u{07}\u{1B}]0;title\u{07}\u{1B}]52;c;Y2xpcA==\u{1B}\\ \u{9B}1mC1\u{1B}Pdcs\u{1B}\\\r\nnext\rlast\u{0}\u{7F}"))
        #expect(editor.text == "paste red\ttab C1\nnext\nlast")
        var single = LineEditor()
        _ = single.handle(.paste("one\r\ntwo\u{1B}(B"))
        #expect(single.text == "one two")
    }

    @Test func aCacheThatCannotBeWrittenStaysInTheStatusBarUntilItCanAgain() {
        var h = Harness()
        h.send(.cacheWrites(failing: "database or disk is full"))
        #expect(h.state.warning?.hasPrefix("Not saved on disk: database or disk is full.") == true)
        h.send(.tick(now: Harness.t0.adding(seconds: 60), jitter: 0))
        #expect(h.state.warning != nil)
        h.send(.cacheWrites(failing: nil))
        #expect(h.state.warning == nil && h.state.notice?.text == "Saved to disk again")
    }

    @Test func aPasteInTheListIsNotTakenForKeys() {
        var h = Harness()
        let before = h.state
        h.press(.paste("by q"))
        #expect(h.state.mode == .normal && h.state.selectedID == before.selectedID)
        #expect(h.state.notice?.text == "Not pasted: open a reply (r) or a note (a) to paste into")
    }

    @Test func movesAndDeletesByWordAsReadlineDoes() {
        var editor = LineEditor("refund sent  today")
        _ = editor.handle(.alt("b"))
        #expect(editor.cursor == 13)
        _ = editor.handle(.alt("b"))
        #expect(editor.cursor == 7)
        _ = editor.handle(.alt("d"))
        #expect(editor.text == "refund   today" && editor.cursor == 7)
        _ = editor.handle(.alt("f"))
        #expect(editor.cursor == editor.characters.count)
        #expect(editor.handle(.alt("d")) == .ignored)
        // In the composer the reducer hands M-b to the editor, not to "Esc, then b (blacklist)".
        var h = Harness()
        h.press(.char("r")); h.type("hello world")
        h.press(.alt("b")); h.type("big ")
        guard case .compose(1, let composer) = h.state.mode else { Issue.record("\(h.state.mode)"); return }
        #expect(composer.text == "hello big world")
    }

    @Test func fuzzyMatchPrefersPrefixesAndRuns() {
        #expect(Reducer.fuzzyMatch("vip", in: ["Very Important", "VIP Customer", "Hot Lead"]) == ["VIP Customer", "Very Important"])
        #expect(Reducer.fuzzyMatch("zz", in: ["VIP"]).isEmpty)
    }
}
