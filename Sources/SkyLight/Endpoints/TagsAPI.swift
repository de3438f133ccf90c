/// `/tags` and a contact's tags.
public struct TagsAPI: Sendable {
    let client: SkyLightClient

    /// `GET /tags`: every tag with its contact count.
    public func list() async throws -> [Tag] {
        try await client.page(Tag.self, Endpoint("GET", "/tags")).items
    }

    /// `POST /tags`: the title may be at most 100 characters.
    public func create(title: String) async throws -> Tag {
        try await client.data(Tag.self, Endpoint("POST", "/tags", body: client.body(["title": title])))
    }

    /// `GET /tags/{id}`.
    public func get(_ id: Int) async throws -> Tag {
        try await client.data(Tag.self, Endpoint("GET", "/tags/\(id)"))
    }

    /// `PUT /tags/{id}`: the new title shows on every contact that has the tag.
    public func rename(_ id: Int, title: String) async throws -> Tag {
        try await client.data(Tag.self, Endpoint("PUT", "/tags/\(id)", body: client.body(["title": title])))
    }

    /// `DELETE /tags/{id}`: also removes the tag from every contact.
    public func delete(_ id: Int) async throws {
        try await client.send(Endpoint("DELETE", "/tags/\(id)"))
    }

    /// `POST /contacts/{id}/tags` with `tag_id`: idempotent, so repeated after a lost answer, 5xx or 429.
    public func assign(tagID: Int, to contactID: Int) async throws {
        try await client.send(Endpoint("POST", "/contacts/\(contactID)/tags", body: client.body(["tag_id": tagID]), idempotent: true))
    }

    /// `POST /contacts/{id}/tags` with `title`: creates the tag when no tag has that title; idempotent.
    public func assign(title: String, to contactID: Int) async throws {
        try await client.send(Endpoint("POST", "/contacts/\(contactID)/tags", body: client.body(["title": title]), idempotent: true))
    }

    /// `DELETE /contacts/{id}/tags/{tag_id}`.
    public func unassign(tagID: Int, from contactID: Int) async throws {
        try await client.send(Endpoint("DELETE", "/contacts/\(contactID)/tags/\(tagID)"))
    }
}

extension SkyLightClient {
    /// Tags and their assignment to contacts.
    public var tags: TagsAPI { TagsAPI(client: self) }
}
