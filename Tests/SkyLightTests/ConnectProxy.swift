import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// An HTTP proxy on 127.0.0.1 at a free port that opens `CONNECT` tunnels, as a company's
/// proxy does, optionally asking for a user name and password first. It records each tunnel
/// asked for.
final class ConnectProxy: Sendable {
    let channel: any Channel
    let port: Int
    let record = Record()

    /// The tunnels asked for, as `host:port`.
    final class Record: Sendable {
        let tunnels = Mutex<[String]>([])
    }

    var tunnels: [String] { record.tunnels.withLock { $0 } }

    /// Starts listening; `credentials` ("user:password") makes it answer 407 without them.
    init(credentials: String? = nil) throws {
        let record = record
        let expected = credentials.map { "Basic " + Data($0.utf8).base64EncodedString() }
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { client in
                client.eventLoop.makeCompletedFuture {
                    try client.pipeline.syncOperations.addHandler(Front(expected: expected, record: record))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    func stop() { try? channel.close().wait() }

    /// The client's side: reads the CONNECT head, then passes bytes to the server and back.
    /// Each instance is used on its channel's event loop only.
    final class Front: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let expected: String?
        let record: Record
        var head = ByteBuffer()
        var server: (any Channel)?
        /// Bytes that came while the tunnel was opening.
        var pending: [ByteBuffer] = []
        var opening = false

        init(expected: String?, record: Record) { self.expected = expected; self.record = record }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            if let server { server.writeAndFlush(bytes, promise: nil); return }
            if opening { pending.append(bytes); return }
            head.writeBuffer(&bytes)
            let text = String(buffer: head)
            guard let end = text.range(of: "\r\n\r\n") else { return }
            let lines = text[..<end.lowerBound].split(separator: "\r\n")
            let words = lines.first?.split(separator: " ") ?? []
            guard words.count == 3, words[0] == "CONNECT", let colon = words[1].lastIndex(of: ":"),
                  let port = Int(words[1][words[1].index(after: colon)...]) else {
                answer(context, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                return
            }
            let authorization = lines.dropFirst().first { $0.lowercased().hasPrefix("proxy-authorization:") }
                .map { $0.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces) }
            if let expected, authorization != expected {
                answer(context, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n")
                return
            }
            record.tunnels.withLock { $0.append(String(words[1])) }
            opening = true
            let rest = ByteBuffer(string: String(text[end.upperBound...]))
            if rest.readableBytes > 0 { pending.append(rest) }
            let client = context.channel
            let host = String(words[1][..<colon])
            ClientBootstrap(group: context.eventLoop)
                .channelInitializer { server in
                    server.eventLoop.makeCompletedFuture { try server.pipeline.syncOperations.addHandler(Back(client: client)) }
                }
                .connect(host: host, port: port)
                .whenComplete { result in
                    switch result {
                    case .success(let server):
                        client.writeAndFlush(ByteBuffer(string: "HTTP/1.1 200 Connection Established\r\n\r\n"), promise: nil)
                        self.server = server
                        for bytes in self.pending { server.writeAndFlush(bytes, promise: nil) }
                        self.pending = []
                    case .failure:
                        client.writeAndFlush(ByteBuffer(string: "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"))
                            .whenComplete { _ in client.close(promise: nil) }
                    }
                }
        }

        func answer(_ context: ChannelHandlerContext, _ text: String) {
            let channel = context.channel
            channel.writeAndFlush(ByteBuffer(string: text)).whenComplete { _ in channel.close(promise: nil) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            server?.close(promise: nil)
            context.fireChannelInactive()
        }
    }

    /// The server's side of a tunnel: passes its bytes back to the client.
    final class Back: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let client: any Channel
        init(client: any Channel) { self.client = client }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            client.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            client.close(promise: nil)
            context.fireChannelInactive()
        }
    }
}
