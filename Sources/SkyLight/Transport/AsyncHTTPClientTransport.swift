import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The default transport: AsyncHTTPClient with a keep-alive connection pool.
///
/// Connection establishment is not retried inside the pool, so a refused connection fails
/// at once as ``TransportError/cannotConnect(_:)`` and the SDK's retry policy decides.
public struct AsyncHTTPClientTransport: HTTPTransport {
    /// One client per process, never shut down, like `HTTPClient.shared`.
    public static let shared = AsyncHTTPClientTransport()

    /// The process's transport through `proxy` (``shared`` for none), made once and never shut
    /// down: a client's connection pool must outlive every request, and a pool dropped without a
    /// shutdown is a bug AsyncHTTPClient stops on.
    ///
    ///     let transport = AsyncHTTPClientTransport.shared(proxy: try Proxy(address: "http://corp:3128"))
    public static func shared(proxy: Proxy?) -> AsyncHTTPClientTransport {
        guard let proxy else { return shared }
        return byProxy.withLock { made in
            if let transport = made[proxy] { return transport }
            let transport = AsyncHTTPClientTransport(proxy: proxy)
            made[proxy] = transport
            return transport
        }
    }

    private static let byProxy = Mutex<[Proxy: AsyncHTTPClientTransport]>([:])

    let client: HTTPClient
    /// The largest response body accepted, in bytes.
    let maxBodyBytes: Int
    /// Runs tasks on the loop that owns this transport's connections.
    let executor: EventLoopTaskExecutor

    /// Creates a transport with its own connection pool, going through `proxy` if one is given.
    /// It must live as long as the process (see ``shared(proxy:)``).
    init(connectTimeout: Double = 5, maxBodyBytes: Int = 32 << 20, proxy: Proxy? = nil) {
        var configuration = HTTPClient.Configuration()
        if let proxy {
            switch proxy.kind {
            case .http:
                let authorization = proxy.username.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
                configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
            case .socks5:
                configuration.proxy = .socksServer(host: proxy.host, port: proxy.port)
            }
        }
        configuration.timeout.connect = .milliseconds(Int64(connectTimeout * 1000))
        configuration.connectionPool.retryConnectionEstablishment = false
        // A redirect followed turns a POST into a GET without its body (301, 302): a reply would
        // fail as a GET. The SDK reports the redirect instead, naming where the API moved.
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 8
        configuration.decompression = .enabled(limit: .ratio(50))
        // No spans: the SDK logs instead, and a span per request costs about 3% of a request's CPU.
        configuration.tracing.tracer = nil
        // Every connection lives on one loop, so each request can run there without a thread
        // switch and still take any kept-alive connection. Pinning requests to one loop of a
        // larger group instead makes the pool open a connection per request made alongside
        // another, used once and closed (an inbox opening a conversation makes three).
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        self.client = HTTPClient(eventLoopGroup: loop, configuration: configuration)
        self.maxBodyBytes = maxBodyBytes
        self.executor = EventLoopTaskExecutor(eventLoop: loop)
    }

    /// The loop every connection of this transport lives on: a task that runs there sends and
    /// receives without a thread switch.
    public var preferredExecutor: (any TaskExecutor)? { executor }

    /// Sends one request on a pooled connection and collects the whole answer.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            var headers = HTTPHeaders()
            for (name, value) in request.headers { headers.add(name: name, value: value) }
            let outgoing = try HTTPClient.Request(url: request.url, method: HTTPMethod(rawValue: request.method), headers: headers,
                                                  body: request.body.map { .bytes($0) })
            // The whole exchange, body included, stays on the event loop and comes back in one
            // hop: the async streaming interface costs several thread switches per request.
            let task = client.execute(request: outgoing, delegate: ResponseAccumulator(request: outgoing, maxBodySize: maxBodyBytes),
                                      eventLoop: .delegate(on: executor.eventLoop),
                                      deadline: .now() + .milliseconds(Int64(request.timeout * 1000)))
            let response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            var responseHeaders: [String: String] = [:]
            for header in response.headers { responseHeaders[header.name.lowercased()] = header.value }
            return HTTPResponse(status: Int(response.status.code), headers: responseHeaders,
                                body: response.body.map { Data($0.readableBytesView) } ?? Data())
        } catch let error as TransportError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.classify(error)
        }
    }

    /// Sorts a client error into "never left" and "outcome unknown".
    ///
    /// The pool hands a request to a connection only once that connection is up, so every
    /// error raised while connecting means the request was never written.
    static func classify(_ error: any Error) -> TransportError {
        var text = plainText(error)
        if let error = error as? HTTPClientError {
            // These reach an agent's status bar: say what happened, not the type's name.
            switch error {
            case .remoteConnectionClosed: text = "the server closed the connection before answering"
            case .readTimeout, .deadlineExceeded: text = "timed out waiting for the answer"
            case .connectTimeout: text = "connection timed out"
            case .tlsHandshakeTimeout: text = "TLS handshake timed out"
            case .proxyAuthenticationRequired:
                text = "the proxy asks for a user name and password (407): write them in its address, http://USER:PASSWORD@HOST:PORT"
            case .invalidProxyResponse: text = "the proxy would not open a connection to the server"
            case .socksHandshakeTimeout, .httpProxyHandshakeTimeout: text = "the proxy did not answer"
            default: break
            }
            // A proxy that refuses the tunnel has sent nothing on to the server.
            let neverLeft: [HTTPClientError] = [
                .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .invalidURL, .emptyHost,
                .emptyScheme, .alreadyShutdown, .socksHandshakeTimeout, .httpProxyHandshakeTimeout,
                .proxyAuthenticationRequired, .invalidProxyResponse,
            ]
            return neverLeft.contains(error) ? .cannotConnect(text) : .outcomeUnknown(text)
        }
        // A TLS handshake ends before any request is written: what failed is the connection.
        if let error = error as? NIOSSLError, case .handshakeFailed(let cause) = error {
            // BoringSSL's reason is the word after "OPENSSL_internal:"; the rest is a build path.
            let reason = "\(cause)".split(separator: "OPENSSL_internal:").dropFirst().first?.prefix { $0 == "_" || $0.isLetter || $0.isNumber }
            let text = switch reason {
            case "CERTIFICATE_VERIFY_FAILED"?: "TLS: the server's certificate is not trusted (self-signed, expired, or a proxy's)"
            case "WRONG_VERSION_NUMBER"?: "TLS handshake failed: the server does not speak TLS here (an http:// address?)"
            default: "TLS handshake failed" + (reason.map { " (\($0))" } ?? "")
            }
            return .cannotConnect(text)
        }
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return .cannotConnect("TLS: the server's certificate is for another host name")
        }
        if error is NIOConnectionError || error is SocketAddressError { return .cannotConnect(text) }
        if let error = error as? ChannelError, case .connectTimeout = error { return .cannotConnect(text) }
        if let error = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL].contains(error.errnoCode) {
            return .cannotConnect(text)
        }
        return .outcomeUnknown(text)
    }

    /// A failure to connect said the way an agent reads it: "connection refused", "could not
    /// find the host api.example.com", not NIO's "connection reset (error set): … (errno: 111)".
    static func plainText(_ error: any Error) -> String {
        if let error = error as? IOError {
            let text = String(cString: strerror(error.errnoCode))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.first { return plainText(failure.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "could not find the host \(error.host)" }
        }
        return String(describing: error)
    }
}
