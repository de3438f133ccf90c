import Synchronization

/// The loads that fill in what the agent looks at (a thread's newest page, a contact, its
/// notes), newest batch first, a few at a time. Moving down the list faster than the server
/// answers would otherwise queue the rows passed over ahead of the one the agent stops on.
struct PreviewQueue: Sendable {
    /// Loads asked for together (one pass of the main loop), oldest batch first.
    var batches: [[Effect]] = []
    /// Loads under way.
    var running = 0
    /// When the last batch came, and how many have come: a held key sends a batch per row.
    var lastAdded: ContinuousClock.Instant?
    var added = 0
    /// While keys come fast, nothing starts before this.
    var holdUntil: ContinuousClock.Instant?
    /// How many loads run at once: the rest of the connection pool stays free for sends and polls.
    static let atOnce = 4
    /// How many loads may wait: three conversations' worth. Older ones are skipped.
    static let waitingAtMost = 9
    /// Batches closer together than this are a key held down or typed fast: the loads wait
    /// until the keys pause, so none go out for rows merely passed over.
    static let settle = Duration.milliseconds(60)

    /// Adds a batch ahead of the waiting ones; returns the loads that fell off the end, and
    /// whether the loads may start now rather than when the keys pause.
    ///
    /// Loads for `lookingAt`, the conversation the agent is on, go first, wherever they waited.
    mutating func add(_ batch: [Effect], at now: ContinuousClock.Instant, lookingAt: Int? = nil) -> (skipped: [Effect], startNow: Bool) {
        let fast = lastAdded.map { now - $0 < Self.settle } ?? false
        lastAdded = now
        added += 1
        if fast { holdUntil = now + Self.settle }
        for index in batches.indices { batches[index].removeAll { batch.contains($0) } }
        batches.append(batch)
        if let lookingAt {
            let focused = batches.flatMap { $0.filter { $0.contact == lookingAt } }
            for index in batches.indices { batches[index].removeAll { $0.contact == lookingAt } }
            batches.append(focused)
        }
        batches.removeAll(where: \.isEmpty)
        var skipped: [Effect] = []
        while batches.reduce(0, { $0 + $1.count }) > Self.waitingAtMost {
            skipped.append(batches[0].removeLast())
            if batches[0].isEmpty { batches.removeFirst() }
        }
        return (skipped, !fast)
    }

    /// The next load to start, if one waits, there is room, and keys are not coming fast;
    /// counts it as running.
    mutating func next(at now: ContinuousClock.Instant) -> Effect? {
        guard running < Self.atOnce, !batches.isEmpty, holdUntil.map({ now >= $0 }) ?? true else { return nil }
        let load = batches[batches.count - 1].removeFirst()
        if batches[batches.count - 1].isEmpty { batches.removeLast() }
        running += 1
        return load
    }
}

extension Effect {
    /// The conversation a preview load is for.
    var contact: Int? {
        switch self {
        case .loadThread(let id, _), .loadContact(let id), .loadNotes(let id): return id
        default: return nil
        }
    }

    /// Loads that fill in a conversation the agent moved to, or one next to it.
    var isPreviewLoad: Bool {
        switch self {
        case .loadThread(_, let page): return page == 1
        case .loadContact, .loadNotes: return true
        default: return false
        }
    }
}
