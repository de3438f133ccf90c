import Foundation

/// An HTTP request as the SDK hands it to a transport.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: Data?
    /// The whole request's time limit, in seconds.
    public var timeout: Double

    /// Creates a request.
    public init(method: String, url: String, headers: [String: String] = [:], body: Data? = nil, timeout: Double = 30) {
        self.method = method; self.url = url; self.headers = headers; self.body = body; self.timeout = timeout
    }
}

/// An HTTP response: status, headers with lower-cased names, and the whole body.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    /// Creates a response; header names are lower-cased.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }
}

/// Why a transport could not deliver a response.
public enum TransportError: Error, Sendable, Hashable {
    /// Nothing was sent: the connection could not be made.
    case cannotConnect(String)
    /// The request may have reached the server: it timed out or the connection broke.
    case outcomeUnknown(String)
}

/// Moves one request to the server and its response back. The SDK's only network seam:
/// tests put fault-injecting or recording transports here.
public protocol HTTPTransport: Sendable {
    /// Performs the request; throws ``TransportError`` when no response arrived.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Where a caller's task runs cheapest, if the transport has such a place.
    var preferredExecutor: (any TaskExecutor)? { get }
}

extension HTTPTransport {
    /// None: tasks run wherever they are.
    public var preferredExecutor: (any TaskExecutor)? { nil }
}
