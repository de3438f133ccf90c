import Foundation
import Inbox
import SkyLight

// The header line and the status bar.
extension InboxView {
    func renderHeader(_ state: InboxState, _ frame: inout Frame) {
        if case .offline(let since, _) = state.connection {
            // Offline, the whole top line says so: what is on screen may be old.
            let banner = " OFFLINE since \(time.clock(since)) · showing saved conversations · replies wait in the outbox and go when the connection returns"
            frame.fill(x: 0, y: 0, width: frame.width, height: 1, role: .statusError)
            frame.put(Frame.truncate(banner, to: frame.width), x: 0, y: 0, maxWidth: frame.width, role: .statusError)
            return
        }
        frame.fill(x: 0, y: 0, width: frame.width, height: 1, role: .header)
        // With pages of the list still unread by the inbox, there may be more: Space finds them.
        let atLeast = reducer.pagesNotRead(state) ? "+" : ""
        let left = " SkyLight Inbox │ \(Sanitizer.clean(state.accountLabel)) │ \(state.unreadTotal)\(atLeast) unread │ \(state.filter.label)"
        let right = "? help "
        frame.put(Frame.truncate(left, to: frame.width - right.count - 1), x: 0, y: 0, maxWidth: frame.width, role: .header)
        frame.put(right, x: frame.width - right.count, y: 0, maxWidth: right.count, role: .header)
    }

    func renderStatus(_ state: InboxState, _ frame: inout Frame) {
        let y = frame.height - 1
        frame.fill(x: 0, y: y, width: frame.width, height: 1, role: .status)
        switch state.mode {
        case .search(let editor), .command(let editor):
            let prompt = { if case .search = state.mode { "/" } else { ":" } }()
            let text = Sanitizer.clean(editor.text)
            let visible = Frame.truncate(text, to: frame.width - 2)
            let used = frame.put(prompt + visible, x: 0, y: y, maxWidth: frame.width, role: .status)
            let before = Sanitizer.clean(String(editor.characters.prefix(editor.cursor)))
            frame.cursor = (min(frame.width - 1, 1 + TextWidth.width(of: before)), y)
            if case .command = state.mode {
                // What Tab would complete, so the commands and their arguments need no manual.
                // As many as fit, so a narrow terminal still shows some and says there are more.
                let choices = CommandCompletion.candidates(for: editor.text, in: state).map { Sanitizer.clean($0) }
                func hint(_ count: Int) -> String {
                    choices.prefix(count).joined(separator: "  ") + (count < choices.count ? "  …" : "") + "  Tab "
                }
                var count = 0
                while count < choices.count, TextWidth.width(of: hint(count + 1)) <= frame.width - used - 2 { count += 1 }
                if count > 0 {
                    frame.put(hint(count), x: frame.width - TextWidth.width(of: hint(count)), y: y, maxWidth: frame.width, role: .dim)
                }
            }
            return
        default: break
        }
        var x = 0
        // A poll on a stalled link can wait for its answer a long time: the status says so,
        // rather than "live" (or a retry already under way) as if nothing were pending.
        let waited = state.pollStartedAt.map { Int(state.now.seconds(since: $0)) }.flatMap { $0 >= 5 ? $0 : nil }
        let (dot, label, role, reason): (String, String, StyleRole, String?) = switch state.connection {
        case .connecting: ("◌", "connecting" + (waited.map { " · \($0) s" } ?? ""), .status, nil)
        case .live: waited.map { ("◌", "waiting \($0) s for the server", .status, nil) } ?? ("●", "live", .statusLive, nil)
        case .retrying(let at, let reason):
            ("⟳", state.pollInFlight ? "retrying" + (waited.map { " · waiting \($0) s" } ?? " now")
                                     : "retrying in \(max(1, Int(at.seconds(since: state.now).rounded(.up)))) s", .statusError, reason)
        case .offline(let since, let reason): ("✗", "offline since \(time.clock(since))", .statusError, reason)
        }
        x += frame.put(" \(dot) \(label)", x: x, y: y, maxWidth: frame.width, role: role)
        if let sync = state.lastSync {
            x += frame.put(" · synced \(time.clock(sync))", x: x, y: y, maxWidth: frame.width - x, role: .status)
        }
        let pending = state.unsentReplies
        if pending > 0 { x += frame.put(" · outbox \(pending)", x: x, y: y, maxWidth: frame.width - x, role: .status) }
        let hint = statusHint(filtered: state.filter.isActive)
        // A failed poll says why (a refused key and a server error call for different things),
        // unless a notice answering the agent's last key needs the room.
        if let text = state.notice?.text ?? reason ?? state.warning {
            x += frame.put(" │ ", x: x, y: y, maxWidth: frame.width - x, role: .status)
            frame.put(Frame.truncate(Sanitizer.clean(text), to: frame.width - x), x: x, y: y, maxWidth: frame.width - x,
                      role: state.notice?.isError ?? true ? .statusError : .status)
        } else if frame.width - x > hint.count + 2 {
            frame.put(hint, x: frame.width - hint.count, y: y, maxWidth: hint.count, role: .status)
        }
    }

    /// The status bar's reminder of the triage keys, as bound.
    func statusHint(filtered: Bool) -> String {
        let keys = reducer.keyMap
        let triage: [(Command, String)] = [(.reply, "reply"), (.tag, "tag"), (.blacklist, "blacklist"), (.note, "note"), (.nextUnread, "next unread")]
        return (filtered ? keys.hint(.clearFilter) { " \($0) all conversations " } : "")
            + " " + triage.compactMap { command, what in keys.hint(command).map { "\($0) \(what)" } }.joined(separator: "  ") + " "
    }
}
