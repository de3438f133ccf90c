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

    /// `GET /contacts/{id}/messages`: one page of a contact's history, newest first.
    public func history(contactID: Int, page: Int = 1, perPage: Int? = nil,
                        direction: MessageDirection? = nil) async throws -> Page<Message> {
        try await client.page(Message.self, Endpoint("GET", "/contacts/\(contactID)/messages", query: [
            ("page", String(page)), ("per_page", perPage.map { String(min($0, 100)) }), ("direction", direction?.rawValue),
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
