import Foundation
@testable import SkyLightSandbox
import Testing

struct AuthTests {
    @Test func bothHeadersWorkAndAnythingElseIs401() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        #expect(try await api.call("GET", "/tags").status == 200)
        #expect(try await api.call("GET", "/tags", headers: ["X-Api-Key": api.key]).status == 200)
        for headers in [[:], ["Authorization": "Bearer wrong"], ["X-Api-Key": "wrong"], ["Authorization": api.key]] {
            let reply = try await api.call("GET", "/contacts/1", headers: headers)
            #expect(reply.status == 401 && reply.json["message"] as? String == "Unauthenticated.")
        }
        #expect(try await api.call("POST", "/_sandbox/tick", headers: [:]).status == 401)
    }
}

struct ContactEndpointTests {
    @Test func crudSearchAndFilters() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let created = try await api.call("POST", "/contacts", ["name": "Zed Example", "phone": "+15557771234", "email": "zed@example.org",
                                                               "type": "telegram", "tags": ["vip", "VIP Customer"]])
        #expect(created.status == 201 && created.json["message"] as? String == "Contact created successfully.")
        let id = created.data["id"] as! Int
        // "vip" matches the existing tag "VIP" (titles compare case-insensitively); the other is created.
        #expect(created.data["tags"] as? [String] == ["VIP", "VIP Customer"])
        for query in ["search=zed%20ex", "search=zed@example", "search=5557771234"] {
            #expect(try await api.call("GET", "/contacts?\(query)").list.map { $0["id"] as! Int } == [id], "\(query)")
        }
        let telegram = try await api.call("GET", "/contacts?type=telegram&per_page=100")
        #expect(telegram.list.allSatisfy { $0["type"] as? String == "telegram" } && telegram.meta["per_page"] == 100)
        #expect(try await api.call("GET", "/contacts?tag=vip&search=zed").list.count == 1)
        let updated = try await api.call("PUT", "/contacts/\(id)", ["name": "Zed M. Example"])
        #expect(updated.status == 200 && updated.data["name"] as? String == "Zed M. Example" && updated.data["email"] == nil)
        #expect(try await api.call("GET", "/contacts/\(id)").data["email"] as? String == "zed@example.org")
        #expect(try await api.call("DELETE", "/contacts/\(id)").status == 204)
        #expect(try await api.call("GET", "/contacts/\(id)").status == 404)
        #expect(try await api.call("GET", "/contacts/abc").status == 404)
    }

    @Test func validation() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let missing = try await api.call("POST", "/contacts", [:])
        #expect(missing.status == 422 && missing.errors.keys.sorted() == ["name", "type"])
        #expect((missing.json["message"] as? String)?.contains("(and 1 more error)") == true)
        #expect(try await api.call("POST", "/contacts", ["name": "A", "type": "sms"]).errors["type"] == ["The selected type is invalid."])
        #expect(try await api.call("POST", "/contacts", ["name": "A", "type": "whatsapp"]).errors["phone"] != nil)
        #expect(try await api.call("POST", "/contacts", ["name": "A", "type": "instagram"]).status == 201)
        #expect(try await api.call("GET", "/contacts?per_page=101").errors["per_page"] == ["The per page field must not be greater than 100."])
        #expect(try await api.call("GET", "/contacts?blacklisted=maybe").status == 422)
        let notJSON = try await api.call("POST", "/contacts", nil, headers: ["Authorization": "Bearer \(api.key)", "Content-Type": "application/json"])
        #expect(notJSON.status == 422)
    }

    @Test func blacklistTogglesAndNotesListNewestFirst() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let on = try await api.call("POST", "/contacts/5/blacklist")
        #expect(on.data["blacklisted"] as? Bool == true && on.json["message"] as? String == "Contact blacklisted successfully.")
        #expect(try await api.call("GET", "/contacts?blacklisted=true").list.contains { $0["id"] as? Int == 5 })
        #expect(try await api.call("POST", "/contacts/5/blacklist").data["blacklisted"] as? Bool == false)
        #expect(try await api.call("POST", "/contacts/999999/blacklist").status == 404)
        try await api.call("POST", "/contacts/5/notes", ["content": "first"])
        let second = try await api.call("POST", "/contacts/5/notes", ["content": "second"])
        #expect(second.status == 201 && second.data["contact_id"] as? Int == 5)
        #expect(try await api.call("GET", "/contacts/5/notes").list.prefix(2).map { $0["content"] as? String } == ["second", "first"])
        #expect(try await api.call("POST", "/contacts/5/notes", ["content": ""]).status == 422)
    }
}

struct TagEndpointTests {
    @Test func tagLifecycleAndAssignment() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let tag = try await api.call("POST", "/tags", ["title": "Escalated"])
        #expect(tag.status == 201 && tag.data["contacts_count"] as? Int == 0)
        let id = tag.data["id"] as! Int
        #expect(try await api.call("POST", "/tags", ["title": String(repeating: "x", count: 101)]).status == 422)
        #expect(try await api.call("POST", "/tags", ["title": "escalated"]).errors["title"] != nil)
        #expect(try await api.call("POST", "/contacts/1/tags", ["tag_id": id]).status == 200)
        #expect(try await api.call("POST", "/contacts/1/tags", ["tag_id": id]).status == 200)
        #expect(try await api.call("GET", "/tags/\(id)").data["contacts_count"] as? Int == 1)
        #expect(try await api.call("POST", "/contacts/1/tags", ["tag_id": id, "title": "x"]).status == 422)
        #expect(try await api.call("POST", "/contacts/1/tags", [:]).errors.keys.sorted() == ["tag_id", "title"])
        #expect(try await api.call("POST", "/contacts/1/tags", ["tag_id": 99999]).status == 422)
        let byTitle = try await api.call("POST", "/contacts/2/tags", ["title": "Newsletter Subscriber"])
        #expect((byTitle.data["tags"] as? [String])?.contains("Newsletter Subscriber") == true)
        try await api.call("PUT", "/tags/\(id)", ["title": "Escalated Twice"])
        #expect((try await api.call("GET", "/contacts/1").data["tags"] as? [String])?.contains("Escalated Twice") == true)
        #expect(try await api.call("DELETE", "/contacts/1/tags/\(id)").status == 204)
        #expect(try await api.call("DELETE", "/contacts/1/tags/\(id)").status == 204)
        #expect(try await api.call("DELETE", "/contacts/1/tags/99999").status == 404)
        try await api.call("POST", "/contacts/3/tags", ["tag_id": id])
        #expect(try await api.call("DELETE", "/tags/\(id)").status == 204)
        #expect((try await api.call("GET", "/contacts/3").data["tags"] as? [String])?.contains("Escalated Twice") == false)
        #expect(try await api.call("GET", "/tags/\(id)").status == 404)
        let list = try await api.call("GET", "/tags")
        #expect(list.list.count >= 8 && list.list[0]["contacts_count"] != nil)
    }
}

struct GroupEndpointTests {
    @Test(arguments: [("lists", "name", "list_id"), ("segments", "title", "segment_id")])
    func listsAndSegments(kind: String, field: String, key: String) async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let created = try await api.call("POST", "/contacts/\(kind)", [field: "Test \(kind)"])
        #expect(created.status == 201 && created.data["status"] as? Int == 1)
        let id = created.data["id"] as! Int
        #expect(try await api.call("POST", "/contacts/\(kind)", [:]).errors[field] != nil)
        #expect(try await api.call("POST", "/contacts/4/\(kind)", [key: id]).status == 200)
        #expect(try await api.call("POST", "/contacts/4/\(kind)", [key: id]).status == 200)
        #expect(try await api.call("POST", "/contacts/6/\(kind)", [key: id]).status == 200)
        let members = try await api.call("GET", "/contacts/\(kind)/\(id)/members?per_page=1")
        #expect(members.meta == ["total": 2, "current_page": 1, "per_page": 1, "last_page": 2])
        #expect(try await api.call("PUT", "/contacts/\(kind)/\(id)", ["status": 0]).data["status"] as? Int == 0)
        #expect(try await api.call("PUT", "/contacts/\(kind)/\(id)", ["status": 7]).status == 422)
        #expect(try await api.call("DELETE", "/contacts/6/\(kind)/\(id)").status == 204)
        #expect(try await api.call("GET", "/contacts/\(kind)/\(id)").data["contacts_count"] as? Int == 1)
        #expect(try await api.call("DELETE", "/contacts/\(kind)/\(id)").status == 204)
        #expect(try await api.call("GET", "/contacts/\(kind)/\(id)/members").status == 404)
        #expect(try await api.call("POST", "/contacts/4/\(kind)", [key: id]).status == 422)
        #expect(try await api.call("GET", "/contacts/\(kind)/\(id)").status == 404)
    }
}

struct MessageEndpointTests {
    @Test func conversationsAreGroupedNewestFirstWithUnreadCounts() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let page = try await api.call("GET", "/conversations?per_page=100")
        let times = page.list.compactMap { $0["last_message_at"] as? String }
        #expect(times == times.sorted(by: >) && page.meta["total"] == 240)
        try await api.call("POST", "/_sandbox/inbound", ["contact_id": 200, "message": "new one"])
        try await api.call("POST", "/_sandbox/inbound", ["contact_id": 200, "message": "and another"])
        let top = try await api.call("GET", "/conversations?per_page=1").list[0]
        #expect(top["contact_id"] as? Int == 200 && top["last_message"] as? String == "and another" && (top["unread_count"] as? Int ?? 0) >= 2)
        try await api.call("POST", "/messages/send", ["contact_id": 200, "message": "answer"])
        #expect(try await api.call("GET", "/conversations?contact_id=200").list[0]["unread_count"] as? Int == 0)
        #expect(try await api.call("GET", "/conversations?channel=instagram&per_page=100").list.allSatisfy { $0["channel"] as? String == "instagram" })
        let history = try await api.call("GET", "/contacts/200/messages?per_page=3")
        #expect(history.list.map { $0["content"] as? String } == ["answer", "and another", "new one"])
        #expect(try await api.call("GET", "/contacts/200/messages?direction=inbound").list.allSatisfy { $0["direction"] as? String == "inbound" })
    }

    @Test func sendRulesAndDelivery() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let sent = try await api.call("POST", "/messages/send", ["contact_id": 10, "message": "hello"])
        #expect(sent.status == 201 && sent.data["status"] as? String == "sent")
        try await api.call("POST", "/_sandbox/clock", ["advance_seconds": 3])
        #expect(try await api.call("GET", "/contacts/10/messages?per_page=1").list[0]["status"] as? String == "delivered")
        try await api.call("POST", "/_sandbox/clock", ["advance_seconds": 10])
        #expect(try await api.call("GET", "/contacts/10/messages?per_page=1").list[0]["status"] as? String == "read")
        try await api.call("POST", "/_sandbox/channels", ["type": "whatsapp", "connected": false])
        let failed = try await api.call("POST", "/messages/send", ["contact_id": 1, "message": "nope"])
        #expect(failed.status == 200 && failed.json["success"] as? Bool == false)
        #expect(failed.data["status"] as? String == "failed" && failed.data["error"] as? String == "No whatsapp channel connected.")
        #expect(try await api.call("GET", "/contacts/1/messages?per_page=1").list[0]["status"] as? String == "failed")
        try await api.call("POST", "/contacts/2/blacklist")
        let blocked = try await api.call("POST", "/messages/send", ["contact_id": 2, "message": "hi"])
        #expect(blocked.status == 422)
        #expect(try await api.call("POST", "/messages/send", ["contact_id": 999999, "message": "x"]).errors["contact_id"] != nil)
        #expect(try await api.call("POST", "/messages/send", ["contact_id": 3]).errors["message"] != nil)
    }

    @Test func accountEndpoints() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let channels = try await api.call("GET", "/account/channels")
        #expect(channels.list.map { $0["type"] as? String } == ["whatsapp", "telegram", "instagram"])
        let subscription = try await api.call("GET", "/account/subscription")
        #expect(subscription.data["campaigns_quota"] as? Int == 10 && subscription.data["plan"] as? String == "Pro")
    }
}

struct FaultTests {
    @Test func faultsApplyByRouteAndClear() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        try await api.call("POST", "/_sandbox/faults", ["route": "/api/v1/tags*", "rate_limit_rate": 1, "retry_after": 7])
        let limited = try await api.call("GET", "/tags")
        #expect(limited.status == 429 && limited.headers["retry-after"] == "7")
        #expect(try await api.call("GET", "/contacts/1").status == 200)
        #expect(try await api.call("POST", "/_sandbox/tick").status == 200)
        try await api.call("POST", "/_sandbox/faults", ["rules": [["html_rate": 1]]])
        let html = try await api.call("GET", "/contacts/1")
        #expect(html.status == 502 && html.headers["content-type"]?.hasPrefix("text/html") == true)
        try await api.call("POST", "/_sandbox/faults", ["error_rate": 1])
        #expect([500, 502, 503].contains(try await api.call("GET", "/contacts/1").status))
        try await api.call("POST", "/_sandbox/faults", ["error_rate": 1, "error_status": 401, "error_message": "\u{1B}[2JRevoked."])
        let revoked = try await api.call("GET", "/contacts/1")
        let answer = try JSONSerialization.jsonObject(with: revoked.body) as? [String: Any]
        #expect(revoked.status == 401 && answer?["message"] as? String == "\u{1B}[2JRevoked.")
        try await api.call("POST", "/_sandbox/faults", ["truncate_rate": 1])
        let cut = try await api.call("GET", "/contacts/1")
        #expect(cut.status == 200 && (try? JSONSerialization.jsonObject(with: cut.body)) == nil)
        try await api.call("POST", "/_sandbox/faults", ["latency_ms": 300])
        let start = ContinuousClock.now
        try await api.call("GET", "/contacts/1")
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        #expect(try await api.call("DELETE", "/_sandbox/faults").status == 204)
        #expect(try await api.call("GET", "/tags").status == 200)
    }

    @Test func droppedConnectionsHappenAfterTheWork() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        try await api.call("POST", "/_sandbox/faults", ["route": "/api/v1/contacts/*/notes", "method": "POST", "drop_rate": 1])
        await #expect(throws: (any Error).self) { try await api.call("POST", "/contacts/7/notes", ["content": "dropped"]) }
        #expect(try await api.call("GET", "/contacts/7/notes").list.first?["content"] as? String == "dropped")
    }

    @Test func seededFaultsRepeat() {
        let a = FaultInjector(), b = FaultInjector()
        var rule = FaultRule()
        rule.errorRate = 0.5
        a.set([rule], seed: 9); b.set([rule], seed: 9)
        let runA = (0..<50).map { _ in a.plan(method: "GET", path: "/api/v1/x").latency }
        let runB = (0..<50).map { _ in b.plan(method: "GET", path: "/api/v1/x").latency }
        #expect(runA == runB && a.injectedCount == b.injectedCount && a.injectedCount > 10)
    }
}
