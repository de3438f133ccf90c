import Foundation
import Logging
import Synchronization

/// Writes to the local cache in order, on a queue of its own: a slow disk, or a lock another
/// program holds for seconds, never stalls the screen or the network. A write that fails stays
/// queued and is tried again, so a reply or a draft is kept on disk once the cache takes writes.
final class CacheWriter: Sendable {
    /// One queued write, or something to start once the writes before it are done.
    struct Entry: Sendable {
        enum Job: Sendable {
            case write(@Sendable (LocalStore) throws -> Void)
            case then(@Sendable () -> Void)
        }
        /// What it writes ("reply 7f…", "draft for contact 42"): a newer write of the same thing replaces one still queued.
        let what: String
        let job: Job
        /// Tells this entry from a newer one of the same name that replaced it mid-write.
        let serial: Int
        /// A copy of what the server holds: the next refresh brings it back if it is lost.
        let isServerCopy: Bool
    }

    struct Pending {
        var entries: [Entry] = []
        /// A drain is running or scheduled: new entries only join the queue.
        var draining = false
        /// The last write failed; the queue is waiting to try again.
        var failing = false
        var lastFailure = ContinuousClock.now
        var serial = 0
        var retryDelay: Duration = .zero
    }

    let store: LocalStore
    let queue = DispatchQueue(label: "skylight.cache-writes", qos: .utility)
    let pending = Mutex(Pending())
    let logger: Logger
    /// Told when writes start failing (with SQLite's reason) and when they work again (nil):
    /// a full disk or a lock held by another program would otherwise go unseen in the log.
    let reportChange: @Sendable (String?) -> Void
    /// The first wait before trying a failed write again; it doubles up to `longestRetryDelay`.
    let firstRetryDelay: Duration
    static let longestRetryDelay = Duration.seconds(30)

    init(store: LocalStore, logger: Logger = Logger(label: "skylight.cache"), firstRetryDelay: Duration = .seconds(1),
         reportChange: @escaping @Sendable (String?) -> Void) {
        self.store = store; self.logger = logger; self.firstRetryDelay = firstRetryDelay; self.reportChange = reportChange
    }

    /// Queues a write of the agent's own work (a reply, a draft, a read mark) behind the others.
    func write(_ what: String, _ body: @escaping @Sendable (LocalStore) throws -> Void) {
        enqueue(what, .write(body))
    }

    /// Queues a write of a copy of the server's data, kept so the next start paints at once.
    func copy(_ what: String, _ body: @escaping @Sendable (LocalStore) throws -> Void) {
        enqueue(what, .write(body), isServerCopy: true)
    }

    /// Starts `body` once every write queued before it is on disk, or has failed once: a reply
    /// must be in the outbox before its send starts, but a cache that cannot be written must
    /// not hold the send back.
    func afterWrites(_ body: @escaping @Sendable () -> Void) {
        let now = pending.withLock { writes -> Bool in
            writes.failing || (writes.entries.isEmpty && !writes.draining)
        }
        if now { body() } else { enqueue("then", .then(body)) }
    }

    func enqueue(_ what: String, _ job: Entry.Job, isServerCopy: Bool = false) {
        let start = pending.withLock { writes -> Bool in
            writes.serial += 1
            let entry = Entry(what: what, job: job, serial: writes.serial, isServerCopy: isServerCopy)
            if case .write = job, let index = writes.entries.firstIndex(where: { $0.what == what }) {
                writes.entries[index] = entry
            } else {
                writes.entries.append(entry)
            }
            guard !writes.draining else { return false }
            writes.draining = true
            return true
        }
        if start { queue.async { self.drain(retry: true) } }
    }

    /// Writes what is queued, in order, until the queue is empty or a write fails. On a failure
    /// the waiting sends start, and with `retry` the rest is tried again after a pause.
    func drain(retry: Bool) {
        while true {
            guard let next = pending.withLock({ writes -> Entry? in
                if writes.entries.isEmpty { writes.draining = false }
                return writes.entries.first
            }) else { return }
            let body: @Sendable (LocalStore) throws -> Void
            switch next.job {
            case .write(let write):
                body = write
            case .then(let start):
                pending.withLock { writes in writes.entries.removeAll { $0.serial == next.serial } }
                start()
                continue
            }
            do {
                try body(store)
                let recovered = pending.withLock { writes in
                    if writes.entries.first?.serial == next.serial { writes.entries.removeFirst() }
                    defer { writes.failing = false; writes.retryDelay = .zero }
                    return writes.failing
                }
                if recovered { reportChange(nil) }
            } catch {
                logger.error("\(next.what) not saved yet: \(error)")
                let (started, waiting, delay) = pending.withLock { writes in
                    defer { writes.failing = true; writes.lastFailure = .now }
                    writes.retryDelay = min(max(firstRetryDelay, writes.retryDelay * 2), Self.longestRetryDelay)
                    let waiting = writes.entries.compactMap { entry -> (@Sendable () -> Void)? in
                        if case .then(let body) = entry.job { body } else { nil }
                    }
                    writes.entries.removeAll { if case .then = $0.job { true } else { false } }
                    if !retry { writes.draining = false }
                    return (!writes.failing, waiting, writes.retryDelay)
                }
                if started { reportChange(LocalStore.reason(error)) }
                for body in waiting { body() }
                if retry {
                    queue.asyncAfter(deadline: .now() + delay / .seconds(1)) { self.drain(retry: true) }
                }
                return
            }
        }
    }

    /// Writes everything queued now, trying a failing write once more rather than waiting to
    /// retry: the inbox is leaving or stopping. A write that failed this past second is not tried
    /// again, so leaving waits out SQLite's busy timeout at most once. Returns the agent's work
    /// left unwritten.
    func finish() -> [String] {
        queue.sync {
            let justFailed = pending.withLock { writes in writes.failing && ContinuousClock.now - writes.lastFailure < .seconds(1) }
            if !justFailed { drain(retry: false) }
            return pending.withLock { writes in writes.entries.filter { !$0.isServerCopy }.map(\.what) }
        }
    }
}
