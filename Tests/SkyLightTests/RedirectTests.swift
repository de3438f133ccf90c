import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import SkyLight

/// A base URL that is out of date: the server answers every request with a redirect, as one
/// does for http:// once it serves https:// only.
struct RedirectTests {
    /// Answers every request with `301 Moved Permanently` to the same path on `target`.
    final class Redirector: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let target: String
        init(target: String) { self.target = target }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .head(let head) = unwrapInboundIn(data) else { return }
            let headers: HTTPHeaders = ["location": target + head.uri, "content-length": "0"]
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .movedPermanently, headers: headers))),
                          promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    @Test func aMovedAPIIsNamedAndAReplyIsNotTurnedIntoAGet() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Redirector(target: "https://chat.example.com"))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { try? server.close().wait() }
        let port = try #require(server.localAddress?.port)
        let client = SkyLightClient(configuration: .init(baseURL: "http://127.0.0.1:\(port)/api/v1", apiKey: APIKey("k"), retry: .none))
        for attempt in [{ _ = try await client.messages.send(contactID: 1, message: "hello") },
                        { _ = try await client.messages.conversations() }] as [@Sendable () async throws -> Void] {
            await #expect { try await attempt() } throws: { error in
                (error as? SkyLightError)?.description == "HTTP 301: the API moved to https://chat.example.com/api/v1: use that as the base URL"
            }
        }
    }
}
