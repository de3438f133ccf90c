import Foundation
import Logging

/// A typed async client for the whole SkyLight Chat API v1.
///
/// ```swift
/// let client = SkyLightClient(configuration: .init(apiKey: APIKey("sk_live_…")))
/// let unread = try await client.messages.conversations().items.filter { ($0.unreadCount ?? 0) > 0 }
/// try await client.messages.send(contactID: 42, message: "Your order shipped.")
/// ```
///
/// Endpoints are grouped by resource: ``contacts``, ``tags``, ``lists``, ``segments``,
/// ``messages``, ``campaigns`` and ``account``.
public struct SkyLightClient: Sendable {
    /// Where and how the client talks to the API.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The hosted service's base URL.
        public static let defaultBaseURL = "https://dashboard.skylightchat.com/api/v1"

        /// The API root, ending in `/api/v1`.
        public var baseURL: String
        public var apiKey: APIKey
        public var authScheme: AuthScheme
        public var retry: RetryPolicy
        /// The time limit of one attempt, in seconds.
        public var timeout: Double

        /// Creates a configuration; only the key is required.
        public init(baseURL: String = Configuration.defaultBaseURL, apiKey: APIKey, authScheme: AuthScheme = .bearer,
                    retry: RetryPolicy = RetryPolicy(), timeout: Double = 20) {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            self.baseURL = base; self.apiKey = apiKey; self.authScheme = authScheme; self.retry = retry; self.timeout = timeout
        }

        public var description: String { "SkyLight(\(baseURL), auth: \(authScheme.rawValue), key: redacted)" }
    }

    public let configuration: Configuration
    let transport: any HTTPTransport
    let logger: Logger
    /// Shared by the client's copies: learned once for the server.
    let historyOrder = HistoryOrder()

    /// Creates a client. Without a transport it uses the shared AsyncHTTPClient pool.
    public init(configuration: Configuration, transport: (any HTTPTransport)? = nil,
                logger: Logger = Logger(label: "skylight.sdk")) {
        self.configuration = configuration
        self.transport = transport ?? AsyncHTTPClientTransport.shared
        self.logger = logger
    }

    /// The executor the transport's connections live on, if it has one.
    public var preferredExecutor: (any TaskExecutor)? { transport.preferredExecutor }
}

/// A request before it is sent: what the endpoint functions build.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    /// Path below the base URL, starting with `/`.
    public var path: String
    public var query: [(String, String)] {
        get { queryItems.map { ($0.name, $0.value) } }
        set { queryItems = newValue.map { QueryItem(name: $0.0, value: $0.1) } }
    }
    var queryItems: [QueryItem]
    public var body: Data?
    /// Whether repeating the request changes nothing more: GET, PUT, DELETE and HEAD are, and
    /// so is a POST the API documents as idempotent (assigning a tag, adding to a list).
    public var isIdempotent: Bool

    struct QueryItem: Hashable, Sendable { var name: String; var value: String }

    /// Creates an endpoint request.
    ///
    /// ```swift
    /// Endpoint("POST", "/contacts/42/tags", body: body, idempotent: true)
    /// ```
    public init(_ method: String, _ path: String, query: [(String, String?)] = [], body: Data? = nil, idempotent: Bool? = nil) {
        self.method = method; self.path = path; self.body = body
        self.queryItems = query.compactMap { item in item.1.map { QueryItem(name: item.0, value: $0) } }
        self.isIdempotent = idempotent ?? ["GET", "PUT", "DELETE", "HEAD"].contains(method)
    }

    /// `GET /contacts/42` style: the method and the path, never the query values.
    public var description: String { "\(method) \(path)" }

    /// The path and the percent-encoded query.
    public var pathAndQuery: String {
        guard !queryItems.isEmpty else { return path }
        return path + "?" + queryItems.map { "\(Endpoint.escape($0.name))=\(Endpoint.escape($0.value))" }.joined(separator: "&")
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

/// The API's response envelope: `{success, data, meta, message}`.
struct Envelope<T: Decodable>: Decodable {
    var success: Bool?
    var data: T?
    var meta: PageMeta?
    var message: String?
}

/// An error body: `{message, errors: {field: [..]}}`, possibly with `success` and `data`.
struct ErrorBody: Decodable {
    var success: Bool?
    var message: String?
    var errors: [String: [String]]?
}

struct FailedSendBody: Decodable {
    var message: String?
    var data: Message?
}

struct Empty: Decodable, Sendable, Hashable {}

extension SkyLightClient {
    /// One decoder for every response: it holds no per-call state.
    static let decoder = JSONDecoder()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Encodes a request body.
    func body<T: Encodable>(_ value: T) throws -> Data {
        do { return try Self.encoder.encode(value) } catch {
            throw SkyLightError.invalidRequest("body does not encode: \(error)")
        }
    }

    /// Sends an endpoint with the retry policy and returns a 2xx response whose body is not
    /// `success: false`; everything else is thrown as a ``SkyLightError``.
    public func perform(_ endpoint: Endpoint) async throws -> HTTPResponse {
        var request = HTTPRequest(method: endpoint.method, url: configuration.baseURL + endpoint.pathAndQuery,
                                  body: endpoint.body, timeout: configuration.timeout)
        request.headers["Accept"] = "application/json"
        request.headers["User-Agent"] = "SkyLightInbox/0.1"
        if endpoint.body != nil { request.headers["Content-Type"] = "application/json" }
        switch configuration.authScheme {
        case .bearer: request.headers["Authorization"] = "Bearer \(configuration.apiKey.secret)"
        case .apiKeyHeader: request.headers["X-Api-Key"] = configuration.apiKey.secret
        }
        let policy = configuration.retry
        var attempt = 1
        while true {
            let started = ContinuousClock.now
            let result: Result<HTTPResponse, SkyLightError>
            do {
                let response = try await transport.send(request)
                result = Self.check(response, endpoint: endpoint)
            } catch let error as TransportError {
                switch error {
                case .cannotConnect(let reason): result = .failure(.cannotConnect(reason: reason))
                case .outcomeUnknown(let reason): result = .failure(.outcomeUnknown(reason: reason))
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                result = .failure(.outcomeUnknown(reason: String(describing: error)))
            }
            let elapsed = ContinuousClock.now - started
            switch result {
            case .success(let response):
                logger.debug("\(endpoint) -> \(response.status) in \(elapsed)")
                return response
            case .failure(let error):
                logger.notice("\(endpoint) attempt \(attempt) failed: \(error)")
                guard attempt < policy.maxAttempts, RetryPolicy.isRetryable(error, idempotent: endpoint.isIdempotent) else { throw error }
                var wait = policy.backoff(afterAttempt: attempt)
                if case .rateLimited(let retryAfter, _) = error, let retryAfter {
                    guard retryAfter <= policy.maxRetryAfter else { throw error }
                    wait = retryAfter + wait / 4
                }
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                attempt += 1
            }
        }
    }

    /// Maps one response to success or the error it stands for.
    static func check(_ response: HTTPResponse, endpoint: Endpoint) -> Result<HTTPResponse, SkyLightError> {
        let status = response.status
        // A body cut short (a proxy or a server failing mid-answer) is found here, where an
        // idempotent request can still be repeated; other bodies are decoded once, later.
        if (200...299).contains(status), cutShort(response.body) {
            return .failure(.decoding(endpoint: endpoint.description, path: "", detail: "malformed JSON: the answer was cut short"))
        }
        // Most answers are 2xx with `success: true`: decode the body only once, as the endpoint's type.
        if (200...299).contains(status), !declaresFailure(response.body) { return .success(response) }
        let errorBody = try? JSONDecoder().decode(ErrorBody.self, from: response.body)
        if status == 429 {
            return .failure(.rateLimited(retryAfter: retryAfter(response.headers["retry-after"]), message: errorBody?.message))
        }
        if (200...299).contains(status) {
            if errorBody?.success == false {
                let saved = (try? JSONDecoder().decode(FailedSendBody.self, from: response.body))?.data
                return .failure(.unsuccessful(status: status, message: errorBody?.message, savedMessage: saved))
            }
            return .success(response)
        }
        if let errorBody, errorBody.success == false, status < 500,
           let saved = (try? JSONDecoder().decode(FailedSendBody.self, from: response.body))?.data, saved.status == .failed {
            return .failure(.unsuccessful(status: status, message: errorBody.message, savedMessage: saved))
        }
        var message = errorBody?.message
        if (300...399).contains(status), let location = response.headers["location"] {
            // The base URL is out of date (http:// for https://, an old host): say the new one.
            let base = location.range(of: "/api/v1").map { String(location[..<$0.upperBound]) } ?? location
            message = base.hasPrefix("/") ? "the server sends requests on to \(location): check the base URL"
                : "the API moved to \(base): use that as the base URL"
        } else if message == nil, !response.body.isEmpty {
            message = summary(of: response)
        }
        return .failure(.http(status: status, message: message, fieldErrors: errorBody?.errors ?? [:]))
    }

    /// Whether a body's top level says `"success": false` (a byte scan, no decoding).
    /// Whether a JSON body stops before its end: it opens with `{` or `[` and does not close
    /// with the matching bracket (whitespace aside).
    static func cutShort(_ body: Data) -> Bool {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        guard let first = body.first(where: { !whitespace.contains($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
            return false
        }
        let last = body.last(where: { !whitespace.contains($0) })
        return last != (first == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }

    static func declaresFailure(_ body: Data) -> Bool {
        body.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            func matches(_ word: StaticString, at start: Int) -> Bool {
                guard start + word.utf8CodeUnitCount <= bytes.count else { return false }
                for k in 0..<word.utf8CodeUnitCount where bytes[start + k] != word.utf8Start[k] { return false }
                return true
            }
            var i = 0
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "\""), matches(#""success""#, at: i) {
                    var j = i + 9
                    while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0A || bytes[j] == 0x0D || bytes[j] == 0x3A { j += 1 }
                    return matches("false", at: j)
                }
                i += 1
            }
            return false
        }
    }

    /// A short, printable stand-in for a non-JSON error body (an HTML error page, say).
    static func summary(of response: HTTPResponse) -> String {
        let text = String(decoding: response.body.prefix(2048), as: UTF8.self)
        if let start = text.range(of: "<title>", options: .caseInsensitive),
           let end = text.range(of: "</title>", options: .caseInsensitive, range: start.upperBound..<text.endIndex) {
            return String(text[start.upperBound..<end.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let type = response.headers["content-type"] ?? "unknown content type"
        return "non-JSON response (\(type), \(response.body.count) bytes)"
    }

    /// Reads `Retry-After` as seconds (delta-seconds or an HTTP date).
    static func retryAfter(_ value: String?) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: value) { return max(0, date.timeIntervalSinceNow) }
        return nil
    }

    /// Decodes an envelope, naming the endpoint and the JSON path on failure.
    func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse, endpoint: Endpoint) throws -> Envelope<T> {
        do {
            return try Self.decoder.decode(Envelope<T>.self, from: response.body)
        } catch let error as DecodingError {
            throw SkyLightError.decoding(endpoint: endpoint.description, path: Self.path(of: error), detail: Self.detail(of: error))
        } catch {
            throw SkyLightError.decoding(endpoint: endpoint.description, path: "", detail: String(describing: error))
        }
    }

    /// Sends an endpoint and returns its `data`.
    func data<T: Decodable>(_ type: T.Type, _ endpoint: Endpoint) async throws -> T {
        let response = try await perform(endpoint)
        let envelope = try decode(T.self, from: response, endpoint: endpoint)
        guard let data = envelope.data else {
            throw SkyLightError.decoding(endpoint: endpoint.description, path: "data", detail: "missing")
        }
        return data
    }

    /// Sends an endpoint whose answer carries no body worth reading (204, or a bare message).
    func send(_ endpoint: Endpoint) async throws {
        _ = try await perform(endpoint)
    }

    /// Sends a listing endpoint and returns one page.
    func page<T: Decodable & Sendable & Hashable>(_ type: T.Type, _ endpoint: Endpoint) async throws -> Page<T> {
        let response = try await perform(endpoint)
        let envelope = try decode([T].self, from: response, endpoint: endpoint)
        guard let items = envelope.data else {
            throw SkyLightError.decoding(endpoint: endpoint.description, path: "data", detail: "missing")
        }
        let meta = envelope.meta ?? PageMeta(currentPage: 1, lastPage: 1, perPage: items.count, total: items.count)
        return Page(items: items, meta: meta)
    }

    static func path(of error: DecodingError) -> String {
        let context: DecodingError.Context
        var path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let c): context = c; path = c.codingPath + [key]
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c; path = c.codingPath
        @unknown default: return ""
        }
        _ = context
        return path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    static func detail(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound: return "required field missing"
        case .typeMismatch(let type, _): return "expected \(type)"
        case .valueNotFound(let type, _): return "expected \(type), found null"
        case .dataCorrupted(let c):
            return c.codingPath.isEmpty ? "malformed JSON" : "invalid value: \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
