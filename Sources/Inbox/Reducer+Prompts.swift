import Foundation
import SkyLight

// The tag picker, questions to confirm and the `:` command line.
extension Reducer {
    /// Tag titles matching `query` as a subsequence, best first.
    public static func fuzzyMatch(_ query: String, in titles: [String]) -> [String] {
        let q = Array(query.lowercased())
        // In the order people count: "Tag 2" before "Tag 10".
        guard !q.isEmpty else { return titles.sorted { $0.localizedStandardCompare($1) == .orderedAscending } }
        var scored: [(String, Int)] = []
        for title in titles {
            let t = Array(title.lowercased())
            var qi = 0, score = 0, last = -1
            for (i, c) in t.enumerated() where qi < q.count && c == q[qi] {
                score += (last == i - 1 ? 3 : 1) + (i == 0 ? 5 : 0)
                last = i; qi += 1
            }
            if qi == q.count { scored.append((title, score * 100 - t.count)) }
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.localizedStandardCompare($1.0) == .orderedAscending }.map(\.0)
    }

    /// The candidates a picker shows.
    public static func pickerCandidates(_ state: InboxState, _ picker: TagPicker) -> [String] {
        let carried = state.contacts[picker.contactID]?.tags ?? []
        let titles = picker.purpose == .add
            ? state.tags.compactMap(\.title).filter { title in !carried.contains { $0.caseInsensitiveCompare(title) == .orderedSame } }
            : carried
        return fuzzyMatch(picker.editor.text, in: titles)
    }

    /// What Enter does when no tag matches what the agent typed.
    public static func pickerNoMatch(_ state: InboxState, _ picker: TagPicker) -> String {
        let typed = picker.editor.text.trimmingCharacters(in: .whitespaces)
        guard picker.purpose == .add, !typed.isEmpty else { return "no matching tags" }
        if let carried = state.contacts[picker.contactID]?.tags?.first(where: { $0.caseInsensitiveCompare(typed) == .orderedSame }) {
            return "already tagged “\(carried)”"
        }
        return "Enter creates “\(typed)”"
    }

    func handlePicker(_ state: inout InboxState, _ picker: inout TagPicker, _ key: Key) -> [Effect] {
        let candidates = Self.pickerCandidates(state, picker)
        switch key {
        case .down, .ctrl("n"), .tab:
            picker.selection = min(picker.selection + 1, max(0, candidates.count - 1))
        case .up, .ctrl("p"), .backTab:
            picker.selection = max(0, picker.selection - 1)
        case .pageDown:
            picker.selection = min(picker.selection + TagPicker.rowsShown, max(0, candidates.count - 1))
        case .pageUp:
            picker.selection = max(0, picker.selection - TagPicker.rowsShown)
        default:
            switch picker.editor.handle(key) {
            case .edited: picker.selection = 0
            case .moved, .ignored: break
            case .cancel:
                state.mode = .normal
                return []
            case .submit:
                state.mode = .normal
                let typed = picker.editor.text.trimmingCharacters(in: .whitespaces)
                let chosen = candidates.indices.contains(picker.selection) && !(typed.isEmpty && candidates.isEmpty)
                    ? candidates[picker.selection] : typed
                guard !chosen.isEmpty else { return [] }
                return applyTag(&state, contactID: picker.contactID, title: chosen, remove: picker.purpose == .remove,
                                exactTyped: candidates.isEmpty ? typed : nil)
            }
        }
        state.mode = .tagPicker(picker)
        return []
    }

    func applyTag(_ state: inout InboxState, contactID: Int, title: String, remove: Bool, exactTyped: String?) -> [Effect] {
        let tag = state.tags.first { $0.title?.caseInsensitiveCompare(title) == .orderedSame }
        let title = tag?.title ?? title  // as the account spells it
        if remove {
            guard let tag else {
                say(&state, "Tag “\(title)” is not in the tag list; reloading tags", error: true)
                return [.loadTags]
            }
            if let tags = state.contacts[contactID]?.tags, !tags.contains(where: { $0.caseInsensitiveCompare(title) == .orderedSame }) {
                say(&state, "“\(title)” is not one of this contact's tags", error: true)
                return []
            }
            say(&state, "Removing tag “\(title)”…")
            return [.unassignTag(contactID: contactID, tagID: tag.id, title: title)]
        }
        if (state.contacts[contactID]?.tags ?? []).contains(where: { $0.caseInsensitiveCompare(title) == .orderedSame }) {
            say(&state, "Already tagged “\(title)”")
            return []
        }
        guard title.count <= 100 else {
            say(&state, "A tag title is at most 100 characters", error: true)
            return []
        }
        say(&state, tag == nil ? "Creating tag “\(title)”…" : "Adding tag “\(title)”…")
        return [.assignTag(contactID: contactID, tagID: tag?.id, title: title)]
    }

    func handleConfirm(_ state: inout InboxState, _ confirmation: Confirmation, _ key: Key) -> [Effect] {
        let yes = key == .char("y") || key == .char("Y")
        state.mode = .normal
        switch confirmation {
        case .blacklist(let id, _, let willBlacklist):
            guard yes else { say(&state, "Blacklist unchanged"); return [] }
            say(&state, willBlacklist ? "Blacklisting…" : "Removing from blacklist…")
            return [.toggleBlacklist(contactID: id, expected: willBlacklist)]
        case .sendOutsideWindow(let id, let text):
            guard yes else {
                state.mode = .compose(contactID: id, editor: LineEditor(text, multiline: true))
                return []
            }
            return submitReply(&state, contactID: id, text: text, confirmedWindow: true)
        case .sendAfterNewMessages(let outboxID):
            guard let entry = state.outbox.first(where: { $0.id == outboxID }) else { return [] }
            if yes { return startSending(&state, outboxID) }
            state.outbox.removeAll { $0.id == outboxID }
            // The question may have waited while the agent started another reply to this contact.
            let text = putBackInDraft(&state, entry)
            state.mode = .compose(contactID: entry.contactID, editor: LineEditor(text, multiline: true))
            let latest = state.threads[entry.contactID]?.messages.last?.id
            state.threads[entry.contactID]?.seenLatestID = latest
            say(&state, "Not sent: your reply is back in the composer")
            return [.removeOutbox(id: outboxID), .saveDraft(contactID: entry.contactID, text: text)]
        case .quitWithUnsentReplies:
            state.quitting = yes
            return []
        }
    }

    func runCommandLine(_ state: inout InboxState, _ line: String) -> [Effect] {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let name = trimmed.prefix { !$0.isWhitespace }
        let argument = trimmed.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        switch name {
        case "": return []
        case "q", "quit", "wq": return run(.quit, &state)
        case "q!": state.quitting = true; return []
        case "theme":
            guard !argument.isEmpty else {
                let names = state.themeNames.isEmpty ? "" : "Themes: " + state.themeNames.joined(separator: ", ") + " · "
                say(&state, names + "now \(state.themeName) · :theme NAME switches")
                return []
            }
            return [.applyTheme(argument)]
        case "tag", "untag":
            guard let id = state.selectedID, !argument.isEmpty else { say(&state, "Usage: :\(name) TITLE", error: true); return [] }
            if state.deleted.contains(id) { sayDeleted(&state, id); return [] }
            return applyTag(&state, contactID: id, title: argument, remove: name == "untag", exactTyped: argument)
        case "note":
            guard let id = state.selectedID, !argument.isEmpty else { say(&state, "Usage: :note TEXT", error: true); return [] }
            if state.deleted.contains(id) { sayDeleted(&state, id); return [] }
            return sendNote(&state, contactID: id, text: argument)
        case "search":
            return search(&state, argument)
        case "unread": return run(.unreadOnly, &state)
        case "channel":
            let aliases: [String: ChannelType?] = ["": nil, "all": nil, "whatsapp": .whatsapp, "wa": .whatsapp,
                                                   "telegram": .telegram, "tg": .telegram, "instagram": .instagram, "ig": .instagram]
            guard let channel = aliases[argument.lowercased()] else {
                say(&state, "Unknown channel “\(argument)”: whatsapp (wa), telegram (tg), instagram (ig) or all", error: true)
                return []
            }
            state.filter.channel = channel
            clampSelection(&state)
            return selectionEffects(&state)
        case "sidebar": return run(.toggleSidebar, &state)
        case "help": return run(.help, &state)
        case "messages", "mes":
            state.mode = .messages(scroll: 0)
            return []
        case "reload", "sync":
            state.nextPollAt = state.now
            return [.loadTags]
        default:
            say(&state, "Unknown command :\(name) (try :help)", error: true)
            return []
        }
    }
}
