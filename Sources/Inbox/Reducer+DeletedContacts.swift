import Foundation
import SkyLight

// Contacts deleted on the server while the inbox shows them.
extension Reducer {
    /// The commands that write to the selected contact, or reply to it.
    static let needsTheContact: Set<Command> = [.reply, .replyInEditor, .tag, .untag, .blacklist, .note, .resend]

    /// The server no longer has this contact (a colleague or a script deleted it). The open
    /// conversation stays, marked, so the agent sees why it fails; any other leaves the list.
    func contactDeleted(_ state: inout InboxState, _ id: Int) {
        state.threads[id]?.loadingNewest = false
        state.threads[id]?.failure = "the contact was deleted on the server"
        guard state.deleted.insert(id).inserted else { return }
        if id == state.selectedID {
            say(&state, "\(shownName(state, id)) was deleted on the server: the conversation leaves the list when you move on", error: true)
        }
    }

    /// Says why nothing can be done to a deleted contact.
    func sayDeleted(_ state: inout InboxState, _ id: Int) {
        say(&state, "\(shownName(state, id)) was deleted on the server: nothing can be sent to it or changed", error: true)
    }

    /// Takes deleted contacts other than the selected one out of the list, the memory and the
    /// cache. A reply draft to one is said whole (`:messages` keeps it), so no text is lost.
    func letGoOfDeleted(_ state: inout InboxState) -> [Effect] {
        let leaving = state.deleted.filter { id in
            id != state.selectedID && (state.conversation(id) != nil || state.filter.serverMatches[id] != nil || state.threads[id] != nil)
        }
        guard !leaving.isEmpty else { return [] }
        var effects: [Effect] = []
        for id in leaving.sorted() {
            let name = knownName(state, id) ?? "contact \(id)"
            if let draft = state.drafts[id], !draft.isEmpty {
                say(&state, "\(name) was deleted on the server, so your draft to them was not sent: “\(draft)”", error: true)
            }
            state.filter.serverMatches[id] = nil
            state.threads[id] = nil
            state.contacts[id] = nil
            state.notes[id] = nil
            state.detailsAskedAt[id] = nil
            state.lastSelected[id] = nil
            state.jumpStack.removeAll { $0 == id }
            state.markedUnread.remove(id)
            state.readMarks[id] = nil
            effects.append(.forgetContact(id))
        }
        state.setConversations(state.conversations.filter { !leaving.contains($0.contactID) })
        keepSelectionVisible(&state)
        return effects
    }
}
