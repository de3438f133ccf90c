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

    /// Why the lock could not be taken; written before `locked` is signalled, read after.
    final class Failure: @unchecked Sendable { var error: (any Error)? }

    /// Takes the lock from a connection of its own and returns once it holds it, or throws.
    public init(path: String) throws {
        var configuration = Configuration()
        // The inbox may be writing at this very moment: wait for it rather than fail (and,
        // failing, never signal: the caller then waited for ever).
        configuration.busyMode = .timeout(10)
        let other = try DatabaseQueue(path: path, configuration: configuration)
        let failure = Failure()
        // A thread of its own: the wait must not hold a worker that Swift concurrency needs.
        Thread { [locked, release, done] in
            do {
                try other.inTransaction(.exclusive) { _ in locked.signal(); release.wait(); return .commit }
            } catch {
                failure.error = error
                locked.signal()
            }
            done.signal()
        }.start()
        locked.wait()
        if let error = failure.error { throw error }
    }

    /// Ends the transaction and returns once the lock is gone.
    public func letGo() { release.signal(); done.wait() }
}
