/// A string value from the API with well-known cases that still accepts values this
/// version does not know, so a new server-side value never breaks decoding.
public protocol OpenEnum: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral where RawValue == String {
    init(rawValue: String)
}

extension OpenEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A messaging channel: `whatsapp`, `telegram` or `instagram`.
public struct ChannelType: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let whatsapp: ChannelType = "whatsapp"
    public static let telegram: ChannelType = "telegram"
    public static let instagram: ChannelType = "instagram"
    /// The three channels the API documents.
    public static let documented: [ChannelType] = [.whatsapp, .telegram, .instagram]
}

/// A contact's status: `active` or `inactive`.
public struct ContactStatus: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let active: ContactStatus = "active"
    public static let inactive: ContactStatus = "inactive"
}

/// Which way a message went: `inbound` (from the contact) or `outbound` (to the contact).
public struct MessageDirection: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let inbound: MessageDirection = "inbound"
    public static let outbound: MessageDirection = "outbound"
}

/// Delivery state of a message: `pending`, `sent`, `delivered`, `read` or `failed`.
public struct MessageStatus: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let pending: MessageStatus = "pending"
    public static let sent: MessageStatus = "sent"
    public static let delivered: MessageStatus = "delivered"
    public static let read: MessageStatus = "read"
    public static let failed: MessageStatus = "failed"
}

/// A campaign's lifecycle state.
public struct CampaignStatus: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let draft: CampaignStatus = "draft"
    public static let running: CampaignStatus = "running"
    public static let paused: CampaignStatus = "paused"
    public static let completed: CampaignStatus = "completed"
    public static let cancelled: CampaignStatus = "cancelled"
}

/// Delivery state of one contact enrolled in a campaign: `pending`, `sent` or `failed`.
public struct CampaignContactStatus: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let pending: CampaignContactStatus = "pending"
    public static let sent: CampaignContactStatus = "sent"
    public static let failed: CampaignContactStatus = "failed"
}

/// The kind of one message in a campaign's sequence: `text`, `image`, `document`, `video`, `audio`.
public struct CampaignMessageType: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let text: CampaignMessageType = "text"
    public static let image: CampaignMessageType = "image"
    public static let document: CampaignMessageType = "document"
    public static let video: CampaignMessageType = "video"
    public static let audio: CampaignMessageType = "audio"
}
