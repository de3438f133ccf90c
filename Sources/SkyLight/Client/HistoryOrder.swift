import Synchronization

/// What a client has learned of the way its server lists a contact's history. The reference
/// leaves it open; the SDK gives callers page 1 as the newest messages either way.
final class HistoryOrder: Sendable {
    /// A history listing as asked for: the same contact, page size and direction share page numbers.
    struct Listing: Hashable, Sendable {
        var contactID: Int
        var perPage: Int?
        var direction: MessageDirection?
    }

    struct State {
        /// Nil until a page shows it: two messages of different times or ids.
        var oldestFirst: Bool?
        /// The server's last page of each listing, as last seen (oldest-first servers only).
        var lastPages: [Listing: Int] = [:]
    }

    let state = Mutex(State())

    var oldestFirst: Bool? { state.withLock { $0.oldestFirst } }

    func learn(oldestFirst: Bool) { state.withLock { $0.oldestFirst = oldestFirst } }

    func lastPage(_ listing: Listing) -> Int? { state.withLock { $0.lastPages[listing] } }

    func remember(lastPage: Int, of listing: Listing) { state.withLock { $0.lastPages[listing] = lastPage } }

    /// Which way a page lists its messages: true oldest first, nil when it cannot tell.
    static func listsOldestFirst(_ messages: [Message]) -> Bool? {
        guard let first = messages.first, let last = messages.last, first.id != last.id else { return nil }
        if let a = first.timestamp, let b = last.timestamp, a != b { return a < b }
        // Rows numbered as they come: ids rise with time.
        return first.id < last.id
    }
}
