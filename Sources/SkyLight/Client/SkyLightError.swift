import Foundation

/// Everything that can go wrong talking to the SkyLight API, told apart by what the caller
/// can safely do next.
public enum SkyLightError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request never left this machine (refused, unreachable, DNS, connect timeout).
    /// Repeating it cannot duplicate anything.
    case cannotConnect(reason: String)
    /// The request was sent but no complete answer came back (timeout, connection lost).
    /// The server may or may not have acted on it: read back before repeating a write.
    case outcomeUnknown(reason: String)
    /// The server answered 429; `retryAfter` is its `Retry-After` in seconds, when given.
    case rateLimited(retryAfter: Double?, message: String?)
    /// The server answered an HTTP error, with the API's `message` and its field errors.
    case http(status: Int, message: String?, fieldErrors: [String: [String]])
    /// The server answered `success: false` (even on a 2xx). A failed send carries the
    /// saved message with its `failed` status and `error`.
    case unsuccessful(status: Int, message: String?, savedMessage: Message?)
    /// The body could not be read as the endpoint's JSON: names the endpoint and the path.
    case decoding(endpoint: String, path: String, detail: String)
    /// The request could not be built (bad base URL, body that does not encode).
    case invalidRequest(String)

    /// The HTTP status, when the server answered.
    public var status: Int? {
        switch self {
        case .rateLimited: 429
        case .http(let status, _, _), .unsuccessful(let status, _, _): status
        default: nil
        }
    }

    /// Whether the server provably did not act on the request, so it can be repeated safely.
    public var requestNeverLeft: Bool {
        if case .cannotConnect = self { return true }
        return false
    }

    /// Whether the request may have taken effect although no answer says so.
    public var isOutcomeUnknown: Bool {
        if case .outcomeUnknown = self { return true }
        return false
    }

    /// Whether a write may have been done although it reports a failure: no answer came, the
    /// server failed (5xx) partway, or it answered success with a body that cannot be read.
    /// Read back before repeating a write that is not idempotent.
    public var mayHaveTakenEffect: Bool {
        switch self {
        case .outcomeUnknown, .decoding: true
        case .http(let status, _, _): status >= 500
        case .unsuccessful(let status, _, _): status >= 500
        default: false
        }
    }

    /// One line for a status bar: what happened, in the API's words where it gave any.
    public var description: String {
        switch self {
        case .cannotConnect(let reason): return "cannot connect: \(reason)"
        case .outcomeUnknown(let reason): return "no answer (outcome unknown): \(reason)"
        case .rateLimited(let retryAfter, let message):
            let wait = retryAfter.map { " (retry after \(Int($0.rounded(.up))) s)" } ?? ""
            return "rate limited\(wait)" + (message.map { ": \($0)" } ?? "")
        case .http(let status, let message, let fieldErrors):
            var text = "HTTP \(status)"
            if let message, !message.isEmpty { text += ": \(message)" }
            let fields = fieldErrors.keys.sorted().compactMap { key in fieldErrors[key]?.first.map { "\(key): \($0)" } }
            if !fields.isEmpty { text += " (" + fields.joined(separator: "; ") + ")" }
            return text
        case .unsuccessful(let status, let message, let saved):
            var text = message ?? "request was not successful"
            if let error = saved?.error { text += ": \(error)" }
            return text + " (HTTP \(status))"
        case .decoding(let endpoint, let path, let detail):
            return "unexpected response from \(endpoint)" + (path.isEmpty ? "" : " at \(path)") + ": \(detail)"
        case .invalidRequest(let reason): return "invalid request: \(reason)"
        }
    }
}
