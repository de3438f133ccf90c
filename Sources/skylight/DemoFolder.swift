import Foundation

/// The folder a `--demo` run keeps its sandbox database and cache in, removed when the run ends.
///
/// Each run seeds a sandbox of its own, so nothing in the folder is of use to the next one.
struct DemoFolder {
    /// The folder's path, named after the process that owns it.
    let path: String

    static let prefix = "skylight-demo-"

    /// Makes this process's folder, first removing those of demo runs that no longer run
    /// (killed, or ended by a crash).
    static func create() -> DemoFolder {
        let temporary = NSTemporaryDirectory()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid != getpid(), !isRunning(pid) else { continue }
            try? FileManager.default.removeItem(atPath: temporary + name)
        }
        let folder = DemoFolder(path: temporary + prefix + "\(getpid())")
        try? FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        return folder
    }

    /// Deletes the folder and everything in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
