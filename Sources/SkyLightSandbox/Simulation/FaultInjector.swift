import Foundation
import Synchronization

/// One fault rule, as posted to `/_sandbox/faults`.
///
/// ```json
/// {"route": "/api/v1/messages/send", "method": "POST", "latency_ms": 300, "latency_rate": 0.2,
///  "answer_latency_ms": 0, "error_rate": 0.2, "rate_limit_rate": 0.1, "retry_after": 1, "drop_rate": 0.05,
///  "truncate_rate": 0, "html_rate": 0}
/// ```
/// `route` is a path pattern where `*` matches any run of characters; without it the rule is
/// global. Rates are probabilities from 0 to 1, drawn independently for each request.
/// `error_status` (any 4xx or 5xx) and `error_message` fix what an injected error answers, for
/// drills of a revoked key (401) or a hostile error text; by default it is 500, 502 or 503 with
/// "Server Error".
public struct FaultRule: Sendable, Hashable {
    public var route: String?
    public var method: String?
    public var latencyMs = 0
    public var latencyRate = 1.0
    /// A wait after the work is done, before the answer goes (a slow link back): what a read
    /// answers may then be older than a write answered first.
    public var answerLatencyMs = 0
    public var errorRate = 0.0
    public var rateLimitRate = 0.0
    public var retryAfter = 1
    public var dropRate = 0.0
    public var truncateRate = 0.0
    public var htmlRate = 0.0
    /// The status an injected error answers with; nil: 500, 502 or 503 at random.
    public var errorStatus: Int?
    /// The `message` an injected error carries; nil: "Server Error".
    public var errorMessage: String?

    /// Creates an empty (harmless) rule.
    public init() {}

    init?(json: JSON) {
        guard case .object = json else { return nil }
        route = json["route"]?.string
        method = json["method"]?.string?.uppercased()
        func rate(_ key: String) -> Double {
            guard let value = json[key] else { return 0 }
            switch value {
            case .double(let d): return min(1, max(0, d))
            case .int(let i): return min(1, max(0, Double(i)))
            default: return 0
            }
        }
        latencyMs = json["latency_ms"]?.int ?? 0
        latencyRate = json["latency_rate"] == nil ? 1 : rate("latency_rate")
        answerLatencyMs = json["answer_latency_ms"]?.int ?? 0
        errorRate = rate("error_rate"); rateLimitRate = rate("rate_limit_rate")
        retryAfter = json["retry_after"]?.int ?? 1
        dropRate = rate("drop_rate"); truncateRate = rate("truncate_rate"); htmlRate = rate("html_rate")
        errorStatus = json["error_status"]?.int.map { min(599, max(400, $0)) }
        errorMessage = json["error_message"]?.string
    }

    var json: JSON {
        ["route": route.json, "method": method.json, "latency_ms": .int(latencyMs), "latency_rate": .double(latencyRate),
         "answer_latency_ms": .int(answerLatencyMs),
         "error_rate": .double(errorRate), "rate_limit_rate": .double(rateLimitRate), "retry_after": .int(retryAfter),
         "drop_rate": .double(dropRate), "truncate_rate": .double(truncateRate), "html_rate": .double(htmlRate),
         "error_status": errorStatus.map { .int($0) } ?? .null, "error_message": errorMessage.json]
    }

    func matches(method: String, path: String) -> Bool {
        if let m = self.method, m != method { return false }
        guard let route else { return true }
        return FaultRule.glob(Array(route.utf8)[...], Array(path.utf8)[...])
    }

    static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == UInt8(ascii: "*") {
            var rest = text
            while true {
                if glob(pattern.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let head = text.first, head == first else { return false }
        return glob(pattern.dropFirst(), text.dropFirst())
    }
}

/// What the fault injector decided for one request.
struct FaultPlan: Sendable {
    enum Before: Sendable { case none, serverError(Int, message: String), rateLimited(Int), htmlPage(Int) }
    enum After: Sendable { case none, drop, truncate }
    var latency = 0
    var answerLatency = 0
    var before = Before.none
    var after = After.none
}

/// The active fault rules, with a seedable random source so a drill can be replayed.
public final class FaultInjector: Sendable {
    struct State {
        var rules: [FaultRule] = []
        var rng = SplitMix64(seed: 0x5EED)
        var injected = 0
        var requests = 0
    }
    let state = Mutex(State())

    /// Creates an injector with no faults.
    public init() {}

    /// Replaces the rules; a seed makes the draws repeatable.
    public func set(_ rules: [FaultRule], seed: UInt64? = nil) {
        state.withLock { s in
            s.rules = rules
            if let seed { s.rng = SplitMix64(seed: seed) }
        }
    }

    /// The active rules.
    public var rules: [FaultRule] { state.withLock { $0.rules } }

    /// How many requests have had a fault applied since start.
    public var injectedCount: Int { state.withLock { $0.injected } }

    /// How many `/api/v1` requests have arrived since start.
    public var requestCount: Int { state.withLock { $0.requests } }

    func plan(method: String, path: String) -> FaultPlan {
        state.withLock { s in
            s.requests += 1
            var plan = FaultPlan()
            for rule in s.rules where rule.matches(method: method, path: path) {
                if rule.latencyMs > 0 || rule.answerLatencyMs > 0, s.rng.chance(rule.latencyRate) {
                    plan.latency = max(plan.latency, rule.latencyMs)
                    plan.answerLatency = max(plan.answerLatency, rule.answerLatencyMs)
                }
                if case .none = plan.before {
                    if s.rng.chance(rule.errorRate) { plan.before = .serverError(rule.errorStatus ?? [500, 502, 503][Int(s.rng.next() % 3)], message: rule.errorMessage ?? "Server Error") }
                    else if s.rng.chance(rule.rateLimitRate) { plan.before = .rateLimited(rule.retryAfter) }
                    else if s.rng.chance(rule.htmlRate) { plan.before = .htmlPage(502) }
                }
                if case .none = plan.after {
                    if s.rng.chance(rule.dropRate) { plan.after = .drop }
                    else if s.rng.chance(rule.truncateRate) { plan.after = .truncate }
                }
            }
            if case .none = plan.before, case .none = plan.after {} else { s.injected += 1 }
            return plan
        }
    }
}

/// A small, fast, seedable generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ p: Double) -> Bool {
        p > 0 && Double(next() >> 11) / Double(1 << 53) < p
    }
}
