/// `/contacts`: create, read, update, delete, search, blacklist, notes and memberships.
public struct ContactsAPI: Sendable {
    let client: SkyLightClient

    /// `GET /contacts`: one page of contacts, filtered.
    public func list(_ query: ContactQuery = ContactQuery(), page: Int = 1, perPage: Int? = nil) async throws -> Page<Contact> {
        try await client.page(Contact.self, Self.listEndpoint(query, page: page, perPage: perPage))
    }

    /// Every contact matching `query`, fetched page by page.
    public func all(_ query: ContactQuery = ContactQuery(), perPage: Int = 100) -> PageSequence<Contact> {
        let client = client
        return PageSequence { page in try await ContactsAPI(client: client).list(query, page: page, perPage: perPage) }
    }

    static func listEndpoint(_ query: ContactQuery, page: Int, perPage: Int?) -> Endpoint {
        Endpoint("GET", "/contacts", query: [
            ("page", String(page)), ("per_page", perPage.map { String(min($0, 100)) }),
            ("search", query.search), ("type", query.type?.rawValue),
            ("blacklisted", query.blacklisted.map { $0 ? "true" : "false" }), ("tag", query.tag),
        ])
    }

    /// `POST /contacts`.
    public func create(_ contact: NewContact) async throws -> Contact {
        try await client.data(Contact.self, Endpoint("POST", "/contacts", body: client.body(contact)))
    }

    /// `GET /contacts/{id}`.
    public func get(_ id: Int) async throws -> Contact {
        try await client.data(Contact.self, Endpoint("GET", "/contacts/\(id)"))
    }

    /// `PUT /contacts/{id}`: sends only the fields set in `changes`. The answer may be partial.
    public func update(_ id: Int, _ changes: ContactUpdate) async throws -> Contact {
        try await client.data(Contact.self, Endpoint("PUT", "/contacts/\(id)", body: client.body(changes)))
    }

    /// `DELETE /contacts/{id}`.
    public func delete(_ id: Int) async throws {
        try await client.send(Endpoint("DELETE", "/contacts/\(id)"))
    }

    /// `POST /contacts/{id}/blacklist`: flips the blacklisted state and returns the new one.
    ///
    /// Not idempotent and never retried after an unknown outcome: read the contact back instead.
    public func toggleBlacklist(_ id: Int) async throws -> Contact {
        try await client.data(Contact.self, Endpoint("POST", "/contacts/\(id)/blacklist"))
    }

    /// `GET /contacts/{id}/notes`: one page of the contact's notes, in the server's order.
    public func notes(_ id: Int, page: Int = 1, perPage: Int? = nil) async throws -> Page<Note> {
        try await client.page(Note.self, Endpoint("GET", "/contacts/\(id)/notes", query: [
            ("page", page == 1 ? nil : String(page)), ("per_page", perPage.map { String(min($0, 100)) }),
        ]))
    }

    /// The contact's newest notes, at most `count` (up to 100), newest first, whichever way the
    /// server lists them: the reference leaves the order open, and from a server that lists
    /// oldest first, the newest are on its last pages.
    ///
    /// ```swift
    /// let notes = try await client.contacts.latestNotes(42)  // notes[0] is the newest
    /// ```
    public func latestNotes(_ id: Int, count: Int = 100) async throws -> [Note] {
        let count = max(1, min(count, 100))
        let first = try await notes(id, perPage: count)
        var found = first.items
        if first.meta.lastPage > 1, let oldest = first.items.first, let newest = first.items.last, Self.writtenBefore(oldest, newest) {
            // The first page is the oldest: the newest `count` are on the last page and, when it is short, the one before it.
            let last = try await notes(id, page: first.meta.lastPage, perPage: count)
            found = last.items
            if last.items.count < count, first.meta.lastPage > 2 {
                found += try await notes(id, page: first.meta.lastPage - 1, perPage: count).items
            } else if last.items.count < count {
                found += first.items
            }
        }
        return Array(found.sorted { Self.writtenBefore($1, $0) }.prefix(count))
    }

    /// Whether `a` was written before `b`: by time, and by id (notes are numbered as they come) when the times tie.
    static func writtenBefore(_ a: Note, _ b: Note) -> Bool {
        if let x = a.createdAt, let y = b.createdAt, x != y { return x < y }
        return a.id < b.id
    }

    /// `POST /contacts/{id}/notes`.
    public func addNote(_ id: Int, content: String) async throws -> Note {
        try await client.data(Note.self, Endpoint("POST", "/contacts/\(id)/notes", body: client.body(["content": content])))
    }

    /// `POST /contacts/{id}/lists`: idempotent, so repeated after a lost answer, 5xx or 429.
    public func addToList(_ id: Int, listID: Int) async throws {
        try await client.send(Endpoint("POST", "/contacts/\(id)/lists", body: client.body(["list_id": listID]), idempotent: true))
    }

    /// `DELETE /contacts/{id}/lists/{list_id}`.
    public func removeFromList(_ id: Int, listID: Int) async throws {
        try await client.send(Endpoint("DELETE", "/contacts/\(id)/lists/\(listID)"))
    }

    /// `POST /contacts/{id}/segments`.
    public func addToSegment(_ id: Int, segmentID: Int) async throws {
        try await client.send(Endpoint("POST", "/contacts/\(id)/segments", body: client.body(["segment_id": segmentID])))
    }

    /// `DELETE /contacts/{id}/segments/{segment_id}`.
    public func removeFromSegment(_ id: Int, segmentID: Int) async throws {
        try await client.send(Endpoint("DELETE", "/contacts/\(id)/segments/\(segmentID)"))
    }
}

extension SkyLightClient {
    /// Contacts, their notes, blacklist state and list/segment memberships.
    public var contacts: ContactsAPI { ContactsAPI(client: self) }
}
