/// Pagination metadata as the API sends it in `meta`.
public struct PageMeta: Codable, Hashable, Sendable {
    public var currentPage: Int
    public var lastPage: Int
    public var perPage: Int
    public var total: Int

    /// Creates pagination metadata.
    public init(currentPage: Int, lastPage: Int, perPage: Int, total: Int) {
        self.currentPage = currentPage; self.lastPage = lastPage; self.perPage = perPage; self.total = total
    }

    enum CodingKeys: String, CodingKey {
        case currentPage = "current_page", lastPage = "last_page", perPage = "per_page", total
    }
}

/// One page of a paginated listing.
///
/// Some listings (tags, campaign contacts) come without `meta`; such a page is the whole
/// listing, and ``meta`` is derived from it.
public struct Page<Element: Sendable & Hashable>: Sendable, Hashable {
    public var items: [Element]
    public var meta: PageMeta

    /// Creates a page.
    public init(items: [Element], meta: PageMeta) { self.items = items; self.meta = meta }

    /// Whether a later page exists.
    public var hasMore: Bool { meta.currentPage < meta.lastPage }
}
