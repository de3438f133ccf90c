import Foundation
import SkyLight

// What each key does, in each mode.
extension Reducer {
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
}
