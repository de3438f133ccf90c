import Foundation
import GRDB

/// Two inboxes on one account (two terminals, two SSH sessions) share the cache file. Each
/// holds a lock while it runs; a start takes over only the replies and kept notes of inboxes
/// that have ended.
extension LocalStore {
    /// Marks this inbox, named `instance`, as running until the process ends, and clears away
    /// the locks of inboxes that have ended (one file per run would otherwise pile up).
    public func claim(instance: String) {
        guard let folder = instancesFolder else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".lock") {
            _ = isRunning(owner: String(name.dropLast(".lock".count)))
        }
        let path = folder + "/" + instance + ".lock"
        for _ in 0..<3 {
            let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return }
            // Another inbox starting at the same moment may have taken the file for an ended
            // one's and removed it before the lock held: then lock a new one.
            var opened = stat(), named = stat()
            guard fstat(fd, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino else { close(fd); continue }
            claimed.withLock { held in
                if held.lock >= 0 { close(held.lock) }
                held = (fd, instance)
            }
            return
        }
    }

    /// Whether the inbox named `owner` is running now (it holds its lock). A lock left by one
    /// that has ended is cleared away.
    func isRunning(owner: String?) -> Bool {
        guard let owner, let folder = instancesFolder else { return false }
        let path = folder + "/" + owner + ".lock"
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        unlink(path)
        return false
    }

    /// This inbox's kept notes and unsent replies, with those of inboxes that have ended made
    /// its own in the same transaction. Made its own, not only read: a third inbox starting
    /// while this one runs leaves them alone, where it would otherwise take them over too and
    /// show (and send) the same reply twice.
    func takeOverFromEnded() throws -> (notes: [Int: [String]], outbox: [OutboxEntry]) {
        let me = claimed.withLock { $0.instance }
        // Unnamed rows (from before instances were named) belong to no running inbox.
        var running = ["": false]
        running[me] = true
        func ended(_ owner: String) -> Bool {
            if let known = running[owner] { return !known }
            let now = isRunning(owner: owner)
            running[owner] = now
            return !now
        }
        return try db.write { db in
            var notes: [Int: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT owner, contact_id, texts FROM note_drafts ORDER BY owner = ? DESC", arguments: [me]) {
                guard ended(row[0]) || row[0] == me, let texts = try? JSONDecoder().decode([String].self, from: row[2] as Data) else { continue }
                let contactID: Int = row[1]
                for text in texts where !(notes[contactID]?.contains(text) ?? false) { notes[contactID, default: []].append(text) }
                try db.execute(sql: "DELETE FROM note_drafts WHERE owner = ? AND contact_id = ?", arguments: [row[0], contactID])
            }
            for (contactID, texts) in notes {
                try db.execute(sql: "INSERT INTO note_drafts(owner, contact_id, texts) VALUES (?, ?, ?)",
                               arguments: [me, contactID, try JSONEncoder().encode(texts)])
            }
            var outbox: [OutboxEntry] = []
            for var entry in try Self.outbox(db) {
                let owner = entry.owner ?? ""
                guard owner == me || ended(owner) else { continue }
                // An unnamed inbox (a test's store) keeps ids as they are.
                if owner != me, !me.isEmpty {
                    let id = entry.id(takenOverBy: me)
                    try db.execute(sql: "UPDATE outbox SET id = ? WHERE id = ?", arguments: [id, entry.id])
                    entry.id = id
                }
                outbox.append(entry)
            }
            return (notes, outbox)
        }
    }
}
