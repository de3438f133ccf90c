import Foundation
import SkyLight

// Moving through the list, scrolling the thread and sidebar, and what a selection loads.
extension Reducer {
    func moveSelection(_ state: inout InboxState, by step: Int) -> [Effect] {
        guard !state.visible.isEmpty else { return [] }
        let index = state.selectedIndex ?? (step > 0 ? -1 : state.visible.count)
        return moveSelection(&state, to: index + step)
    }

    func moveSelection(_ state: inout InboxState, to index: Int) -> [Effect] {
        guard !state.visible.isEmpty else { return [] }
        let clamped = min(max(0, index), state.visible.count - 1)
        guard state.visible[clamped] != state.selectedID else { return [] }
        return select(&state, state.visible[clamped])
    }

    /// Selects a conversation and fetches what its preview needs and is not loaded yet.
    func select(_ state: inout InboxState, _ id: Int) -> [Effect] {
        state.selectedID = id
        keepSelectionVisible(&state)
        return selectionEffects(&state) + loadMoreIfNeeded(&state)
    }

    /// Lets go of the threads longest unseen once more than ``threadsKept`` are held, down to
    /// four fifths of it; never the selection's or its neighbours', one being written to, or
    /// one with a reply in the outbox.
    func forgetThreadsLongUnseen(_ state: inout InboxState) {
        guard state.threads.count > threadsKept else { return }
        var kept = Set(state.outbox.map(\.contactID))
        if let id = state.selectedID { kept.insert(id) }
        if let index = state.selectedIndex { kept.formUnion(state.visible[max(0, index - 3)..<min(state.visible.count, index + 4)]) }
        switch state.mode {
        case .compose(let id, _), .note(let id, _): kept.insert(id)
        default: break
        }
        if let id = state.followingThreadTop { kept.insert(id) }
        let unseen = state.threads.keys.filter { !kept.contains($0) }.sorted { state.lastSelected[$0, default: 0] < state.lastSelected[$1, default: 0] }
        for id in unseen.prefix(state.threads.count - threadsKept * 4 / 5) {
            state.threads[id] = nil
            state.lastSelected[id] = nil
        }
    }

    /// Loads what the selected conversation shows, then the same for its neighbours, so the
    /// next j or k draws complete in one frame instead of waiting on the network.
    func selectionEffects(_ state: inout InboxState) -> [Effect] {
        guard let id = state.selectedID else { return [] }
        state.selections += 1
        state.lastSelected[id] = state.selections
        forgetThreadsLongUnseen(&state)
        var effects: [Effect] = [.lookingAt(id)] + previewEffects(&state, id)
        if let index = state.visible.firstIndex(of: id) {
            for neighbour in [index + 1, index - 1, index + 2] where state.visible.indices.contains(neighbour) {
                effects += previewEffects(&state, state.visible[neighbour])
            }
        }
        return effects
    }

    func previewEffects(_ state: inout InboxState, _ id: Int) -> [Effect] {
        var effects: [Effect] = []
        if state.threads[id]?.pagesLoaded ?? 0 == 0, let load = state.threads[id, default: ThreadState()].loadNewest(contactID: id) {
            effects.append(load)
        }
        if shouldAskDetails(state, id) { effects += askDetails(&state, id) }
        return effects
    }

    /// Asks for a contact's details (the contact, with its tags and blacklisting, and its notes).
    func askDetails(_ state: inout InboxState, _ id: Int) -> [Effect] {
        state.detailsAskedAt[id] = state.now
        return [.loadContact(id), .loadNotes(id)]
    }

    /// How long a contact's tags, blacklisting and notes are taken as current: a colleague may
    /// change them at any time.
    static let detailsMaxAge = 60.0

    /// Whether to ask for a contact's details: never asked for in this session, asked a minute
    /// ago, or asked a few seconds ago with no answer (lost). Asked moments ago, they are on
    /// their way: moving onto a neighbour whose details were fetched ahead asks nothing.
    func shouldAskDetails(_ state: InboxState, _ id: Int) -> Bool {
        guard let asked = state.detailsAskedAt[id] else { return true }
        let age = state.now.seconds(since: asked)
        return age >= Self.detailsMaxAge || (age >= 5 && (state.contacts[id] == nil || state.notes[id] == nil))
    }

    /// Selects the next unread conversation after the selection. Past the last loaded row it
    /// reads the list's next page before going round to the top: an unread conversation on a
    /// page not yet loaded is reached as any other.
    func nextUnread(_ state: inout InboxState) -> [Effect] {
        let ids = state.visible
        let start = state.selectedIndex ?? -1
        func isUnread(_ id: Int) -> Bool { id != state.selectedID && (state.conversation(id).map(state.isUnread) ?? false) }
        let more = moreConversationPages(state)
        if let id = ids[(start + 1)...].first(where: isUnread) ?? (more ? nil : ids[..<max(0, start)].first(where: isUnread)) {
            if let current = state.selectedID { state.jumpStack.append(current) }
            return select(&state, id)
        }
        guard more else {
            say(&state, "No unread conversations")
            return []
        }
        state.seekingUnread = true
        say(&state, "Looking for unread conversations: page \(state.conversationPages + 1) of \(min(state.conversationLastPage, maxConversationPages))…")
        state.notice?.isProgress = true
        guard !state.loadingMoreConversations else { return [] }
        state.loadingMoreConversations = true
        return [.loadConversations(page: state.conversationPages + 1, isPoll: false)]
    }

    /// Filters the list by `query` at once, and asks the server's contact search, whose matches
    /// join the list as they arrive.
    func search(_ state: inout InboxState, _ query: String) -> [Effect] {
        state.filter.query = query
        state.filter.serverMatches = [:]
        state.filter.server = query.isEmpty ? .idle : .waiting
        clampSelection(&state)
        return query.isEmpty ? [] : [.searchContacts(query)]
    }

    /// A list row for a contact the search found beyond the loaded pages: its last message
    /// shows once its thread is read.
    static func row(for contact: Contact) -> Conversation {
        Conversation(contactID: contact.id, contactName: contact.name, channel: contact.type, lastMessageAt: contact.lastMessageAt)
    }

    /// Fetches the next page of conversations when the selection nears the end of the list.
    func loadMoreIfNeeded(_ state: inout InboxState) -> [Effect] {
        guard moreConversationPages(state), !state.loadingMoreConversations else { return [] }
        let index = state.selectedIndex ?? 0
        guard state.followingEnd || index + state.listItems * 2 >= state.visible.count else { return [] }
        state.loadingMoreConversations = true
        return [.loadConversations(page: state.conversationPages + 1, isPoll: false)]
    }

    /// Whether the server holds older pages of the list that the inbox would load: not while a
    /// search is on (the server's search reaches those pages itself).
    func moreConversationPages(_ state: InboxState) -> Bool {
        pagesNotRead(state) && state.filter.query.isEmpty
    }

    /// Whether the server holds pages of the list the inbox has not read (up to the pages it reads at most).
    public func pagesNotRead(_ state: InboxState) -> Bool {
        state.conversationPages > 0 && state.conversationPages < min(state.conversationLastPage, maxConversationPages)
    }

    func sayLoadingToTheEnd(_ state: inout InboxState) {
        // By page: rows restored from the cache would make a count of rows run ahead of the server.
        say(&state, "Loading older conversations: page \(state.conversationPages + 1) of \(min(state.conversationLastPage, maxConversationPages))…")
    }

    func keepSelectionVisible(_ state: inout InboxState) {
        guard let index = state.selectedIndex else { state.listScroll = min(state.listScroll, max(0, state.visible.count - 1)); return }
        if index < state.listScroll { state.listScroll = index }
        if index >= state.listScroll + state.listItems { state.listScroll = index - state.listItems + 1 }
        state.listScroll = max(0, min(state.listScroll, max(0, state.visible.count - state.listItems)))
    }

    /// After the filter changed: keep the selection if it is still visible, else take the first.
    func clampSelection(_ state: inout InboxState) {
        if let id = state.selectedID, state.visible.contains(id) { keepSelectionVisible(&state); return }
        state.selectedID = state.visible.first
        state.listScroll = 0
    }

    /// Scrolls the contact sidebar; the view brings a scroll past the end back (``ShownScroll``).
    func scrollSidebar(_ state: inout InboxState, by lines: Int) -> [Effect] {
        state.sidebarScroll = max(0, min(state.sidebarScroll + lines, Self.farEnd))
        return []
    }

    /// A scroll in lines that stands for "the far end", however long the text: the view brings
    /// it back to the real end.
    static let farEnd = 1 << 30

    func scrollThread(_ state: inout InboxState, by lines: Int) -> [Effect] {
        guard let id = state.selectedID else { return [] }
        var thread = state.threads[id, default: ThreadState()]
        // Only the view knows how many lines the messages wrap to: it reports what it showed
        // (``ShownScroll``), which brings an overshoot past the top back.
        thread.scrollUp = thread.messages.isEmpty ? 0 : max(0, min(thread.scrollUp + lines, Self.farEnd))
        if thread.scrollUp == 0 { thread.unseenNew = 0 }
        var effects: [Effect] = []
        if lines > 0, thread.hasOlder, !thread.loadingOlder, thread.scrollUp + state.threadLines >= thread.messages.count * 2 {
            effects.append(thread.loadOlder(contactID: id))
        }
        state.threads[id] = thread
        return effects
    }
}
