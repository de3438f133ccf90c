import Foundation
import GRDB

/// Another program holding an SQLite file's lock (a backup, a `sqlite3` shell left in a
/// transaction) until told to let go.
///
/// ```swift
/// let lock = try CacheLock(path: cachePath)
/// // … the inbox meets "database is locked" …
/// lock.letGo()
/// ```
public final class CacheLock: Sendable {
    let (locked, release, done) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))

    /// Takes the lock from a connection of its own and returns once it holds it.
    public init(path: String) throws {
        let other = try DatabaseQueue(path: path)
        // A thread of its own: the wait must not hold a worker that Swift concurrency needs.
        Thread { [locked, release, done] in
            try? other.inTransaction(.exclusive) { _ in locked.signal(); release.wait(); return .commit }
            done.signal()
        }.start()
        locked.wait()
    }

    /// Ends the transaction and returns once the lock is gone.
    public func letGo() { release.signal(); done.wait() }
}
