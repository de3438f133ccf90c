import Foundation

/// The folder a `--demo` run keeps its sandbox database and cache in, removed when the run ends.
///
/// Each run seeds a sandbox of its own, so nothing in the folder is of use to the next one.
struct DemoFolder {
    /// The folder's path, named after the process that owns it and a random part.
    let path: String

    static let prefix = "skylight-demo-"

    /// Makes this process's folder, first removing those of demo runs that no longer run
    /// (killed, or ended by a crash).
    ///
    /// The folder is made by `mkdtemp`: private (0700), and under a name no other user of a
    /// shared `/tmp` could have prepared in advance (a name from the process ID alone could be
    /// taken first, as a folder of theirs or a link to one). Returns nil if none can be made.
    static func create() -> DemoFolder? {
        let temporary = NSTemporaryDirectory()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix(prefix) {
            let owner = name.dropFirst(prefix.count).prefix { $0 != "-" }
            guard let pid = pid_t(owner), pid != getpid(), !isRunning(pid) else { continue }
            try? FileManager.default.removeItem(atPath: temporary + name)
        }
        var template = Array((temporary + prefix + "\(getpid())-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { return nil }
        return DemoFolder(path: String(cString: made))
    }

    /// Deletes the folder and everything in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
