import Foundation
import GRDB

extension SandboxStore {
    // MARK: Tags

    static func tagJSON(_ row: Row) -> JSON {
        ["id": .int(row["id"]), "title": .string(row["title"]), "contacts_count": .int(row["contacts_count"]),
         "created_at": timestampJSON(row["created_at"])]
    }

    static let tagSelect = """
        SELECT t.id, t.title, t.created_at, (SELECT COUNT(*) FROM contact_tags ct WHERE ct.tag_id = t.id) AS contacts_count
        FROM tags t
        """

    static func tag(_ db: Database, _ id: Int64) throws -> JSON {
        guard let row = try Row.fetchOne(db, sql: "\(tagSelect) WHERE t.id = ?", arguments: [id]) else {
            throw SandboxError.notFound("Tag")
        }
        return tagJSON(row)
    }

    func listTags() async throws -> JSON {
        try await read { db in .array(try Row.fetchAll(db, sql: "\(Self.tagSelect) ORDER BY t.id").map(Self.tagJSON)) }
    }

    func getTag(_ id: Int64) async throws -> JSON { try await read { db in try Self.tag(db, id) } }

    func createTag(_ body: JSON) async throws -> JSON {
        var v = Validator()
        let title = v.requiredString(body, "title", max: 100)
        try v.check()
        let now = self.now
        return try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM tags WHERE title = ? COLLATE NOCASE", arguments: [title]) == true {
                throw SandboxError.validation([("title", "The title has already been taken.")])
            }
            try db.execute(sql: "INSERT INTO tags(title, created_at) VALUES (?, ?)", arguments: [title, now])
            return try Self.tag(db, db.lastInsertedRowID)
        }
    }

    func renameTag(_ id: Int64, _ body: JSON) async throws -> JSON {
        var v = Validator()
        let title = v.requiredString(body, "title", max: 100)
        try v.check()
        return try await write { db in
            _ = try Self.tag(db, id)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM tags WHERE title = ? COLLATE NOCASE AND id != ?", arguments: [title, id]) == true {
                throw SandboxError.validation([("title", "The title has already been taken.")])
            }
            try db.execute(sql: "UPDATE tags SET title = ? WHERE id = ?", arguments: [title, id])
            return try Self.tag(db, id)
        }
    }

    func deleteTag(_ id: Int64) async throws {
        try await write { db in
            _ = try Self.tag(db, id)
            try db.execute(sql: "DELETE FROM contact_tags WHERE tag_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM tags WHERE id = ?", arguments: [id])
        }
    }

    // MARK: Lists and segments

    /// A list (named with `name`) or a segment (named with `title`): the same shape otherwise.
    struct GroupKind: Sendable {
        var table: String
        var members: String
        var column: String
        var nameField: String
        var noun: String

        static let list = GroupKind(table: "lists", members: "list_members", column: "list_id", nameField: "name", noun: "List")
        static let segment = GroupKind(table: "segments", members: "segment_members", column: "segment_id",
                                       nameField: "title", noun: "Segment")
    }

    static func groupJSON(_ row: Row, kind: GroupKind) -> JSON {
        ["id": .int(row["id"]), kind.nameField: .string(row[kind.nameField]),
         "status": .int(row["status"]), "contacts_count": .int(row["contacts_count"]),
         "created_at": timestampJSON(row["created_at"])]
    }

    static func groupSelect(_ kind: GroupKind) -> String {
        """
        SELECT g.id, g.\(kind.nameField), g.status, g.created_at,
               (SELECT COUNT(*) FROM \(kind.members) m WHERE m.\(kind.column) = g.id) AS contacts_count
        FROM \(kind.table) g
        """
    }

    static func group(_ db: Database, _ id: Int64, kind: GroupKind) throws -> JSON {
        guard let row = try Row.fetchOne(db, sql: "\(groupSelect(kind)) WHERE g.id = ?", arguments: [id]) else {
            throw SandboxError.notFound(kind.noun)
        }
        return groupJSON(row, kind: kind)
    }

    func listGroups(_ kind: GroupKind) async throws -> JSON {
        try await read { db in
            .array(try Row.fetchAll(db, sql: "\(Self.groupSelect(kind)) ORDER BY g.id").map { Self.groupJSON($0, kind: kind) })
        }
    }

    func getGroup(_ id: Int64, kind: GroupKind) async throws -> JSON {
        try await read { db in try Self.group(db, id, kind: kind) }
    }

    func createGroup(_ body: JSON, kind: GroupKind) async throws -> JSON {
        var v = Validator()
        let name = v.requiredString(body, kind.nameField)
        try v.check()
        let now = self.now
        return try await write { db in
            try db.execute(sql: "INSERT INTO \(kind.table)(\(kind.nameField), status, created_at) VALUES (?, 1, ?)",
                           arguments: [name, now])
            return try Self.group(db, db.lastInsertedRowID, kind: kind)
        }
    }

    func updateGroup(_ id: Int64, _ body: JSON, kind: GroupKind) async throws -> JSON {
        var v = Validator()
        var name: String?
        if body[kind.nameField] != nil { name = v.requiredString(body, kind.nameField) }
        var status: Int?
        if let value = body["status"] {
            if let s = value.int, s == 0 || s == 1 { status = s } else { v.fail("status", "The selected status is invalid.") }
        }
        try v.check()
        let (newName, newStatus) = (name, status)
        return try await write { db in
            let (name, status) = (newName, newStatus)
            _ = try Self.group(db, id, kind: kind)
            if let name { try db.execute(sql: "UPDATE \(kind.table) SET \(kind.nameField) = ? WHERE id = ?", arguments: [name, id]) }
            if let status { try db.execute(sql: "UPDATE \(kind.table) SET status = ? WHERE id = ?", arguments: [status, id]) }
            return try Self.group(db, id, kind: kind)
        }
    }

    func deleteGroup(_ id: Int64, kind: GroupKind) async throws {
        try await write { db in
            _ = try Self.group(db, id, kind: kind)
            try db.execute(sql: "DELETE FROM \(kind.members) WHERE \(kind.column) = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM \(kind.table) WHERE id = ?", arguments: [id])
        }
    }

    func groupMembers(_ id: Int64, kind: GroupKind, page: PageRequest) async throws -> (JSON, JSON) {
        try await read { db in
            _ = try Self.group(db, id, kind: kind)
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(kind.members) WHERE \(kind.column) = ?", arguments: [id]) ?? 0
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.contactColumns) FROM contacts WHERE id IN
                  (SELECT contact_id FROM \(kind.members) WHERE \(kind.column) = ?) ORDER BY id LIMIT ? OFFSET ?
                """, arguments: [id, page.perPage, page.offset])
            return (.array(try Self.contactsJSON(db, rows: rows)), page.meta(total: total))
        }
    }
}
