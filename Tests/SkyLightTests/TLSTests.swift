import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import SkyLight

/// A server whose TLS the client cannot accept (a self-signed certificate, a proxy inspecting
/// traffic, a plain-HTTP port under an https:// address): the request never left, so a reply
/// waits in the outbox to go later instead of being "outcome unknown", and the reason reads
/// as a sentence.
struct TLSTests {
    /// Listens on 127.0.0.1 at a free port with a self-signed certificate, answering nothing.
    static func selfSignedServer() throws -> (any NIOCore.Channel, Int) {
        func fixture(_ name: String) throws -> String {
            try #require(Bundle.module.path(forResource: name, ofType: "pem", inDirectory: "Fixtures"))
        }
        let context = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(try fixture("self-signed-cert")).map { .certificate($0) },
            privateKey: .file(try fixture("self-signed-key"))))
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        return (channel, try #require(channel.localAddress?.port))
    }

    @Test func anUntrustedCertificateIsACannotConnectThatSaysWhy() async throws {
        let (server, port) = try Self.selfSignedServer()
        defer { try? server.close().wait() }
        let client = SkyLightClient(configuration: .init(baseURL: "https://127.0.0.1:\(port)/api/v1", apiKey: APIKey("k"), retry: .none))
        do {
            _ = try await client.messages.send(contactID: 1, message: "hello")
            Issue.record("sent")
        } catch let error as SkyLightError {
            #expect(error.requestNeverLeft && !error.mayHaveTakenEffect, "\(error)")
            #expect(error.description == "cannot connect: TLS: the server's certificate is not trusted (self-signed, expired, or a proxy's)")
        }
    }

    @Test func anHTTPSAddressOnAPlainHTTPPortSaysSo() async throws {
        let (sandbox, _) = try await startSandbox(seed: .empty)
        defer { Task { await sandbox.stop() } }
        let client = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL.replacingOccurrences(of: "http://", with: "https://"),
                                                         apiKey: APIKey("k"), retry: .none))
        await #expect { _ = try await client.contacts.get(1) } throws: { error in
            (error as? SkyLightError)?.description == "cannot connect: TLS handshake failed: the server does not speak TLS here (an http:// address?)"
        }
    }
}
