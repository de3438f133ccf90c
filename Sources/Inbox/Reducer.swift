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

    // MARK: Keys

    /// A key in the composer or note editor: Up and Down move by the rows drawn.
    func edit(_ editor: inout LineEditor, _ key: Key, _ state: InboxState) -> LineEditor.Outcome {
        switch key {
        case .up, .down: editor.moveRow(down: key == .down) { textLayout.positions($0, state) }
        case .home, .end: editor.moveToRowEdge(end: key == .end) { textLayout.positions($0, state) }
        default: editor.handle(key)
        }
    }

    func handleKey(_ state: inout InboxState, _ key: Key) -> [Effect] {
        if case .focusIn = key { state.focused = true; return [] }
        if case .focusOut = key { state.focused = false; return [] }
        // Esc and the key after it can arrive in one read (keys bunched by a slow SSH link, a
        // fast typist): the terminal then reports Alt-key. Where Alt-key means nothing, it was
        // Esc and that key; dropped, the keys after it would land in the wrong mode.
        if case .alt(let c) = key, !usesAlt(state, key), let scalar = c.unicodeScalars.first {
            return handleKey(&state, .escape) + handleKey(&state, Key(terminalByte: scalar.value))
        }
        if key == .altEnter, !usesAlt(state, key) { return handleKey(&state, .escape) + handleKey(&state, .enter) }
        state.followingEnd = false
        state.seekingUnread = false
        state.followingThreadTop = nil
        // Ctrl-Z suspends from any mode, as in a shell: what is being written waits on disk.
        if case .ctrl = key, keyMap.command(for: key) == .suspend { return [.suspend] }
        if state.tooSmall {
            // Typed blind, a key could send, tag or blacklist. Only a question already on
            // screen is answered; Esc leaves a mode, q leaves (what was being written is kept)
            // and C-l redraws.
            if case .confirm(let confirmation) = state.mode { return handleConfirm(&state, confirmation, key) }
            // Esc is safe blind: it leaves any mode and keeps what was written.
            if key == .escape { return handleInMode(&state, key) }
            guard let command = keyMap.command(for: key), command == .quit || command == .redraw else { return [] }
            if command == .redraw { return run(command, &state) }
            // Esc leaves any mode; it keeps a reply as a draft and a note for the next `a`.
            let left = state.mode != .normal ? handleInMode(&state, .escape) : []
            state.mode = .normal
            return left + run(.quit, &state)
        }
        let effects = handleInMode(&state, key)
        if state.mode == .normal, !state.pendingQuestions.isEmpty { state.mode = .confirm(state.pendingQuestions.removeFirst()) }
        return effects
    }

    /// A key in the current mode.
    func handleInMode(_ state: inout InboxState, _ key: Key) -> [Effect] {
        switch state.mode {
        case .normal:
            guard let command = keyMap.command(for: key) else {
                // The reflex for leaving a terminal program; quitting on it could drop a question
                // the agent meant to answer, so it only says how.
                if key == .ctrl("c"), let quit = keyMap.keys(for: .quit).first { say(&state, "\(quit.notation) quits") }
                // Pasted text is never taken for keys (it could blacklist or quit); say where it goes.
                if case .paste = key {
                    say(&state, "Not pasted: open a reply" + keyMap.hint(.reply) { " (\($0))" } + " or a note" + keyMap.hint(.note) { " (\($0))" }
                        + " to paste into")
                }
                return []
            }
            return run(command, &state)
        case .compose(let contactID, var editor):
            switch edit(&editor, key, state) {
            case .edited:
                state.mode = .compose(contactID: contactID, editor: editor)
                let text = editor.text
                state.drafts[contactID] = text
                return [.saveDraft(contactID: contactID, text: text)]
            case .moved, .ignored:
                state.mode = .compose(contactID: contactID, editor: editor)
                return []
            case .cancel:
                state.mode = .normal
                state.focus = state.focusBeforeCompose
                if !editor.isEmpty { say(&state, "Draft saved") }
                return []
            case .submit:
                return submitReply(&state, contactID: contactID, text: editor.text, confirmedWindow: false)
            }
        case .note(let contactID, var editor):
            switch edit(&editor, key, state) {
            case .edited, .moved, .ignored:
                state.mode = .note(contactID: contactID, editor: editor)
                return []
            case .cancel:
                state.mode = .normal
                if !editor.isEmpty {
                    state.noteDrafts[contactID, default: []].append(editor.text)
                    say(&state, "Note kept" + keyMap.hint(.note) { " · \($0) to finish it" })
                }
                return []
            case .submit:
                state.mode = .normal
                let text = editor.text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { return [] }
                say(&state, "Adding note…")
                return sendNote(&state, contactID: contactID, text: text)
            }
        case .search(var editor):
            switch editor.handle(key) {
            case .edited:
                state.mode = .search(editor: editor)
                return search(&state, editor.text)
            case .moved, .ignored:
                state.mode = .search(editor: editor)
                return []
            case .submit:
                state.mode = .normal
                return []
            case .cancel:
                state.mode = .normal
                return search(&state, "") + selectionEffects(&state)
            }
        case .command(var editor):
            if key == .tab {
                if let completed = CommandCompletion.complete(editor.text, in: state) { state.mode = .command(editor: LineEditor(completed)) }
                return []
            }
            switch editor.handle(key) {
            case .edited, .moved, .ignored:
                state.mode = .command(editor: editor)
                return []
            case .cancel:
                state.mode = .normal
                return []
            case .submit:
                state.mode = .normal
                // What an earlier command said must not read as this one's answer.
                state.notice = nil
                return runCommandLine(&state, editor.text)
            }
        case .tagPicker(var picker):
            return handlePicker(&state, &picker, key)
        case .confirm(let confirmation):
            return handleConfirm(&state, confirmation, key)
        case .help(let scroll), .messages(let scroll):
            switch key {
            case .char("j"), .down: state.mode = state.mode.scrolled(to: scroll + 1)
            case .char("k"), .up: state.mode = state.mode.scrolled(to: max(0, scroll - 1))
            default: state.mode = .normal
            }
            return []
        }
    }

    /// Whether the current mode gives this Alt key a meaning of its own.
    func usesAlt(_ state: InboxState, _ key: Key) -> Bool {
        switch state.mode {
        case .normal: keyMap.command(for: key) != nil
        // Words (readline's M-b, M-f, M-d, M-Backspace) and a new line.
        case .compose, .note, .search, .command, .tagPicker: [.alt("\u{7F}"), .alt("b"), .alt("f"), .alt("d"), .altEnter].contains(key)
        case .confirm, .help, .messages: false
        }
    }

    func run(_ command: Command, _ state: inout InboxState) -> [Effect] {
        if Self.needsTheContact.contains(command), let id = state.selectedID, state.deleted.contains(id) {
            sayDeleted(&state, id)
            return []
        }
        switch command {
        case .moveDown, .moveUp:
            let step = command == .moveDown ? 1 : -1
            if state.focus == .thread { return scrollThread(&state, by: -step) }
            if state.focus == .sidebar { return scrollSidebar(&state, by: step) }
            return moveSelection(&state, by: step)
        case .pageDown, .pageUp:
            let sign = command == .pageDown ? 1 : -1
            if state.focus == .thread { return scrollThread(&state, by: -sign * max(1, state.threadLines - 2)) }
            if state.focus == .sidebar { return scrollSidebar(&state, by: sign * max(1, state.threadLines - 2)) }
            return moveSelection(&state, by: sign * state.listItems)
        case .top:
            if state.focus == .sidebar { return scrollSidebar(&state, by: -Self.farEnd) }
            if state.focus == .thread, let id = state.selectedID {
                var effects = scrollThread(&state, by: Self.farEnd)
                if let thread = state.threads[id], thread.pagesLoaded > 0, thread.hasOlder {
                    state.followingThreadTop = id
                    if effects.isEmpty, !thread.loadingOlder, let older = state.threads[id]?.loadOlder(contactID: id) {
                        effects.append(older)
                    }
                }
                return effects
            }
            return moveSelection(&state, to: 0)
        case .bottom:
            if state.focus == .sidebar { return scrollSidebar(&state, by: Self.farEnd) }
            if state.focus == .thread {
                if let id = state.selectedID { state.threads[id]?.scrollUp = 0; state.threads[id]?.unseenNew = 0 }
                return []
            }
            state.followingEnd = moreConversationPages(state)
            if state.followingEnd { sayLoadingToTheEnd(&state) }
            return moveSelection(&state, to: state.visible.count - 1) + loadMoreIfNeeded(&state)
        case .nextPane, .previousPane:
            let panes: [Pane] = state.sidebarShown ? [.list, .thread, .sidebar] : [.list, .thread]
            let index = panes.firstIndex(of: state.focus) ?? 0
            state.focus = panes[(index + (command == .nextPane ? 1 : panes.count - 1)) % panes.count]
            return []
        case .nextUnread:
            return nextUnread(&state)
        case .jumpBack:
            while let id = state.jumpStack.popLast() {
                if state.visible.contains(id) { return select(&state, id) }
            }
            say(&state, "Nowhere to go back to")
            return []
        case .unreadOnly:
            state.filter.unreadOnly.toggle()
            clampSelection(&state)
            return selectionEffects(&state) + loadMoreIfNeeded(&state)
        case .cycleChannel:
            let order: [ChannelType?] = [nil, .whatsapp, .telegram, .instagram]
            let index = order.firstIndex(of: state.filter.channel) ?? 0
            state.filter.channel = order[(index + 1) % order.count]
            clampSelection(&state)
            // The rows it lets through may be few: later pages fill the list.
            return selectionEffects(&state) + loadMoreIfNeeded(&state)
        case .search:
            state.mode = .search(editor: LineEditor(state.filter.query))
            return []
        case .clearFilter:
            guard state.filter.isActive else { return [] }
            // A conversation the server's search found beyond the loaded pages stays selected:
            // it joins the list where its time puts it, and the agent keeps their place.
            if let id = state.selectedID, state.positions[id] == nil, let row = state.filter.serverMatches[id] {
                state.setConversations((state.conversations + [row]).sorted(by: Conversation.listedBefore))
            }
            state.filter = Filter()
            clampSelection(&state)
            say(&state, "Showing all conversations")
            return selectionEffects(&state)
        case .commandLine:
            state.mode = .command(editor: LineEditor())
            return []
        case .redraw: return [.redraw]
        case .suspend: return [.suspend]
        case .quit:
            let unsent = state.unsentReplies
            if unsent > 0 { state.mode = .confirm(.quitWithUnsentReplies(count: unsent)) } else { state.quitting = true }
            return []
        case .reply:
            guard let id = state.selectedID else { return [] }
            state.mode = .compose(contactID: id, editor: LineEditor(state.drafts[id] ?? "", multiline: true))
            let latest = state.threads[id]?.messages.last?.id
            state.threads[id, default: ThreadState()].seenLatestID = latest
            state.focusBeforeCompose = state.focus
            state.focus = .thread
            return []
        case .replyInEditor:
            guard let id = state.selectedID else { return [] }
            state.focusBeforeCompose = state.focus
            let latest = state.threads[id]?.messages.last?.id
            state.threads[id, default: ThreadState()].seenLatestID = latest
            return [.openEditor(contactID: id, text: state.drafts[id] ?? "")]
        case .tag, .untag, .blacklist, .note:
            if case .offline = state.connection {
                // Offline the inbox is read-only, but for replies, which wait in the outbox.
                sayOffline(&state, "tags, notes and the blacklist need the server. Replies are queued.")
                return []
            }
            return contactAction(command, &state)
        case .toggleSidebar:
            state.sidebarPreference = !state.sidebarShown
            if !state.sidebarShown && state.focus == .sidebar { state.focus = .list }
            return []
        case .toggleRead:
            guard let id = state.selectedID, let c = state.conversation(id) else { return [] }
            if state.isUnread(c) {
                state.markedUnread.remove(id)
                let mark = c.lastMessageAt ?? state.now
                state.readMarks[id] = mark
                state.refilter()
                return [.saveReadMark(contactID: id, at: mark)]
            }
            state.markedUnread.insert(id)
            state.readMarks[id] = nil
            state.refilter()
            return [.saveReadMark(contactID: id, at: nil)]
        case .resend:
            return resend(&state)
        case .help:
            state.mode = .help(scroll: 0)
            return []
        }
    }

    /// Tag, untag, blacklist and note: the actions on the selected contact.
    func contactAction(_ command: Command, _ state: inout InboxState) -> [Effect] {
        switch command {
        case .tag, .untag:
            guard let id = state.selectedID else { return [] }
            if command == .untag, (state.contacts[id]?.tags ?? []).isEmpty {
                say(&state, "This contact has no tags")
                return []
            }
            state.mode = .tagPicker(TagPicker(purpose: command == .tag ? .add : .remove, contactID: id))
            let fresh = state.tagsLoadedAt.map { state.now.seconds(since: $0) < 60 } ?? false
            return state.tags.isEmpty || !fresh ? [.loadTags] : []
        case .blacklist:
            guard let id = state.selectedID else { return [] }
            guard let contact = state.contacts[id], let blacklisted = contact.blacklisted else {
                say(&state, "Loading the contact first…")
                return [.loadContact(id)]
            }
            let name = contact.name ?? state.conversation(id)?.contactName ?? "contact \(id)"
            state.mode = .confirm(.blacklist(contactID: id, name: name, willBlacklist: !blacklisted))
            return []
        case .note:
            guard let id = state.selectedID else { return [] }
            state.mode = .note(contactID: id, editor: LineEditor((state.noteDrafts.removeValue(forKey: id) ?? []).joined(separator: "\n\n"), multiline: true))
            return []
        default:
            return []
        }
    }

    // MARK: Selection and scrolling

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

    // MARK: Sending

    func submitReply(_ state: inout InboxState, contactID: Int, text: String, confirmedWindow: Bool) -> [Effect] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [] }
        if !confirmedWindow, outsideWhatsAppWindow(state, contactID) {
            state.mode = .confirm(.sendOutsideWindow(contactID: contactID, text: text))
            return []
        }
        state.mode = .normal
        state.focus = state.focusBeforeCompose
        let entry = OutboxEntry(id: outboxID(&state, contactID), contactID: contactID, text: trimmed, createdAt: state.now)
        state.outbox.append(entry)
        state.drafts[contactID] = nil
        state.threads[contactID, default: ThreadState()].scrollUp = 0
        return [.saveOutbox(entry), .saveDraft(contactID: contactID, text: ""),
                .checkBeforeSend(entry, seenLatestID: state.threads[contactID]?.seenLatestID)]
    }

    /// A new outbox entry's id. Never reused: two replies with one id would be one entry
    /// sent twice, and the other never.
    func outboxID(_ state: inout InboxState, _ contactID: Int) -> String {
        state.outboxSerial += 1
        return "\(contactID)-\(state.now.microseconds)-\(state.instance)\(state.outboxSerial)"
    }

    /// WhatsApp lets a business send free text only within 24 h of the contact's last message.
    public func outsideWhatsAppWindow(_ state: InboxState, _ contactID: Int) -> Bool {
        let channel = state.conversation(contactID)?.channel ?? state.contacts[contactID]?.type
        guard channel == .whatsapp, let thread = state.threads[contactID], thread.pagesLoaded > 0 else { return false }
        guard let lastInbound = thread.messages.last(where: { $0.direction == .inbound })?.timestamp else { return true }
        return state.now.seconds(since: lastInbound) > 24 * 3600
    }

    func startSending(_ state: inout InboxState, _ id: String) -> [Effect] {
        guard let index = state.outbox.firstIndex(where: { $0.id == id }) else { return [] }
        state.outbox[index].state = .sending
        state.outbox[index].attempts += 1
        state.outbox[index].retryAt = nil
        return [.saveOutbox(state.outbox[index]), .send(state.outbox[index])]
    }

    func resend(_ state: inout InboxState) -> [Effect] {
        guard let id = state.selectedID else { return [] }
        if let entry = state.outbox.last(where: { $0.contactID == id && { if case .failed = $0.state { true } else { false } }($0) }) {
            return startSending(&state, entry.id)
        }
        if let failed = state.threads[id]?.failedReply(outbox: state.outbox.filter { $0.contactID == id }), let content = failed.content {
            let text = content.trimmingCharacters(in: .whitespacesAndNewlines)
            let entry = OutboxEntry(id: outboxID(&state, id), contactID: id, text: text, createdAt: state.now)
            state.outbox.append(entry)
            return [.saveOutbox(entry)] + startSending(&state, entry.id)
        }
        say(&state, "No failed reply to resend here")
        return []
    }

    // MARK: Pickers, confirmations, command line

    /// Tag titles matching `query` as a subsequence, best first.
    public static func fuzzyMatch(_ query: String, in titles: [String]) -> [String] {
        let q = Array(query.lowercased())
        // In the order people count: "Tag 2" before "Tag 10".
        guard !q.isEmpty else { return titles.sorted { $0.localizedStandardCompare($1) == .orderedAscending } }
        var scored: [(String, Int)] = []
        for title in titles {
            let t = Array(title.lowercased())
            var qi = 0, score = 0, last = -1
            for (i, c) in t.enumerated() where qi < q.count && c == q[qi] {
                score += (last == i - 1 ? 3 : 1) + (i == 0 ? 5 : 0)
                last = i; qi += 1
            }
            if qi == q.count { scored.append((title, score * 100 - t.count)) }
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.localizedStandardCompare($1.0) == .orderedAscending }.map(\.0)
    }

    /// The candidates a picker shows.
    public static func pickerCandidates(_ state: InboxState, _ picker: TagPicker) -> [String] {
        let carried = state.contacts[picker.contactID]?.tags ?? []
        let titles = picker.purpose == .add
            ? state.tags.compactMap(\.title).filter { title in !carried.contains { $0.caseInsensitiveCompare(title) == .orderedSame } }
            : carried
        return fuzzyMatch(picker.editor.text, in: titles)
    }

    /// What Enter does when no tag matches what the agent typed.
    public static func pickerNoMatch(_ state: InboxState, _ picker: TagPicker) -> String {
        let typed = picker.editor.text.trimmingCharacters(in: .whitespaces)
        guard picker.purpose == .add, !typed.isEmpty else { return "no matching tags" }
        if let carried = state.contacts[picker.contactID]?.tags?.first(where: { $0.caseInsensitiveCompare(typed) == .orderedSame }) {
            return "already tagged “\(carried)”"
        }
        return "Enter creates “\(typed)”"
    }

    func handlePicker(_ state: inout InboxState, _ picker: inout TagPicker, _ key: Key) -> [Effect] {
        let candidates = Self.pickerCandidates(state, picker)
        switch key {
        case .down, .ctrl("n"), .tab:
            picker.selection = min(picker.selection + 1, max(0, candidates.count - 1))
        case .up, .ctrl("p"), .backTab:
            picker.selection = max(0, picker.selection - 1)
        case .pageDown:
            picker.selection = min(picker.selection + TagPicker.rowsShown, max(0, candidates.count - 1))
        case .pageUp:
            picker.selection = max(0, picker.selection - TagPicker.rowsShown)
        default:
            switch picker.editor.handle(key) {
            case .edited: picker.selection = 0
            case .moved, .ignored: break
            case .cancel:
                state.mode = .normal
                return []
            case .submit:
                state.mode = .normal
                let typed = picker.editor.text.trimmingCharacters(in: .whitespaces)
                let chosen = candidates.indices.contains(picker.selection) && !(typed.isEmpty && candidates.isEmpty)
                    ? candidates[picker.selection] : typed
                guard !chosen.isEmpty else { return [] }
                return applyTag(&state, contactID: picker.contactID, title: chosen, remove: picker.purpose == .remove,
                                exactTyped: candidates.isEmpty ? typed : nil)
            }
        }
        state.mode = .tagPicker(picker)
        return []
    }

    func applyTag(_ state: inout InboxState, contactID: Int, title: String, remove: Bool, exactTyped: String?) -> [Effect] {
        let tag = state.tags.first { $0.title?.caseInsensitiveCompare(title) == .orderedSame }
        let title = tag?.title ?? title  // as the account spells it
        if remove {
            guard let tag else {
                say(&state, "Tag “\(title)” is not in the tag list; reloading tags", error: true)
                return [.loadTags]
            }
            if let tags = state.contacts[contactID]?.tags, !tags.contains(where: { $0.caseInsensitiveCompare(title) == .orderedSame }) {
                say(&state, "“\(title)” is not one of this contact's tags", error: true)
                return []
            }
            say(&state, "Removing tag “\(title)”…")
            return [.unassignTag(contactID: contactID, tagID: tag.id, title: title)]
        }
        if (state.contacts[contactID]?.tags ?? []).contains(where: { $0.caseInsensitiveCompare(title) == .orderedSame }) {
            say(&state, "Already tagged “\(title)”")
            return []
        }
        guard title.count <= 100 else {
            say(&state, "A tag title is at most 100 characters", error: true)
            return []
        }
        say(&state, tag == nil ? "Creating tag “\(title)”…" : "Adding tag “\(title)”…")
        return [.assignTag(contactID: contactID, tagID: tag?.id, title: title)]
    }

    func handleConfirm(_ state: inout InboxState, _ confirmation: Confirmation, _ key: Key) -> [Effect] {
        let yes = key == .char("y") || key == .char("Y")
        state.mode = .normal
        switch confirmation {
        case .blacklist(let id, _, let willBlacklist):
            guard yes else { say(&state, "Blacklist unchanged"); return [] }
            say(&state, willBlacklist ? "Blacklisting…" : "Removing from blacklist…")
            return [.toggleBlacklist(contactID: id, expected: willBlacklist)]
        case .sendOutsideWindow(let id, let text):
            guard yes else {
                state.mode = .compose(contactID: id, editor: LineEditor(text, multiline: true))
                return []
            }
            return submitReply(&state, contactID: id, text: text, confirmedWindow: true)
        case .sendAfterNewMessages(let outboxID):
            guard let entry = state.outbox.first(where: { $0.id == outboxID }) else { return [] }
            if yes { return startSending(&state, outboxID) }
            state.outbox.removeAll { $0.id == outboxID }
            // The question may have waited while the agent started another reply to this contact.
            let text = putBackInDraft(&state, entry)
            state.mode = .compose(contactID: entry.contactID, editor: LineEditor(text, multiline: true))
            let latest = state.threads[entry.contactID]?.messages.last?.id
            state.threads[entry.contactID]?.seenLatestID = latest
            say(&state, "Not sent: your reply is back in the composer")
            return [.removeOutbox(id: outboxID), .saveDraft(contactID: entry.contactID, text: text)]
        case .quitWithUnsentReplies:
            state.quitting = yes
            return []
        }
    }

    func runCommandLine(_ state: inout InboxState, _ line: String) -> [Effect] {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let name = trimmed.prefix { !$0.isWhitespace }
        let argument = trimmed.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        switch name {
        case "": return []
        case "q", "quit", "wq": return run(.quit, &state)
        case "q!": state.quitting = true; return []
        case "theme":
            guard !argument.isEmpty else {
                let names = state.themeNames.isEmpty ? "" : "Themes: " + state.themeNames.joined(separator: ", ") + " · "
                say(&state, names + "now \(state.themeName) · :theme NAME switches")
                return []
            }
            return [.applyTheme(argument)]
        case "tag", "untag":
            guard let id = state.selectedID, !argument.isEmpty else { say(&state, "Usage: :\(name) TITLE", error: true); return [] }
            if state.deleted.contains(id) { sayDeleted(&state, id); return [] }
            return applyTag(&state, contactID: id, title: argument, remove: name == "untag", exactTyped: argument)
        case "note":
            guard let id = state.selectedID, !argument.isEmpty else { say(&state, "Usage: :note TEXT", error: true); return [] }
            if state.deleted.contains(id) { sayDeleted(&state, id); return [] }
            return sendNote(&state, contactID: id, text: argument)
        case "search":
            return search(&state, argument)
        case "unread": return run(.unreadOnly, &state)
        case "channel":
            let aliases: [String: ChannelType?] = ["": nil, "all": nil, "whatsapp": .whatsapp, "wa": .whatsapp,
                                                   "telegram": .telegram, "tg": .telegram, "instagram": .instagram, "ig": .instagram]
            guard let channel = aliases[argument.lowercased()] else {
                say(&state, "Unknown channel “\(argument)”: whatsapp (wa), telegram (tg), instagram (ig) or all", error: true)
                return []
            }
            state.filter.channel = channel
            clampSelection(&state)
            return selectionEffects(&state)
        case "sidebar": return run(.toggleSidebar, &state)
        case "help": return run(.help, &state)
        case "messages", "mes":
            state.mode = .messages(scroll: 0)
            return []
        case "reload", "sync":
            state.nextPollAt = state.now
            return [.loadTags]
        default:
            say(&state, "Unknown command :\(name) (try :help)", error: true)
            return []
        }
    }

    // MARK: Time

    func tick(_ state: inout InboxState, now: Timestamp, jitter: Double) -> [Effect] {
        // Relative times are shown to the minute: keep `now` to the second so idle ticks
        // change nothing on screen until a minute turns.
        state.now = now
        if let notice = state.notice, notice.expires <= now { state.notice = nil }
        var effects: [Effect] = []
        if now >= state.nextPollAt, !state.pollInFlight {
            state.pollStartedAt = state.now
            effects.append(.loadConversations(page: 1, isPoll: true))
            // The open thread is read again with each poll: for what is new, or because it never
            // loaded (a malformed answer, a 5xx).
            if let id = state.selectedID, !state.deleted.contains(id), let thread = state.threads[id], thread.pagesLoaded > 0 || thread.failure != nil,
               let load = state.threads[id]?.loadNewest(contactID: id) {
                effects.append(load)
            }
            let active = state.focused && now.seconds(since: state.lastActivity) < state.settings.idleAfter
            // The open conversation's sidebar stays current while the agent works on it.
            if active, let id = state.selectedID, !state.deleted.contains(id), shouldAskDetails(state, id) { effects += askDetails(&state, id) }
            state.pollInterval = active ? state.settings.activePollInterval
                : state.settings.idlePollInterval * (0.75 + 0.75 * jitter)
            if case .retrying = state.connection {} else if case .offline = state.connection {} else {
                // Jitter only shortens the wait, so a new message is never more than one interval old.
                state.nextPollAt = now.adding(seconds: state.pollInterval * (0.85 + 0.15 * jitter))
            }
        }
        for entry in state.outbox where entry.state == .queued && (entry.retryAt.map { $0 <= now } ?? false) {
            effects += startSending(&state, entry.id)
        }
        return effects
    }

    // MARK: Results

    /// Asks the server to add a note, which stays in ``InboxState/unsavedNotes`` until it answers.
    func sendNote(_ state: inout InboxState, contactID: Int, text: String) -> [Effect] {
        state.notesSending[contactID, default: []].append(text)
        return [.addNote(contactID: contactID, text: text)]
    }

    /// A kept note that is among the contact's notes was saved after all (its answer was lost).
    func letGoOfSavedNoteDrafts(_ state: inout InboxState, _ contactID: Int) {
        guard let kept = state.noteDrafts[contactID] else { return }
        let saved = Set((state.notes[contactID] ?? []).compactMap { $0.content?.trimmingCharacters(in: .whitespacesAndNewlines) })
        let left = kept.filter { !saved.contains($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        state.noteDrafts[contactID] = left.isEmpty ? nil : left
    }

    func handleResult(_ state: inout InboxState, _ action: Action) -> [Effect] {
        // Offline, any answer shows the server is reachable again: poll now rather than at the
        // end of the back-off. (Retrying after a 429 or a 5xx keeps its wait.)
        if case .offline = state.connection, action.isServerAnswer, !state.pollInFlight, state.nextPollAt > state.now {
            state.nextPollAt = state.now
        }
        switch action {
        case .conversationsLoaded(let page, let isPoll):
            return conversationsLoaded(&state, page, isPoll: isPoll)
        case .conversationsFailed(let error, _):
            state.pollStartedAt = nil
            state.loadingMoreConversations = false
            state.followingEnd = false
            state.seekingUnread = false
            let wait: Double
            if case .rateLimited(let retryAfter, _) = error { wait = max(retryAfter ?? 5, 1) }
            else { wait = min(60, max(2, state.pollInterval * 2)) }
            state.pollInterval = wait
            state.nextPollAt = state.now.adding(seconds: wait)
            // A key revoked or changed, or a base URL that lost its /api/v1 (the cache painted the
            // list before the server answered): "HTTP 401" or "HTTP 404" alone does not say what to do.
            let reason = switch error.status {
            case 401, 403: "the server refused the API key (\(error)): check SKYLIGHT_API_KEY or api_key in the config"
            case 404: "no conversation list at this address (\(error)): check SKYLIGHT_BASE_URL or base_url in the config, which ends in /api/v1"
            default: error.description
            }
            switch state.connection {
            case .offline: break
            case .retrying(_, _) where error.requestNeverLeft || error.isOutcomeUnknown:
                // Two polls in a row without an answer (refused, dropped, timed out): offline.
                // A server that answers, even with a 5xx or a 429, is only retried.
                state.connection = .offline(since: state.lastSync ?? state.now, reason: reason)
            default:
                state.connection = error.requestNeverLeft && state.lastSync == nil
                    ? .offline(since: state.now, reason: reason) : .retrying(at: state.nextPollAt, reason: reason)
            }
            if case .offline = state.connection { state.connection = .offline(since: { if case .offline(let s, _) = state.connection { s } else { state.now } }(), reason: reason) }
            // Once per outage and cause, not once per failed poll.
            let line = "Sync failed: " + reason
            if state.said.last(where: { $0.text.hasPrefix("Sync ") })?.text != line { keep(&state, line, error: true) }
            return []
        case .threadLoaded(let contactID, let page, let number):
            var thread = state.threads[contactID, default: ThreadState()]
            let before = thread.messages.last?.id
            let added = thread.merge(page.items)
            if number == 1 { thread.loadingNewest = false } else { thread.loadingOlder = false }
            thread.failure = nil
            thread.lastPage = max(1, page.meta.lastPage)
            thread.pagesLoaded = max(thread.pagesLoaded, number)
            if number == 1, added > 0, thread.scrollUp > 0, before != nil, thread.messages.last?.id != before {
                thread.unseenNew += thread.messages.filter { $0.id > (before ?? 0) }.count
                if thread.arrivedAfter == nil { thread.arrivedAfter = before }
            }
            var effects: [Effect] = []
            if state.followingThreadTop == contactID, number > 1 {
                thread.scrollUp = Self.farEnd
                if thread.hasOlder {
                    effects.append(thread.loadOlder(contactID: contactID))
                } else {
                    state.followingThreadTop = nil
                }
            }
            state.threads[contactID] = thread
            // A row the search found beyond the loaded pages shows its last message once read.
            if state.positions[contactID] == nil, var row = state.filter.serverMatches[contactID], let newest = thread.messages.last {
                row.lastMessage = newest.content
                row.lastMessageAt = newest.timestamp ?? row.lastMessageAt
                state.filter.serverMatches[contactID] = row
            }
            return effects
        case .threadFailed(let contactID, let number, let error):
            // A 404 for one contact while the server answers the list: the contact is gone.
            if error.status == 404, number == 1, case .live = state.connection { return contactDeleted(&state, contactID) }
            if state.followingThreadTop == contactID { state.followingThreadTop = nil }
            if number == 1 { state.threads[contactID]?.loadingNewest = false } else { state.threads[contactID]?.loadingOlder = false }
            state.threads[contactID]?.failure = error.description
            // Offline, the banner already says why; a neighbour's preview is not the agent's business.
            if case .live = state.connection, contactID == state.selectedID {
                say(&state, "Could not load messages: \(error)", error: true)
            }
            return []
        case .loadSkipped(let load):
            // Not loading after all: coming back to the conversation asks again.
            switch load {
            case .loadThread(let contactID, 1): state.threads[contactID]?.loadingNewest = false
            case .loadContact(let contactID), .loadNotes(let contactID): state.detailsAskedAt[contactID] = nil
            default: break
            }
            return []
        case .contactLoaded(let contact):
            state.contacts[contact.id] = state.contacts[contact.id].map { $0.merging(contact) } ?? contact
            state.refilter()
            if state.notice?.keptEditorText.first == contact.id { sayWhereEditorTextIsKept(&state) }
            return []
        case .notesLoaded(let contactID, let notes):
            // Notes are only ever added (the API edits and deletes none): one on screen that a list
            // lacks was added after the server read it, or on a replica that has not caught up.
            let listed = Set(notes.map(\.id))
            let notes = notes + (state.notes[contactID] ?? []).filter { !listed.contains($0.id) }
            state.notes[contactID] = notes.sorted { ($0.createdAt ?? .init(microseconds: 0), $0.id) > ($1.createdAt ?? .init(microseconds: 0), $1.id) }
            letGoOfSavedNoteDrafts(&state, contactID)
            return []
        case .tagsLoaded(let tags):
            // An open picker keeps the tag the agent has chosen, wherever the new list puts it.
            if case .tagPicker(var picker) = state.mode {
                let chosen = Self.pickerCandidates(state, picker).dropFirst(picker.selection).first
                state.tags = tags
                picker.selection = chosen.flatMap { Self.pickerCandidates(state, picker).firstIndex(of: $0) } ?? 0
                state.mode = .tagPicker(picker)
            }
            state.tags = tags
            state.tagsLoadedAt = state.now
            return []
        case .searchResults(let query, let result):
            guard query == state.filter.query else { return [] }
            switch result {
            case .success(let page):
                let contacts = page.items
                state.filter.serverTotal = max(page.meta.total, contacts.count)
                state.filter.serverMatches = Dictionary(contacts.map { ($0.id, Self.row(for: $0)) }) { first, _ in first }
                state.filter.server = .answered
                for contact in contacts where state.contacts[contact.id] == nil { state.contacts[contact.id] = contact }
            case .failure(let error):
                state.filter.server = .failed(error.description)
                say(&state, "Server search failed: \(error) · showing local matches", error: true)
            }
            clampSelection(&state)
            return selectionEffects(&state)
        case .sendFinished(let id, let result):
            return sendFinished(&state, id, result)
        case .sendReconciled(let id, let found):
            guard let index = state.outbox.firstIndex(where: { $0.id == id }) else { return [] }
            if let found { return sendFinished(&state, id, .success(found)) }
            let reason = if case .unknown(let reason) = state.outbox[index].state { reason } else { "no answer" }
            state.outbox[index].state = .failed("\(reason); not in the conversation's history, so not delivered")
            return [.saveOutbox(state.outbox[index])]
        case .preSendChecked(let id, let newer):
            guard let entry = state.outbox.first(where: { $0.id == id }) else { return [] }
            if !newer.isEmpty {
                _ = state.threads[entry.contactID, default: ThreadState()].merge(newer)
                if state.mode == .normal {
                    state.mode = .confirm(.sendAfterNewMessages(outboxID: id))
                } else {
                    state.pendingQuestions.append(.sendAfterNewMessages(outboxID: id))
                    let name = state.conversation(entry.contactID)?.contactName ?? "contact \(entry.contactID)"
                    say(&state, "New messages from \(name) before your reply: asked once you are done here")
                }
                return []
            }
            return startSending(&state, id)
        case .blacklistFinished(let contactID, let expected, let result):
            switch result {
            case .success(let contact):
                state.contacts[contactID] = state.contacts[contactID].map { $0.merging(contact) } ?? contact
                let name = state.contacts[contactID]?.name ?? "Contact"
                let now = contact.blacklisted ?? expected
                say(&state, now ? "\(name) is now BLACKLISTED" : "\(name) is no longer blacklisted", error: now != expected)
                return []
            case .failure(let error) where error.mayHaveTakenEffect:
                say(&state, "Blacklist outcome unknown: re-reading the contact", error: true)
                return [.loadContact(contactID)]
            case .failure(let error):
                say(&state, "Blacklist failed: \(error)", error: true)
                return []
            }
        case .tagChanged(let contactID, let result, let description):
            switch result {
            case .success(let contact?):
                state.contacts[contactID] = state.contacts[contactID].map { $0.merging(contact) } ?? contact
                say(&state, description)
                return [.loadTags]
            case .success(nil):
                say(&state, description)
                return [.loadTags, .loadContact(contactID)]
            case .failure(let error) where error.mayHaveTakenEffect:
                say(&state, "Tag change not confirmed (\(error)): re-reading the contact's tags", error: true)
                return [.loadContact(contactID)]
            case .failure(let error):
                say(&state, "Tag change failed: \(error)", error: true)
                return [.loadContact(contactID)]
            }
        case .noteAdded(let contactID, let text, let result):
            if var sending = state.notesSending[contactID], let index = sending.firstIndex(of: text) {
                sending.remove(at: index)
                state.notesSending[contactID] = sending.isEmpty ? nil : sending
            }
            switch result {
            case .success(let note):
                state.notes[contactID] = [note] + (state.notes[contactID] ?? [])
                letGoOfSavedNoteDrafts(&state, contactID)
                say(&state, "Note added")
            case .failure(let error):
                state.noteDrafts[contactID, default: []].append(text)
                say(&state, "Note not saved" + keyMap.hint(.note) { ", \($0) brings it back" } + ": \(error)", error: true)
            }
            return []
        case .editorFinished(let contactID, let text, let failure):
            if state.notice?.keptEditorText.isEmpty == false { state.notice = nil }
            guard let text else { say(&state, failure ?? "Editor closed without saving: nothing changed", error: failure != nil); return [] }
            if let failure { say(&state, failure, error: true) }
            state.drafts[contactID] = text
            state.mode = .compose(contactID: contactID, editor: LineEditor(text, multiline: true))
            state.focus = .thread
            return [.saveDraft(contactID: contactID, text: text)]
        case .editorTextKept(let ids):
            guard let first = ids.first else { return [] }
            // Worth more than a passing notice: the agent may have just reconnected and be looking elsewhere.
            state.notice = Notice(text: "", isError: true, expires: state.now.adding(seconds: 30))
            state.notice?.keptEditorText = ids
            sayWhereEditorTextIsKept(&state)
            // A contact outside the cached rows is named once the server says who it is.
            return knownName(state, first) == nil ? [.loadContact(first)] : []
        case .themeResult(let name, let error):
            if let error { say(&state, error, error: true) } else { state.themeName = name; say(&state, "Theme: \(name)") }
            return []
        case .restoredDetails(let threads, let contacts, let notes, let tags):
            // Shown at once; never asked for in this session, the first look at each asks the server.
            for (id, messages) in threads where state.threads[id]?.messages.isEmpty ?? true {
                _ = state.threads[id, default: ThreadState()].merge(messages)
            }
            for contact in contacts where state.contacts[contact.id] == nil { state.contacts[contact.id] = contact }
            for (id, list) in notes where state.notes[id] == nil { state.notes[id] = list }
            if state.tags.isEmpty { state.tags = tags }
            state.refilter()
            return selectionEffects(&state)
        case .restored(let drafts, let noteDrafts, let outbox, let readMarks, let conversations):
            state.drafts.merge(drafts) { current, _ in current }
            state.noteDrafts.merge(noteDrafts) { current, _ in current }
            state.readMarks.merge(readMarks) { current, _ in current }
            var effects: [Effect] = []
            for var entry in outbox where !state.outbox.contains(where: { $0.id == entry.id }) {
                // A send cut off by a crash is an unknown outcome: check before anything else.
                if entry.state == .sending { entry.state = .unknown(reason: "the inbox closed while sending"); effects.append(.reconcile(entry)) }
                // One that never left was waiting for its check or for the agent's answer to a
                // colleague's message: sent now it would skip both, so the agent decides.
                if entry.state == .queued, entry.attempts == 0 { entry.state = .failed("not sent: the inbox closed before it went") }
                if entry.state == .queued { entry.retryAt = state.now }
                state.outbox.append(entry)
            }
            if !state.conversationsLoaded, !conversations.isEmpty {
                state.setConversations(conversations)
                if state.selectedID == nil { state.selectedID = state.visible.first }
                keepSelectionVisible(&state)
                effects += selectionEffects(&state)
            }
            return effects
        default:
            return []
        }
    }

    func conversationsLoaded(_ state: inout InboxState, _ page: Page<Conversation>, isPoll: Bool) -> [Effect] {
        var page = page
        // A list a replica or cache served before the deletion reached it does not bring a deleted contact back.
        if !state.deleted.isEmpty { page.items.removeAll { state.deleted.contains($0.contactID) } }
        if isPoll || page.meta.currentPage == 1 { state.pollStartedAt = nil }
        let reconnected = switch state.connection { case .retrying, .offline: true; case .connecting, .live: false }
        if case .live = state.connection {} else {
            state.pollInterval = state.settings.activePollInterval
            state.nextPollAt = state.now.adding(seconds: state.pollInterval)
        }
        state.connection = .live
        state.lastSync = state.now
        if reconnected, state.notice?.isAboutBeingOffline == true { state.notice = nil }
        if reconnected { keep(&state, "Sync back: the server answers again", error: false) }
        var effects: [Effect] = []
        var newInbound: [Conversation] = []
        // The newest time seen before this page: needed only to decide whether to read on.
        let lastSeen = isPoll && page.hasMore ? state.conversations.first?.lastMessageAt : nil
        let firstLoad = !state.conversationsLoaded
        // Most polls bring rows already on screen: then nothing is merged, sorted or refiltered.
        let unchanged = !firstLoad && page.items.allSatisfy { row in
            state.positions[row.contactID].map { state.conversations[$0] == row } ?? false
        }
        if !unchanged {
            // The list is sorted newest first. A row the inbox never had is a new message only
            // when it is newer than anything seen: an older page brings old unread rows.
            let newestSeen = state.conversations.first?.lastMessageAt
            var rows = state.conversations
            var index = state.positions
            for row in page.items {
                if let i = index[row.contactID] {
                    let old = rows[i]
                    if old.lastMessageAt != row.lastMessageAt {
                        if row.contactID == state.selectedID {
                            if let load = state.threads[row.contactID, default: ThreadState()].loadNewest(contactID: row.contactID) {
                                effects.append(load)
                            }
                        } else if state.threads[row.contactID] != nil {
                            // Stale: fetched again when opened.
                            state.threads[row.contactID]?.pagesLoaded = 0
                        }
                        if (row.unreadCount ?? 0) > (old.unreadCount ?? 0) { newInbound.append(row) }
                    }
                    rows[i] = row
                } else {
                    if !firstLoad, (row.unreadCount ?? 0) > 0, let at = row.lastMessageAt, newestSeen.map({ at > $0 }) ?? true {
                        newInbound.append(row)
                    }
                    index[row.contactID] = rows.count
                    rows.append(row)
                }
            }
            rows.sort(by: Conversation.listedBefore)
            state.setConversations(rows)
        }
        state.conversationsLoaded = true
        if state.selectedID == nil || !state.visible.contains(state.selectedID!) {
            if state.selectedID == nil { state.selectedID = state.visible.first }
            effects += selectionEffects(&state)
        }
        keepSelectionVisible(&state)
        // Back from an outage: what failed to load while it lasted is asked for again.
        if reconnected {
            state.detailsAskedAt = state.detailsAskedAt.filter { state.contacts[$0.key] != nil && state.notes[$0.key] != nil }
            effects += selectionEffects(&state)
        }
        // A filter whose server search failed asks again once the server answers a poll.
        if isPoll, case .failed = state.filter.server { effects += search(&state, state.filter.query) }
        if !isPoll || page.meta.currentPage > 1 {
            state.conversationPages = max(state.conversationPages, page.meta.currentPage)
            state.loadingMoreConversations = false
        }
        state.conversationLastPage = max(1, page.meta.lastPage)
        state.conversationTotal = max(page.meta.total, state.conversations.count)
        if isPoll, page.hasMore, let lastSeen, let oldest = page.items.last?.lastMessageAt, oldest > lastSeen {
            // Catching up after sleep or an outage: keep reading until the last point seen before.
            effects.append(.loadConversations(page: page.meta.currentPage + 1, isPoll: true))
        }
        if state.seekingUnread, !isPoll {
            state.seekingUnread = false
            if state.notice?.isProgress == true { state.notice = nil }
            effects += nextUnread(&state)
        }
        if state.followingEnd, !isPoll {
            state.followingEnd = moreConversationPages(state)
            if state.followingEnd { sayLoadingToTheEnd(&state) } else {
                say(&state, "All \(state.conversations.count) conversations loaded")
                // Only the last page moves the selection. Moved with every page, the list and a
                // new thread preview were drawn a hundred times on the way down 10,000
                // conversations: half a megabyte to the terminal, and a thread request each.
                effects += moveSelection(&state, to: state.visible.count - 1)
            }
        }
        effects += loadMoreIfNeeded(&state)
        let offscreen = newInbound.filter { $0.contactID != state.selectedID }
        if !offscreen.isEmpty {
            // Shown in the status bar even when the list is scrolled away from the newest rows.
            if !(state.notice?.isError ?? false) {
                // Newest first; with several, each is shortened so more of them fit the width.
                let limit = offscreen.count == 1 ? 120 : 30
                let senders = offscreen.map { row in
                    "\(Self.shortened(row.contactName ?? "Contact \(row.contactID)", to: 20)): \(Self.shortened(row.lastMessage ?? "", to: limit))"
                }
                say(&state, (offscreen.count == 1 ? "New message · " : "\(offscreen.count) new messages · ") + senders.joined(separator: " · "))
            }
            if state.settings.bell { effects.append(.bell) }
            if state.settings.desktopNotifications, !state.focused, let first = offscreen.first {
                effects.append(.notify(title: first.contactName ?? "New message", body: first.lastMessage ?? ""))
            }
        }
        // Rows already known as they are were cached when they came: no disk write every poll.
        if !page.items.isEmpty, !unchanged { effects.append(.cacheConversations(page.items)) }
        return effects
    }

    func sendFinished(_ state: inout InboxState, _ id: String, _ result: Result<Message, SkyLightError>) -> [Effect] {
        guard let index = state.outbox.firstIndex(where: { $0.id == id }) else { return [] }
        let entry = state.outbox[index]
        switch result {
        case .success(let message):
            state.outbox.remove(at: index)
            var stored = message
            stored.contactID = stored.contactID ?? entry.contactID
            stored.direction = stored.direction ?? .outbound
            stored.content = stored.content ?? entry.text
            stored.createdAt = stored.createdAt ?? stored.sentAt ?? state.now
            _ = state.threads[entry.contactID, default: ThreadState()].merge([stored])
            // The conversation is now the newest: a row the search found beyond the loaded pages joins them.
            if var row = state.positions[entry.contactID].map({ state.conversations[$0] }) ?? state.filter.serverMatches[entry.contactID] {
                row.lastMessage = stored.content
                row.lastMessageAt = stored.timestamp ?? row.lastMessageAt
                row.unreadCount = 0
                if let i = state.positions[entry.contactID] { state.conversations.remove(at: i) }
                state.conversations.insert(row, at: 0)
                state.refilter()
                keepSelectionVisible(&state)
            }
            var effects: [Effect] = [.removeOutbox(id: id)]
            if state.settings.markReadOnReply, let at = stored.timestamp {
                state.readMarks[entry.contactID] = at
                state.markedUnread.remove(entry.contactID)
                effects.append(.saveReadMark(contactID: entry.contactID, at: at))
            }
            return effects
        case .failure(let error):
            var updated = entry
            switch error {
            case .cannotConnect:
                updated.state = .queued
                updated.retryAt = state.now.adding(seconds: min(60, Double(1 << min(entry.attempts, 6))))
                sayOffline(&state, "the reply is queued and will be sent when the connection returns")
            case .rateLimited(let retryAfter, _):
                // A 429 is a refusal before any work: sending again later cannot duplicate.
                updated.state = .queued
                updated.retryAt = state.now.adding(seconds: max(1, retryAfter ?? 5))
            case .outcomeUnknown, .http(500...599, _, _), .decoding:
                updated.state = .unknown(reason: error.description)
                state.outbox[index] = updated
                return [.saveOutbox(updated), .reconcile(updated)]
            case .http(400, let message, _), .http(422, let message, _):
                // The server refused this text (too long, say): sent again it would fail again.
                // It goes back to the draft for the agent to change.
                state.outbox.remove(at: index)
                let text = putBackInDraft(&state, entry)
                say(&state, "Not sent: \(message ?? error.description) · back in its draft" + keyMap.hint(.reply) { ", \($0) to edit" }, error: true)
                return [.removeOutbox(id: id), .saveDraft(contactID: entry.contactID, text: text)]
            case .unsuccessful(_, let message, let saved):
                let why = saved?.error ?? message ?? "not delivered"
                if let saved {
                    // The server keeps the failed reply in the history: shown from there (with
                    // its resend key), it must not show a second time from the outbox.
                    var failed = saved
                    failed.contactID = entry.contactID; failed.direction = .outbound
                    failed.content = failed.content ?? entry.text; failed.createdAt = failed.createdAt ?? entry.createdAt
                    _ = state.threads[entry.contactID, default: ThreadState()].merge([failed])
                    state.outbox.remove(at: index)
                    say(&state, "Reply not delivered: \(why)" + keyMap.hint(.resend) { " · \($0) resends it" }, error: true)
                    return [.removeOutbox(id: id)]
                }
                updated.state = .failed(why)
            default:
                updated.state = .failed(error.description)
            }
            state.outbox[index] = updated
            return [.saveOutbox(updated)]
        }
    }

    /// Puts an unsent reply back in its contact's draft, ahead of whatever was written there
    /// since (in the composer, if it is open on that contact). Returns the draft.
    func putBackInDraft(_ state: inout InboxState, _ entry: OutboxEntry) -> String {
        var later = state.drafts[entry.contactID] ?? ""
        if case .compose(entry.contactID, let editor) = state.mode { later = editor.text }
        let text = [entry.text, later].filter { !$0.isEmpty }.joined(separator: "\n")
        state.drafts[entry.contactID] = text
        if case .compose(entry.contactID, _) = state.mode {
            state.mode = .compose(contactID: entry.contactID, editor: LineEditor(text, multiline: true))
        }
        return text
    }

    static func shortened(_ text: String, to characters: Int) -> String {
        text.count > characters ? text.prefix(characters - 1) + "…" : text
    }

    // MARK: Deleted contacts

    /// The commands that write to the selected contact, or reply to it.
    static let needsTheContact: Set<Command> = [.reply, .replyInEditor, .tag, .untag, .blacklist, .note, .resend]

    /// The server no longer has this contact (a colleague or a script deleted it). The open
    /// conversation stays, marked, so the agent sees why it fails; any other leaves the list.
    func contactDeleted(_ state: inout InboxState, _ id: Int) -> [Effect] {
        state.threads[id]?.loadingNewest = false
        state.threads[id]?.failure = "the contact was deleted on the server"
        guard state.deleted.insert(id).inserted else { return [] }
        if id == state.selectedID {
            let name = Self.shortened(knownName(state, id) ?? "contact \(id)", to: 24)
            say(&state, "\(name) was deleted on the server: the conversation leaves the list when you move on", error: true)
        }
        return []
    }

    func sayDeleted(_ state: inout InboxState, _ id: Int) {
        let name = Self.shortened(knownName(state, id) ?? "contact \(id)", to: 24)
        say(&state, "\(name) was deleted on the server: nothing can be sent to it or changed", error: true)
    }

    /// Takes deleted contacts other than the selected one out of the list, the memory and the
    /// cache. A reply draft to one is said whole (`:messages` keeps it), so no text is lost.
    func letGoOfDeleted(_ state: inout InboxState) -> [Effect] {
        let leaving = state.deleted.filter { id in
            id != state.selectedID && (state.conversation(id) != nil || state.filter.serverMatches[id] != nil || state.threads[id] != nil)
        }
        guard !leaving.isEmpty else { return [] }
        var effects: [Effect] = []
        for id in leaving.sorted() {
            let name = knownName(state, id) ?? "contact \(id)"
            if let draft = state.drafts[id], !draft.isEmpty {
                say(&state, "\(name) was deleted on the server, so your draft to them was not sent: “\(draft)”", error: true)
            }
            state.filter.serverMatches[id] = nil
            state.threads[id] = nil
            state.contacts[id] = nil
            state.notes[id] = nil
            state.detailsAskedAt[id] = nil
            state.lastSelected[id] = nil
            state.jumpStack.removeAll { $0 == id }
            state.markedUnread.remove(id)
            state.readMarks[id] = nil
            effects.append(.forgetContact(id))
        }
        state.setConversations(state.conversations.filter { !leaving.contains($0.contactID) })
        keepSelectionVisible(&state)
        return effects
    }

    /// A contact's name as far as the inbox knows it.
    func knownName(_ state: InboxState, _ id: Int) -> String? {
        state.conversation(id)?.contactName ?? state.contacts[id]?.name
    }

    /// Words the notice pointing to unsaved editor text with the names known so far.
    func sayWhereEditorTextIsKept(_ state: inout InboxState) {
        guard let ids = state.notice?.keptEditorText, let first = ids.first else { return }
        let name = Self.shortened(knownName(state, first) ?? "contact \(first)", to: 24)
        let whom = ids.count == 1 ? name : "\(name) and \(ids.count - 1) more"
        state.notice?.text = "Unsaved editor text for \(whom)" + keyMap.hint(.replyInEditor) { ": press \($0) there to recover it" }
    }

    func say(_ state: inout InboxState, _ text: String, error: Bool = false) {
        state.notice = Notice(text: text, isError: error, expires: state.now.adding(seconds: error ? 8 : 4))
        keep(&state, text, error: error)
    }

    /// Keeps a line for `:messages` without showing it as a notice: why the connection is down
    /// is in the status bar already, cut to its width.
    func keep(_ state: inout InboxState, _ text: String, error: Bool) {
        if state.said.last?.text != text { state.said.append(Said(at: state.now, text: text, isError: error)) }
        if state.said.count > Said.kept { state.said.removeFirst(state.said.count - Said.kept) }
    }

    /// Says what being offline stops; it lasts until the server answers, not its full time.
    func sayOffline(_ state: inout InboxState, _ text: String) {
        say(&state, "Offline: " + text, error: true)
        state.notice?.isAboutBeingOffline = true
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
