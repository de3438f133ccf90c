import Foundation
import GRDB

extension SandboxStore {
    static let day: Int64 = 86_400 * 1_000_000

    static func campaignJSON(_ db: Database, _ row: Row) throws -> JSON {
        let id: Int64 = row["id"]
        var counts: [String: Int] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM campaign_contacts WHERE campaign_id = ? GROUP BY status",
                                  arguments: [id]) {
            counts[r[0]] = r[1]
        }
        let sent = counts["sent"] ?? 0, failed = counts["failed"] ?? 0, pending = counts["pending"] ?? 0
        let total = sent + failed + pending
        let status: String = row["status"]
        let day: Int = row["campaign_day"]
        let isNew: Bool = row["is_new_number"]
        let limit = CampaignSchedule.dailyLimit(day: max(day, 1), isNewNumber: isNew, totalContacts: total)
        let sentToday: Int = row["messages_sent_today"]
        let channel = try Row.fetchOne(db, sql: "SELECT * FROM channels WHERE id = ?", arguments: [row["channel_id"] as Int64])
        let messages = JSON.parse(Data((row["messages"] as String).utf8)) ?? .array([])
        return [
            "id": .int(Int(id)), "name": .string(row["name"]), "status": .string(status),
            "total_contacts": .int(total), "success_count": .int(sent), "failed_count": .int(failed),
            "campaign_day": .int(day), "messages_sent_today": .int(sentToday), "is_new_number": .bool(isNew),
            "started_at": timestampJSON(row["started_at"]), "completed_at": timestampJSON(row["completed_at"]),
            "progress_percentage": .int(total == 0 ? 0 : (sent + failed) * 100 / total),
            "daily_limit": .int(limit),
            "remaining_today": .int(status == "running" ? max(0, limit - sentToday) : 0),
            "client_setting": channel.map { ["id": .int($0["id"]), "name": .string($0["name"]), "type": .string($0["type"])] } ?? .null,
            "messages": messages,
            "campaign_contacts_count": .int(total), "sent_contacts_count": .int(sent),
            "failed_contacts_count": .int(failed), "pending_contacts_count": .int(pending),
            "created_at": timestampJSON(row["created_at"]),
        ]
    }

    static func campaignRow(_ db: Database, _ id: Int64) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM campaigns WHERE id = ?", arguments: [id]) else {
            throw SandboxError.notFound("Campaign")
        }
        return row
    }

    func listCampaigns(status: String?, page: PageRequest) async throws -> (JSON, JSON) {
        try await read { db in
            let whereSQL = status == nil ? "" : "WHERE status = ?"
            let arguments: StatementArguments = status.map { [$0] } ?? []
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaigns \(whereSQL)", arguments: arguments) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM campaigns \(whereSQL) ORDER BY id DESC LIMIT ? OFFSET ?",
                                        arguments: arguments + [page.perPage, page.offset])
            return (.array(try rows.map { try Self.campaignJSON(db, $0) }), page.meta(total: total))
        }
    }

    func getCampaign(_ id: Int64) async throws -> JSON {
        try await read { db in try Self.campaignJSON(db, try Self.campaignRow(db, id)) }
    }

    static func validateMessages(_ body: JSON, _ v: inout Validator, required: Bool) -> JSON? {
        guard let value = body["messages"], !value.isNull else {
            if required { v.fail("messages", "The messages field is required.") }
            return nil
        }
        guard let items = value.array, !items.isEmpty else {
            v.fail("messages", "The messages field must be an array with at least 1 item.")
            return nil
        }
        var clean: [JSON] = []
        for (i, item) in items.enumerated() {
            let type = item["type"]?.string
            if type == nil { v.fail("messages.\(i).type", "The messages.\(i).type field is required.") }
            else if !["text", "image", "document", "video", "audio"].contains(type!) {
                v.fail("messages.\(i).type", "The selected messages.\(i).type is invalid.")
            }
            let content = item["content"]?.string
            if content == nil || content!.isEmpty { v.fail("messages.\(i).content", "The messages.\(i).content field is required.") }
            clean.append(["type": .string(type ?? ""), "content": .string(content ?? "")])
        }
        return .array(clean)
    }

    static func idList(_ body: JSON, _ field: String, _ v: inout Validator) -> [Int64] {
        guard let value = body[field], !value.isNull else { return [] }
        guard let items = value.array else { v.fail(field, "The \(field.replacingOccurrences(of: "_", with: " ")) field must be an array."); return [] }
        var ids: [Int64] = []
        for (i, item) in items.enumerated() {
            if let id = item.int { ids.append(Int64(id)) } else { v.fail("\(field).\(i)", "The \(field).\(i) field must be an integer.") }
        }
        return ids
    }

    func createCampaign(_ body: JSON) async throws -> JSON {
        var v = Validator()
        let name = v.requiredString(body, "name")
        let channelID = body["channel_id"]?.int
        if channelID == nil { v.fail("channel_id", "The channel id field is required.") }
        let messages = Self.validateMessages(body, &v, required: true)
        let isNew = body["is_new_number"]?.bool ?? false
        if let value = body["is_new_number"], !value.isNull, value.bool == nil {
            v.fail("is_new_number", "The is new number field must be true or false.")
        }
        let contactIDs = Self.idList(body, "contact_ids", &v)
        let listIDs = Self.idList(body, "list_ids", &v)
        let segmentIDs = Self.idList(body, "segment_ids", &v)
        if contactIDs.isEmpty && listIDs.isEmpty && segmentIDs.isEmpty {
            let message = "The contact ids field is required when none of list ids / segment ids are present."
            v.fail("contact_ids", message)
        }
        try v.check()
        let now = self.now
        return try await write { db in
            var errors = Validator()
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM channels WHERE id = ?", arguments: [channelID]) != true {
                errors.fail("channel_id", "The selected channel id is invalid.")
            }
            func checkExists(_ ids: [Int64], _ table: String, _ field: String) throws {
                for (i, id) in ids.enumerated() where try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE id = ?", arguments: [id]) != true {
                    errors.fail("\(field).\(i)", "The selected \(field).\(i) is invalid.")
                }
            }
            try checkExists(contactIDs, "contacts", "contact_ids")
            try checkExists(listIDs, "lists", "list_ids")
            try checkExists(segmentIDs, "segments", "segment_ids")
            try errors.check()
            try db.execute(sql: """
                INSERT INTO campaigns(name, status, channel_id, messages, is_new_number, created_at) VALUES (?, 'draft', ?, ?, ?, ?)
                """, arguments: [name, channelID, messages!.description, isNew, now])
            let id = db.lastInsertedRowID
            var audience = Set(contactIDs)
            for listID in listIDs {
                audience.formUnion(try Int64.fetchAll(db, sql: "SELECT contact_id FROM list_members WHERE list_id = ?", arguments: [listID]))
            }
            for segmentID in segmentIDs {
                audience.formUnion(try Int64.fetchAll(db, sql: "SELECT contact_id FROM segment_members WHERE segment_id = ?",
                                                      arguments: [segmentID]))
            }
            for contactID in audience.sorted() {
                try db.execute(sql: """
                    INSERT INTO campaign_contacts(campaign_id, contact_id, status, phone) SELECT ?, id, 'pending', phone
                    FROM contacts WHERE id = ?
                    """, arguments: [id, contactID])
            }
            return try Self.campaignJSON(db, try Self.campaignRow(db, id))
        }
    }

    func updateCampaign(_ id: Int64, _ body: JSON) async throws -> JSON {
        var v = Validator()
        var name: String?
        if body["name"] != nil { name = v.requiredString(body, "name") }
        let messages = Self.validateMessages(body, &v, required: false)
        var isNew: Bool?
        if let value = body["is_new_number"] {
            if let b = value.bool { isNew = b } else { v.fail("is_new_number", "The is new number field must be true or false.") }
        }
        try v.check()
        let (newName, newIsNew) = (name, isNew)
        return try await write { db in
            let (name, isNew) = (newName, newIsNew)
            let row = try Self.campaignRow(db, id)
            guard row["status"] as String == "draft" else {
                throw SandboxError.unprocessable("Only draft campaigns can be updated.")
            }
            if let name { try db.execute(sql: "UPDATE campaigns SET name = ? WHERE id = ?", arguments: [name, id]) }
            if let messages { try db.execute(sql: "UPDATE campaigns SET messages = ? WHERE id = ?", arguments: [messages.description, id]) }
            if let isNew { try db.execute(sql: "UPDATE campaigns SET is_new_number = ? WHERE id = ?", arguments: [isNew, id]) }
            return try Self.campaignJSON(db, try Self.campaignRow(db, id))
        }
    }

    /// A lifecycle verb: start, pause, resume or cancel.
    enum Transition: String, Sendable { case start, pause, resume, cancel }

    func transition(_ id: Int64, _ verb: Transition) async throws -> JSON {
        let now = self.now
        return try await write { db in
            let row = try Self.campaignRow(db, id)
            let status: String = row["status"]
            let allowed: [String]
            let next: String
            switch verb {
            case .start: allowed = ["draft"]; next = "running"
            case .pause: allowed = ["running"]; next = "paused"
            case .resume: allowed = ["paused"]; next = "running"
            case .cancel: allowed = ["draft", "running", "paused"]; next = "cancelled"
            }
            guard allowed.contains(status) else {
                throw SandboxError.unprocessable("A \(status) campaign cannot be \(verb == .start ? "started" : verb == .pause ? "paused" : verb == .resume ? "resumed" : "cancelled").")
            }
            if verb == .start {
                let used = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaigns WHERE started_at IS NOT NULL") ?? 0
                guard used < Self.campaignQuota else {
                    throw SandboxError.unprocessable("Your outreach campaign quota is used up.")
                }
                try db.execute(sql: "UPDATE campaigns SET status = 'running', started_at = ?, campaign_day = 1, messages_sent_today = 0 WHERE id = ?",
                               arguments: [now, id])
            } else {
                try db.execute(sql: "UPDATE campaigns SET status = ? WHERE id = ?", arguments: [next, id])
            }
            return try Self.campaignJSON(db, try Self.campaignRow(db, id))
        }
    }

    func deleteCampaign(_ id: Int64) async throws {
        try await write { db in
            let row = try Self.campaignRow(db, id)
            guard ["draft", "cancelled"].contains(row["status"] as String) else {
                throw SandboxError.unprocessable("Only draft or cancelled campaigns can be deleted.")
            }
            try db.execute(sql: "DELETE FROM campaign_contacts WHERE campaign_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM campaigns WHERE id = ?", arguments: [id])
        }
    }

    func campaignContacts(_ id: Int64, status: String?, page: PageRequest) async throws -> (JSON, JSON) {
        try await read { db in
            _ = try Self.campaignRow(db, id)
            var whereSQL = "WHERE cc.campaign_id = ?"
            var arguments: StatementArguments = [id]
            if let status { whereSQL += " AND cc.status = ?"; arguments += [status] }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_contacts cc \(whereSQL)", arguments: arguments) ?? 0
            let rows = try Row.fetchAll(db, sql: """
                SELECT cc.id, cc.status, cc.phone, cc.sent_at, cc.error, c.id AS cid, c.name, c.type
                FROM campaign_contacts cc LEFT JOIN contacts c ON c.id = cc.contact_id \(whereSQL)
                ORDER BY cc.id LIMIT ? OFFSET ?
                """, arguments: arguments + [page.perPage, page.offset])
            let items: [JSON] = rows.map { row in
                let contact: JSON = (row["cid"] as Int64?) == nil ? .null
                    : ["id": .int(row["cid"]), "name": .string(row["name"]), "type": .string(row["type"])]
                return ["id": .int(row["id"]), "status": .string(row["status"]), "phone": (row["phone"] as String?).json,
                        "sent_at": timestampJSON(row["sent_at"]), "error": (row["error"] as String?).json, "contact": contact]
            }
            return (.array(items), page.meta(total: total))
        }
    }

    /// One background cycle of the campaign engine: for each running campaign, roll the
    /// campaign day over when simulated time has passed a day, send to pending contacts up
    /// to the day's limit, and complete the campaign when nobody is left.
    func runCampaignCycle() async throws {
        let now = self.now
        try await write { db in
            let running = try Row.fetchAll(db, sql: "SELECT * FROM campaigns WHERE status = 'running'")
            for campaign in running {
                let id: Int64 = campaign["id"]
                let started: Int64 = campaign["started_at"] ?? now
                let day = Int((now - started) / Self.day) + 1
                var sentToday: Int = campaign["messages_sent_today"]
                if day != campaign["campaign_day"] as Int { sentToday = 0 }
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_contacts WHERE campaign_id = ?", arguments: [id]) ?? 0
                let limit = CampaignSchedule.dailyLimit(day: day, isNewNumber: campaign["is_new_number"], totalContacts: total)
                let budget = max(0, limit - sentToday)
                let channelID: Int64 = campaign["channel_id"]
                let channel = try Row.fetchOne(db, sql: "SELECT type, connected FROM channels WHERE id = ?", arguments: [channelID])
                let steps = (JSON.parse(Data((campaign["messages"] as String).utf8))?.array ?? []).compactMap { $0["content"]?.string }
                let batch = try Row.fetchAll(db, sql: """
                    SELECT cc.id, cc.contact_id, c.blacklisted, c.type FROM campaign_contacts cc
                    LEFT JOIN contacts c ON c.id = cc.contact_id
                    WHERE cc.campaign_id = ? AND cc.status = 'pending' ORDER BY cc.id LIMIT ?
                    """, arguments: [id, budget])
                for target in batch {
                    var error: String?
                    if (target["type"] as String?) == nil { error = "Contact no longer exists." }
                    else if target["blacklisted"] as Bool { error = "Contact is blacklisted." }
                    else if channel == nil || !(channel!["connected"] as Bool) { error = "Channel is not connected." }
                    if let error {
                        try db.execute(sql: "UPDATE campaign_contacts SET status = 'failed', error = ? WHERE id = ?",
                                       arguments: [error, target["id"] as Int64])
                    } else {
                        for step in steps {
                            try Self.insertMessage(db, contactID: target["contact_id"], direction: "outbound",
                                                   channel: target["type"], content: step, status: "sent", at: now)
                        }
                        try db.execute(sql: "UPDATE campaign_contacts SET status = 'sent', sent_at = ? WHERE id = ?",
                                       arguments: [now, target["id"] as Int64])
                    }
                }
                sentToday += batch.count
                let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_contacts WHERE campaign_id = ? AND status = 'pending'",
                                               arguments: [id]) ?? 0
                if pending == 0 {
                    try db.execute(sql: "UPDATE campaigns SET status = 'completed', completed_at = ?, campaign_day = ?, messages_sent_today = ? WHERE id = ?",
                                   arguments: [now, day, sentToday, id])
                } else {
                    try db.execute(sql: "UPDATE campaigns SET campaign_day = ?, messages_sent_today = ? WHERE id = ?",
                                   arguments: [day, sentToday, id])
                }
            }
        }
    }
}
