/// `/campaigns`: multi-day outreach with daily send limits.
public struct CampaignsAPI: Sendable {
    let client: SkyLightClient

    /// `GET /campaigns`.
    public func list(status: CampaignStatus? = nil, page: Int = 1, perPage: Int? = nil) async throws -> Page<Campaign> {
        try await client.page(Campaign.self, Endpoint("GET", "/campaigns", query: [
            ("status", status?.rawValue), ("page", page == 1 ? nil : String(page)),
            ("per_page", perPage.map { String(min($0, 100)) }),
        ]))
    }

    /// `POST /campaigns`: created as a draft; call ``start(_:)`` to send.
    public func create(_ campaign: NewCampaign) async throws -> Campaign {
        try await client.data(Campaign.self, Endpoint("POST", "/campaigns", body: client.body(campaign)))
    }

    /// `GET /campaigns/{id}`.
    public func get(_ id: Int) async throws -> Campaign {
        try await client.data(Campaign.self, Endpoint("GET", "/campaigns/\(id)"))
    }

    /// `PUT /campaigns/{id}`: drafts only.
    public func update(_ id: Int, _ changes: CampaignUpdate) async throws -> Campaign {
        try await client.data(Campaign.self, Endpoint("PUT", "/campaigns/\(id)", body: client.body(changes)))
    }

    /// `POST /campaigns/{id}/start`: draft → running.
    public func start(_ id: Int) async throws -> Campaign { try await transition(id, "start") }
    /// `POST /campaigns/{id}/pause`: running → paused, at once.
    public func pause(_ id: Int) async throws -> Campaign { try await transition(id, "pause") }
    /// `POST /campaigns/{id}/resume`: paused → running.
    public func resume(_ id: Int) async throws -> Campaign { try await transition(id, "resume") }
    /// `POST /campaigns/{id}/cancel`: final.
    public func cancel(_ id: Int) async throws -> Campaign { try await transition(id, "cancel") }

    func transition(_ id: Int, _ verb: String) async throws -> Campaign {
        try await client.data(Campaign.self, Endpoint("POST", "/campaigns/\(id)/\(verb)"))
    }

    /// `DELETE /campaigns/{id}`: drafts and cancelled campaigns only.
    public func delete(_ id: Int) async throws {
        try await client.send(Endpoint("DELETE", "/campaigns/\(id)"))
    }

    /// `GET /campaigns/{id}/contacts`: enrolled contacts and their delivery state.
    public func contacts(_ id: Int, status: CampaignContactStatus? = nil, page: Int = 1,
                         perPage: Int? = nil) async throws -> Page<CampaignContact> {
        try await client.page(CampaignContact.self, Endpoint("GET", "/campaigns/\(id)/contacts", query: [
            ("status", status?.rawValue), ("page", page == 1 ? nil : String(page)),
            ("per_page", perPage.map { String(min($0, 100)) }),
        ]))
    }
}

/// `/account`: connected channels and the subscription.
public struct AccountAPI: Sendable {
    let client: SkyLightClient

    /// `GET /account/channels`: the connected sending accounts (`client_setting` objects).
    public func channels() async throws -> [Channel] {
        try await client.page(Channel.self, Endpoint("GET", "/account/channels")).items
    }

    /// `GET /account/subscription`: plan and campaign quota.
    public func subscription() async throws -> Subscription {
        try await client.data(Subscription.self, Endpoint("GET", "/account/subscription"))
    }
}

extension SkyLightClient {
    /// Campaigns and their lifecycle.
    public var campaigns: CampaignsAPI { CampaignsAPI(client: self) }
    /// The account's channels and subscription.
    public var account: AccountAPI { AccountAPI(client: self) }
}
