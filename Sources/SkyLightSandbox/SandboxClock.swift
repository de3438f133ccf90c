import Foundation
import Synchronization
import SkyLight

/// The sandbox's notion of now: real time, sped up by `--clock-scale`, moved on by the
/// control API. Campaign days, delivery receipts and seed dates all read it.
public final class SandboxClock: Sendable {
    struct State {
        var origin: Timestamp
        var realOrigin: ContinuousClock.Instant
        var scale: Double
        var advanced: Double
    }
    let state: Mutex<State>

    /// Starts at the current real time, running `scale` times as fast.
    public init(scale: Double = 1, start: Timestamp = .now) {
        state = Mutex(State(origin: start, realOrigin: .now, scale: max(0, scale), advanced: 0))
    }

    /// The simulated current time.
    public var now: Timestamp {
        state.withLock { s in
            let real = ContinuousClock.now - s.realOrigin
            let seconds = Double(real.components.seconds) + Double(real.components.attoseconds) / 1e18
            return s.origin.adding(seconds: seconds * s.scale + s.advanced)
        }
    }

    /// Moves simulated time forward by `seconds`.
    public func advance(seconds: Double) {
        state.withLock { $0.advanced += max(0, seconds) }
    }

    /// How many simulated seconds pass per real second.
    public var scale: Double { state.withLock { $0.scale } }
}
