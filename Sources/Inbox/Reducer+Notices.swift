import Foundation
import SkyLight

// Notices: what the status bar says, and what `:messages` keeps.
extension Reducer {
    /// `text` cut to `characters`, with an ellipsis when cut.
    static func shortened(_ text: String, to characters: Int) -> String {
        text.count > characters ? text.prefix(characters - 1) + "…" : text
    }

    /// A contact's name for a notice: as far as the inbox knows it, cut to fit beside the rest.
    func shownName(_ state: InboxState, _ id: Int) -> String {
        Self.shortened(knownName(state, id) ?? "contact \(id)", to: 24)
    }

    /// A contact's name as far as the inbox knows it.
    func knownName(_ state: InboxState, _ id: Int) -> String? {
        state.conversation(id)?.contactName ?? state.contacts[id]?.name
    }

    /// Words the notice pointing to unsaved editor text with the names known so far.
    func sayWhereEditorTextIsKept(_ state: inout InboxState) {
        guard let ids = state.notice?.keptEditorText, let first = ids.first else { return }
        let name = shownName(state, first)
        let whom = ids.count == 1 ? name : "\(name) and \(ids.count - 1) more"
        state.notice?.text = "Unsaved editor text for \(whom)" + keyMap.hint(.replyInEditor) { ": press \($0) there to recover it" }
    }

    func say(_ state: inout InboxState, _ text: String, error: Bool = false) {
        state.notice = Notice(text: text, isError: error, expires: state.now.adding(seconds: error ? 8 : 4))
        keep(&state, text, error: error)
    }

    /// Keeps a line for `:messages` without showing it as a notice: why the connection is down
    /// is in the status bar already, cut to its width.
    func keep(_ state: inout InboxState, _ text: String, error: Bool) {
        if state.said.last?.text != text { state.said.append(Said(at: state.now, text: text, isError: error)) }
        if state.said.count > Said.kept { state.said.removeFirst(state.said.count - Said.kept) }
    }

    /// Says what being offline stops; it lasts until the server answers, not its full time.
    func sayOffline(_ state: inout InboxState, _ text: String) {
        say(&state, "Offline: " + text, error: true)
        state.notice?.isAboutBeingOffline = true
    }
}
