import SkyLight

/// A pane that can have the keyboard.
public enum Pane: String, Sendable, CaseIterable { case list, thread, sidebar }

/// The network state the status bar shows.
public enum ConnectionState: Equatable, Sendable {
    case connecting
    case live
    case retrying(at: Timestamp, reason: String)
    case offline(since: Timestamp, reason: String)
}

/// A short message in the status bar.
public struct Notice: Equatable, Sendable {
    public var text: String
    public var isError: Bool
    public var expires: Timestamp
    /// Says the server cannot be reached: it goes as soon as the server answers again.
    public var isAboutBeingOffline = false
    /// The contacts whose unsaved editor text this notice points to, if any: it goes once the
    /// editor has been opened again.
    public var keptEditorText: [Int] = []
    /// Says what a key is waiting for (Space reading pages for an unread conversation): it goes
    /// once that is done.
    public var isProgress = false

    /// Creates a notice shown until `expires`.
    public init(text: String, isError: Bool, expires: Timestamp, isAboutBeingOffline: Bool = false) {
        self.text = text; self.isError = isError; self.expires = expires; self.isAboutBeingOffline = isAboutBeingOffline
    }
}

/// What a confirmation prompt is about.
public enum Confirmation: Equatable, Sendable {
    case blacklist(contactID: Int, name: String, willBlacklist: Bool)
    case sendOutsideWindow(contactID: Int, text: String)
    case sendAfterNewMessages(outboxID: String)
    case quitWithUnsentReplies(count: Int)

    /// The question, naming the resulting state.
    public var question: String {
        switch self {
        case .blacklist(_, let name, true):
            "Blacklist \(name)? They will be marked BLACKLISTED and receive no messages."
        case .blacklist(_, let name, false):
            "Remove \(name) from the blacklist? They can be messaged again."
        case .sendOutsideWindow:
            "The last inbound message is older than 24 h: WhatsApp may reject free text. Send anyway?"
        case .sendAfterNewMessages:
            "New messages arrived in this conversation since you opened it. Send your reply anyway?"
        case .quitWithUnsentReplies(let count):
            (count == 1 ? "1 reply is not sent yet. It waits in the outbox and goes"
                : "\(count) replies are not sent yet. They wait in the outbox and go") + " the next time SkyLight Inbox runs. Quit anyway?"
        }
    }
}

/// A picker over tag titles with fuzzy completion.
public struct TagPicker: Equatable, Sendable {
    /// Whether the chosen tag is added to the contact (`t`) or removed from it (`T`).
    public enum Purpose: Equatable, Sendable { case add, remove }
    public var purpose: Purpose
    public var contactID: Int
    public var editor = LineEditor()
    public var selection = 0 {
        didSet {
            if selection < firstShown { firstShown = selection }
            else if selection >= firstShown + Self.rowsShown { firstShown = selection - Self.rowsShown + 1 }
        }
    }
    /// The first candidate on screen: the list scrolls only when the choice would leave it.
    public private(set) var firstShown = 0
    /// Candidates shown at a time; PgUp and PgDn move by as many.
    public static let rowsShown = 10

    /// A picker with an empty query.
    public init(purpose: Purpose, contactID: Int) { self.purpose = purpose; self.contactID = contactID }
}

/// What the keyboard is doing right now.
public enum Mode: Equatable, Sendable {
    case normal
    case compose(contactID: Int, editor: LineEditor)
    case note(contactID: Int, editor: LineEditor)
    case search(editor: LineEditor)
    case command(editor: LineEditor)
    case tagPicker(TagPicker)
    case confirm(Confirmation)
    case help(scroll: Int)
    /// What the status bar said lately, newest first (`:messages`), scrolled by `scroll` lines.
    case messages(scroll: Int)

    /// The same overlay (`?` or `:messages`) scrolled to `scroll` lines; any other mode as it is.
    func scrolled(to scroll: Int) -> Mode {
        switch self {
        case .help: .help(scroll: scroll)
        case .messages: .messages(scroll: scroll)
        default: self
        }
    }
}

/// The conversation filters.
public struct Filter: Equatable, Sendable {
    public var unreadOnly = false
    public var channel: ChannelType?
    public var query = ""
    /// Contacts the server's search matched for `query`, as rows: one whose conversation is
    /// beyond the pages loaded is listed from this row until its own page arrives.
    public var serverMatches: [Int: Conversation] = [:]
    /// Where the server's search for `query` stands.
    public var server = ServerSearch.idle
    /// How many contacts the server found in all; it sends the first 100.
    public var serverTotal = 0

    public var isActive: Bool { unreadOnly || channel != nil || !query.isEmpty }

    /// "unread · whatsapp · /sarah", or "all".
    public var label: String {
        var parts: [String] = []
        if unreadOnly { parts.append("unread") }
        if let channel { parts.append(channel.rawValue) }
        if !query.isEmpty { parts.append("/" + query) }
        return parts.isEmpty ? "all" : parts.joined(separator: " · ")
    }
}

extension Conversation {
    /// The list's order: newest last message first, then the higher contact id.
    static func listedBefore(_ a: Conversation, _ b: Conversation) -> Bool {
        (a.lastMessageAt ?? .init(microseconds: 0), a.contactID) > (b.lastMessageAt ?? .init(microseconds: 0), b.contactID)
    }
}

/// Where the server's search for the filter's query stands: its matches join the local ones.
public enum ServerSearch: Equatable, Sendable {
    case idle
    case waiting
    case answered
    case failed(String)
}

/// The loaded part of one conversation's history, oldest first.
public struct ThreadState: Equatable, Sendable {
    public var messages: [Message] = []
    /// The newest page fetched so far counts as page 1; older pages follow.
    public var pagesLoaded = 0
    public var lastPage = 1
    /// The newest page is on its way: a first load or a poll.
    public var loadingNewest = false
    /// An older page is on its way. Kept apart from ``loadingNewest`` so a poll never holds
    /// up scrolling back through the history.
    public var loadingOlder = false
    /// Why the last load failed; cleared by the next one that succeeds.
    public var failure: String?
    /// Lines scrolled up from the bottom; 0 keeps the view pinned to the newest message.
    public var scrollUp = 0
    /// Messages that arrived while the agent was scrolled up.
    public var unseenNew = 0
    /// The newest message before some arrived while the agent was scrolled up: the view keeps
    /// the new ones below the screen, and its report (``ShownScroll``) clears this.
    public var arrivedAfter: Int?
    /// The newest message the agent had on screen when the composer opened.
    public var seenLatestID: Int?

    public var hasOlder: Bool { pagesLoaded < lastPage }

    /// Marks the newest page as on its way and returns the effect that fetches it; nil while
    /// it already is.
    public mutating func loadNewest(contactID: Int) -> Effect? {
        guard !loadingNewest else { return nil }
        loadingNewest = true
        return .loadThread(contactID: contactID, page: 1)
    }

    /// Marks the next older page as on its way and returns the effect that fetches it.
    public mutating func loadOlder(contactID: Int) -> Effect {
        loadingOlder = true
        return .loadThread(contactID: contactID, page: pagesLoaded + 1)
    }

    /// The failed reply that resending would send again: the newest failed one that no later
    /// reply repeats, sent or still in `outbox`. One already sent again is not offered twice.
    public func failedReply(outbox: [OutboxEntry]) -> Message? {
        var repeated = Set(outbox.map(\.text))
        for message in messages.reversed() where message.direction != .inbound {
            let text = (message.content ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if message.status == .failed, !text.isEmpty, !repeated.contains(text) { return message }
            repeated.insert(text)
        }
        return nil
    }

    /// An empty, not yet loaded thread.
    public init() {}

    /// Merges messages by id, keeping oldest-first order.
    public mutating func merge(_ incoming: [Message]) -> Int {
        var byID = Dictionary(messages.map { ($0.id, $0) }, uniquingKeysWith: { _, b in b })
        var added = 0
        for message in incoming {
            if byID[message.id] == nil { added += 1 }
            byID[message.id] = message
        }
        messages = byID.values.sorted { ($0.timestamp ?? Timestamp(microseconds: 0), $0.id) < ($1.timestamp ?? Timestamp(microseconds: 0), $1.id) }
        return added
    }
}

/// How far the view scrolled the selected conversation's panes. Only the view knows how many
/// lines their text wraps to, so the main loop hands this back to the reducer: a scroll past
/// the end comes back to it, and messages that arrived below stay below.
public struct ShownScroll: Equatable, Sendable {
    /// The conversation shown.
    public var contactID: Int
    /// Lines of the thread up from its bottom.
    public var thread: Int
    /// Lines of the sidebar down from its top.
    public var sidebar: Int

    /// Creates a report of what the view showed.
    public init(contactID: Int, thread: Int, sidebar: Int) {
        self.contactID = contactID; self.thread = thread; self.sidebar = sidebar
    }

    /// Whether the state asks for other scrolls than these.
    public func differs(from state: InboxState) -> Bool {
        let thread = state.threads[contactID]
        return (thread?.scrollUp ?? 0) != self.thread || thread?.arrivedAfter != nil
            || (state.selectedID == contactID && state.sidebarScroll != sidebar)
    }
}

/// A reply on its way: written before any network call, shown in the thread until the
/// server's copy replaces it.
public struct OutboxEntry: Equatable, Sendable, Identifiable {
    /// Where the reply stands: waiting, on its way, failed, or sent with no answer back.
    public enum State: Equatable, Sendable {
        case queued
        case sending
        case failed(String)
        /// Sent, but the answer (`reason`) leaves open whether it arrived: being checked
        /// against the server's history.
        case unknown(reason: String)
    }
    public var id: String
    public var contactID: Int
    public var text: String
    public var state: State
    public var createdAt: Timestamp
    public var attempts = 0
    /// When a queued entry may be sent again (after a refused connection or a 429).
    public var retryAt: Timestamp?

    /// The inbox that made this entry: its id reads contact-time-instance-serial (see
    /// ``InboxState/instance``); nil for entries from before instances were named.
    public var owner: String? {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[2].count == 8 ? String(parts[2]) : nil
    }

    /// The id this entry takes when inbox `owner` takes it over from one that has ended: the
    /// old owner and serial go on as the new serial, so ids stay unique.
    func id(takenOverBy owner: String) -> String {
        let serial = id.split(separator: "-", omittingEmptySubsequences: false).dropFirst(2).joined()
        return "\(contactID)-\(createdAt.microseconds)-\(owner)-\(serial)"
    }

    /// Creates an entry.
    public init(id: String, contactID: Int, text: String, state: State = .queued, createdAt: Timestamp, attempts: Int = 0) {
        self.id = id; self.contactID = contactID; self.text = text; self.state = state; self.createdAt = createdAt
        self.attempts = attempts
    }
}

/// Everything the inbox shows and knows. Changed only by ``Reducer``.
public struct InboxState: Equatable, Sendable {
    public var accountLabel: String
    public var now: Timestamp
    public var conversations: [Conversation] = [] {
        didSet {
            positions = Dictionary(conversations.enumerated().map { ($1.contactID, $0) }, uniquingKeysWith: { first, _ in first })
            recount()
        }
    }
    /// Where each contact's conversation sits in ``conversations``: every frame looks rows up by id.
    private(set) var positions: [Int: Int] = [:]
    /// Unread conversations in all (not only the visible ones), kept in step with what it counts.
    public private(set) var unreadTotal = 0
    /// Ids of the conversations the filters let through, in list order (derived, kept in step).
    public private(set) var visible: [Int] = []
    public var conversationsLoaded = false
    /// Pages of the conversation list fetched so far, and how many the server has.
    public var conversationPages = 0
    public var conversationLastPage = 1
    /// The server's count of conversations (from the newest page's `meta`).
    public var conversationTotal = 0
    public var loadingMoreConversations = false
    /// `G` was pressed while older pages were still on the server: each page that arrives moves
    /// the selection on, until the last conversation. Any other key stops it.
    public var followingEnd = false
    /// Set while Space reads the list's next page for an unread conversation past the loaded rows.
    public var seekingUnread = false
    /// `g` was pressed in this conversation's thread while older messages were still on the
    /// server: each page that arrives keeps the view at the top, until the first message.
    public var followingThreadTop: Int?
    public var selectedID: Int? { didSet { if selectedID != oldValue { sidebarScroll = 0 } } }
    /// Lines the sidebar is scrolled down; each conversation opens at the top of it.
    public var sidebarScroll = 0
    public var listScroll = 0
    public var focus = Pane.list
    /// The pane focused before the composer opened, focused again once it closes: a reply
    /// started from the list leaves `j` moving through the list.
    public var focusBeforeCompose = Pane.list
    public var mode = Mode.normal
    public var filter = Filter() { didSet { refilter() } }
    public var threads: [Int: ThreadState] = [:]
    /// Selections made so far: the clock threads are let go by.
    public var selections = 0
    /// When each conversation was last selected, counted in ``selections``; one only previewed
    /// as a neighbour has none. Kept apart from the threads, whose drawings it must not change.
    public var lastSelected: [Int: Int] = [:]
    public var contacts: [Int: Contact] = [:]
    /// Contacts the server no longer has (a colleague or a script deleted them): the selected
    /// one stays listed, marked, until the agent moves on; the others leave the list at once.
    public var deleted: Set<Int> = []
    public var notes: [Int: [Note]] = [:]
    /// When each contact's details (contact and notes) were last asked for; those on screen
    /// from the cache were never asked for in this session.
    public var detailsAskedAt: [Int: Timestamp] = [:]
    public var tags: [Tag] = []
    /// When the tag list last arrived: a picker opened later than a minute on asks again, so
    /// tags a colleague made since are offered.
    public var tagsLoadedAt: Timestamp?
    public var outbox: [OutboxEntry] = []
    /// Tells this inbox's outbox entries from another's on the same cache file (a second
    /// terminal, an earlier run).
    public var instance = ""
    /// Outbox entries made so far in this run: with ``instance``, what makes each id unique.
    public var outboxSerial = 0
    public var drafts: [Int: String] = [:]
    /// Questions that came while the agent was busy (writing, or answering another): each is
    /// asked once they are back in the list, so none replaces what is on screen.
    public var pendingQuestions: [Confirmation] = []
    /// Notes the agent left with Esc, or that the server did not take: `a` brings them back.
    /// One that turns up among the contact's notes (its answer was lost) is let go.
    public var noteDrafts: [Int: [String]] = [:]
    /// Notes asked for and not yet answered: if the inbox dies first, they come back as kept
    /// notes (and are let go if the server took them after all).
    public var notesSending: [Int: [String]] = [:]
    /// Local read watermarks: a conversation is read up to this instant.
    public var readMarks: [Int: Timestamp] = [:] { didSet { recount() } }
    /// Conversations the agent marked unread by hand.
    public var markedUnread: Set<Int> = [] { didSet { recount() } }
    public var jumpStack: [Int] = []
    /// nil: shown when the terminal is wide enough.
    public var sidebarPreference: Bool?
    public var connection = ConnectionState.connecting
    public var lastSync: Timestamp?
    public var notice: Notice?
    /// What the status bar said, oldest first: the last ``Said/kept``, for `:messages`, where a
    /// notice cut to the terminal's width is read whole.
    public var said: [Said] = []
    /// A standing problem the agent must keep in mind (no local cache): in the status bar for
    /// as long as it lasts.
    public var warning: String?
    public var themeName: String
    /// The themes `:theme` can switch to, for the agent who does not know their names.
    public var themeNames: [String] = []
    public var quitting = false
    /// The poll interval now in use, and when the next poll is due.
    public var pollInterval: Double = 2
    public var nextPollAt: Timestamp
    /// When the poll now on its way was sent; nil when none is.
    public var pollStartedAt: Timestamp?
    /// Whether a poll is on its way.
    public var pollInFlight: Bool { pollStartedAt != nil }
    public var lastActivity: Timestamp
    public var focused = true
    public var settings: Settings
    /// Filled in by the terminal on every resize.
    public var listItems = 10
    public var threadLines = 20
    public var sidebarFits = false
    /// The terminal's width in cells.
    public var width = 80
    /// The terminal is below the smallest size the inbox draws: the screen says so, and keys
    /// other than quit and redraw would act on what the agent cannot see.
    public var tooSmall = false

    /// Whether a question waits for its answer (y or n).
    public var isAsking: Bool {
        if case .confirm = mode { true } else { false }
    }

    /// Every note not known to be on the server: kept, on its way, and the one being written.
    /// This is what the cache holds, so even a kill loses no more than the last moment of typing.
    public var unsavedNotes: [Int: [String]] {
        var notes = noteDrafts
        notes.merge(notesSending) { $0 + $1 }
        if case .note(let id, let editor) = mode, !editor.isEmpty { notes[id, default: []].append(editor.text) }
        return notes
    }

    /// Whether the contact sidebar is on screen.
    public var sidebarShown: Bool { sidebarPreference ?? sidebarFits }

    /// Settings that change behaviour (from the config file).
    public struct Settings: Equatable, Sendable {
        public var bell = true
        public var desktopNotifications = false
        public var markReadOnReply = true
        public var activePollInterval: Double = 2
        public var idlePollInterval: Double = 20
        public var idleAfter: Double = 60
        /// The defaults, as used when the config file says nothing.
        public init() {}
    }

    /// Creates the state of a newly opened inbox.
    public init(accountLabel: String, now: Timestamp, themeName: String = "default-dark", settings: Settings = Settings()) {
        self.accountLabel = accountLabel; self.now = now; self.themeName = themeName
        self.nextPollAt = now; self.lastActivity = now; self.settings = settings
    }

    // MARK: Derived

    /// The conversation with a contact.
    public func conversation(_ id: Int) -> Conversation? {
        positions[id].map { conversations[$0] } ?? filter.serverMatches[id]
    }

    /// Replies in the outbox still to go (queued or being sent; not failed or being checked).
    public var unsentReplies: Int { outbox.count { $0.state == .queued || $0.state == .sending } }

    /// Whether a conversation counts as unread: the server says so and the local watermark
    /// has not passed its last message, or the agent marked it unread.
    public func isUnread(_ conversation: Conversation) -> Bool {
        if markedUnread.contains(conversation.contactID) { return true }
        guard (conversation.unreadCount ?? 0) > 0 else { return false }
        if let mark = readMarks[conversation.contactID], let last = conversation.lastMessageAt, mark >= last { return false }
        return true
    }

    mutating func recount() { unreadTotal = conversations.reduce(0) { $0 + (isUnread($1) ? 1 : 0) } }

    /// The selected conversation's position in ``visible``.
    public var selectedIndex: Int? { selectedID.flatMap { visible.firstIndex(of: $0) } }

    /// The contact of the selected conversation.
    public var selectedContact: Contact? { selectedID.flatMap { contacts[$0] } }

    mutating func refilter() {
        visible = conversations.filter(passes).map(\.contactID)
        // Matches beyond the loaded pages come after the loaded ones: their conversations are older.
        if !filter.query.isEmpty {
            visible += filter.serverMatches.values.filter { positions[$0.contactID] == nil && passes($0) }
                .sorted(by: Conversation.listedBefore).map(\.contactID)
        }
    }

    func passes(_ c: Conversation) -> Bool {
        if filter.unreadOnly && !isUnread(c) && c.contactID != selectedID { return false }
        if let channel = filter.channel, c.channel != channel { return false }
        if !filter.query.isEmpty {
            if filter.serverMatches[c.contactID] != nil { return true }
            let q = filter.query.lowercased()
            let name = (c.contactName ?? contacts[c.contactID]?.name ?? "").lowercased()
            let snippet = (c.lastMessage ?? "").lowercased()
            let phone = contacts[c.contactID]?.phone ?? ""
            return name.contains(q) || snippet.contains(q) || phone.contains(q)
        }
        return true
    }

    /// Replaces the conversation rows and re-derives the visible list.
    public mutating func setConversations(_ rows: [Conversation]) {
        conversations = rows
        refilter()
    }
}

/// A notice as the status bar showed it, and when.
public struct Said: Equatable, Sendable {
    /// How many notices `:messages` keeps.
    public static let kept = 50
    public var at: Timestamp
    public var text: String
    public var isError: Bool
}
