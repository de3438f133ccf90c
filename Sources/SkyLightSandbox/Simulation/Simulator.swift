import Foundation
import Synchronization

/// The background life of the sandbox: outbound messages advance sent → delivered → read,
/// running campaigns send within their daily limits, and contacts write in at a set rate.
public final class Simulator: Sendable {
    let store: SandboxStore
    let inboundPerMinute: Double
    let tickInterval: Double
    let rng = Mutex(SplitMix64(seed: 7))
    let carry = Mutex(0.0)

    init(store: SandboxStore, inboundPerMinute: Double, tickInterval: Double) {
        self.store = store; self.inboundPerMinute = inboundPerMinute; self.tickInterval = tickInterval
    }

    /// One cycle. `elapsed` real seconds decide how many inbound messages are due.
    public func tick(elapsed: Double = 0) async throws {
        try await store.advanceDeliveries()
        try await store.runCampaignCycle()
        let due = carry.withLock { carry -> Int in
            carry += inboundPerMinute / 60 * elapsed
            let whole = Int(carry)
            carry -= Double(whole)
            return whole
        }
        for _ in 0..<due {
            var generator = rng.withLock { r -> SplitMix64 in
                let copy = r
                _ = r.next(); _ = r.next(); _ = r.next()
                return copy
            }
            _ = try await store.simulateInbound(rng: &generator)
        }
    }

    func run() async {
        var last = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int(tickInterval * 1000)))
            let now = ContinuousClock.now
            let elapsed = now - last
            last = now
            try? await tick(elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
}
