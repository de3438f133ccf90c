import Foundation
import GRDB

/// The contact filters of `GET /contacts`.
struct ContactFilter: Sendable {
    var search: String?
    var type: String?
    var blacklisted: Bool?
    var tag: String?
}

extension SandboxStore {
    static let contactColumns = "id, name, email, phone, type, status, blacklisted, last_message_at, created_at, updated_at"

    /// A contact row with its tag titles, in the reference's field order.
    static func contactJSON(_ row: Row, tags: [String]) -> JSON {
        [
            "id": .int(row["id"]), "name": .string(row["name"]), "email": (row["email"] as String?).json,
            "phone": (row["phone"] as String?).json, "type": .string(row["type"]), "status": .string(row["status"]),
            "blacklisted": .bool(row["blacklisted"]), "tags": .array(tags.map(JSON.string)),
            "last_message_at": timestampJSON(row["last_message_at"]),
            "created_at": timestampJSON(row["created_at"]), "updated_at": timestampJSON(row["updated_at"]),
        ]
    }

    /// Tag titles of each of `ids`, in tag-id order.
    static func tagTitles(_ db: Database, contactIDs ids: [Int64]) throws -> [Int64: [String]] {
        guard !ids.isEmpty else { return [:] }
        var titles: [Int64: [String]] = [:]
        let marks = ids.map { _ in "?" }.joined(separator: ",")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT ct.contact_id, t.title FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
            WHERE ct.contact_id IN (\(marks)) ORDER BY t.id
            """, arguments: StatementArguments(ids))
        while let row = try rows.next() { titles[row[0], default: []].append(row[1]) }
        return titles
    }

    static func contactsJSON(_ db: Database, rows: [Row]) throws -> [JSON] {
        let titles = try tagTitles(db, contactIDs: rows.map { $0["id"] })
        return rows.map { contactJSON($0, tags: titles[$0["id"]] ?? []) }
    }

    static func contact(_ db: Database, _ id: Int64) throws -> JSON {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(contactColumns) FROM contacts WHERE id = ?", arguments: [id]) else {
            throw SandboxError.notFound("Contact")
        }
        return contactJSON(row, tags: try tagTitles(db, contactIDs: [id])[id] ?? [])
    }

    static func requireContact(_ db: Database, _ id: Int64) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(contactColumns) FROM contacts WHERE id = ?", arguments: [id]) else {
            throw SandboxError.notFound("Contact")
        }
        return row
    }

    func listContacts(_ filter: ContactFilter, page: PageRequest) async throws -> (JSON, JSON) {
        try await read { db in
            var clauses: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let search = filter.search, !search.isEmpty {
                let like = "%" + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%"
                clauses.append("(name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\')")
                arguments += [like, like, like]
            }
            if let type = filter.type { clauses.append("type = ?"); arguments.append(type) }
            if let blacklisted = filter.blacklisted { clauses.append("blacklisted = ?"); arguments.append(blacklisted) }
            if let tag = filter.tag {
                clauses.append("id IN (SELECT ct.contact_id FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.title = ? COLLATE NOCASE)")
                arguments.append(tag)
            }
            let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contacts \(whereSQL)",
                                         arguments: StatementArguments(arguments)) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT \(Self.contactColumns) FROM contacts \(whereSQL) ORDER BY id LIMIT ? OFFSET ?",
                                        arguments: StatementArguments(arguments) + [page.perPage, page.offset])
            return (.array(try Self.contactsJSON(db, rows: rows)), page.meta(total: total))
        }
    }

    func getContact(_ id: Int64) async throws -> JSON {
        try await read { db in try Self.contact(db, id) }
    }

    static let channelTypes = ["whatsapp", "telegram", "instagram"]

    func createContact(_ body: JSON) async throws -> JSON {
        var v = Validator()
        let name = v.requiredString(body, "name")
        let type = v.requiredString(body, "type")
        if let type, !Self.channelTypes.contains(type) { v.fail("type", "The selected type is invalid.") }
        let phone = v.optionalString(body, "phone", max: 32) ?? nil
        let email = v.optionalString(body, "email") ?? nil
        if let type, ["whatsapp", "telegram"].contains(type), (phone ?? "").isEmpty {
            v.fail("phone", "The phone field is required when type is \(type).")
        }
        if let email, !email.isEmpty, !email.contains("@") { v.fail("email", "The email field must be a valid email address.") }
        let tags = try Self.tagList(body, &v)
        try v.check()
        let now = self.now
        return try await write { db in
            try db.execute(sql: """
                INSERT INTO contacts(name, email, phone, type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [name, email, phone, type, now, now])
            let id = db.lastInsertedRowID
            for title in tags ?? [] { try Self.assignTag(db, contactID: id, title: title, now: now) }
            return try Self.contact(db, id)
        }
    }

    static func tagList(_ body: JSON, _ v: inout Validator) throws -> [String]? {
        guard let value = body["tags"], !value.isNull else { return nil }
        guard let items = value.array else { v.fail("tags", "The tags field must be an array."); return nil }
        var titles: [String] = []
        for (i, item) in items.enumerated() {
            guard let title = item.string, !title.isEmpty else { v.fail("tags.\(i)", "The tags.\(i) field must be a string."); continue }
            guard title.count <= 100 else { v.fail("tags.\(i)", "The tags.\(i) field must not be greater than 100 characters."); continue }
            titles.append(title)
        }
        return titles
    }

    func updateContact(_ id: Int64, _ body: JSON) async throws -> JSON {
        var v = Validator()
        var sets: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if body["name"] != nil, let name = v.requiredString(body, "name") { sets.append("name = ?"); arguments.append(name) }
        if let email = v.optionalString(body, "email") { sets.append("email = ?"); arguments.append(email) }
        if let phone = v.optionalString(body, "phone", max: 32) { sets.append("phone = ?"); arguments.append(phone) }
        if body["type"] != nil, let type = v.requiredString(body, "type") {
            if Self.channelTypes.contains(type) { sets.append("type = ?"); arguments.append(type) }
            else { v.fail("type", "The selected type is invalid.") }
        }
        if body["status"] != nil, let status = v.requiredString(body, "status") {
            if ["active", "inactive"].contains(status) { sets.append("status = ?"); arguments.append(status) }
            else { v.fail("status", "The selected status is invalid.") }
        }
        let tags = try Self.tagList(body, &v)
        try v.check()
        let now = self.now
        let setSQL = sets
        let setArguments = arguments.map { $0?.databaseValue ?? .null }
        return try await write { db in
            _ = try Self.requireContact(db, id)
            try db.execute(sql: "UPDATE contacts SET \((setSQL + ["updated_at = ?"]).joined(separator: ", ")) WHERE id = ?",
                           arguments: StatementArguments(setArguments) + [now, id])
            if let tags {
                try db.execute(sql: "DELETE FROM contact_tags WHERE contact_id = ?", arguments: [id])
                for title in tags { try Self.assignTag(db, contactID: id, title: title, now: now) }
            }
            let full = try Self.contact(db, id)
            // The reference answers an update with the id and the fields that changed.
            var fields: [(String, JSON)] = [("id", .int(Int(id)))]
            for key in ["name", "email", "phone", "type", "status", "tags"] where body[key] != nil {
                fields.append((key, full[key] ?? .null))
            }
            fields.append(("updated_at", full["updated_at"] ?? .null))
            return .object(fields)
        }
    }

    func deleteContact(_ id: Int64) async throws {
        try await write { db in
            _ = try Self.requireContact(db, id)
            try db.execute(sql: "DELETE FROM contacts WHERE id = ?", arguments: [id])
        }
    }

    /// Flips the blacklisted flag and answers `{id, blacklisted}` with the new state.
    func toggleBlacklist(_ id: Int64) async throws -> (JSON, Bool) {
        let now = self.now
        return try await write { db in
            _ = try Self.requireContact(db, id)
            try db.execute(sql: "UPDATE contacts SET blacklisted = NOT blacklisted, updated_at = ? WHERE id = ?", arguments: [now, id])
            let state = try Bool.fetchOne(db, sql: "SELECT blacklisted FROM contacts WHERE id = ?", arguments: [id]) ?? false
            return (["id": .int(Int(id)), "blacklisted": .bool(state)], state)
        }
    }

    // MARK: Notes

    static func noteJSON(_ row: Row) -> JSON {
        ["id": .int(row["id"]), "contact_id": .int(row["contact_id"]), "content": .string(row["content"]),
         "created_at": timestampJSON(row["created_at"]), "updated_at": timestampJSON(row["updated_at"])]
    }

    func notes(_ contactID: Int64, page: PageRequest) async throws -> (JSON, JSON) {
        try await read { db in
            _ = try Self.requireContact(db, contactID)
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notes WHERE contact_id = ?", arguments: [contactID]) ?? 0
            let order = self.historyOldestFirst ? "ASC" : "DESC"
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM notes WHERE contact_id = ? ORDER BY id \(order) LIMIT ? OFFSET ?",
                                        arguments: [contactID, page.perPage, page.offset])
            return (.array(rows.map(Self.noteJSON)), page.meta(total: total))
        }
    }

    func addNote(_ contactID: Int64, _ body: JSON) async throws -> JSON {
        var v = Validator()
        let content = v.requiredString(body, "content", max: 5000)
        try v.check()
        let now = self.now
        return try await write { db in
            _ = try Self.requireContact(db, contactID)
            try db.execute(sql: "INSERT INTO notes(contact_id, content, created_at, updated_at) VALUES (?, ?, ?, ?)",
                           arguments: [contactID, content, now, now])
            return Self.noteJSON(try Row.fetchOne(db, sql: "SELECT * FROM notes WHERE id = ?", arguments: [db.lastInsertedRowID])!)
        }
    }

    // MARK: Memberships

    /// Adds a contact to a list or segment; doing it twice changes nothing.
    func addMembership(contactID: Int64, body: JSON, field: String, table: String, owner: String, column: String,
                       name: String) async throws {
        var v = Validator()
        let groupID = body[field]?.int
        if groupID == nil { v.fail(field, "The \(field.replacingOccurrences(of: "_", with: " ")) field is required.") }
        try v.check()
        try await write { db in
            _ = try Self.requireContact(db, contactID)
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM \(owner) WHERE id = ?", arguments: [groupID]) == true else {
                throw SandboxError.validation([(field, "The selected \(field.replacingOccurrences(of: "_", with: " ")) is invalid.")])
            }
            try db.execute(sql: "INSERT OR IGNORE INTO \(table)(\(column), contact_id) VALUES (?, ?)", arguments: [groupID, contactID])
        }
    }

    /// Removes a membership. Removing one that is already gone succeeds, so a repeated
    /// DELETE after a lost answer is harmless; only an unknown list or segment is a 404.
    func removeMembership(contactID: Int64, groupID: Int64, table: String, owner: String, column: String,
                          name: String) async throws {
        try await write { db in
            _ = try Self.requireContact(db, contactID)
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM \(owner) WHERE id = ?", arguments: [groupID]) == true else {
                throw SandboxError.notFound(name)
            }
            try db.execute(sql: "DELETE FROM \(table) WHERE \(column) = ? AND contact_id = ?", arguments: [groupID, contactID])
        }
    }

    // MARK: A contact's tags

    /// Assigns the tag with `title`, creating it if no tag has that title (case-insensitively).
    static func assignTag(_ db: Database, contactID: Int64, title: String, now: Int64) throws {
        var tagID = try Int64.fetchOne(db, sql: "SELECT id FROM tags WHERE title = ? COLLATE NOCASE", arguments: [title])
        if tagID == nil {
            try db.execute(sql: "INSERT INTO tags(title, created_at) VALUES (?, ?)", arguments: [title, now])
            tagID = db.lastInsertedRowID
        }
        try db.execute(sql: "INSERT OR IGNORE INTO contact_tags(contact_id, tag_id) VALUES (?, ?)", arguments: [contactID, tagID])
    }

    func assignTag(contactID: Int64, body: JSON) async throws -> JSON {
        var v = Validator()
        let tagID = body["tag_id"].flatMap { $0.isNull ? nil : $0 }
        let title = body["title"].flatMap { $0.isNull ? nil : $0 }
        switch (tagID, title) {
        case (nil, nil):
            v.fail("tag_id", "The tag id field is required when title is not present.")
            v.fail("title", "The title field is required when tag id is not present.")
        case (.some, .some):
            v.fail("tag_id", "The tag id field prohibits title from being present.")
        case (.some(let id), nil):
            if id.int == nil { v.fail("tag_id", "The tag id field must be an integer.") }
        case (nil, .some):
            _ = v.requiredString(body, "title", max: 100)
        }
        try v.check()
        let now = self.now
        return try await write { db in
            _ = try Self.requireContact(db, contactID)
            if let id = tagID?.int {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tags WHERE id = ?", arguments: [id]) == true else {
                    throw SandboxError.validation([("tag_id", "The selected tag id is invalid.")])
                }
                try db.execute(sql: "INSERT OR IGNORE INTO contact_tags(contact_id, tag_id) VALUES (?, ?)", arguments: [contactID, id])
            } else if let title = title?.string {
                try Self.assignTag(db, contactID: contactID, title: title, now: now)
            }
            try db.execute(sql: "UPDATE contacts SET updated_at = ? WHERE id = ?", arguments: [now, contactID])
            return try Self.contact(db, contactID)
        }
    }

    func unassignTag(contactID: Int64, tagID: Int64) async throws {
        try await write { db in
            _ = try Self.requireContact(db, contactID)
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tags WHERE id = ?", arguments: [tagID]) == true else {
                throw SandboxError.notFound("Tag")
            }
            try db.execute(sql: "DELETE FROM contact_tags WHERE contact_id = ? AND tag_id = ?", arguments: [contactID, tagID])
        }
    }
}
