import Foundation
import SkyLight
@testable import SkyLightSandbox
import Testing

/// A hurried agent on a bad link: random keys, replies, resizes and overlays while a fifth of the
/// requests fail, drop or stall. The inbox keeps running, quits cleanly, and no reply reaches
/// the customer twice.
struct MonkeyTests {
    /// Everything but `q` and `E` (which would end the walk or hand the screen to an editor); C-z
    /// only says it cannot suspend, since the walk runs with no job-control shell.
    static let keys = ["j", "k", "g", "G", "Tab", "BTab", "Space", "BSpace", "u", "c", "i", "m", "t", "T", "a", "r", "R", "b",
                       "y", "n", "?", "Escape", "Enter", "PPage", "NPage", "Up", "Down", "Home", "End", "C-l", "C-d", "C-u",
                       "M-Enter", "C-j", "C-c", "C-z", ":", "/", "x", "é", "😀"]
    static let sizes = [(100, 30), (80, 24), (72, 20), (200, 50), (120, 40), (80, 24)]

    /// Keys that change nothing on the server: between two looks at the screen, only the inbox
    /// can have changed it.
    static let localKeys = ["j", "k", "g", "G", "Tab", "BTab", "Space", "BSpace", "u", "c", "i", "m", "?", "Escape", "PPage",
                            "NPage", "Up", "Down", "Home", "End", "C-d", "C-u", ":", "/", "x", "é", "😀", "r", "a", "t", "T"]
    /// A walk's seed: fixed, so a failing walk can be replayed; SKYLIGHT_MONKEY_SEED walks
    /// another way.
    static func seed(or fixed: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["SKYLIGHT_MONKEY_SEED"].flatMap { UInt64($0) } ?? fixed
    }
    static let repaintSizes = [(100, 30), (80, 24), (72, 20), (200, 50), (120, 40), (81, 25), (79, 23), (60, 15), (90, 26)]

    /// Bursts of keys and resizes leave on the terminal what a full repaint (C-l) draws: the
    /// frame, ncurses' idea of the screen and the screen itself never drift apart.
    @Test func burstsOfKeysAndResizesLeaveWhatARepaintDraws() async throws {
        try await TerminalLock.exclusive { try await repaintExclusively() }
    }

    func repaintExclusively() async throws {
        let setup = try await TriageTests.setup()
        defer { setup.tearDown() }
        let tmux = try await Tmux(width: 100, height: 30, command: Tmux.binary, environment: setup.environment)
        defer { tmux.kill() }
        try await tmux.wait(for: "● live", timeout: 60)
        let seed = Self.seed(or: 20261122)
        var random = SplitMix64(seed: seed)
        // Relative times ("2h") may turn between the two looks; the status bar holds the clock.
        func seen() async throws -> [[Tmux.SeenCell]] {
            try await tmux.seenCells().dropLast().map { row in
                row.map { var cell = $0; if cell.character.isNumber { cell.character = "#" }; return cell }
            }
        }
        for round in 0..<14 {
            for _ in 0..<Int.random(in: 3...15, using: &random) {
                if Int.random(in: 0..<10, using: &random) < 3 {
                    let (width, height) = Self.repaintSizes.randomElement(using: &random)!
                    try await tmux.resize(width, height)
                } else {
                    try await tmux.press(Self.localKeys.randomElement(using: &random)!)
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<30, using: &random)))
            }
            try await tmux.keys("Escape", "Escape")
            _ = try await tmux.settledLines()
            try await Task.sleep(for: .milliseconds(300))
            let before = try await seen()
            try await tmux.keys("C-l")
            try await Task.sleep(for: .milliseconds(300))
            _ = try await tmux.settledLines()
            let after = try await seen()
            let rows = before.indices.filter { $0 >= after.count || before[$0] != after[$0] }
            #expect(rows.isEmpty, """
                seed \(seed), round \(round), \(tmux.width)×\(tmux.height): rows \(rows) changed on a repaint
                \(rows.prefix(3).map { y in "before: \(String(before[y].map(\.character)))\nafter:  \(String(after.indices.contains(y) ? after[y].map(\.character) : []))" }.joined(separator: "\n"))
                """)
            if !rows.isEmpty { return }
        }
    }

    @Test func randomKeysOnABadLink() async throws {
        try await TerminalLock.exclusive { try await randomKeysOnABadLinkExclusively() }
    }

    func randomKeysOnABadLinkExclusively() async throws {
        let setup = try await TriageTests.setup()
        defer { setup.tearDown() }
        let tmux = try await Tmux(width: 100, height: 30, command: "sh -c '\(Tmux.binary); echo EXIT=$?; exec sleep 60'",
                                  environment: setup.environment)
        defer { tmux.kill() }
        try await tmux.wait(for: "● live", timeout: 60)

        var fault = FaultRule()
        fault.errorRate = 0.1; fault.rateLimitRate = 0.05; fault.dropRate = 0.05; fault.truncateRate = 0.03
        fault.latencyMs = 300; fault.latencyRate = 0.2
        // Sends lose their answer often: the case where a blind resend would double a reply.
        var sends = FaultRule()
        sends.route = "/api/v1/messages/send"
        sends.dropRate = 0.2; sends.truncateRate = 0.1; sends.errorRate = 0.1
        setup.sandbox.faults.set([sends, fault], seed: 11)
        let seed = Self.seed(or: 20261121)
        var random = SplitMix64(seed: seed)
        var markers: [String] = []
        for step in 0..<300 {
            let roll = Int.random(in: 0..<100, using: &random)
            if roll < 8 {
                let marker = "«m\(step)»"
                try await tmux.keys("Escape", "Escape", "r")
                try await tmux.type("reply " + marker)
                try await tmux.keys("Enter")
                try await tmux.type("y")  // sent outside WhatsApp's 24 h window: yes (else nothing)
                markers.append(marker)
            } else if roll < 12 {
                let (width, height) = Self.sizes.randomElement(using: &random)!
                try await tmux.resize(width, height)
            } else {
                try await tmux.press(Self.keys.randomElement(using: &random)!)
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<40, using: &random)))
            if step % 25 == 24 {
                let screen = try await tmux.screen()
                #expect(!screen.contains("EXIT="), "seed \(seed): the inbox ended at step \(step):\n\(screen)")
                if screen.contains("EXIT=") { return }
                if tmux.width >= 80, tmux.height >= 24 {
                    // The header is back on the top line: a debug build under a burst of keys may take
                    // a moment to catch up with a resize, so this waits a little for it.
                    var top = ""
                    for _ in 0..<50 {
                        top = try await tmux.lines()[0]
                        if top.contains("SkyLight Inbox") || top.contains("OFFLINE") { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    let shown = try await tmux.screen()
                    #expect(top.contains("SkyLight Inbox") || top.contains("OFFLINE"), "seed \(seed), step \(step):\n\(shown)")
                }
            }
        }

        // The link recovers: what waits in the outbox goes, and the inbox quits cleanly.
        setup.sandbox.faults.set([])
        try await tmux.resize(100, 30)
        // Esc first: the walk may end with the key help over the list.
        try await tmux.keys("Escape", "Escape", "Escape")
        try await tmux.wait(for: "Conversations", timeout: 5)
        // A question about a colleague's message is answered "not now": the reply goes back to
        // its composer, and from there to the drafts.
        let deadline = Date().addingTimeInterval(45)
        var screen = try await tmux.screen()
        while Date() < deadline, screen.contains("· outbox") {
            if screen.contains("n / Esc  no") || screen.contains("─ Reply") { try await tmux.keys("Escape") }
            try await Task.sleep(for: .milliseconds(200))
            screen = try await tmux.screen()
        }
        #expect(!screen.contains("· outbox"), "the outbox did not drain once the link recovered:\n\(screen)")
        try await tmux.keys("q")
        try await Task.sleep(for: .milliseconds(300))
        if try await !tmux.screen().contains("EXIT=") { try await tmux.keys("y") }  // replies still waiting: leave anyway
        try await tmux.wait(for: "EXIT=0")

        // Every reply the walk wrote is on the server at most once (a failed copy does not count:
        // resending it is the agent's call).
        var delivered: [String: Int] = [:]
        var page = 1
        while true {
            let conversations = try await setup.client.messages.conversations(page: page, perPage: 100)
            for conversation in conversations.items {
                let history = try await setup.client.messages.history(contactID: conversation.contactID, perPage: 100)
                for message in history.items where message.direction != .inbound && message.status != .failed {
                    for marker in markers where (message.content ?? "").contains(marker) { delivered[marker, default: 0] += 1 }
                }
            }
            guard conversations.hasMore else { break }
            page += 1
        }
        #expect(!delivered.isEmpty, "no reply of \(markers.count) reached the server: the walk tested nothing")
        for (marker, count) in delivered { #expect(count == 1, "\(marker) was delivered \(count) times") }
    }
}
