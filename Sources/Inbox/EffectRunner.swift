import Foundation
import Logging
import SkyLight
import Synchronization

/// Runs the reducer's network and storage effects off the main loop and posts their results
/// back as actions. The main loop never waits on it.
public final class EffectRunner: Sendable {
    let client: SkyLightClient
    let post: @Sendable (Action) -> Void
    let logger: Logger
    let searchTask = Mutex<Task<Void, Never>?>(nil)
    /// Writes waiting for a pause in typing, by what they write ("draft for contact 42", "note drafts").
    let pendingWrites = Mutex<[String: PendingWrite]>([:])
    /// Every write to the cache goes through it, in order, off the main loop and the network.
    let writer: CacheWriter?
    /// How long typing must pause before a draft is written or a search is sent.
    let debounce: Duration
    /// Loads for what the agent looks at, newest first.
    let previews = Mutex(PreviewQueue())
    /// Writes to each contact (blacklist, tags, notes) that have ended, counted. A read of the
    /// contact or its notes during which one ended may hold what the server had before it, and
    /// arriving after the write's own result would take it back off the screen: it is read again.
    let writesEnded = Mutex<[Int: Int]>([:])

    /// Creates a runner that posts results with `post`.
    public init(client: SkyLightClient, store: LocalStore?, debounce: Duration = .milliseconds(250),
                retryWritesAfter: Duration = .seconds(1),
                logger: Logger = Logger(label: "skylight.effects"), post: @escaping @Sendable (Action) -> Void) {
        self.client = client; self.post = post; self.logger = logger; self.debounce = debounce
        writer = store.map { store in
            CacheWriter(store: store, logger: logger, firstRetryDelay: retryWritesAfter) { post(.cacheWrites(failing: $0)) }
        }
    }

    /// Starts the effects of one pass of the main loop. Its loads for conversations the agent
    /// moved to go ahead of those asked for earlier, a few at a time; loads for conversations
    /// since passed over are skipped and posted as ``Action/loadSkipped(_:)``.
    public func run(_ effects: [Effect]) {
        let loads = effects.filter(\.isPreviewLoad)
        for effect in effects where !effect.isPreviewLoad { run(effect) }
        let lookingAt = effects.lazy.compactMap { if case .lookingAt(let id) = $0 { id } else { nil } }.last
        guard !loads.isEmpty || lookingAt != nil else { return }
        let (skipped, startNow, batch) = previews.withLock { queue in
            let (skipped, startNow) = queue.add(loads, at: .now, lookingAt: lookingAt)
            return (skipped, startNow, queue.added)
        }
        for load in skipped { post(.loadSkipped(load)) }
        if startNow { startPreviews(); return }
        // Keys are coming fast: start once they pause, unless another batch comes first.
        Task { [weak self] in
            try? await Task.sleep(for: PreviewQueue.settle)
            guard let self, previews.withLock({ $0.added == batch }) else { return }
            startPreviews()
        }
    }

    /// Starts waiting preview loads while there is room and keys are not coming fast; each
    /// one ending makes room for the next.
    func startPreviews() {
        while let next = previews.withLock({ $0.next(at: .now) }) {
            load(next) { [self] in
                previews.withLock { $0.running -= 1 }
                startPreviews()
            }
        }
    }

    /// Starts an effect. Effects that belong to the terminal (editor, theme, bell, redraw,
    /// notifications) are ignored here.
    public func run(_ effect: Effect) {
        let (client, post, writer) = (client, post, writer)
        switch effect {
        case .loadConversations(let page, let isPoll):
            request {
                do { post(.conversationsLoaded(try await client.messages.conversations(page: page, perPage: 100), isPoll: isPoll)) }
                catch { post(.conversationsFailed(Self.sdkError(error), isPoll: isPoll)) }
            }
        case .loadThread, .loadContact, .loadNotes:
            load(effect) {}
        case .lookingAt:
            break  // orders the loads of a batch: see run(_:) taking several
        case .loadTags:
            request {
                if let tags = try? await client.tags.list() {
                    post(.tagsLoaded(tags))
                    writer?.copy("tags") { try $0.cacheTags(tags) }
                }
            }
        case .searchContacts(let query):
            let debounce = debounce
            let task = request {
                try? await Task.sleep(for: debounce)
                guard !Task.isCancelled else { return }
                do {
                    let page = try await client.contacts.list(ContactQuery(search: query), perPage: 100)
                    if !Task.isCancelled { post(.searchResults(query: query, .success(page))) }
                } catch {
                    if !Task.isCancelled { post(.searchResults(query: query, .failure(Self.sdkError(error)))) }
                }
            }
            searchTask.withLock { $0?.cancel(); $0 = task }
        case .checkBeforeSend(let entry, let seenLatestID):
            request {
                var newer: [Message] = []
                if let seenLatestID, let page = try? await client.messages.history(contactID: entry.contactID, perPage: 20) {
                    newer = page.items.filter { $0.id > seenLatestID && $0.direction == .inbound }
                }
                post(.preSendChecked(outboxID: entry.id, newer: newer))
            }
        case .send(let entry):
            // The reply goes once it is in the outbox on disk, so a crash mid-send cannot lose it.
            afterWrites { [self] in
                request {
                    do { post(.sendFinished(outboxID: entry.id, .success(try await client.messages.send(contactID: entry.contactID, message: entry.text)))) }
                    catch { post(.sendFinished(outboxID: entry.id, .failure(Self.sdkError(error)))) }
                }
            }
        case .reconcile(let entry):
            request {
                // Read the history back (with the SDK's GET retries) to learn whether it went.
                while true {
                    do {
                        let page = try await client.messages.history(contactID: entry.contactID, perPage: 50)
                        let found = page.items.first { message in
                            message.direction != .inbound && message.content == entry.text
                                && (message.timestamp.map { $0.seconds(since: entry.createdAt) > -300 } ?? true)
                        }
                        post(.sendReconciled(outboxID: entry.id, found: found))
                        return
                    } catch {
                        try? await Task.sleep(for: .seconds(2))
                    }
                }
            }
        case .toggleBlacklist(let contactID, let expected):
            request { [self] in
                do {
                    // Read first: if a colleague already did it, a toggle would undo their change.
                    let current = try await client.contacts.get(contactID)
                    if current.blacklisted == expected {
                        post(.blacklistFinished(contactID: contactID, expected: expected, .success(current)))
                        return
                    }
                    let result = try await writeEnds(to: contactID) { try await client.contacts.toggleBlacklist(contactID) }
                    post(.blacklistFinished(contactID: contactID, expected: expected, .success(result)))
                } catch {
                    // Without an answer, the contact read back tells whether the toggle happened.
                    let failure = Self.sdkError(error)
                    let done = await readBack(contactID, after: failure) { $0.blacklisted == expected }
                    post(.blacklistFinished(contactID: contactID, expected: expected, done.map { .success($0) } ?? .failure(failure)))
                }
            }
        case .assignTag(let contactID, let tagID, let title):
            changeTag(contactID, title: title, on: true, description: "Tagged “\(title)”") { [client] in
                if let tagID { try await client.tags.assign(tagID: tagID, to: contactID) }
                else { try await client.tags.assign(title: title, to: contactID) }
            }
        case .unassignTag(let contactID, let tagID, let title):
            changeTag(contactID, title: title, on: false, description: "Removed tag “\(title)”") { [client] in
                try await client.tags.unassign(tagID: tagID, from: contactID)
            }
        case .addNote(let contactID, let text):
            request { [self] in
                let started = Timestamp.now
                do { post(.noteAdded(contactID: contactID, text: text, .success(try await writeEnds(to: contactID) { try await client.contacts.addNote(contactID, content: text) }))) }
                catch {
                    let failure = Self.sdkError(error)
                    // A note is not idempotent: after a lost answer, look before anyone adds it again,
                    // and keep looking until the server answers (an agent's retry must not duplicate it).
                    guard failure.mayHaveTakenEffect else {
                        post(.noteAdded(contactID: contactID, text: text, .failure(failure)))
                        return
                    }
                    // Every page: the order of a contact's notes is not documented.
                    func saved() async throws -> Note? {
                        for page in 1... {
                            let notes = try await client.contacts.notes(contactID, page: page, perPage: 100)
                            if let note = notes.items.first(where: { $0.content == text && ($0.createdAt.map { $0.seconds(since: started) > -300 } ?? true) }) {
                                return note
                            }
                            if page >= notes.meta.lastPage || notes.items.isEmpty { return nil }
                        }
                        return nil
                    }
                    for attempt in 0..<10 {
                        do {
                            let found = try await saved()
                            post(.noteAdded(contactID: contactID, text: text, found.map { .success($0) } ?? .failure(failure)))
                            return
                        } catch {
                            try? await Task.sleep(for: .milliseconds(500 << min(attempt, 3)))
                        }
                    }
                    post(.noteAdded(contactID: contactID, text: text, .failure(.outcomeUnknown(reason: "the server did not answer; check the notes before adding it again"))))
                }
            }
        case .saveDraft(let contactID, let text):
            writeAfterPause("draft for contact \(contactID)") { try $0.saveDraft(contactID: contactID, text: text) }
        case .saveOutbox(let entry):
            writer?.write("reply \(entry.id)") { try $0.saveOutbox(entry) }
        case .removeOutbox(let id):
            writer?.write("removal of reply \(id)") { try $0.removeOutbox(id: id) }
        case .saveNoteDrafts(let notes):
            writeAfterPause("note drafts") { try $0.saveNoteDrafts(notes) }
        case .saveReadMark(let contactID, let at):
            writer?.write("read mark for contact \(contactID)") { try $0.saveReadMark(contactID: contactID, at: at) }
        case .cacheConversations(let rows):
            writer?.copy("conversations") { try $0.cacheConversations(rows) }
        case .forgetContact(let id):
            writer?.copy("removal of deleted contact \(id)") { try $0.forgetContact(id) }
        case .openEditor, .applyTheme, .bell, .notify, .redraw, .suspend:
            break
        }
    }

    /// Loads a thread page, a contact or its notes, posts the result, keeps a copy in the cache,
    /// then calls `done`.
    func load(_ effect: Effect, then done: @escaping @Sendable () -> Void) {
        let (client, post, writer) = (client, post, writer)
        request { [self] in
            defer { done() }
            switch effect {
            case .loadThread(let contactID, let page):
                do {
                    let messages = try await client.messages.history(contactID: contactID, page: page, perPage: 50)
                    post(.threadLoaded(contactID: contactID, page: messages, pageNumber: page))
                    if page == 1 { writer?.copy("thread \(contactID)") { try $0.cacheThread(contactID: contactID, messages: messages.items) } }
                } catch { post(.threadFailed(contactID: contactID, pageNumber: page, Self.sdkError(error))) }
            case .loadContact(let id):
                if let contact = await readAfterWrites(to: id, { try await client.contacts.get(id) }) {
                    post(.contactLoaded(contact))
                    writer?.copy("contact \(id)") { try $0.cacheContact(contact) }
                }
            case .loadNotes(let id):
                if let notes = await readAfterWrites(to: id, { try await client.contacts.latestNotes(id) }) {
                    post(.notesLoaded(contactID: id, notes))
                    writer?.copy("notes of \(id)") { try $0.cacheNotes(contactID: id, notes: notes) }
                }
            default:
                break
            }
        }
    }

    /// Adds (`on`) or removes a tag, then reports the contact as read back. A failure that may
    /// have taken effect (no answer, a 5xx) is settled by that read: the agent hears the outcome,
    /// not "not confirmed", even where no sidebar shows the tags.
    func changeTag(_ contactID: Int, title: String, on: Bool, description: String,
                   _ write: @escaping @Sendable () async throws -> Void) {
        request { [self] in
            do {
                try await writeEnds(to: contactID, write)
            } catch {
                let failure = Self.sdkError(error)
                let done = await readBack(contactID, after: failure) { contact in
                    (contact.tags ?? []).contains { $0.caseInsensitiveCompare(title) == .orderedSame } == on
                }
                return post(.tagChanged(contactID: contactID, done.map { .success($0) } ?? .failure(failure), description: done == nil ? "" : description))
            }
            // The change is made: a failed read-back must not report it as failed.
            post(.tagChanged(contactID: contactID, .success(try? await client.contacts.get(contactID)), description: description))
        }
    }

    /// After a write that failed but may have taken effect, the contact read back when it shows
    /// the write done (`done`); nil when it does not, or cannot be read. Only read: a toggle
    /// repeated could undo what the lost one did.
    func readBack(_ contactID: Int, after failure: SkyLightError, done: (Contact) -> Bool) async -> Contact? {
        guard failure.mayHaveTakenEffect, let contact = try? await client.contacts.get(contactID), done(contact) else { return nil }
        return contact
    }

    /// Runs a write to a contact and counts it as ended, whatever its outcome (a failure may have
    /// taken effect), before its result is posted.
    func writeEnds<T>(to contactID: Int, _ write: () async throws -> T) async throws -> T {
        defer { writesEnded.withLock { $0[contactID, default: 0] += 1 } }
        return try await write()
    }

    /// Reads a contact or its notes, again when a write to that contact ended meanwhile (up to
    /// three times); nil when the server does not answer.
    func readAfterWrites<T>(to contactID: Int, _ read: () async throws -> T) async -> T? {
        for _ in 0..<3 {
            let before = writesEnded.withLock { $0[contactID, default: 0] }
            guard let value = try? await read() else { return nil }
            if writesEnded.withLock({ $0[contactID, default: 0] }) == before { return value }
        }
        return nil
    }

    /// Starts a task that talks to the server, on the SDK's event loop: there a request and
    /// its answer cost no thread switch.
    @discardableResult
    func request(_ body: sending @escaping @isolated(any) () async -> Void) -> Task<Void, Never> {
        Task(executorPreference: client.preferredExecutor, operation: body)
    }

    /// A write waiting for a pause in typing.
    struct PendingWrite: Sendable {
        let serial: Int
        let body: @Sendable (LocalStore) throws -> Void
        let task: Task<Void, Never>
    }

    /// Writes once typing pauses: a newer write of the same thing replaces one still waiting.
    func writeAfterPause(_ what: String, _ body: @escaping @Sendable (LocalStore) throws -> Void) {
        guard writer != nil else { return }
        let (debounce, serial) = (debounce, Int.random(in: .min ... .max))
        let task = Task { [weak self] in
            try? await Task.sleep(for: debounce)
            guard !Task.isCancelled, let self else { return }
            let due = pendingWrites.withLock { pending -> PendingWrite? in
                guard pending[what]?.serial == serial else { return nil }
                return pending.removeValue(forKey: what)
            }
            if let due { writer?.write(what, due.body) }
        }
        pendingWrites.withLock { pending in
            pending[what]?.task.cancel()
            pending[what] = PendingWrite(serial: serial, body: body, task: task)
        }
    }

    /// Runs `body` once the writes queued before it are on disk (or have failed once).
    func afterWrites(_ body: @escaping @Sendable () -> Void) {
        if let writer { writer.afterWrites(body) } else { body() }
    }

    /// Writes everything still queued or waiting for a pause, now (quit, SIGHUP, suspend), and
    /// returns what could not be written. Only those: a draft another inbox on this cache has
    /// changed since is not written back over.
    @discardableResult
    public func flushPendingWrites() -> [String] {
        let due = pendingWrites.withLock { pending in
            defer { pending = [:] }
            return pending.map { what, write in write.task.cancel(); return (what, write) }
        }
        for (what, write) in due { writer?.write(what, write.body) }
        let left = writer?.finish() ?? []
        if !left.isEmpty { logger.error("Not saved on disk at the end: \(left.joined(separator: ", "))") }
        return left
    }

    static func sdkError(_ error: any Error) -> SkyLightError {
        (error as? SkyLightError) ?? .outcomeUnknown(reason: String(describing: error))
    }
}
