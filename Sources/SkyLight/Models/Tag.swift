/// A label attached to contacts.
public struct Tag: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var title: String?
    /// Included on list and show.
    public var contactsCount: Int?
    public var createdAt: Timestamp?

    /// Creates a tag record.
    public init(id: Int, title: String? = nil, contactsCount: Int? = nil, createdAt: Timestamp? = nil) {
        self.id = id; self.title = title; self.contactsCount = contactsCount; self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, title, contactsCount = "contacts_count", createdAt = "created_at"
    }
}

/// A static, named collection of contacts. Lists are named with `name`; status is 1 (active) or 0.
public struct ContactList: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var name: String?
    public var status: Int?
    public var contactsCount: Int?
    public var createdAt: Timestamp?

    /// Creates a list record.
    public init(id: Int, name: String? = nil, status: Int? = nil, contactsCount: Int? = nil, createdAt: Timestamp? = nil) {
        self.id = id; self.name = name; self.status = status; self.contactsCount = contactsCount; self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, contactsCount = "contacts_count", createdAt = "created_at"
    }
}

/// A programmatically populated group of contacts. Segments are named with `title`; status is 1 or 0.
public struct Segment: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var title: String?
    public var status: Int?
    public var contactsCount: Int?
    public var createdAt: Timestamp?

    /// Creates a segment record.
    public init(id: Int, title: String? = nil, status: Int? = nil, contactsCount: Int? = nil, createdAt: Timestamp? = nil) {
        self.id = id; self.title = title; self.status = status; self.contactsCount = contactsCount; self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, title, status, contactsCount = "contacts_count", createdAt = "created_at"
    }
}

/// A note an agent left on a contact.
///
/// The reference does not document this object; SkyLight Inbox reads
/// `{id, contact_id, content, created_at, updated_at}` and tolerates any subset but `id`.
public struct Note: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var contactID: Int?
    public var content: String?
    public var createdAt: Timestamp?
    public var updatedAt: Timestamp?

    /// Creates a note record.
    public init(id: Int, contactID: Int? = nil, content: String? = nil, createdAt: Timestamp? = nil, updatedAt: Timestamp? = nil) {
        self.id = id; self.contactID = contactID; self.content = content; self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, contactID = "contact_id", content, createdAt = "created_at", updatedAt = "updated_at"
    }
}
