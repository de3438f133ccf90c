/// Conversations, message history and sending.
public struct MessagesAPI: Sendable {
    let client: SkyLightClient

    /// `GET /conversations`: newest `last_message_at` first, one row per contact.
    public func conversations(page: Int = 1, perPage: Int? = nil, channel: ChannelType? = nil,
                              contactID: Int? = nil) async throws -> Page<Conversation> {
        try await client.page(Conversation.self, Endpoint("GET", "/conversations", query: [
            ("page", String(page)), ("per_page", perPage.map { String(min($0, 100)) }),
            ("channel", channel?.rawValue), ("contact_id", contactID.map(String.init)),
        ]))
    }

    /// Every conversation, page by page.
    public func allConversations(perPage: Int = 100, channel: ChannelType? = nil) -> PageSequence<Conversation> {
        let api = self
        return PageSequence { page in try await api.conversations(page: page, perPage: perPage, channel: channel) }
    }

    /// `GET /contacts/{id}/messages`: one page of a contact's history, page 1 the newest
    /// messages, each page newest first.
    ///
    /// The reference does not say which way a server lists a history. The client learns it from
    /// the first page that shows it, and reads a server that lists oldest first from its last
    /// page back, so callers see the same either way:
    ///
    ///     let latest = try await client.messages.history(contactID: 42, perPage: 50).items.first
    public func history(contactID: Int, page: Int = 1, perPage: Int? = nil,
                        direction: MessageDirection? = nil) async throws -> Page<Message> {
        let listing = HistoryOrder.Listing(contactID: contactID, perPage: perPage, direction: direction)
        if client.historyOrder.oldestFirst == true {
            if let last = client.historyOrder.lastPage(listing) { return try await history(listing, page: page, fromTheEnd: last) }
            let first = try await serverHistory(listing, page: 1)
            return try await history(listing, page: page, fromTheEnd: first.meta.lastPage, reusing: (1, first))
        }
        let fetched = try await serverHistory(listing, page: page)
        guard let oldestFirst = HistoryOrder.listsOldestFirst(fetched.items) else { return fetched }
        client.historyOrder.learn(oldestFirst: oldestFirst)
        return oldestFirst ? try await history(listing, page: page, fromTheEnd: fetched.meta.lastPage, reusing: (page, fetched)) : fetched
    }

    /// Page `page` counted from the newest, of a server that lists oldest first and whose last
    /// page was `last`. A short last page is topped up with the one before it, so page 1 holds
    /// at least a page of messages. A server page already fetched (`reusing`) is not asked for again.
    func history(_ listing: HistoryOrder.Listing, page: Int, fromTheEnd last: Int,
                 reusing known: (number: Int, page: Page<Message>)? = nil) async throws -> Page<Message> {
        func serverPage(_ number: Int) async throws -> Page<Message> {
            if let known, known.number == number { return known.page }
            return try await serverHistory(listing, page: number)
        }
        var last = last
        for _ in 0..<3 {
            let number = last - page + 1
            guard number >= 1 else { return Page(items: [], meta: PageMeta(currentPage: page, lastPage: last, perPage: listing.perPage ?? 0, total: 0)) }
            let fetched = try await serverPage(number)
            // Messages arrived and the last page moved on: count again from the new end.
            guard fetched.meta.lastPage == last else { last = max(1, fetched.meta.lastPage); continue }
            client.historyOrder.remember(lastPage: last, of: listing)
            var items = Array(fetched.items.reversed())
            if page == 1, number > 1, items.count < fetched.meta.perPage {
                items += try await serverPage(number - 1).items.reversed()
            }
            return Page(items: items, meta: PageMeta(currentPage: page, lastPage: last, perPage: fetched.meta.perPage, total: fetched.meta.total))
        }
        throw SkyLightError.decoding(endpoint: "GET /contacts/\(listing.contactID)/messages", path: "meta.last_page",
                                     detail: "changed on every read")
    }

    /// One page of a history exactly as the server lists it.
    func serverHistory(_ listing: HistoryOrder.Listing, page: Int) async throws -> Page<Message> {
        try await client.page(Message.self, Endpoint("GET", "/contacts/\(listing.contactID)/messages", query: [
            ("page", String(page)), ("per_page", listing.perPage.map { String(min($0, 100)) }), ("direction", listing.direction?.rawValue),
        ]))
    }

    /// `POST /messages/send`.
    ///
    /// A message that could not be delivered is saved by the server and thrown as
    /// ``SkyLightError/unsuccessful(status:message:savedMessage:)`` carrying it.
    /// Never retried after an unknown outcome: read the history back to learn whether it went.
    public func send(contactID: Int, message: String) async throws -> Message {
        try await client.data(Message.self, Endpoint("POST", "/messages/send",
                                                     body: client.body(SendBody(contactID: contactID, message: message))))
    }

    struct SendBody: Encodable {
        var contactID: Int
        var message: String
        enum CodingKeys: String, CodingKey { case contactID = "contact_id", message }
    }
}

extension SkyLightClient {
    /// Conversations, histories and sending.
    public var messages: MessagesAPI { MessagesAPI(client: self) }
}
