import Foundation

/// Two inboxes on one account (two terminals, two SSH sessions) share the cache file. Each
/// holds a lock while it runs; a restart takes over only the replies of inboxes that have ended.
extension LocalStore {
    /// Marks this inbox, named `instance`, as running until the process ends.
    public func claim(instance: String) {
        guard let folder = instancesFolder else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fd = open(folder + "/" + instance + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return }
        claimed.withLock { held in
            if held >= 0 { close(held) }
            held = fd
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
