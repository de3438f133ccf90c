import Foundation
import SkyLight

// Replies: from the composer to the outbox and the server.
extension Reducer {
    func submitReply(_ state: inout InboxState, contactID: Int, text: String, confirmedWindow: Bool) -> [Effect] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [] }
        if !confirmedWindow, outsideWhatsAppWindow(state, contactID) {
            state.mode = .confirm(.sendOutsideWindow(contactID: contactID, text: text))
            return []
        }
        state.mode = .normal
        state.focus = state.focusBeforeCompose
        let entry = OutboxEntry(id: outboxID(&state, contactID), contactID: contactID, text: trimmed, createdAt: state.now)
        state.outbox.append(entry)
        state.drafts[contactID] = nil
        state.threads[contactID, default: ThreadState()].scrollUp = 0
        return [.saveOutbox(entry), .saveDraft(contactID: contactID, text: ""),
                .checkBeforeSend(entry, seenLatestID: state.threads[contactID]?.seenLatestID)]
    }

    /// A new outbox entry's id. Never reused: two replies with one id would be one entry
    /// sent twice, and the other never.
    func outboxID(_ state: inout InboxState, _ contactID: Int) -> String {
        state.outboxSerial += 1
        return "\(contactID)-\(state.now.microseconds)-\(state.instance)\(state.outboxSerial)"
    }

    /// WhatsApp lets a business send free text only within 24 h of the contact's last message.
    public func outsideWhatsAppWindow(_ state: InboxState, _ contactID: Int) -> Bool {
        let channel = state.conversation(contactID)?.channel ?? state.contacts[contactID]?.type
        guard channel == .whatsapp, let thread = state.threads[contactID], thread.pagesLoaded > 0 else { return false }
        guard let lastInbound = thread.messages.last(where: { $0.direction == .inbound })?.timestamp else { return true }
        return state.now.seconds(since: lastInbound) > 24 * 3600
    }

    func startSending(_ state: inout InboxState, _ id: String) -> [Effect] {
        guard let index = state.outbox.firstIndex(where: { $0.id == id }) else { return [] }
        state.outbox[index].state = .sending
        state.outbox[index].attempts += 1
        state.outbox[index].retryAt = nil
        return [.saveOutbox(state.outbox[index]), .send(state.outbox[index])]
    }

    func resend(_ state: inout InboxState) -> [Effect] {
        guard let id = state.selectedID else { return [] }
        if let entry = state.outbox.last(where: { $0.contactID == id && { if case .failed = $0.state { true } else { false } }($0) }) {
            return startSending(&state, entry.id)
        }
        if let failed = state.threads[id]?.failedReply(outbox: state.outbox.filter { $0.contactID == id }), let content = failed.content {
            let text = content.trimmingCharacters(in: .whitespacesAndNewlines)
            let entry = OutboxEntry(id: outboxID(&state, id), contactID: id, text: text, createdAt: state.now)
            state.outbox.append(entry)
            return [.saveOutbox(entry)] + startSending(&state, entry.id)
        }
        say(&state, "No failed reply to resend here")
        return []
    }
}
