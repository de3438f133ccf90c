import Foundation
import Testing
@testable import SkyLight

/// Each endpoint builds the right method, path, query and body.
struct EndpointTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var method: String
        var path: String
        var body: String?
        var call: @Sendable (SkyLightClient) async throws -> Void
        var description: String { name }
    }

    static let ok = #"{"success":true,"data":{"id":1},"meta":{"current_page":1,"last_page":1,"per_page":15,"total":0}}"#
    static let okList = #"{"success":true,"data":[],"meta":{"current_page":1,"last_page":1,"per_page":15,"total":0}}"#

    static let cases: [Case] = [
        Case(name: "contacts.list", method: "GET", path: "/contacts?page=2&per_page=100&search=sa%20rah%26x&type=whatsapp&blacklisted=false&tag=VIP%20Customer",
             call: { _ = try await $0.contacts.list(ContactQuery(search: "sa rah&x", type: .whatsapp, blacklisted: false, tag: "VIP Customer"), page: 2, perPage: 500) }),
        Case(name: "contacts.create", method: "POST", path: "/contacts", body: #"{"name":"Sarah","phone":"+1","type":"whatsapp"}"#,
             call: { _ = try await $0.contacts.create(NewContact(name: "Sarah", type: .whatsapp, phone: "+1")) }),
        Case(name: "contacts.get", method: "GET", path: "/contacts/42", call: { _ = try await $0.contacts.get(42) }),
        Case(name: "contacts.update sends only given fields", method: "PUT", path: "/contacts/42", body: #"{"name":"S"}"#,
             call: { _ = try await $0.contacts.update(42, ContactUpdate(name: "S")) }),
        Case(name: "contacts.delete", method: "DELETE", path: "/contacts/42", call: { try await $0.contacts.delete(42) }),
        Case(name: "contacts.blacklist", method: "POST", path: "/contacts/42/blacklist", call: { _ = try await $0.contacts.toggleBlacklist(42) }),
        Case(name: "contacts.notes", method: "GET", path: "/contacts/42/notes", call: { _ = try await $0.contacts.notes(42) }),
        Case(name: "contacts.addNote", method: "POST", path: "/contacts/42/notes", body: #"{"content":"Called"}"#,
             call: { _ = try await $0.contacts.addNote(42, content: "Called") }),
        Case(name: "contacts.addToList", method: "POST", path: "/contacts/42/lists", body: #"{"list_id":5}"#,
             call: { try await $0.contacts.addToList(42, listID: 5) }),
        Case(name: "contacts.removeFromList", method: "DELETE", path: "/contacts/42/lists/5", call: { try await $0.contacts.removeFromList(42, listID: 5) }),
        Case(name: "contacts.addToSegment", method: "POST", path: "/contacts/42/segments", body: #"{"segment_id":3}"#,
             call: { try await $0.contacts.addToSegment(42, segmentID: 3) }),
        Case(name: "contacts.removeFromSegment", method: "DELETE", path: "/contacts/42/segments/3",
             call: { try await $0.contacts.removeFromSegment(42, segmentID: 3) }),
        Case(name: "tags.list", method: "GET", path: "/tags", call: { _ = try await $0.tags.list() }),
        Case(name: "tags.create", method: "POST", path: "/tags", body: #"{"title":"VIP"}"#, call: { _ = try await $0.tags.create(title: "VIP") }),
        Case(name: "tags.get", method: "GET", path: "/tags/7", call: { _ = try await $0.tags.get(7) }),
        Case(name: "tags.rename", method: "PUT", path: "/tags/7", body: #"{"title":"Gold"}"#, call: { _ = try await $0.tags.rename(7, title: "Gold") }),
        Case(name: "tags.delete", method: "DELETE", path: "/tags/7", call: { try await $0.tags.delete(7) }),
        Case(name: "tags.assign by id", method: "POST", path: "/contacts/42/tags", body: #"{"tag_id":7}"#,
             call: { try await $0.tags.assign(tagID: 7, to: 42) }),
        Case(name: "tags.assign by title", method: "POST", path: "/contacts/42/tags", body: #"{"title":"Newsletter Subscriber"}"#,
             call: { try await $0.tags.assign(title: "Newsletter Subscriber", to: 42) }),
        Case(name: "tags.unassign", method: "DELETE", path: "/contacts/42/tags/7", call: { try await $0.tags.unassign(tagID: 7, from: 42) }),
        Case(name: "lists.list", method: "GET", path: "/contacts/lists", call: { _ = try await $0.lists.list() }),
        Case(name: "lists.create", method: "POST", path: "/contacts/lists", body: #"{"name":"Spring"}"#, call: { _ = try await $0.lists.create(name: "Spring") }),
        Case(name: "lists.get", method: "GET", path: "/contacts/lists/3", call: { _ = try await $0.lists.get(3) }),
        Case(name: "lists.update", method: "PUT", path: "/contacts/lists/3", body: #"{"status":0}"#, call: { _ = try await $0.lists.update(3, status: 0) }),
        Case(name: "lists.delete", method: "DELETE", path: "/contacts/lists/3", call: { try await $0.lists.delete(3) }),
        Case(name: "lists.members", method: "GET", path: "/contacts/lists/3/members?page=1&per_page=100", call: { _ = try await $0.lists.members(3, perPage: 100) }),
        Case(name: "lists.addMember", method: "POST", path: "/contacts/42/lists", body: #"{"list_id":3}"#, call: { try await $0.lists.addMember(contactID: 42, to: 3) }),
        Case(name: "lists.removeMember", method: "DELETE", path: "/contacts/42/lists/3", call: { try await $0.lists.removeMember(contactID: 42, from: 3) }),
        Case(name: "segments.list", method: "GET", path: "/contacts/segments", call: { _ = try await $0.segments.list() }),
        Case(name: "segments.create", method: "POST", path: "/contacts/segments", body: #"{"title":"High"}"#, call: { _ = try await $0.segments.create(title: "High") }),
        Case(name: "segments.update", method: "PUT", path: "/contacts/segments/2", body: #"{"status":1,"title":"Hi"}"#,
             call: { _ = try await $0.segments.update(2, title: "Hi", status: 1) }),
        Case(name: "segments.delete", method: "DELETE", path: "/contacts/segments/2", call: { try await $0.segments.delete(2) }),
        Case(name: "segments.members", method: "GET", path: "/contacts/segments/2/members?page=1", call: { _ = try await $0.segments.members(2) }),
        Case(name: "segments.addMember", method: "POST", path: "/contacts/42/segments", body: #"{"segment_id":2}"#,
             call: { try await $0.segments.addMember(contactID: 42, to: 2) }),
        Case(name: "segments.removeMember", method: "DELETE", path: "/contacts/42/segments/2",
             call: { try await $0.segments.removeMember(contactID: 42, from: 2) }),
        Case(name: "messages.conversations", method: "GET", path: "/conversations?page=1&per_page=50&channel=telegram&contact_id=42",
             call: { _ = try await $0.messages.conversations(perPage: 50, channel: .telegram, contactID: 42) }),
        Case(name: "messages.history", method: "GET", path: "/contacts/42/messages?page=3&per_page=20&direction=inbound",
             call: { _ = try await $0.messages.history(contactID: 42, page: 3, perPage: 20, direction: .inbound) }),
        Case(name: "messages.send", method: "POST", path: "/messages/send", body: #"{"contact_id":42,"message":"Hi / there"}"#,
             call: { _ = try await $0.messages.send(contactID: 42, message: "Hi / there") }),
        Case(name: "campaigns.list", method: "GET", path: "/campaigns?status=running&per_page=100",
             call: { _ = try await $0.campaigns.list(status: .running, perPage: 100) }),
        Case(name: "campaigns.create", method: "POST", path: "/campaigns",
             body: #"{"channel_id":5,"is_new_number":false,"list_ids":[3,7],"messages":[{"content":"Hi","type":"text"}],"name":"Spring"}"#,
             call: { _ = try await $0.campaigns.create(NewCampaign(name: "Spring", channelID: 5, messages: [CampaignMessage(content: "Hi")],
                                                                   isNewNumber: false, listIDs: [3, 7])) }),
        Case(name: "campaigns.get", method: "GET", path: "/campaigns/12", call: { _ = try await $0.campaigns.get(12) }),
        Case(name: "campaigns.update", method: "PUT", path: "/campaigns/12", body: #"{"name":"New"}"#,
             call: { _ = try await $0.campaigns.update(12, CampaignUpdate(name: "New")) }),
        Case(name: "campaigns.start", method: "POST", path: "/campaigns/12/start", call: { _ = try await $0.campaigns.start(12) }),
        Case(name: "campaigns.pause", method: "POST", path: "/campaigns/12/pause", call: { _ = try await $0.campaigns.pause(12) }),
        Case(name: "campaigns.resume", method: "POST", path: "/campaigns/12/resume", call: { _ = try await $0.campaigns.resume(12) }),
        Case(name: "campaigns.cancel", method: "POST", path: "/campaigns/12/cancel", call: { _ = try await $0.campaigns.cancel(12) }),
        Case(name: "campaigns.delete", method: "DELETE", path: "/campaigns/12", call: { try await $0.campaigns.delete(12) }),
        Case(name: "campaigns.contacts", method: "GET", path: "/campaigns/12/contacts?status=failed&per_page=100",
             call: { _ = try await $0.campaigns.contacts(12, status: .failed, perPage: 100) }),
        Case(name: "account.channels", method: "GET", path: "/account/channels", call: { _ = try await $0.account.channels() }),
        Case(name: "account.subscription", method: "GET", path: "/account/subscription", call: { _ = try await $0.account.subscription() }),
    ]

    @Test(arguments: cases)
    func buildsTheRequest(_ c: Case) async throws {
        let lists = ["contacts.list", "contacts.notes", "tags.list", "lists.list", "lists.members", "segments.list", "segments.members",
                     "messages.conversations", "messages.history", "campaigns.list", "campaigns.contacts", "account.channels"]
        let transport = ScriptedTransport(json: lists.contains(c.name) ? Self.okList : Self.ok)
        try await c.call(client(transport))
        let request = try #require(transport.requests.first)
        #expect(request.method == c.method)
        #expect(request.url == "http://sandbox.test/api/v1" + c.path)
        #expect(request.headers["Authorization"] == "Bearer sk_test_secret_123")
        if let body = c.body {
            #expect(String(decoding: request.body ?? Data(), as: UTF8.self) == body)
            #expect(request.headers["Content-Type"] == "application/json")
        } else {
            #expect(request.body == nil)
        }
    }

    @Test func apiKeyHeaderIsSelectable() async throws {
        let transport = ScriptedTransport(json: Self.okList)
        _ = try await client(transport, auth: .apiKeyHeader).tags.list()
        #expect(transport.requests[0].headers["X-Api-Key"] == "sk_test_secret_123")
        #expect(transport.requests[0].headers["Authorization"] == nil)
    }

    @Test func paginationFetchesLazily() async throws {
        let page = { (n: Int) in
            #"{"success":true,"data":[{"id":\#(n * 10)},{"id":\#(n * 10 + 1)}],"meta":{"current_page":\#(n),"last_page":3,"per_page":2,"total":6}}"#
        }
        let transport = ScriptedTransport((1...3).map { .respond(HTTPResponse(status: 200, body: Data(page($0).utf8))) })
        var iterator = client(transport).contacts.all().makeAsyncIterator()
        #expect(try await iterator.next()?.id == 10)
        #expect(transport.requests.count == 1)
        _ = try await iterator.next()
        #expect(transport.requests.count == 1)
        #expect(try await iterator.next()?.id == 20)
        #expect(transport.requests.count == 2)
        var rest: [Int] = []
        while let item = try await iterator.next() { rest.append(item.id) }
        #expect(rest == [21, 30, 31] && transport.requests.count == 3)
        #expect(transport.requests[2].url.contains("page=3&per_page=100"))
    }
}
