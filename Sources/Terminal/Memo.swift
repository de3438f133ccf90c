import Synchronization

/// Results of a pure function remembered by argument, for the render path. Bounded: cleared
/// whole when full, which costs one recomputation per entry and needs no bookkeeping.
final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let limit: Int
    let entries = Mutex<[Key: Value]>([:])

    init(limit: Int) { self.limit = limit }

    /// The remembered value for `key`, or `compute()`'s, remembered.
    func value(for key: Key, compute: () -> Value) -> Value {
        if let known = entries.withLock({ $0[key] }) { return known }
        let value = compute()
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
        return value
    }
}
