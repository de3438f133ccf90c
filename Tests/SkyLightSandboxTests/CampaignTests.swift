import Foundation
@testable import SkyLightSandbox
import Testing

struct DailyLimitTests {
    @Test(arguments: [(1, 35, 20), (2, 35, 20), (3, 65, 40), (4, 65, 40), (5, 65, 60), (6, 65, 60), (7, 120, 90), (13, 120, 90),
                      (14, 200, 200), (60, 200, 200)])
    func table(day: Int, normal: Int, newNumber: Int) {
        #expect(CampaignSchedule.tableLimit(day: day, isNewNumber: false) == normal)
        #expect(CampaignSchedule.tableLimit(day: day, isNewNumber: true) == newNumber)
    }

    @Test func smallCampaignsAreCapped() {
        #expect(CampaignSchedule.dailyLimit(day: 1, isNewNumber: false, totalContacts: 10) == 4)
        #expect(CampaignSchedule.dailyLimit(day: 14, isNewNumber: false, totalContacts: 300) == 100)
        #expect(CampaignSchedule.dailyLimit(day: 1, isNewNumber: false, totalContacts: 1000) == 35)
    }
}

struct CampaignEngineTests {
    func create(_ api: API, ids: [Int], isNew: Bool = false) async throws -> Int {
        let reply = try await api.call("POST", "/campaigns", ["name": "Engine", "channel_id": 5, "is_new_number": isNew,
                                                              "messages": [["type": "text", "content": "Hi"], ["type": "text", "content": "Bye"]],
                                                              "contact_ids": ids])
        #expect(reply.status == 201 && reply.data["status"] as? String == "draft")
        return reply.data["id"] as! Int
    }

    /// Sends per simulated day until the campaign completes.
    func run(_ api: API, _ id: Int, days: Int) async throws -> [Int] {
        var perDay: [Int] = []
        var total = 0
        for day in 1...days {
            if day > 1 { try await api.call("POST", "/_sandbox/clock", ["advance_seconds": 86_400]) }
            else { try await api.call("POST", "/_sandbox/tick") }
            let campaign = try await api.call("GET", "/campaigns/\(id)").data
            #expect(campaign["campaign_day"] as? Int == day)
            let sent = (campaign["success_count"] as! Int) + (campaign["failed_count"] as! Int)
            perDay.append(sent - total)
            total = sent
            #expect(campaign["messages_sent_today"] as? Int == perDay.last)
            if campaign["status"] as? String == "completed" {
                #expect(campaign["progress_percentage"] as? Int == 100 && campaign["completed_at"] is String)
                break
            }
            #expect(campaign["remaining_today"] as? Int == 0)
        }
        return perDay
    }

    @Test func normalNumberFollowsTheTable() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let id = try await create(api, ids: Array(1...240))
        let started = try await api.call("POST", "/campaigns/\(id)/start")
        #expect(started.data["status"] as? String == "running" && started.data["daily_limit"] as? Int == 35)
        #expect(try await run(api, id, days: 10) == [35, 35, 65, 65, 40])
        let history = try await api.call("GET", "/contacts/1/messages?per_page=2")
        #expect(history.list.map { $0["content"] as? String } == ["Bye", "Hi"])
    }

    @Test func newNumberWarmsUpSlower() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let id = try await create(api, ids: Array(1...240), isNew: true)
        try await api.call("POST", "/campaigns/\(id)/start")
        #expect(try await run(api, id, days: 12) == [20, 20, 40, 40, 60, 60])
    }

    @Test func smallCampaignFinishesInAboutThreeDays() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let id = try await create(api, ids: Array(1...10))
        try await api.call("POST", "/campaigns/\(id)/start")
        #expect(try await run(api, id, days: 5) == [4, 4, 2])
    }

    @Test func pauseStopsAtOnceAndResumeContinues() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let id = try await create(api, ids: Array(1...100))
        try await api.call("POST", "/campaigns/\(id)/start")
        try await api.call("POST", "/_sandbox/tick")
        #expect(try await api.call("POST", "/campaigns/\(id)/pause").data["status"] as? String == "paused")
        try await api.call("POST", "/_sandbox/clock", ["advance_seconds": 3 * 86_400])
        #expect(try await api.call("GET", "/campaigns/\(id)").data["success_count"] as? Int == 34)
        try await api.call("POST", "/campaigns/\(id)/resume")
        try await api.call("POST", "/_sandbox/tick")
        let resumed = try await api.call("GET", "/campaigns/\(id)").data
        // Contact 53 of the demo seed is blacklisted: it counts as a failed send.
        #expect((resumed["success_count"] as! Int) + (resumed["failed_count"] as! Int) == 34 + 34, "\(resumed)")
        let contacts = try await api.call("GET", "/campaigns/\(id)/contacts?status=pending&per_page=100")
        #expect(contacts.meta["total"] == 32 && contacts.list.first?["contact"] is [String: Any])
    }

    @Test func blacklistedContactsFail() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        try await api.call("POST", "/contacts/3/blacklist")
        let id = try await create(api, ids: [1, 2, 3])
        try await api.call("POST", "/campaigns/\(id)/start")
        try await api.call("POST", "/_sandbox/tick")
        for _ in 1...3 { try await api.call("POST", "/_sandbox/clock", ["advance_seconds": 86_400]) }
        let failed = try await api.call("GET", "/campaigns/\(id)/contacts?status=failed")
        #expect(failed.list.map { ($0["contact"] as? [String: Any])?["id"] as? Int } == [3])
        #expect(failed.list.first?["error"] as? String == "Contact is blacklisted.")
    }

    @Test func lifecycleRules() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let id = try await create(api, ids: [1, 2])
        #expect(try await api.call("POST", "/campaigns/\(id)/pause").status == 422)
        #expect(try await api.call("POST", "/campaigns/\(id)/resume").status == 422)
        #expect(try await api.call("PUT", "/campaigns/\(id)", ["name": "Renamed"]).data["name"] as? String == "Renamed")
        try await api.call("POST", "/campaigns/\(id)/start")
        #expect(try await api.call("POST", "/campaigns/\(id)/start").status == 422)
        #expect(try await api.call("PUT", "/campaigns/\(id)", ["name": "Nope"]).status == 422)
        #expect(try await api.call("DELETE", "/campaigns/\(id)").status == 422)
        #expect(try await api.call("POST", "/campaigns/\(id)/cancel").data["status"] as? String == "cancelled")
        #expect(try await api.call("POST", "/campaigns/\(id)/resume").status == 422)
        #expect(try await api.call("POST", "/campaigns/\(id)/start").status == 422)
        #expect(try await api.call("DELETE", "/campaigns/\(id)").status == 204)
        #expect(try await api.call("GET", "/campaigns/\(id)").status == 404)
    }

    @Test func createValidation() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let empty = try await api.call("POST", "/campaigns", [:])
        #expect(Set(empty.errors.keys).isSuperset(of: ["name", "channel_id", "messages", "contact_ids"]))
        let noAudience = try await api.call("POST", "/campaigns", ["name": "x", "channel_id": 5, "messages": [["type": "text", "content": "x"]]])
        #expect(noAudience.errors["contact_ids"] != nil)
        let badType = try await api.call("POST", "/campaigns", ["name": "x", "channel_id": 5, "messages": [["type": "gif", "content": "x"]], "list_ids": [3]])
        #expect(badType.errors["messages.0.type"] != nil)
        #expect(try await api.call("POST", "/campaigns", ["name": "x", "channel_id": 999, "messages": [["type": "text", "content": "x"]],
                                                        "list_ids": [3]]).errors["channel_id"] != nil)
        let fromLists = try await api.call("POST", "/campaigns", ["name": "x", "channel_id": 5, "messages": [["type": "text", "content": "x"]],
                                                                  "list_ids": [3, 7], "segment_ids": [2]])
        #expect(fromLists.status == 201 && (fromLists.data["total_contacts"] as? Int ?? 0) > 60)
        let listed = try await api.call("GET", "/campaigns?status=draft")
        #expect(listed.list.allSatisfy { $0["status"] as? String == "draft" } && listed.meta["per_page"] == 25)
    }
}

struct SeedTests {
    @Test func largeSeedHasTenMessagesPerConversation() async throws {
        var options = SandboxOptions()
        options.seedSize = 2000
        options.tickInterval = 3600
        let sandbox = try await Sandbox.start(options)
        defer { Task { await sandbox.stop() } }
        let api = API(sandbox: sandbox)
        #expect(try await api.call("GET", "/conversations?per_page=1").meta["total"] == 2000)
        #expect(try await api.call("GET", "/contacts/1999/messages?per_page=1").meta["total"] == 10)
    }

    @Test func demoSeedLooksLived() async throws {
        let api = try await API.start()
        defer { Task { await api.stop() } }
        let conversations = try await api.call("GET", "/conversations?per_page=100")
        #expect(conversations.list.contains { ($0["unread_count"] as? Int ?? 0) > 0 })
        let names = conversations.list.compactMap { $0["contact_name"] as? String }.joined()
        #expect(names.unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) })
        #expect(names.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) })
        let statuses = Set(try await api.call("GET", "/campaigns").list.compactMap { $0["status"] as? String })
        #expect(statuses == ["draft", "running", "paused", "completed", "cancelled"])
        #expect(try await api.call("GET", "/contacts/segments").list.count == 2)
        #expect(try await api.call("GET", "/contacts/2/notes").list.count > 0)
    }
}
