import Foundation

/// Two inboxes on one account (two terminals, two SSH sessions) share the cache file. Each
/// holds a lock while it runs; a restart takes over only the replies of inboxes that have ended.
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
                if held >= 0 { close(held) }
                held = fd
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
}
