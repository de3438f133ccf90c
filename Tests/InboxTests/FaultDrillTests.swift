import Foundation
import Synchronization
import Testing
@testable import Inbox
import SkyLight
@testable import SkyLightSandbox

/// The fault drill: an agent's session of 200 actions (replies, tags, untags, notes,
/// blacklist toggles) pressed as keys into the inbox's own reducer and effect runner, over
/// HTTP to a sandbox that fails 20% of requests with 5xx, 10% with 429, drops 5% of
/// connections after doing the work, and stalls some. Afterwards the server must hold
/// exactly what the agent meant, and no key may have waited on the network.
struct FaultDrillTests {
    /// The inbox without a terminal: the same reducer and effect runner, results applied in order.
    actor Headless {
        var state: InboxState
        let reducer = Reducer()
        var runner: EffectRunner?
        /// How long each key took to handle (reducer plus starting its effects).
        var keyTimes: [Duration] = []
        /// Result actions seen, for waiting on the outcome of one attempt.
        var results: [(contactID: Int, action: Action)] = []

        init() { state = InboxState(accountLabel: "drill", now: .now) }

        func attach(_ runner: EffectRunner) { self.runner = runner }

        func send(_ action: Action) {
            let start = ContinuousClock.now
            let effects = reducer.reduce(&state, action)
            effects.forEach { runner?.run($0) }
            if case .key = action { keyTimes.append(ContinuousClock.now - start) }
            switch action {
            case .blacklistFinished(let id, _, _), .tagChanged(let id, _, _), .noteAdded(let id, _, _): results.append((id, action))
            default: break
            }
        }

        func press(_ keys: [Key]) { keys.forEach { send(.key($0)) } }
        func type(_ text: String) { text.forEach { send(.key(.char($0))) } }
        func read<T: Sendable>(_ body: (InboxState) -> T) -> T { body(state) }
        var resultCount: Int { results.count }
        func hasResult(for id: Int, since mark: Int) -> Bool { results[mark...].contains { $0.contactID == id } }

        /// Moves the selection to `id` with j/k, as a person would.
        func select(_ id: Int) {
            for _ in 0..<3 where state.focus != .list { press([.tab]) }  // after a reply the thread has the focus
            guard let target = state.visible.firstIndex(of: id) else { return }
            let current = state.selectedIndex ?? 0
            press(Array(repeating: target > current ? .char("j") : .char("k"), count: abs(target - current)))
        }
    }

    static let drillTags = ["Drill Alpha", "Drill Bravo", "Drill Charlie"]

    @Test(.timeLimit(.minutes(15)))
    func twoHundredActionsUnderFaults() async throws {
        var options = SandboxOptions()
        options.tickInterval = 3600
        let sandbox = try await Sandbox.start(options)
        defer { Task { await sandbox.stop() } }
        let clean = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey(SandboxOptions.defaultAPIKey)))
        // The inbox's own client settings, as `skylight` builds them.
        let client = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey(SandboxOptions.defaultAPIKey),
                                                         retry: RetryPolicy(maxAttempts: 3), timeout: 15))
        let folder = NSTemporaryDirectory() + "skylight-drill-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try LocalStore(path: folder + "/cache.sqlite")

        let inbox = Headless()
        let (stream, continuation) = AsyncStream.makeStream(of: Action.self)
        await inbox.attach(EffectRunner(client: client, store: store, debounce: .milliseconds(50)) { continuation.yield($0) })
        let pump = Task { for await action in stream { await inbox.send(action) } }
        let ticker = Task {
            while !Task.isCancelled {
                await inbox.send(.tick(now: .now, jitter: Double.random(in: 0...1)))
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { pump.cancel(); ticker.cancel(); continuation.finish() }

        await inbox.send(.viewport(listItems: 20, threadLines: 20, sidebarFits: true))
        await inbox.send(.start)
        #expect(try await until(seconds: 30) { await inbox.read { $0.conversationsLoaded } })

        // Twelve contacts on connected channels, not blacklisted: what the agent meant starts as what the server has.
        let connected = Set(try await clean.account.channels().filter { $0.connected == true }.compactMap(\.type))
        var targets: [Int] = []
        for id in await inbox.read({ $0.visible }) where targets.count < 12 {
            let contact = try await clean.contacts.get(id)
            if contact.blacklisted == false, let type = contact.type, connected.contains(type) { targets.append(id) }
        }
        #expect(targets.count == 12)
        var wantTags: [Int: Set<String>] = [:]
        var wantBlacklisted: [Int: Bool] = [:]
        var replies: [Int: [String]] = [:]
        var notes: [Int: [String]] = [:]
        for id in targets { wantTags[id] = []; wantBlacklisted[id] = false }

        var fault = FaultRule()
        fault.errorRate = 0.2; fault.rateLimitRate = 0.1; fault.dropRate = 0.05
        fault.latencyMs = 400; fault.latencyRate = 0.05
        sandbox.faults.set([fault], seed: 7)

        var random = SplitMix64(seed: 20261121)  // fixed: a failing drill can be replayed
        var counts: [String: Int] = [:]
        for step in 0..<200 {
            let roll = Int.random(in: 0..<100, using: &random)
            // Replies go to contacts that can receive them; the rest to anyone.
            let candidates = roll < 40 ? targets.filter { wantBlacklisted[$0] == false } : targets
            let id = (candidates.isEmpty ? targets : candidates).randomElement(using: &random)!
            if ProcessInfo.processInfo.environment["DRILL_TRACE"] != nil { print("drill step \(step) contact \(id) roll \(roll) at \(Date())") }
            await inbox.select(id)
            #expect(await inbox.read { $0.selectedID } == id, "step \(step): could not select \(id)")
            if roll < 40, wantBlacklisted[id] == false {
                let text = "drill reply \(step) to \(id)"
                try await reply(inbox, id, text, step: step)
                replies[id, default: []].append(text)
                counts["reply", default: 0] += 1
            } else if roll < 60 {
                let title = Self.drillTags.randomElement(using: &random)!
                try await ensure(inbox, id, step: step, "tag \(title) on \(id)") {
                    await inbox.read { $0.contacts[id]?.tags?.contains(title) == true }
                } attempt: {
                    await inbox.press([.char("t")]); await inbox.type(title); await inbox.press([.enter])
                }
                wantTags[id, default: []].insert(title)
                counts["tag", default: 0] += 1
            } else if roll < 75, let title = wantTags[id]?.sorted().randomElement(using: &random) {
                try await ensure(inbox, id, step: step, "untag \(title) from \(id)") {
                    await inbox.read { $0.contacts[id].map { !($0.tags ?? []).contains(title) } == true }
                } attempt: {
                    await inbox.press([.char("T")]); await inbox.type(title); await inbox.press([.enter])
                }
                wantTags[id]?.remove(title)
                counts["untag", default: 0] += 1
            } else if roll < 88 {
                let text = "drill note \(step) on \(id)"
                try await ensure(inbox, id, step: step, "note on \(id)") {
                    await inbox.read { $0.notes[id]?.contains { $0.content == text } == true }
                } attempt: {
                    // A note that was not saved comes back into the editor: send it as it is, as a person would.
                    await inbox.press([.char("a")])
                    let kept = await inbox.read { if case .note(_, let editor) = $0.mode { editor.text } else { "" } }
                    if kept.isEmpty { await inbox.type(text) }
                    else if kept != text { Issue.record("step \(step): the note editor opened with “\(kept)”") }
                    await inbox.press([.enter])
                }
                notes[id, default: []].append(text)
                counts["note", default: 0] += 1
            } else {
                let target = !(wantBlacklisted[id] ?? false)
                try await ensure(inbox, id, step: step, "blacklist \(id) → \(target)") {
                    await inbox.read { $0.contacts[id]?.blacklisted == target }
                } attempt: {
                    await inbox.press([.char("b")])
                    if await inbox.read({ if case .confirm = $0.mode { true } else { false } }) { await inbox.press([.char("y")]) }
                }
                wantBlacklisted[id] = target
                counts["blacklist", default: 0] += 1
            }
        }
        sandbox.faults.set([])

        // The server holds exactly what the agent meant.
        for id in targets {
            let contact = try await clean.contacts.get(id)
            #expect(contact.blacklisted == wantBlacklisted[id], "contact \(id) blacklist")
            #expect(Set(contact.tags ?? []).intersection(Self.drillTags) == wantTags[id] ?? [], "contact \(id) tags")
            let history = try await clean.messages.history(contactID: id, perPage: 100).items.compactMap(\.content)
            for text in replies[id] ?? [] { #expect(history.filter { $0 == text }.count == 1, "\(text) is on the server once") }
            let saved = try await clean.contacts.notes(id, perPage: 100).items.compactMap(\.content)
            for text in notes[id] ?? [] { #expect(saved.filter { $0 == text }.count == 1, "\(text) is on the server once") }
        }
        let keyTimes = await inbox.keyTimes.sorted()
        let slowest = keyTimes.last ?? .zero
        print("fault drill: \(counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")); "
              + "\(sandbox.faults.injectedCount) faults in \(sandbox.faults.requestCount) requests; "
              + "\(keyTimes.count) keys handled in median \(Self.milliseconds(keyTimes[keyTimes.count / 2])) ms, slowest \(Self.milliseconds(slowest)) ms")
        #expect(counts.values.reduce(0, +) == 200)
        #expect(sandbox.faults.injectedCount > 50)
        // Keys never wait on the network: the slowest is bounded by local work, not by 400 ms stalls or 15 s timeouts.
        #expect(slowest < .milliseconds(250))
    }

    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.3f", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
    }

    /// Waits for `condition`, checking every 20 ms.
    func until(seconds: Double, _ condition: () async -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    /// Does what a careful agent does: acts, waits for the outcome shown on screen, and acts
    /// again only when the outcome says it did not happen.
    func ensure(_ inbox: Headless, _ id: Int, step: Int, _ what: String, done: () async -> Bool, attempt: () async -> Void) async throws {
        for _ in 0..<12 {
            if await done() { return }
            let mark = await inbox.resultCount
            let noticeBefore = await inbox.read { $0.notice }
            await inbox.select(id)
            await attempt()
            // An outcome for this contact, an error on screen, or the state the agent wanted.
            _ = try await until(seconds: 60) {
                if await done() { return true }
                if await inbox.hasResult(for: id, since: mark) { return true }
                return await inbox.read { $0.notice != noticeBefore && $0.notice?.isError == true && $0.mode == .normal }
            }
            // A failed change re-reads the contact; give that a moment before judging.
            _ = try await until(seconds: 3) { await done() }
            if ProcessInfo.processInfo.environment["DRILL_TRACE"] != nil {
                let (mode, notice, tags, selected) = await inbox.read { ("\($0.mode)".prefix(80), $0.notice?.text, $0.contacts[id]?.tags, $0.selectedID) }
                print("drill attempt \(what): done \(await done()) selected \(selected ?? 0) mode \(mode) notice \(notice ?? "-") tags \(tags ?? [])")
            }
        }
        Issue.record("step \(step): \(what) never took effect")
    }

    /// Writes a reply and sees it through the outbox: confirms prompts, resends what failed.
    func reply(_ inbox: Headless, _ id: Int, _ text: String, step: Int) async throws {
        await inbox.press([.char("r")])
        await inbox.type(text)
        await inbox.press([.enter])
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            let (mode, entry) = await inbox.read { state in (state.mode, state.outbox.first { $0.text == text }) }
            if case .confirm = mode { await inbox.press([.char("y")]); continue }
            guard let entry else { return }  // sent: on connected channels, the outbox lets go only of delivered replies
            if case .failed = entry.state {
                await inbox.select(id)
                await inbox.press([.char("R")])
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("step \(step): reply “\(text)” never left the outbox")
    }
}
