import Foundation
import Testing
@testable import SkyLight

/// Every JSON example of the reference, copied verbatim, decodes through the real client path.
struct FixtureTests {
    @Test func contactObject() throws {
        let contact = try JSONDecoder().decode(Contact.self, from: Data(Fixture.text("contact-object").utf8))
        #expect(contact.id == 42 && contact.name == "Sarah Johnson" && contact.tags == ["vip", "newsletter"])
        #expect(contact.status == .active && contact.type == .whatsapp && contact.blacklisted == false)
        #expect(contact.lastMessageAt?.description == "2026-03-04T10:00:00.000000Z")
    }

    @Test func contactsList() async throws {
        let transport = ScriptedTransport(json: try Fixture.text("contacts-list"))
        let page = try await client(transport).contacts.list(ContactQuery(search: "sarah", type: .whatsapp))
        #expect(page.items.map(\.id) == [42] && page.items[0].tags == ["vip"])
        #expect(page.meta == PageMeta(currentPage: 1, lastPage: 1, perPage: 15, total: 1))
        #expect(page.items[0].email == nil)
    }

    @Test(arguments: ["contact-create-response", "contact-get", "contact-update-response", "contact-blacklist"])
    func contactResponses(name: String) async throws {
        let transport = ScriptedTransport(json: try Fixture.text(name))
        let contact = try await client(transport).contacts.get(42)
        #expect(contact.id == 42)
    }

    @Test func partialUpdateMergesIntoFullRecord() async throws {
        let full = try JSONDecoder().decode(Contact.self, from: Data(Fixture.text("contact-object").utf8))
        let transport = ScriptedTransport(json: try Fixture.text("contact-update-response"))
        let partial = try await client(transport).contacts.update(42, ContactUpdate(name: "Sarah M. Johnson", tags: ["vip", "priority"]))
        let merged = full.merging(partial)
        #expect(merged.name == "Sarah M. Johnson" && merged.tags == ["vip", "priority"] && merged.email == "sarah@example.com")
        let blacklisted = merged.merging(try JSONDecoder().decode(Envelope<Contact>.self,
                                                                  from: Data(Fixture.text("contact-blacklist").utf8)).data!)
        #expect(blacklisted.blacklisted == true && blacklisted.name == "Sarah M. Johnson")
    }

    @Test func listsAndSegments() async throws {
        let list = try JSONDecoder().decode(ContactList.self, from: Data(Fixture.text("list-object").utf8))
        #expect(list.name == "Q1 Leads" && list.status == 1 && list.contactsCount == 87)
        let segment = try JSONDecoder().decode(Segment.self, from: Data(Fixture.text("segment-object").utf8))
        #expect(segment.title == "High Value Customers" && segment.status == 1)
        for name in ["list-members", "segment-members"] {
            let page = try await client(ScriptedTransport(json: try Fixture.text(name))).lists.members(3)
            #expect(page.items.first?.name == "Noura Al-Otaibi" && page.meta.perPage == 25)
        }
    }

    @Test func messages() async throws {
        let message = try JSONDecoder().decode(Message.self, from: Data(Fixture.text("message-object").utf8))
        #expect(message.direction == .outbound && message.status == .sent && message.contactID == 42)
        let conversations = try await client(ScriptedTransport(json: try Fixture.text("conversations-list"))).messages.conversations()
        #expect(conversations.items.first?.contactName == "Sarah Johnson" && conversations.meta.total == 38 && conversations.hasMore)
        let sent = try await client(ScriptedTransport(status: 201, json: try Fixture.text("message-send-response")))
            .messages.send(contactID: 42, message: "Your appointment is confirmed!")
        #expect(sent.id == 201 && sent.status == .sent && sent.direction == nil)
    }

    @Test func failedSendCarriesTheSavedMessage() async throws {
        let transport = ScriptedTransport(status: 200, json: try Fixture.text("message-send-failure"))
        let error = await #expect(throws: SkyLightError.self) {
            try await client(transport).messages.send(contactID: 42, message: "hi")
        }
        guard case .unsuccessful(let status, let message, let saved) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(status == 200 && message == "Message could not be delivered.")
        #expect(saved?.id == 202 && saved?.status == .failed && saved?.error == "No whatsapp channel connected.")
    }

    @Test func tags() async throws {
        let tag = try JSONDecoder().decode(SkyLight.Tag.self, from: Data(Fixture.text("tag-object").utf8))
        #expect(tag.title == "VIP Customer" && tag.contactsCount == 34)
        let tags = try await client(ScriptedTransport(json: try Fixture.text("tags-list"))).tags.list()
        #expect(tags.map(\.id) == [5, 7] && tags[1].createdAt == nil)
    }

    @Test func campaigns() async throws {
        let campaign = try JSONDecoder().decode(Campaign.self, from: Data(Fixture.text("campaign-object").utf8))
        #expect(campaign.status == .running && campaign.clientSetting?.name == "Business WhatsApp" && campaign.completedAt == nil)
        #expect(campaign.progressPercentage == 36 && campaign.pendingContactsCount == 160)
        let contacts = try await client(ScriptedTransport(json: try Fixture.text("campaign-contacts"))).campaigns.contacts(12)
        #expect(contacts.items.first?.contact?.name == "Noura Al-Otaibi" && contacts.items.first?.error == nil)
        #expect(contacts.meta.lastPage == 1)
    }

    @Test(arguments: ["contact-create-request", "note-add-request", "list-add-request", "segment-add-request", "message-send-request"])
    func requestExamplesAreJSONObjects(name: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(Fixture.text(name).utf8))
        #expect(object is [String: Any])
    }

    @Test func createRequestExampleRoundTripsThroughNewContact() throws {
        let body = try JSONDecoder().decode(NewContact.self, from: Data(Fixture.text("contact-create-request").utf8))
        #expect(body == NewContact(name: "Sarah Johnson", type: .whatsapp, phone: "+14155551234", email: "sarah@example.com",
                                   tags: ["vip", "newsletter"]))
    }

    @Test func unknownFieldsAndValuesAreTolerated() throws {
        let json = #"{"id": 1, "type": "signal", "status": "archived", "brand_new_field": {"x": [1, 2]}}"#
        let contact = try JSONDecoder().decode(Contact.self, from: Data(json.utf8))
        #expect(contact.type?.rawValue == "signal" && contact.status?.rawValue == "archived")
    }
}

struct TimestampTests {
    @Test(arguments: ["2026-03-04T12:00:00.000000Z", "1999-12-31T23:59:59.999999Z", "2024-02-29T00:00:00.000001Z",
                      "1970-01-01T00:00:00.000000Z", "1969-07-20T20:17:40.123456Z"])
    func roundTripsExactly(text: String) throws {
        let t = try #require(Timestamp(text))
        #expect(t.description == text)
        let encoded = try JSONEncoder().encode([t])
        #expect(try JSONDecoder().decode([Timestamp].self, from: encoded) == [t])
    }

    @Test func parsesOtherForms() throws {
        #expect(Timestamp("2026-03-04T12:00:00Z")?.description == "2026-03-04T12:00:00.000000Z")
        #expect(Timestamp("2026-03-04T12:00:00.5Z")?.description == "2026-03-04T12:00:00.500000Z")
        #expect(Timestamp("2026-03-04T14:00:00.000000+02:00") == Timestamp("2026-03-04T12:00:00.000000Z"))
        #expect(Timestamp("2026-03-04T12:00:00.1234567Z")?.microseconds == Timestamp("2026-03-04T12:00:00.123456Z")?.microseconds)
    }

    @Test(arguments: ["", "yesterday", "2026-13-01T00:00:00Z", "2026-03-04 12:00", "2026-03-04T12:00:00.Z", "2026-03-04T12:00:00Zjunk"])
    func rejectsGarbage(text: String) {
        #expect(Timestamp(text) == nil)
    }

    @Test func microsecondsAreExact() throws {
        let a = try #require(Timestamp("2026-03-04T12:00:00.000001Z"))
        let b = try #require(Timestamp("2026-03-04T12:00:00.000002Z"))
        #expect(b.microseconds - a.microseconds == 1 && a < b)
    }
}
