import Foundation
import Hummingbird

/// The sandbox-only control API under `/_sandbox/`, never mixed into `/api/v1`.
struct ControlRoutes: Sendable {
    let store: SandboxStore
    let faults: FaultInjector
    let simulator: Simulator

    func register(on group: RouterGroup<SandboxContext>) {
        let (store, faults, simulator) = (store, faults, simulator)
        group.post("inbound") { request, _ in
            let body = try await request.jsonBody()
            guard let contactID = body["contact_id"]?.int else {
                throw SandboxError.validation([("contact_id", "The contact id field is required.")])
            }
            var v = Validator()
            let text = v.requiredString(body, "message", max: 4096)
            try v.check()
            return Reply.data(try await store.receive(contactID: Int64(contactID), text: text!), message: "Inbound message received.",
                              status: .created)
        }
        group.get("faults") { _, _ in
            Reply.list(.array(faults.rules.map(\.json)))
        }
        group.post("faults") { request, _ in
            let body = try await request.jsonBody()
            let items = body["rules"]?.array ?? [body]
            let rules = items.compactMap(FaultRule.init(json:))
            let seed = body["seed"]?.int.map { UInt64(truncatingIfNeeded: $0) }
            faults.set(rules, seed: seed)
            return Reply.list(.array(rules.map(\.json)))
        }
        group.delete("faults") { _, _ in
            faults.set([])
            return Reply.noContent()
        }
        group.post("clock") { request, _ in
            let body = try await request.jsonBody()
            let seconds: Double
            switch body["advance_seconds"] {
            case .int(let i): seconds = Double(i)
            case .double(let d): seconds = d
            default: throw SandboxError.validation([("advance_seconds", "The advance seconds field is required.")])
            }
            store.clock.advance(seconds: seconds)
            try await simulator.tick()
            return Reply.data(["now": .string(store.clock.now.description)])
        }
        group.post("channels") { request, _ in
            let body = try await request.jsonBody()
            guard let type = body["type"]?.string, let connected = body["connected"]?.bool else {
                throw SandboxError.validation([("type", "The type and connected fields are required.")])
            }
            return Reply.list(try await store.setChannel(type: type, connected: connected))
        }
        group.get("stats") { _, _ in
            Reply.data(["requests": .int(faults.requestCount), "faults_injected": .int(faults.injectedCount),
                        "now": .string(store.clock.now.description)])
        }
        group.post("tick") { _, _ in
            try await simulator.tick()
            return Reply.data(["now": .string(store.clock.now.description)])
        }
    }
}
