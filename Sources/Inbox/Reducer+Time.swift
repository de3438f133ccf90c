import Foundation
import SkyLight

// The clock: polls, back-off and queued replies coming due.
extension Reducer {
    func tick(_ state: inout InboxState, now: Timestamp, jitter: Double) -> [Effect] {
        // Relative times are shown to the minute: keep `now` to the second so idle ticks
        // change nothing on screen until a minute turns.
        state.now = now
        if let notice = state.notice, notice.expires <= now { state.notice = nil }
        var effects: [Effect] = []
        if now >= state.nextPollAt, !state.pollInFlight {
            state.pollStartedAt = state.now
            effects.append(.loadConversations(page: 1, isPoll: true))
            // The open thread is read again with each poll: for what is new, or because it never
            // loaded (a malformed answer, a 5xx).
            if let id = state.selectedID, !state.deleted.contains(id), let thread = state.threads[id], thread.pagesLoaded > 0 || thread.failure != nil,
               let load = state.threads[id]?.loadNewest(contactID: id) {
                effects.append(load)
            }
            let active = state.focused && now.seconds(since: state.lastActivity) < state.settings.idleAfter
            // The open conversation's sidebar stays current while the agent works on it.
            if active, let id = state.selectedID, !state.deleted.contains(id), shouldAskDetails(state, id) { effects += askDetails(&state, id) }
            state.pollInterval = active ? state.settings.activePollInterval
                : state.settings.idlePollInterval * (0.75 + 0.75 * jitter)
            if case .retrying = state.connection {} else if case .offline = state.connection {} else {
                // Jitter only shortens the wait, so a new message is never more than one interval old.
                state.nextPollAt = now.adding(seconds: state.pollInterval * (0.85 + 0.15 * jitter))
            }
        }
        for entry in state.outbox where entry.state == .queued && (entry.retryAt.map { $0 <= now } ?? false) {
            effects += startSending(&state, entry.id)
        }
        return effects
    }
}
