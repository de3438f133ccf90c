/// One message in a conversation with a contact.
public struct Message: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var contactID: Int?
    public var direction: MessageDirection?
    public var channel: ChannelType?
    public var content: String?
    public var status: MessageStatus?
    /// Why delivery failed, on a message whose status is `failed`.
    public var error: String?
    public var sentAt: Timestamp?
    public var createdAt: Timestamp?

    /// Creates a message record.
    public init(id: Int, contactID: Int? = nil, direction: MessageDirection? = nil, channel: ChannelType? = nil,
                content: String? = nil, status: MessageStatus? = nil, error: String? = nil,
                sentAt: Timestamp? = nil, createdAt: Timestamp? = nil) {
        self.id = id; self.contactID = contactID; self.direction = direction; self.channel = channel
        self.content = content; self.status = status; self.error = error; self.sentAt = sentAt; self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, contactID = "contact_id", direction, channel, content, status, error
        case sentAt = "sent_at", createdAt = "created_at"
    }

    /// The best known time of this message: `created_at`, else `sent_at`.
    public var timestamp: Timestamp? { createdAt ?? sentAt }
}

/// One row of `GET /conversations`: the latest state of the conversation with one contact.
public struct Conversation: Codable, Hashable, Sendable, Identifiable {
    public var contactID: Int
    public var contactName: String?
    public var channel: ChannelType?
    public var lastMessage: String?
    public var lastMessageAt: Timestamp?
    public var unreadCount: Int?

    /// Conversations are grouped by contact, so the contact id identifies one.
    public var id: Int { contactID }

    /// Creates a conversation row.
    public init(contactID: Int, contactName: String? = nil, channel: ChannelType? = nil, lastMessage: String? = nil,
                lastMessageAt: Timestamp? = nil, unreadCount: Int? = nil) {
        self.contactID = contactID; self.contactName = contactName; self.channel = channel
        self.lastMessage = lastMessage; self.lastMessageAt = lastMessageAt; self.unreadCount = unreadCount
    }

    enum CodingKeys: String, CodingKey {
        case contactID = "contact_id", contactName = "contact_name", channel, lastMessage = "last_message"
        case lastMessageAt = "last_message_at", unreadCount = "unread_count"
    }
}
