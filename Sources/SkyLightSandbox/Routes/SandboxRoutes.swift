import Foundation
import Hummingbird

/// Every documented endpoint under `/api/v1`, as the reference describes it.
struct APIRoutes: Sendable {
    let store: SandboxStore

    func register(on api: RouterGroup<SandboxContext>) {
        registerContacts(on: api)
        registerGroups(on: api)
        registerTags(on: api)
        registerMessages(on: api)
        registerCampaigns(on: api)
        registerAccount(on: api)
    }

    func registerContacts(on api: RouterGroup<SandboxContext>) {
        let store = store
        api.get("contacts") { request, _ in
            let filter = ContactFilter(search: request.query("search"),
                                       type: try request.enumQuery("type", SandboxStore.channelTypes),
                                       blacklisted: try request.boolQuery("blacklisted"), tag: request.query("tag"))
            return Reply.page(try await store.listContacts(filter, page: try request.pageRequest()))
        }
        api.post("contacts") { request, _ in
            Reply.data(try await store.createContact(try await request.jsonBody()), message: "Contact created successfully.",
                       status: .created)
        }
        api.get("contacts/:id") { _, context in
            Reply.data(try await store.getContact(try context.id(noun: "Contact")))
        }
        api.put("contacts/:id") { request, context in
            let id = try context.id(noun: "Contact")
            return Reply.data(try await store.updateContact(id, try await request.jsonBody()), message: "Contact updated successfully.")
        }
        api.delete("contacts/:id") { _, context in
            try await store.deleteContact(try context.id(noun: "Contact"))
            return Reply.noContent()
        }
        api.post("contacts/:id/blacklist") { _, context in
            let (data, state) = try await store.toggleBlacklist(try context.id(noun: "Contact"))
            return Reply.data(data, message: state ? "Contact blacklisted successfully." : "Contact removed from blacklist successfully.")
        }
        api.get("contacts/:id/notes") { request, context in
            Reply.page(try await store.notes(try context.id(noun: "Contact"), page: try request.pageRequest()))
        }
        api.post("contacts/:id/notes") { request, context in
            let id = try context.id(noun: "Contact")
            return Reply.data(try await store.addNote(id, try await request.jsonBody()), message: "Note added successfully.",
                              status: .created)
        }
        api.get("contacts/:id/messages") { request, context in
            let id = try context.id(noun: "Contact")
            let direction = try request.enumQuery("direction", ["inbound", "outbound"])
            return Reply.page(try await store.history(contactID: id, direction: direction, page: try request.pageRequest()))
        }
        api.post("contacts/:id/tags") { request, context in
            let id = try context.id(noun: "Contact")
            return Reply.data(try await store.assignTag(contactID: id, body: try await request.jsonBody()),
                              message: "Tag assigned successfully.")
        }
        api.delete("contacts/:id/tags/:tag") { _, context in
            try await store.unassignTag(contactID: try context.id(noun: "Contact"), tagID: try context.id("tag", noun: "Tag"))
            return Reply.noContent()
        }
        for kind in [SandboxStore.GroupKind.list, .segment] {
            let field = kind.column
            api.post("contacts/:id/\(kind.table)") { request, context in
                try await store.addMembership(contactID: try context.id(noun: "Contact"), body: try await request.jsonBody(),
                                              field: field, table: kind.members, owner: kind.table, column: kind.column,
                                              name: kind.noun)
                return Reply.data(["contact_id": .int(Int(try context.id(noun: "Contact")))],
                                  message: "Contact added to \(kind.noun.lowercased()) successfully.")
            }
            api.delete("contacts/:id/\(kind.table)/:group") { _, context in
                try await store.removeMembership(contactID: try context.id(noun: "Contact"),
                                                 groupID: try context.id("group", noun: kind.noun), table: kind.members,
                                                 owner: kind.table, column: kind.column, name: kind.noun)
                return Reply.noContent()
            }
        }
    }

    func registerGroups(on api: RouterGroup<SandboxContext>) {
        let store = store
        for (path, kind) in [("contacts/lists", SandboxStore.GroupKind.list), ("contacts/segments", .segment)] {
            api.get(RouterPath(path)) { _, _ in Reply.list(try await store.listGroups(kind)) }
            api.post(RouterPath(path)) { request, _ in
                Reply.data(try await store.createGroup(try await request.jsonBody(), kind: kind),
                           message: "\(kind.noun) created successfully.", status: .created)
            }
            api.get(RouterPath("\(path)/:id")) { _, context in
                Reply.data(try await store.getGroup(try context.id(noun: kind.noun), kind: kind))
            }
            api.put(RouterPath("\(path)/:id")) { request, context in
                let id = try context.id(noun: kind.noun)
                return Reply.data(try await store.updateGroup(id, try await request.jsonBody(), kind: kind),
                                  message: "\(kind.noun) updated successfully.")
            }
            api.delete(RouterPath("\(path)/:id")) { _, context in
                try await store.deleteGroup(try context.id(noun: kind.noun), kind: kind)
                return Reply.noContent()
            }
            api.get(RouterPath("\(path)/:id/members")) { request, context in
                let id = try context.id(noun: kind.noun)
                return Reply.page(try await store.groupMembers(id, kind: kind, page: try request.pageRequest(defaultPerPage: 25)))
            }
        }
    }

    func registerTags(on api: RouterGroup<SandboxContext>) {
        let store = store
        api.get("tags") { _, _ in Reply.list(try await store.listTags()) }
        api.post("tags") { request, _ in
            Reply.data(try await store.createTag(try await request.jsonBody()), message: "Tag created successfully.", status: .created)
        }
        api.get("tags/:id") { _, context in Reply.data(try await store.getTag(try context.id(noun: "Tag"))) }
        api.put("tags/:id") { request, context in
            let id = try context.id(noun: "Tag")
            return Reply.data(try await store.renameTag(id, try await request.jsonBody()), message: "Tag updated successfully.")
        }
        api.delete("tags/:id") { _, context in
            try await store.deleteTag(try context.id(noun: "Tag"))
            return Reply.noContent()
        }
    }

    func registerMessages(on api: RouterGroup<SandboxContext>) {
        let store = store
        api.get("conversations") { request, _ in
            let channel = try request.enumQuery("channel", SandboxStore.channelTypes)
            var contactID: Int64?
            if let text = request.query("contact_id") {
                guard let id = Int64(text) else {
                    throw SandboxError.validation([("contact_id", "The contact id field must be an integer.")])
                }
                contactID = id
            }
            return Reply.page(try await store.conversations(channel: channel, contactID: contactID, page: try request.pageRequest()))
        }
        api.post("messages/send") { request, _ in
            switch try await store.send(try await request.jsonBody()) {
            case .sent(let message):
                return Reply.data(message, message: "Message sent successfully.", status: .created)
            case .failed(let message, _):
                // The record is saved, but nothing was delivered: 200, not 201, with success false.
                return Reply.json(.ok, ["success": false, "data": message, "message": "Message could not be delivered."])
            }
        }
    }

    func registerCampaigns(on api: RouterGroup<SandboxContext>) {
        let store = store
        let statuses = ["draft", "running", "paused", "completed", "cancelled"]
        api.get("campaigns") { request, _ in
            let status = try request.enumQuery("status", statuses)
            return Reply.page(try await store.listCampaigns(status: status, page: try request.pageRequest(defaultPerPage: 25)))
        }
        api.post("campaigns") { request, _ in
            Reply.data(try await store.createCampaign(try await request.jsonBody()), message: "Campaign created successfully.",
                       status: .created)
        }
        api.get("campaigns/:id") { _, context in Reply.data(try await store.getCampaign(try context.id(noun: "Campaign"))) }
        api.put("campaigns/:id") { request, context in
            let id = try context.id(noun: "Campaign")
            return Reply.data(try await store.updateCampaign(id, try await request.jsonBody()), message: "Campaign updated successfully.")
        }
        api.delete("campaigns/:id") { _, context in
            try await store.deleteCampaign(try context.id(noun: "Campaign"))
            return Reply.noContent()
        }
        for verb in [SandboxStore.Transition.start, .pause, .resume, .cancel] {
            api.post(RouterPath("campaigns/:id/\(verb.rawValue)")) { _, context in
                let past = ["start": "started", "pause": "paused", "resume": "resumed", "cancel": "cancelled"][verb.rawValue]!
                return Reply.data(try await store.transition(try context.id(noun: "Campaign"), verb),
                                  message: "Campaign \(past) successfully.")
            }
        }
        api.get("campaigns/:id/contacts") { request, context in
            let id = try context.id(noun: "Campaign")
            let status = try request.enumQuery("status", ["pending", "sent", "failed"])
            return Reply.page(try await store.campaignContacts(id, status: status, page: try request.pageRequest(defaultPerPage: 25)))
        }
    }

    func registerAccount(on api: RouterGroup<SandboxContext>) {
        let store = store
        api.get("account/channels") { _, _ in Reply.list(try await store.channels()) }
        api.get("account/subscription") { _, _ in Reply.data(try await store.subscription()) }
    }
}
