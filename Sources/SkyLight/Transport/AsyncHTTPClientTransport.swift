import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The default transport: AsyncHTTPClient with a keep-alive connection pool.
///
/// Connection establishment is not retried inside the pool, so a refused connection fails
/// at once as ``TransportError/cannotConnect(_:)`` and the SDK's retry policy decides.
public struct AsyncHTTPClientTransport: HTTPTransport {
    /// One client per process, never shut down, like `HTTPClient.shared`.
    public static let shared = AsyncHTTPClientTransport()

    let client: HTTPClient
    /// The largest response body accepted, in bytes.
    let maxBodyBytes: Int

    /// Creates a transport with its own connection pool.
    public init(connectTimeout: Double = 5, maxBodyBytes: Int = 32 << 20) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .milliseconds(Int64(connectTimeout * 1000))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 8
        configuration.decompression = .enabled(limit: .ratio(50))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.maxBodyBytes = maxBodyBytes
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let timeout = TimeAmount.milliseconds(Int64(request.timeout * 1000))
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            let buffer = try await response.body.collect(upTo: maxBodyBytes)
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(buffer.readableBytesView))
        } catch let error as TransportError {
            throw error
        } catch {
            throw Self.classify(error)
        }
    }

    /// Sorts a client error into "never left" and "outcome unknown".
    ///
    /// The pool hands a request to a connection only once that connection is up, so every
    /// error raised while connecting means the request was never written.
    static func classify(_ error: any Error) -> TransportError {
        let text = String(describing: error)
        if let error = error as? HTTPClientError {
            let neverLeft: [HTTPClientError] = [
                .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .invalidURL, .emptyHost,
                .emptyScheme, .alreadyShutdown, .socksHandshakeTimeout, .httpProxyHandshakeTimeout,
            ]
            return neverLeft.contains(error) ? .cannotConnect(text) : .outcomeUnknown(text)
        }
        if error is NIOConnectionError || error is SocketAddressError { return .cannotConnect(text) }
        if let error = error as? ChannelError, case .connectTimeout = error { return .cannotConnect(text) }
        if let error = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL].contains(error.errnoCode) {
            return .cannotConnect(text)
        }
        return .outcomeUnknown(text)
    }
}
