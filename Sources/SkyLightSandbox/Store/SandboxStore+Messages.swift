import Foundation
import GRDB

extension SandboxStore {
    static func messageJSON(_ row: Row) -> JSON {
        var fields: [(String, JSON)] = [
            ("id", .int(row["id"])), ("contact_id", .int(row["contact_id"])), ("direction", .string(row["direction"])),
            ("channel", .string(row["channel"])), ("content", .string(row["content"])), ("status", .string(row["status"])),
        ]
        if let error = row["error"] as String? { fields.append(("error", .string(error))) }
        fields += [("sent_at", timestampJSON(row["sent_at"])), ("created_at", timestampJSON(row["created_at"]))]
        return .object(fields)
    }

    /// `GET /conversations`: one row per contact with messages, newest first.
    func conversations(channel: String?, contactID: Int64?, page: PageRequest) async throws -> (JSON, JSON) {
        try await read { db in
            var clauses = ["last_message_at IS NOT NULL"]
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let channel { clauses.append("type = ?"); arguments.append(channel) }
            if let contactID { clauses.append("id = ?"); arguments.append(contactID) }
            let whereSQL = "WHERE " + clauses.joined(separator: " AND ")
            let base = StatementArguments(arguments)
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contacts \(whereSQL)", arguments: base) ?? 0
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, name, type, last_message, last_message_at, unread_count FROM contacts \(whereSQL)
                ORDER BY last_message_at DESC, id DESC LIMIT ? OFFSET ?
                """, arguments: base + [page.perPage, page.offset])
            let items: [JSON] = rows.map { row in
                ["contact_id": .int(row["id"]), "contact_name": .string(row["name"]), "channel": .string(row["type"]),
                 "last_message": (row["last_message"] as String?).json, "last_message_at": timestampJSON(row["last_message_at"]),
                 "unread_count": .int(row["unread_count"])]
            }
            return (.array(items), page.meta(total: total))
        }
    }

    /// `GET /contacts/{id}/messages`: newest first, so page 1 is the latest exchange (oldest
    /// first when the sandbox is started so).
    func history(contactID: Int64, direction: String?, page: PageRequest) async throws -> (JSON, JSON) {
        let order = historyOldestFirst ? "ASC" : "DESC"
        return try await read { db in
            _ = try Self.requireContact(db, contactID)
            var whereSQL = "WHERE contact_id = ?"
            var arguments: StatementArguments = [contactID]
            if let direction { whereSQL += " AND direction = ?"; arguments += [direction] }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages \(whereSQL)", arguments: arguments) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM messages \(whereSQL) ORDER BY id \(order) LIMIT ? OFFSET ?",
                                        arguments: arguments + [page.perPage, page.offset])
            return (.array(rows.map(Self.messageJSON)), page.meta(total: total))
        }
    }

    /// Inserts a message and keeps the contact's conversation columns true: an inbound
    /// message adds to `unread_count`, an outbound one (the account replied) clears it.
    @discardableResult
    static func insertMessage(_ db: Database, contactID: Int64, direction: String, channel: String, content: String,
                              status: String, error: String? = nil, at now: Int64) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO messages(contact_id, direction, channel, content, status, error, sent_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [contactID, direction, channel, content, status, error, status == "failed" ? nil : now, now])
        let id = db.lastInsertedRowID
        let unread = direction == "inbound" ? "unread_count + 1" : "0"
        try db.execute(sql: """
            UPDATE contacts SET last_message_at = ?, last_message = ?, unread_count = \(unread) WHERE id = ?
            """, arguments: [now, content, contactID])
        return id
    }

    /// The outcome of `POST /messages/send`.
    enum SendOutcome: Sendable {
        case sent(JSON)
        case failed(JSON, reason: String)
    }

    /// Sends a message. A contact whose channel has no connected account gets the message
    /// saved as `failed` with the documented error; a blacklisted contact is refused (422)
    /// and nothing is saved.
    func send(_ body: JSON) async throws -> SendOutcome {
        var v = Validator()
        let contactID = body["contact_id"]?.int
        if body["contact_id"] == nil || body["contact_id"]?.isNull == true {
            v.fail("contact_id", "The contact id field is required.")
        } else if contactID == nil {
            v.fail("contact_id", "The contact id field must be an integer.")
        }
        let text = v.requiredString(body, "message", max: 4096)
        try v.check()
        let now = self.now
        return try await write { db in
            guard let contact = try Row.fetchOne(db, sql: "SELECT type, blacklisted FROM contacts WHERE id = ?",
                                                 arguments: [contactID]) else {
                throw SandboxError.validation([("contact_id", "The selected contact id is invalid.")])
            }
            let channel: String = contact["type"]
            if contact["blacklisted"] as Bool {
                throw SandboxError.unprocessable("This contact is blacklisted; unblacklist it to send messages.")
            }
            let connected = try Bool.fetchOne(db, sql: "SELECT 1 FROM channels WHERE type = ? AND connected = 1",
                                              arguments: [channel]) ?? false
            let error = connected ? nil : "No \(channel) channel connected."
            let id = try Self.insertMessage(db, contactID: Int64(contactID!), direction: "outbound", channel: channel, content: text!,
                                            status: connected ? "sent" : "failed", error: error, at: now)
            let row = try Row.fetchOne(db, sql: "SELECT * FROM messages WHERE id = ?", arguments: [id])!
            if let error {
                return .failed(["id": .int(Int(id)), "contact_id": .int(Int(contactID!)), "channel": .string(channel),
                                "content": .string(text!), "status": "failed", "error": .string(error)], reason: error)
            }
            return .sent(Self.messageJSON(row))
        }
    }

    /// Records a message from a contact, as if it arrived on their channel.
    func receive(contactID: Int64, text: String) async throws -> JSON {
        let now = self.now
        return try await write { db in
            let row = try Self.requireContact(db, contactID)
            let id = try Self.insertMessage(db, contactID: contactID, direction: "inbound", channel: row["type"], content: text,
                                            status: "delivered", at: now)
            return Self.messageJSON(try Row.fetchOne(db, sql: "SELECT * FROM messages WHERE id = ?", arguments: [id])!)
        }
    }

    /// Moves outbound messages along sent → delivered → read as simulated time passes.
    func advanceDeliveries(deliveredAfter: Double = 2, readAfter: Double = 8) async throws {
        let now = self.now
        try await write { db in
            try db.execute(sql: "UPDATE messages SET status = 'read' WHERE status = 'delivered' AND direction = 'outbound' AND sent_at <= ?",
                           arguments: [now - Int64(readAfter * 1_000_000)])
            try db.execute(sql: "UPDATE messages SET status = 'delivered' WHERE status = 'sent' AND sent_at <= ?",
                           arguments: [now - Int64(deliveredAfter * 1_000_000)])
        }
    }

    // MARK: Account

    static func channelJSON(_ row: Row) -> JSON {
        let connected: Bool = row["connected"]
        return ["id": .int(row["id"]), "name": .string(row["name"]), "type": .string(row["type"]),
                "phone": (row["phone"] as String?).json, "status": .string(connected ? "connected" : "disconnected"),
                "connected": .bool(connected)]
    }

    func channels() async throws -> JSON {
        try await read { db in .array(try Row.fetchAll(db, sql: "SELECT * FROM channels ORDER BY id").map(Self.channelJSON)) }
    }

    /// Connects or disconnects the account of one channel type (control API).
    func setChannel(type: String, connected: Bool) async throws -> JSON {
        try await write { db in
            try db.execute(sql: "UPDATE channels SET connected = ? WHERE type = ?", arguments: [connected, type])
            if db.changesCount == 0 { throw SandboxError.notFound("Channel") }
            return .array(try Row.fetchAll(db, sql: "SELECT * FROM channels WHERE type = ?", arguments: [type]).map(Self.channelJSON))
        }
    }

    static let campaignQuota = 10

    func subscription() async throws -> JSON {
        let now = self.now
        return try await read { db in
            let used = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaigns WHERE started_at IS NOT NULL") ?? 0
            return ["plan": "Pro", "status": "active", "campaigns_quota": .int(Self.campaignQuota),
                    "campaigns_used": .int(used), "campaigns_remaining": .int(max(0, Self.campaignQuota - used)),
                    "renews_at": timestampJSON(now + 30 * 86_400 * 1_000_000)]
        }
    }
}
