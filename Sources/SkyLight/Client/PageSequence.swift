/// All items of a paginated listing as an `AsyncSequence` that fetches each page only when
/// the previous one has been consumed.
///
/// ```swift
/// for try await contact in client.contacts.all(ContactQuery(tag: "vip")) {
///     print(contact.name ?? "")
/// }
/// ```
public struct PageSequence<Element: Sendable & Hashable>: AsyncSequence, Sendable {
    /// Fetches page `n` (1-based).
    let fetch: @Sendable (Int) async throws -> Page<Element>

    /// Creates a sequence over a page-fetching function.
    public init(fetch: @escaping @Sendable (Int) async throws -> Page<Element>) { self.fetch = fetch }

    public func makeAsyncIterator() -> Iterator { Iterator(fetch: fetch) }

    /// Iterates items, one page request at a time.
    public struct Iterator: AsyncIteratorProtocol {
        let fetch: @Sendable (Int) async throws -> Page<Element>
        var buffer: [Element] = []
        var index = 0
        var nextPage = 1
        var finished = false

        public mutating func next() async throws -> Element? {
            while index >= buffer.count {
                guard !finished else { return nil }
                let page = try await fetch(nextPage)
                buffer = page.items; index = 0
                nextPage = page.meta.currentPage + 1
                finished = !page.hasMore || page.items.isEmpty
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

extension PageSequence {
    /// Collects every item of every page.
    public func collect() async throws -> [Element] {
        var all: [Element] = []
        for try await item in self { all.append(item) }
        return all
    }
}
