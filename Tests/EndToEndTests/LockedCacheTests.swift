import Foundation
import GRDB
import Testing
import TestSupport
import SkyLightSandbox

/// Another program holding the inbox's cache locked (a backup, a sqlite3 shell left open): the
/// agent is told, keeps working, and loses nothing once the lock goes.
struct LockedCacheTests {
    @Test func aLockedCacheIsReportedCaughtUpWithAndNamedOnLeaving() async throws {
        try await TerminalLock.exclusive { try await aLockedCacheIsReportedCaughtUpWithAndNamedOnLeavingExclusively() }
    }

    func aLockedCacheIsReportedCaughtUpWithAndNamedOnLeavingExclusively() async throws {
        let setup = try await TriageTests.setup()
        defer { setup.tearDown() }
        let tmux = try await Tmux(width: 120, height: 30, command: "sh -c '\(Tmux.binary); echo EXIT=$?; exec sleep 60'", environment: setup.environment)
        defer { tmux.kill() }
        try await tmux.wait(for: "Conversations 240", timeout: 60)
        try await tmux.wait(for: "● live", timeout: 30)
        let cacheFolder = setup.home + "/.cache/skylight"
        let cache = try #require(try FileManager.default.contentsOfDirectory(atPath: cacheFolder).first { $0.hasSuffix(".sqlite") })
        let path = cacheFolder + "/" + cache
        let contact = try await setup.client.messages.conversations(perPage: 1).items[0].contactID

        var lock = try CacheLock(path: path)
        try await tmux.keys("r")
        try await tmux.type("kept through the lock")
        try await tmux.keys("Escape")
        try await tmux.wait(for: "Not saved on disk: database is locked")
        // Still answering keys meanwhile.
        try await tmux.keys("j")
        try await tmux.wait(for: " 2/240 ")
        lock.letGo()
        try await tmux.wait(for: "Saved to disk again")
        let saved = try await DatabaseQueue(path: path).read { db in
            try String.fetchOne(db, sql: "SELECT text FROM drafts WHERE contact_id = ?", arguments: [contact])
        }
        #expect(saved == "kept through the lock")

        lock = try CacheLock(path: path)
        defer { lock.letGo() }
        try await tmux.keys("r")
        try await tmux.type("typed with the lock held")
        try await tmux.keys("Escape", "q")
        try await tmux.wait(for: "EXIT=0", timeout: 20)
        #expect(try await tmux.screen().contains("not saved: draft for contact"))
    }
}
