/// `/contacts/lists`: static named collections of contacts.
public struct ListsAPI: Sendable {
    let client: SkyLightClient

    /// `GET /contacts/lists`.
    public func list() async throws -> [ContactList] {
        try await client.page(ContactList.self, Endpoint("GET", "/contacts/lists")).items
    }

    /// `POST /contacts/lists`.
    public func create(name: String) async throws -> ContactList {
        try await client.data(ContactList.self, Endpoint("POST", "/contacts/lists", body: client.body(["name": name])))
    }

    /// `GET /contacts/lists/{id}`.
    public func get(_ id: Int) async throws -> ContactList {
        try await client.data(ContactList.self, Endpoint("GET", "/contacts/lists/\(id)"))
    }

    /// `PUT /contacts/lists/{id}`: a new name and/or status (1 active, 0 inactive).
    public func update(_ id: Int, name: String? = nil, status: Int? = nil) async throws -> ContactList {
        try await client.data(ContactList.self, Endpoint("PUT", "/contacts/lists/\(id)",
                                                         body: client.body(NameStatus(name: name, status: status))))
    }

    /// `DELETE /contacts/lists/{id}`: also removes every membership.
    public func delete(_ id: Int) async throws {
        try await client.send(Endpoint("DELETE", "/contacts/lists/\(id)"))
    }

    /// `GET /contacts/lists/{id}/members`: one page of members.
    public func members(_ id: Int, page: Int = 1, perPage: Int? = nil) async throws -> Page<Contact> {
        try await client.page(Contact.self, Endpoint("GET", "/contacts/lists/\(id)/members", query: [
            ("page", String(page)), ("per_page", perPage.map { String(min($0, 100)) }),
        ]))
    }

    /// `POST /contacts/{id}/lists`: idempotent.
    public func addMember(contactID: Int, to listID: Int) async throws {
        try await client.contacts.addToList(contactID, listID: listID)
    }

    /// `DELETE /contacts/{id}/lists/{list_id}`.
    public func removeMember(contactID: Int, from listID: Int) async throws {
        try await client.contacts.removeFromList(contactID, listID: listID)
    }

    struct NameStatus: Encodable { var name: String?; var status: Int? }
}

/// `/contacts/segments`: programmatically populated groups of contacts.
public struct SegmentsAPI: Sendable {
    let client: SkyLightClient

    /// `GET /contacts/segments`.
    public func list() async throws -> [Segment] {
        try await client.page(Segment.self, Endpoint("GET", "/contacts/segments")).items
    }

    /// `POST /contacts/segments`.
    public func create(title: String) async throws -> Segment {
        try await client.data(Segment.self, Endpoint("POST", "/contacts/segments", body: client.body(["title": title])))
    }

    /// `PUT /contacts/segments/{id}`: a new title and/or status.
    public func update(_ id: Int, title: String? = nil, status: Int? = nil) async throws -> Segment {
        try await client.data(Segment.self, Endpoint("PUT", "/contacts/segments/\(id)",
                                                     body: client.body(TitleStatus(title: title, status: status))))
    }

    /// `DELETE /contacts/segments/{id}`: also removes every membership.
    public func delete(_ id: Int) async throws {
        try await client.send(Endpoint("DELETE", "/contacts/segments/\(id)"))
    }

    /// `GET /contacts/segments/{id}/members`: one page of members.
    public func members(_ id: Int, page: Int = 1, perPage: Int? = nil) async throws -> Page<Contact> {
        try await client.page(Contact.self, Endpoint("GET", "/contacts/segments/\(id)/members", query: [
            ("page", String(page)), ("per_page", perPage.map { String(min($0, 100)) }),
        ]))
    }

    /// `POST /contacts/{id}/segments`.
    public func addMember(contactID: Int, to segmentID: Int) async throws {
        try await client.contacts.addToSegment(contactID, segmentID: segmentID)
    }

    /// `DELETE /contacts/{id}/segments/{segment_id}`.
    public func removeMember(contactID: Int, from segmentID: Int) async throws {
        try await client.contacts.removeFromSegment(contactID, segmentID: segmentID)
    }

    struct TitleStatus: Encodable { var title: String?; var status: Int? }
}

extension SkyLightClient {
    /// Contact lists and their members.
    public var lists: ListsAPI { ListsAPI(client: self) }
    /// Segments and their members.
    public var segments: SegmentsAPI { SegmentsAPI(client: self) }
}
