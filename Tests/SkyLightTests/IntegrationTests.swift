import Foundation
import Testing
@testable import SkyLight
import SkyLightSandbox

/// The SDK over real HTTP against a sandbox on 127.0.0.1.
struct IntegrationTests {
    @Test func contactLifecycle() async throws {
        let (sandbox, client) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        let created = try await client.contacts.create(NewContact(name: "Integration Person", type: .telegram, phone: "+15550001",
                                                                  tags: ["VIP Customer", "brand-new"]))
        #expect(created.tags == ["VIP Customer", "brand-new"] && created.status == .active)
        let found = try await client.contacts.list(ContactQuery(search: "integration person"))
        #expect(found.items.map(\.id) == [created.id])
        let updated = try await client.contacts.update(created.id, ContactUpdate(email: "p@example.com"))
        #expect(updated.email == "p@example.com" && updated.name == nil)
        #expect(try await client.contacts.get(created.id).name == "Integration Person")
        #expect(try await client.contacts.toggleBlacklist(created.id).blacklisted == true)
        #expect(try await client.contacts.list(ContactQuery(blacklisted: true)).items.contains { $0.id == created.id })
        #expect(try await client.contacts.toggleBlacklist(created.id).blacklisted == false)
        let note = try await client.contacts.addNote(created.id, content: "Called today — interested in Pro plan.")
        _ = try await client.contacts.addNote(created.id, content: "Second")
        #expect(try await client.contacts.notes(created.id).items.map(\.content) == ["Second", note.content])
        try await client.contacts.delete(created.id)
        let error = await #expect(throws: SkyLightError.self) { _ = try await client.contacts.get(created.id) }
        #expect(error?.status == 404)
    }

    @Test func tagsListsSegmentsAndPagination() async throws {
        let (sandbox, client) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        let tag = try await client.tags.create(title: "Integration")
        try await client.tags.assign(tagID: tag.id, to: 1)
        try await client.tags.assign(tagID: tag.id, to: 1)
        #expect(try await client.tags.get(tag.id).contactsCount == 1)
        _ = try await client.tags.rename(tag.id, title: "Renamed")
        #expect(try await client.contacts.get(1).tags?.contains("Renamed") == true)
        try await client.tags.unassign(tagID: tag.id, from: 1)
        #expect(try await client.contacts.get(1).tags?.contains("Renamed") == false)
        let list = try await client.lists.create(name: "Integration list")
        try await client.lists.addMember(contactID: 2, to: list.id)
        try await client.lists.addMember(contactID: 2, to: list.id)
        #expect(try await client.lists.members(list.id).meta.total == 1)
        let segment = try await client.segments.create(title: "Integration segment")
        try await client.segments.addMember(contactID: 3, to: segment.id)
        #expect(try await client.segments.members(segment.id).items.map(\.id) == [3])
        try await client.segments.delete(segment.id)
        let all = try await client.contacts.all(perPage: 100).collect()
        #expect(all.count == 240 && Set(all.map(\.id)).count == 240)
        let conversations = try await client.messages.allConversations(perPage: 100).collect()
        #expect(conversations.count == 240)
        let times = conversations.compactMap(\.lastMessageAt)
        #expect(times == times.sorted(by: >))
    }

    @Test func sendAndHistory() async throws {
        let (sandbox, client) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        let sent = try await client.messages.send(contactID: 4, message: "Hello from the SDK 👋")
        #expect(sent.status == .sent && sent.direction == .outbound)
        let history = try await client.messages.history(contactID: 4, perPage: 1)
        #expect(history.items.first?.id == sent.id)
        let row = try await client.messages.conversations(contactID: 4).items.first
        #expect(row?.lastMessage == "Hello from the SDK 👋" && row?.unreadCount == 0)
    }

    /// The reference leaves the order of a history open: from a server that lists oldest
    /// first, page 1 is still the newest messages, newest first, and later pages go back.
    @Test(arguments: [false, true]) func historyPagesGoBackInTimeWhicheverWayTheServerLists(oldestFirst: Bool) async throws {
        let (sandbox, client) = try await startSandbox(historyOldestFirst: oldestFirst)
        defer { Task { await sandbox.stop() } }
        let contact = try await client.contacts.create(NewContact(name: "History Person", type: .whatsapp, phone: "+15550042"))
        for n in 1...23 { _ = try await client.messages.send(contactID: contact.id, message: "message \(n)") }
        var pages: [[String]] = []
        for page in 1...3 { pages.append(try await client.messages.history(contactID: contact.id, page: page, perPage: 10).items.compactMap(\.content)) }
        // Oldest first, the server's last page holds 3: page 1 is topped up from the page before it.
        #expect(pages[0].prefix(3) == ["message 23", "message 22", "message 21"], "\(pages)")
        #expect(pages[0].count == (oldestFirst ? 13 : 10))
        #expect(pages[2].last == "message 1" && Set(pages.joined()).count == 23)
        // A new message is page 1's first, whichever way the last page moved.
        _ = try await client.messages.send(contactID: contact.id, message: "message 24")
        #expect(try await client.messages.history(contactID: contact.id, perPage: 10).items.first?.content == "message 24")
    }

    /// Notes are listed in an order the reference leaves open too: past a hundred of them, the
    /// newest come first from a server that lists oldest first as well.
    @Test(arguments: [false, true]) func theLatestNotesAreTheNewestWhicheverWayTheServerLists(oldestFirst: Bool) async throws {
        let (sandbox, client) = try await startSandbox(historyOldestFirst: oldestFirst)
        defer { Task { await sandbox.stop() } }
        let contact = try await client.contacts.create(NewContact(name: "Noted Person", type: .whatsapp, phone: "+15550043"))
        for n in 1...130 { _ = try await client.contacts.addNote(contact.id, content: "note \(n)") }
        let first = try await client.contacts.notes(contact.id, perPage: 100).items.first?.content
        #expect(first == (oldestFirst ? "note 1" : "note 130"))
        let latest = try await client.contacts.latestNotes(contact.id).compactMap(\.content)
        #expect(latest.count == 100 && latest.first == "note 130" && latest.last == "note 31", "\(latest.prefix(3)) … \(latest.suffix(3))")
        let ten = try await client.contacts.latestNotes(contact.id, count: 10).compactMap(\.content)
        #expect(ten == (121...130).reversed().map { "note \($0)" })
    }

    @Test func campaignLifecycle() async throws {
        let (sandbox, client) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        let channels = try await client.account.channels()
        #expect(channels.count == 3)
        let campaign = try await client.campaigns.create(NewCampaign(name: "SDK", channelID: channels[0].id,
                                                                     messages: [CampaignMessage(content: "Hi")], contactIDs: [1, 2, 3]))
        #expect(campaign.status == .draft && campaign.totalContacts == 3)
        #expect(try await client.campaigns.start(campaign.id).status == .running)
        #expect(try await client.campaigns.pause(campaign.id).status == .paused)
        let error = await #expect(throws: SkyLightError.self) { _ = try await client.campaigns.pause(campaign.id) }
        #expect(error?.status == 422)
        #expect(try await client.campaigns.resume(campaign.id).status == .running)
        #expect(try await client.campaigns.cancel(campaign.id).status == .cancelled)
        try await client.campaigns.delete(campaign.id)
        #expect(try await client.account.subscription().campaignsQuota == 10)
    }

    @Test func aTaskThatPrefersTheSDKsEventLoopStaysOnIt() async throws {
        let (sandbox, client) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        let executor = try #require(client.preferredExecutor as? EventLoopTaskExecutor)
        try await withTaskExecutorPreference(executor) { () async throws -> Void in
            for id in 1...3 {
                let contact = try await client.contacts.get(id)
                #expect(contact.id == id)
                #expect(executor.eventLoop.inEventLoop)
            }
        }
    }

    /// Requests made together (an inbox opening a conversation asks for its thread, contact and
    /// notes at once) reuse kept-alive connections rather than opening and closing one each:
    /// over a real link every new connection costs a TCP and a TLS handshake.
    @Test func requestsMadeTogetherReuseTheirConnections() async throws {
        let (sandbox, client) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        let port = try #require(URL(string: sandbox.baseURL)?.port)
        for round in 0..<10 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for offset in 1...3 {
                    group.addTask { _ = try await client.contacts.get(round * 3 + offset) }
                }
                try await group.waitForAll()
            }
        }
        // Closed connections linger in TIME_WAIT, so this counts every one opened to the sandbox.
        let opened = try Self.socketsTo(port: port)
        #expect(opened <= 3, "\(opened) connections for 30 requests, 3 at a time")
    }

    /// The TCP sockets on this machine whose far end is `port` on 127.0.0.1, in any state.
    static func socketsTo(port: Int) throws -> Int {
        // Read to the end: a /proc file reports a size of 0.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/net/tcp"))
        defer { try? file.close() }
        let table = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
        return table.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ")
            guard fields.count > 2, let remotePort = fields[2].split(separator: ":").last else { return false }
            return Int(remotePort, radix: 16) == port
        }.count
    }

    @Test func serverErrorsAreRetriedForReads() async throws {
        let (sandbox, client) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        var rule = FaultRule()
        rule.route = "/api/v1/tags"
        rule.errorRate = 0.5
        sandbox.faults.set([rule], seed: 3)
        for _ in 0..<10 { _ = try await client.tags.list() }
        #expect(sandbox.faults.injectedCount > 0)
    }

    @Test func droppedAnswerIsAnUnknownOutcomeAndTheSendHappened() async throws {
        let (sandbox, client) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        var rule = FaultRule()
        rule.route = "/api/v1/messages/send"
        rule.dropRate = 1
        sandbox.faults.set([rule])
        let error = await #expect(throws: SkyLightError.self) {
            _ = try await client.messages.send(contactID: 5, message: "dropped but delivered")
        }
        #expect(error?.isOutcomeUnknown == true, "\(String(describing: error))")
        // Said plainly: this reaches an agent's status bar.
        #expect(error?.description == "no answer (outcome unknown): the server closed the connection before answering")
        sandbox.faults.set([])
        let history = try await client.messages.history(contactID: 5, perPage: 5)
        #expect(history.items.filter { $0.content == "dropped but delivered" }.count == 1)
    }

    @Test func timeoutAfterSendingIsAnUnknownOutcome() async throws {
        let (sandbox, _) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        var rule = FaultRule()
        rule.latencyMs = 1500
        sandbox.faults.set([rule])
        let client = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey(SandboxOptions.defaultAPIKey),
                                                         retry: .none, timeout: 0.3))
        let error = await #expect(throws: SkyLightError.self) { _ = try await client.contacts.toggleBlacklist(6) }
        #expect(error?.isOutcomeUnknown == true, "\(String(describing: error))")
        #expect(error?.description == "no answer (outcome unknown): timed out waiting for the answer")
    }

    @Test func truncatedBodyIsADecodingError() async throws {
        let (sandbox, client) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        var rule = FaultRule()
        rule.truncateRate = 1
        sandbox.faults.set([rule])
        let error = await #expect(throws: SkyLightError.self) { _ = try await client.contacts.get(1) }
        guard case .decoding(let endpoint, _, _) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(endpoint == "GET /contacts/1")
    }

    @Test func htmlErrorPageOverHTTP() async throws {
        let (sandbox, _) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        var rule = FaultRule()
        rule.htmlRate = 1
        sandbox.faults.set([rule])
        let client = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey(SandboxOptions.defaultAPIKey), retry: .none))
        let error = await #expect(throws: SkyLightError.self) { _ = try await client.contacts.get(1) }
        #expect(error == .http(status: 502, message: "502 Bad Gateway", fieldErrors: [:]))
    }

    @Test func wrongKeyIs401() async throws {
        let (sandbox, _) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        let client = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey("wrong"), retry: .none))
        let error = await #expect(throws: SkyLightError.self) { _ = try await client.tags.list() }
        #expect(error == .http(status: 401, message: "Unauthenticated.", fieldErrors: [:]))
    }
}
