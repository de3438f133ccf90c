import Foundation
import SkyLight

// What the server and the cache answered.
extension Reducer {
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
            if error.status == 404, number == 1, case .live = state.connection { contactDeleted(&state, contactID); return [] }
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
            // Renamed by a colleague: the list row says so too, not only the thread's title.
            var effects: [Effect] = []
            if let name = contact.name, let i = state.positions[contact.id], state.conversations[i].contactName != name {
                state.conversations[i].contactName = name
                effects.append(.cacheConversations([state.conversations[i]]))
            }
            state.refilter()
            if state.notice?.keptEditorText.first == contact.id { sayWhereEditorTextIsKept(&state) }
            return effects
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
                sayNotSent(&state, entry, "not delivered: \(why)")
            default:
                updated.state = .failed(error.description)
                let key = [401, 403].contains(error.status) ? " (check SKYLIGHT_API_KEY or api_key in the config)" : ""
                sayNotSent(&state, entry, "not sent: \(error)\(key)")
            }
            state.outbox[index] = updated
            return [.saveOutbox(updated)]
        }
    }

    /// Says that a reply failed, naming its contact (the agent may have moved on) and the resend key.
    func sayNotSent(_ state: inout InboxState, _ entry: OutboxEntry, _ why: String) {
        let name = shownName(state, entry.contactID)
        say(&state, "Reply to \(name) \(why)" + keyMap.hint(.resend) { " · \($0) resends it" }, error: true)
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
}
