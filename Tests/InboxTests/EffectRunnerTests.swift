import Foundation
import GRDB
import Synchronization
import Testing
import TestSupport
@testable import Inbox
import SkyLight
import SkyLightSandbox

/// The effect runner over real HTTP against a sandbox, with a real SQLite store.
final class EffectRunnerTests {
    /// This test's caches, removed when it ends.
    let folder = NSTemporaryDirectory() + "skylight-runner-\(UUID().uuidString)"
    deinit { try? FileManager.default.removeItem(atPath: folder) }

    final class Collector: Sendable {
        let actions = Mutex<[Action]>([])
        func post(_ action: Action) { actions.withLock { $0.append(action) } }

        func wait<T>(timeout: Duration = .seconds(60), _ match: @escaping (Action) -> T?) async -> T? {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let snapshot = actions.withLock { $0 }
                if let found = snapshot.lazy.compactMap(match).first { return found }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return nil
        }
    }

    func start() async throws -> (Sandbox, SkyLightClient, EffectRunner, Collector, LocalStore) {
        var options = SandboxOptions()
        options.tickInterval = 3600
        let sandbox = try await Sandbox.start(options)
        let client = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey(SandboxOptions.defaultAPIKey),
                                                         retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01)))
        let store = try LocalStore(path: folder + "/c.sqlite")
        let collector = Collector()
        let runner = EffectRunner(client: client, store: store, debounce: .milliseconds(20)) { collector.post($0) }
        return (sandbox, client, runner, collector, store)
    }

    @Test func sendsAndReports() async throws {
        let (sandbox, client, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        let entry = OutboxEntry(id: "e1", contactID: 3, text: "runner says hi", createdAt: .now)
        runner.run(.send(entry))
        let result = await collector.wait { if case .sendFinished("e1", let r) = $0 { r } else { nil } }
        #expect(try result?.get().content == "runner says hi")
        #expect(try await client.messages.history(contactID: 3, perPage: 1).items.first?.content == "runner says hi")
    }

    @Test func blacklistIsNotToggledWhenAlreadyInTheWantedState() async throws {
        let (sandbox, client, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        _ = try await client.contacts.toggleBlacklist(8)  // a colleague blacklisted it
        runner.run(.toggleBlacklist(contactID: 8, expected: true))
        let result = await collector.wait { if case .blacklistFinished(8, _, let r) = $0 { r } else { nil } }
        #expect(try result?.get().blacklisted == true)
        #expect(try await client.contacts.get(8).blacklisted == true)
    }

    @Test func reconcileFindsASendWhoseAnswerWasLost() async throws {
        let (sandbox, _, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        var drop = FaultRule()
        drop.route = "/api/v1/messages/send"
        drop.dropRate = 1
        sandbox.faults.set([drop])
        let entry = OutboxEntry(id: "e2", contactID: 4, text: "lost answer", createdAt: .now)
        runner.run(.send(entry))
        let failure = await collector.wait { if case .sendFinished("e2", .failure(let e)) = $0 { e } else { nil } }
        #expect(failure?.isOutcomeUnknown == true)
        runner.run(.reconcile(entry))
        let found = await collector.wait { if case .sendReconciled("e2", let m) = $0 { Optional(m) } else { nil } }
        #expect(found??.content == "lost answer")
    }

    /// A note the server saved, answered with a body cut short: the runner reads the notes back
    /// and reports it added, so the agent is not told to add it again.
    @Test func aNoteWhoseAnswerIsCutShortIsFoundSaved() async throws {
        let (sandbox, client, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        var truncate = FaultRule()
        truncate.route = "/api/v1/contacts/6/notes"
        truncate.method = "POST"
        truncate.truncateRate = 1
        sandbox.faults.set([truncate])
        runner.run(.addNote(contactID: 6, text: "called back, refund approved"))
        let result = await collector.wait { if case .noteAdded(6, _, let r) = $0 { r } else { nil } }
        #expect(try result?.get().content == "called back, refund approved")
        sandbox.faults.set([])
        let saved = try await client.contacts.notes(6, perPage: 100).items.filter { $0.content == "called back, refund approved" }
        #expect(saved.count == 1)
    }

    /// A read of a contact's notes the server answered before a note was added, arriving after
    /// it, does not take the new note off the screen: the agent would add it again. Likewise a
    /// read of the contact does not undo a blacklisting on screen.
    @Test func aReadOvertakenByAWriteIsReadAgain() async throws {
        let (sandbox, _, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        var slowBack = FaultRule()
        slowBack.route = "/api/v1/contacts/6*"
        slowBack.method = "GET"
        slowBack.answerLatencyMs = 800
        sandbox.faults.set([slowBack])
        runner.run([.loadNotes(6), .loadContact(6)])
        try await Task.sleep(for: .milliseconds(300))  // both read, their answers on the way
        sandbox.faults.set([])
        runner.run(.addNote(contactID: 6, text: "refund approved"))
        runner.run(.toggleBlacklist(contactID: 6, expected: true))
        let reducer = Reducer()
        var state = InboxState(accountLabel: "test", now: .now)
        _ = await collector.wait { if case .blacklistFinished(6, _, .success) = $0 { true } else { nil } }
        _ = await collector.wait { if case .noteAdded(6, _, .success) = $0 { true } else { nil } }
        try await Task.sleep(for: .seconds(2))  // the slow answers, and any read again
        for action in collector.actions.withLock({ $0 }) { _ = reducer.reduce(&state, action) }
        #expect(state.notes[6]?.contains { $0.content == "refund approved" } == true)
        #expect(state.contacts[6]?.blacklisted == true)
    }

    /// A note saved but answered with a dropped connection is looked for on every page of the
    /// contact's notes: colleagues added a hundred newer ones while the inbox looked.
    @Test func aNoteWhoseAnswerWasLostIsFoundBeyondTheFirstPage() async throws {
        let (sandbox, client, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        var drop = FaultRule()
        drop.route = "/api/v1/contacts/6/notes"
        drop.method = "POST"
        drop.dropRate = 1
        var slow = FaultRule()
        slow.route = "/api/v1/contacts/6/notes"
        slow.method = "GET"
        slow.latencyMs = 3000
        sandbox.faults.set([drop, slow])
        runner.run(.addNote(contactID: 6, text: "asked for a callback"))
        try await Task.sleep(for: .milliseconds(500))  // saved; the inbox's look at the notes waits at the server
        sandbox.faults.set([])
        for n in 1...100 { _ = try await client.contacts.addNote(6, content: "colleague's note \(n)") }
        let result = await collector.wait { if case .noteAdded(6, _, let r) = $0 { r } else { nil } }
        #expect(try result?.get().content == "asked for a callback")
    }

    /// Moving down the list faster than the server answers: the conversation the agent stops
    /// on loads before the ones passed over, and most of those are not asked for at all.
    @Test func theConversationStoppedOnLoadsBeforeThosePassedOver() async throws {
        let (sandbox, _, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        var slow = FaultRule()
        slow.latencyMs = 300
        sandbox.faults.set([slow])
        for id in 1...8 { runner.run([.loadThread(contactID: id, page: 1), .loadContact(id), .loadNotes(id)]) }
        _ = await collector.wait { if case .threadLoaded(6, _, _) = $0 { true } else { nil } }
        let actions = collector.actions.withLock { $0 }
        let loaded = actions.compactMap { if case .threadLoaded(let id, _, _) = $0 { id } else { nil } }
        let skipped = actions.compactMap { if case .loadSkipped(.loadThread(let id, _)) = $0 { id } else { nil } }
        // Row 1 went at once. The others came faster than keys pause: once they stop, row 8
        // goes first and row 6, the oldest still wanted, a round later.
        #expect(loaded.prefix(2).sorted() == [1, 8], "\(loaded)")
        #expect((loaded.firstIndex(of: 8) ?? .max) < (loaded.firstIndex(of: 6) ?? .max), "\(loaded)")
        #expect(skipped.sorted() == [2, 3, 4, 5])
        #expect(!loaded.contains(2) && !loaded.contains(3) && !loaded.contains(4) && !loaded.contains(5))
    }

    @Test func draftsAreDebouncedToDisk() async throws {
        let (sandbox, _, runner, _, store) = try await start()
        defer { Task { await sandbox.stop() } }
        for text in ["h", "he", "hel", "hello"] { runner.run(.saveDraft(contactID: 9, text: text)) }
        let deadline = ContinuousClock.now + .seconds(20)
        while try store.drafts()[9] != "hello", ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try store.drafts()[9] == "hello")
    }

    /// Another program holding the cache's lock (or a full disk) stops the writes. The screen
    /// and the network do not wait on it, the inbox hears of it once, the reply still goes, and
    /// what was not written is written when the lock is let go.
    @Test func aCacheThatCannotBeWrittenHoldsNothingUpAndCatchesUp() async throws {
        let (sandbox, client, _, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        let path = folder + "/locked.sqlite"
        let store = try LocalStore(path: path)
        let runner = EffectRunner(client: client, store: store, retryWritesAfter: .milliseconds(50)) { collector.post($0) }
        func reports() -> [String?] {
            collector.actions.withLock { $0 }.compactMap { if case .cacheWrites(let failing) = $0 { failing } else { nil } }
        }
        let lock = try CacheLock(path: path)
        let entry = OutboxEntry(id: "e1", contactID: 3, text: "kept", createdAt: .now)
        runner.run(.saveOutbox(entry))
        runner.run(.saveReadMark(contactID: 3, at: Timestamp("2026-03-04T12:00:00.000000Z")!))
        // Written in place, the first write would have waited out SQLite's busy timeout and failed by now.
        #expect(reports().isEmpty)
        runner.run(.send(entry))
        let sent = await collector.wait(timeout: .seconds(30)) { if case .sendFinished("e1", let r) = $0 { r } else { nil } }
        #expect(try sent?.get().content == "kept")
        #expect(reports().count == 1 && reports().first??.contains("locked") == true, "\(reports())")
        lock.letGo()
        let back = await collector.wait(timeout: .seconds(30)) { if case .cacheWrites(nil) = $0 { true } else { nil } }
        #expect(back == true)
        #expect(try store.outbox().map(\.id) == ["e1"])
        #expect(try store.readMarks()[3] == Timestamp("2026-03-04T12:00:00.000000Z"))
    }

    /// A reply goes out only once it is in the outbox on disk.
    @Test func aSendStartsAfterTheWritesBeforeIt() async throws {
        let store = try LocalStore(path: folder + "/order.sqlite")
        let writer = CacheWriter(store: store) { _ in }
        let seen = Mutex<[String]?>(nil)
        for n in 1...20 {
            writer.write("reply e\(n)") { try $0.saveOutbox(OutboxEntry(id: "e\(n)", contactID: n, text: "reply \(n)", createdAt: .now)) }
        }
        writer.afterWrites { seen.withLock { $0 = (try? store.outbox())?.map(\.id) } }
        #expect(writer.finish().isEmpty)
        #expect(seen.withLock { $0 }?.count == 20)
    }

    /// Leaving with the lock still held tries once, then names the agent's work not written.
    @Test func leavingWithTheCacheLockedNamesWhatIsNotWritten() async throws {
        let (sandbox, client, _, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        let path = folder + "/leaving.sqlite"
        let store = try LocalStore(path: path)
        let runner = EffectRunner(client: client, store: store, debounce: .seconds(600)) { collector.post($0) }
        let lock = try CacheLock(path: path)
        defer { lock.letGo() }
        runner.run(.saveOutbox(OutboxEntry(id: "e9", contactID: 9, text: "late", createdAt: .now)))
        runner.run(.saveDraft(contactID: 9, text: "half a sentence"))
        runner.run(.cacheConversations([]))  // a copy of the server's list: not the agent's to worry about
        #expect(runner.flushPendingWrites() == ["reply e9", "draft for contact 9"])
    }

    @Test func aFlushWritesWhatWaitsAndNothingElse() async throws {
        let (sandbox, client, _, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        let path = folder + "/second.sqlite"
        let store = try LocalStore(path: path)
        let runner = EffectRunner(client: client, store: store, debounce: .seconds(600)) { collector.post($0) }
        runner.run(.saveDraft(contactID: 9, text: "written before quitting"))
        runner.run(.saveNoteDrafts([9: ["kept note"]]))
        #expect(try store.drafts()[9] == nil)
        runner.flushPendingWrites()
        #expect(try store.drafts()[9] == "written before quitting")
        #expect(try store.restoreAction().restoredNotes == [9: ["kept note"]])
        // A second inbox on this cache changes the draft; a later quit here does not write the
        // old text back over it.
        let second = try LocalStore(path: path)
        try second.saveDraft(contactID: 9, text: "changed in the other terminal")
        runner.flushPendingWrites()
        #expect(try store.drafts()[9] == "changed in the other terminal")
    }

    @Test func tagsByTitleCreateAndAssign() async throws {
        let (sandbox, _, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        runner.run(.assignTag(contactID: 2, tagID: nil, title: "Brand New Tag"))
        let contact = await collector.wait { if case .tagChanged(2, .success(let c?), _) = $0 { c } else { nil } }
        #expect(contact?.tags?.contains("Brand New Tag") == true)
    }

    /// The blacklist toggle's answer is lost after it took effect: the contact read back says so,
    /// and the toggle is not sent again (a second one would undo it).
    @Test func aBlacklistToggleWhoseAnswerWasLostIsSettledByReadingTheContact() async throws {
        let (sandbox, client, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        var lost = FaultRule()
        lost.route = "/api/v1/contacts/3/blacklist"
        lost.dropRate = 1
        sandbox.faults.set([lost])
        let before = sandbox.faults.requestCount
        runner.run(.toggleBlacklist(contactID: 3, expected: true))
        let result = await collector.wait { if case .blacklistFinished(3, _, let r) = $0 { r } else { nil } }
        #expect(try result?.get().blacklisted == true, "\(String(describing: result))")
        #expect(sandbox.faults.requestCount - before == 3, "a read, one toggle, a read back")
        sandbox.faults.set([])
        #expect(try await client.contacts.get(3).blacklisted == true)
    }

    /// Every answer to the tag change is lost (the work done each time): the contact read back
    /// shows the tag on, and that is what the agent hears.
    @Test func aTagChangeWhoseAnswersWereLostIsSettledByReadingTheContact() async throws {
        let (sandbox, client, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        var lost = FaultRule()
        lost.route = "/api/v1/contacts/2/tags*"
        lost.dropRate = 1
        sandbox.faults.set([lost])
        runner.run(.assignTag(contactID: 2, tagID: nil, title: "Callback"))
        let added = await collector.wait { if case .tagChanged(2, let r, let d) = $0, d == "Tagged “Callback”" { r } else { nil } }
        #expect(try added?.get()?.tags?.contains("Callback") == true, "\(String(describing: added))")
        let tagID = try #require(try await client.tags.list().first { $0.title == "Callback" }?.id)
        runner.run(.unassignTag(contactID: 2, tagID: tagID, title: "Callback"))
        let removed = await collector.wait { if case .tagChanged(2, let r, let d) = $0, d == "Removed tag “Callback”" { r } else { nil } }
        #expect(try removed?.get()?.tags?.contains("Callback") == false, "\(String(describing: removed))")
        sandbox.faults.set([])
        #expect(try await client.contacts.get(2).tags?.contains("Callback") == false)
    }

    @Test func aTagThatWentOnIsReportedAsDoneWhenTheReadBackFails() async throws {
        let (sandbox, client, runner, collector, _) = try await start()
        defer { Task { await sandbox.stop() } }
        var readBack = FaultRule()
        readBack.route = "/api/v1/contacts/2"
        readBack.method = "GET"
        readBack.errorRate = 1
        sandbox.faults.set([readBack])
        runner.run(.assignTag(contactID: 2, tagID: nil, title: "Callback"))
        let result = await collector.wait { if case .tagChanged(2, let r, _) = $0 { r } else { nil } }
        #expect(result.map { if case .success(nil) = $0 { true } else { false } } == true, "\(String(describing: result))")
        sandbox.faults.set([])
        #expect(try await client.contacts.get(2).tags?.contains("Callback") == true)
        // The reducer says it is done and reads the contact again.
        var state = InboxState(accountLabel: "test", now: .now)
        let effects = Reducer().reduce(&state, .tagChanged(contactID: 2, .success(nil), description: "Tagged “Callback”"))
        #expect(state.notice?.isError == false && state.notice?.text == "Tagged “Callback”")
        #expect(effects.contains(.loadContact(2)))
        // A lost answer is not called a failure: the contact read again shows what happened.
        let unknown = Reducer().reduce(&state, .tagChanged(contactID: 2, .failure(.outcomeUnknown(reason: "reset")), description: ""))
        #expect(state.notice?.text.hasPrefix("Tag change not confirmed") == true && unknown.contains(.loadContact(2)))
    }
}
