import Foundation
import SkyLight

/// The only place the inbox state changes: one action in, the new state and the effects
/// to run out. Pure: no I/O, no clock, no randomness of its own.
public struct Reducer: Sendable {
    public var keyMap: KeyMap
    /// How many conversation pages to load at start-up beyond the first.
    public var maxConversationPages = 200
    /// Threads held in memory at most: over a long day, the ones longest unseen are let go
    /// and read again if opened, so memory stays flat however many conversations are worked.
    public var threadsKept = 150
    /// How the terminal wraps what is being written, for Up and Down in the composer.
    public var textLayout: TextLayout

    /// Creates a reducer with a key map and the terminal's text layout.
    public init(keyMap: KeyMap = .standard, textLayout: TextLayout = .unwrapped) {
        self.keyMap = keyMap
        self.textLayout = textLayout
    }

    /// Applies an action.
    public func reduce(_ state: inout InboxState, _ action: Action) -> [Effect] {
        let unsavedNotes = state.unsavedNotes
        var effects = apply(&state, action)
        if !state.deleted.isEmpty { effects += letGoOfDeleted(&state) }
        // Notes reach the cache as they change (the runner waits for a pause in typing), not
        // only when the inbox closes: a kill or a crash loses none.
        let now = state.unsavedNotes
        return now == unsavedNotes ? effects : effects + [.saveNoteDrafts(now)]
    }

    func apply(_ state: inout InboxState, _ action: Action) -> [Effect] {
        switch action {
        case .key(let key):
            state.lastActivity = state.now
            if state.pollInterval > state.settings.activePollInterval * 1.5 {
                // Back from idle: poll soon rather than at the end of a long idle interval.
                state.pollInterval = state.settings.activePollInterval
                state.nextPollAt = min(state.nextPollAt, state.now.adding(seconds: 0.5))
            }
            return handleKey(&state, key)
        case .tick(let now, let jitter): return tick(&state, now: now, jitter: jitter)
        case .start:
            state.pollStartedAt = state.now
            state.nextPollAt = state.now.adding(seconds: state.settings.activePollInterval)
            return [.loadConversations(page: 1, isPoll: false), .loadTags]
        case .scrollShown(let shown):
            if var thread = state.threads[shown.contactID] {
                thread.scrollUp = shown.thread
                thread.arrivedAfter = nil
                if shown.thread == 0 { thread.unseenNew = 0 }
                state.threads[shown.contactID] = thread
            }
            if state.selectedID == shown.contactID { state.sidebarScroll = shown.sidebar }
            return []
        case .viewport(let listItems, let threadLines, let sidebarFits, let tooSmall, let width):
            state.listItems = max(1, listItems); state.threadLines = max(1, threadLines); state.sidebarFits = sidebarFits
            state.width = width
            state.tooSmall = tooSmall
            keepSelectionVisible(&state)
            return []
        case .terminalFocus(let focused):
            state.focused = focused
            if focused { state.nextPollAt = min(state.nextPollAt, state.now.adding(seconds: 0.2)) }
            return []
        case .terminalNote(let text):
            say(&state, text)
            return []
        case .cacheWrites(let failing):
            // Replies still go: holding them back would lose the agent more than the cache can.
            state.warning = failing.map { "Not saved on disk: \($0). Replies still go; drafts wait in memory and are written when it clears" }
            if failing == nil { say(&state, "Saved to disk again") }
            return []
        default: return handleResult(&state, action)
        }
    }
}

extension Action {
    /// Whether this result is an answer from the server, as opposed to a failure or local work.
    var isServerAnswer: Bool {
        switch self {
        case .conversationsLoaded, .threadLoaded, .contactLoaded, .notesLoaded, .tagsLoaded, .sendReconciled: true
        case .searchResults(_, .success), .sendFinished(_, .success), .blacklistFinished(_, _, .success), .tagChanged(_, .success, _), .noteAdded(_, _, .success): true
        default: false
        }
    }
}
