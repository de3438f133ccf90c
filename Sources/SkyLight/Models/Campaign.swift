/// A connected sending account (the API's `client_setting`), as listed by `GET /account/channels`.
///
/// `GET /account/channels` is not documented. SkyLight Inbox reads `{id, name, type, phone,
/// status, connected}` and tolerates any subset but `id`.
public struct Channel: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var name: String?
    public var type: ChannelType?
    public var phone: String?
    /// `connected` or `disconnected`.
    public var status: String?
    public var connected: Bool?

    /// Creates a channel record.
    public init(id: Int, name: String? = nil, type: ChannelType? = nil, phone: String? = nil, status: String? = nil, connected: Bool? = nil) {
        self.id = id; self.name = name; self.type = type; self.phone = phone; self.status = status; self.connected = connected
    }
}

/// The account's plan and campaign quota, from `GET /account/subscription`.
///
/// Not documented by the reference. SkyLight Inbox reads `{plan, status, campaigns_quota,
/// campaigns_used, campaigns_remaining, renews_at}`, all optional.
public struct Subscription: Codable, Hashable, Sendable {
    public var plan: String?
    public var status: String?
    public var campaignsQuota: Int?
    public var campaignsUsed: Int?
    public var campaignsRemaining: Int?
    public var renewsAt: Timestamp?

    /// Creates a subscription record.
    public init(plan: String? = nil, status: String? = nil, campaignsQuota: Int? = nil, campaignsUsed: Int? = nil,
                campaignsRemaining: Int? = nil, renewsAt: Timestamp? = nil) {
        self.plan = plan; self.status = status; self.campaignsQuota = campaignsQuota
        self.campaignsUsed = campaignsUsed; self.campaignsRemaining = campaignsRemaining; self.renewsAt = renewsAt
    }

    enum CodingKeys: String, CodingKey {
        case plan, status, campaignsQuota = "campaigns_quota", campaignsUsed = "campaigns_used"
        case campaignsRemaining = "campaigns_remaining", renewsAt = "renews_at"
    }
}

/// One message of a campaign's sequence.
public struct CampaignMessage: Codable, Hashable, Sendable {
    public var type: CampaignMessageType
    /// The text, or a media URL.
    public var content: String

    /// Creates one step of a campaign's sequence.
    public init(type: CampaignMessageType = .text, content: String) { self.type = type; self.content = content }
}

/// A multi-day outreach campaign.
public struct Campaign: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var name: String?
    public var status: CampaignStatus?
    public var totalContacts: Int?
    public var successCount: Int?
    public var failedCount: Int?
    public var campaignDay: Int?
    public var messagesSentToday: Int?
    public var isNewNumber: Bool?
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?
    public var progressPercentage: Int?
    public var dailyLimit: Int?
    public var remainingToday: Int?
    public var clientSetting: Channel?
    public var messages: [CampaignMessage]?
    public var campaignContactsCount: Int?
    public var sentContactsCount: Int?
    public var failedContactsCount: Int?
    public var pendingContactsCount: Int?
    public var createdAt: Timestamp?

    /// Creates a campaign record with only its id; decode real ones from the API.
    public init(id: Int) { self.id = id }

    enum CodingKeys: String, CodingKey {
        case id, name, status, messages
        case totalContacts = "total_contacts", successCount = "success_count", failedCount = "failed_count"
        case campaignDay = "campaign_day", messagesSentToday = "messages_sent_today", isNewNumber = "is_new_number"
        case startedAt = "started_at", completedAt = "completed_at", progressPercentage = "progress_percentage"
        case dailyLimit = "daily_limit", remainingToday = "remaining_today", clientSetting = "client_setting"
        case campaignContactsCount = "campaign_contacts_count", sentContactsCount = "sent_contacts_count"
        case failedContactsCount = "failed_contacts_count", pendingContactsCount = "pending_contacts_count"
        case createdAt = "created_at"
    }
}

/// The body of `POST /campaigns`. At least one of `contactIDs`, `listIDs`, `segmentIDs` is required.
public struct NewCampaign: Codable, Hashable, Sendable {
    public var name: String
    public var channelID: Int
    public var messages: [CampaignMessage]
    public var isNewNumber: Bool?
    public var contactIDs: [Int]?
    public var listIDs: [Int]?
    public var segmentIDs: [Int]?

    /// Creates the body of a new campaign.
    public init(name: String, channelID: Int, messages: [CampaignMessage], isNewNumber: Bool? = nil,
                contactIDs: [Int]? = nil, listIDs: [Int]? = nil, segmentIDs: [Int]? = nil) {
        self.name = name; self.channelID = channelID; self.messages = messages; self.isNewNumber = isNewNumber
        self.contactIDs = contactIDs; self.listIDs = listIDs; self.segmentIDs = segmentIDs
    }

    enum CodingKeys: String, CodingKey {
        case name, messages, channelID = "channel_id", isNewNumber = "is_new_number"
        case contactIDs = "contact_ids", listIDs = "list_ids", segmentIDs = "segment_ids"
    }
}

/// The body of `PUT /campaigns/{id}` (draft campaigns only).
public struct CampaignUpdate: Codable, Hashable, Sendable {
    public var name: String?
    public var messages: [CampaignMessage]?
    public var isNewNumber: Bool?

    /// Creates a partial campaign update.
    public init(name: String? = nil, messages: [CampaignMessage]? = nil, isNewNumber: Bool? = nil) {
        self.name = name; self.messages = messages; self.isNewNumber = isNewNumber
    }

    enum CodingKeys: String, CodingKey { case name, messages, isNewNumber = "is_new_number" }
}

/// One contact enrolled in a campaign and its delivery state.
public struct CampaignContact: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var status: CampaignContactStatus?
    public var phone: String?
    public var sentAt: Timestamp?
    public var error: String?
    public var contact: Contact?

    /// Creates an enrolment record.
    public init(id: Int, status: CampaignContactStatus? = nil, phone: String? = nil, sentAt: Timestamp? = nil,
                error: String? = nil, contact: Contact? = nil) {
        self.id = id; self.status = status; self.phone = phone; self.sentAt = sentAt; self.error = error; self.contact = contact
    }

    enum CodingKeys: String, CodingKey { case id, status, phone, error, contact, sentAt = "sent_at" }
}
