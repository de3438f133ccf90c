/// When and how long the SDK waits before repeating a request.
///
/// Idempotent requests (GET, PUT, DELETE, and the POSTs the API documents as idempotent:
/// assigning a tag, adding to a list) are repeated on connect failures, lost answers, 5xx and
/// 429, and when their answer was cut short. Any other POST (send, blacklist toggle, note,
/// create, start…) is repeated only when it provably never left: repeating a send or a toggle
/// after an unknown outcome does harm.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included. `1` disables retries.
    public var maxAttempts: Int
    /// The backoff before the second attempt; it doubles each time, with full jitter.
    public var baseDelay: Double
    /// The longest backoff between two attempts, in seconds.
    public var maxDelay: Double
    /// A `Retry-After` longer than this is not waited for: the 429 is thrown instead.
    public var maxRetryAfter: Double

    /// Creates a policy. Delays are in seconds.
    public init(maxAttempts: Int = 4, baseDelay: Double = 0.25, maxDelay: Double = 8, maxRetryAfter: Double = 30) {
        self.maxAttempts = max(1, maxAttempts); self.baseDelay = baseDelay; self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// No retries at all: every failure is thrown at once.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The backoff before attempt `attempt + 1` (full jitter: uniform in 0...cap).
    public func backoff(afterAttempt attempt: Int) -> Double {
        let cap = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 30)))
        return Double.random(in: 0...max(cap, 0))
    }

    /// Whether an error on a request, idempotent or not, may be repeated.
    public static func isRetryable(_ error: SkyLightError, idempotent: Bool) -> Bool {
        switch error {
        case .cannotConnect: return true
        case .outcomeUnknown, .rateLimited: return idempotent
        case .http(let status, _, _): return idempotent && (500...599).contains(status)
        // Only an answer cut short is found before the retries end; a body that does not match
        // its type is found after them, and would not decode the second time either.
        case .decoding: return idempotent
        default: return false
        }
    }
}
