/// A person the account talks to on one channel.
///
/// Only `id` is always present: list rows, update responses and the blacklist toggle carry
/// partial objects, so every other field is optional. Use ``merging(_:)`` to fold a partial
/// response into a full record.
public struct Contact: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var name: String?
    public var email: String?
    public var phone: String?
    public var type: ChannelType?
    public var status: ContactStatus?
    public var blacklisted: Bool?
    /// Tag titles (not ids): map them to ids through the tag list to remove one.
    public var tags: [String]?
    public var lastMessageAt: Timestamp?
    public var createdAt: Timestamp?
    public var updatedAt: Timestamp?

    /// Creates a contact record; every field but `id` may be left out.
    public init(id: Int, name: String? = nil, email: String? = nil, phone: String? = nil, type: ChannelType? = nil,
                status: ContactStatus? = nil, blacklisted: Bool? = nil, tags: [String]? = nil,
                lastMessageAt: Timestamp? = nil, createdAt: Timestamp? = nil, updatedAt: Timestamp? = nil) {
        self.id = id; self.name = name; self.email = email; self.phone = phone; self.type = type
        self.status = status; self.blacklisted = blacklisted; self.tags = tags
        self.lastMessageAt = lastMessageAt; self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, email, phone, type, status, blacklisted, tags
        case lastMessageAt = "last_message_at", createdAt = "created_at", updatedAt = "updated_at"
    }

    /// This record with every field that `newer` carries taken from `newer`.
    public func merging(_ newer: Contact) -> Contact {
        var c = self
        c.name = newer.name ?? name; c.email = newer.email ?? email; c.phone = newer.phone ?? phone
        c.type = newer.type ?? type; c.status = newer.status ?? status; c.blacklisted = newer.blacklisted ?? blacklisted
        c.tags = newer.tags ?? tags; c.lastMessageAt = newer.lastMessageAt ?? lastMessageAt
        c.createdAt = newer.createdAt ?? createdAt; c.updatedAt = newer.updatedAt ?? updatedAt
        return c
    }
}

/// The body of `POST /contacts`.
public struct NewContact: Codable, Hashable, Sendable {
    public var name: String
    public var type: ChannelType
    /// Required for WhatsApp and Telegram contacts.
    public var phone: String?
    public var email: String?
    public var tags: [String]?

    /// Creates the body of a new contact.
    public init(name: String, type: ChannelType, phone: String? = nil, email: String? = nil, tags: [String]? = nil) {
        self.name = name; self.type = type; self.phone = phone; self.email = email; self.tags = tags
    }
}

/// The body of `PUT /contacts/{id}`: only the fields set here are sent, and only they change.
public struct ContactUpdate: Codable, Hashable, Sendable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public var type: ChannelType?
    public var status: ContactStatus?
    public var tags: [String]?

    /// Creates a partial update; leave a field `nil` to keep its current value.
    public init(name: String? = nil, email: String? = nil, phone: String? = nil, type: ChannelType? = nil,
                status: ContactStatus? = nil, tags: [String]? = nil) {
        self.name = name; self.email = email; self.phone = phone; self.type = type; self.status = status; self.tags = tags
    }
}

/// Filters for `GET /contacts`.
public struct ContactQuery: Hashable, Sendable {
    /// Matches name, email or phone.
    public var search: String?
    public var type: ChannelType?
    public var blacklisted: Bool?
    /// A tag title.
    public var tag: String?

    /// Creates a filter; `nil` fields do not filter.
    public init(search: String? = nil, type: ChannelType? = nil, blacklisted: Bool? = nil, tag: String? = nil) {
        self.search = search; self.type = type; self.blacklisted = blacklisted; self.tag = tag
    }
}
