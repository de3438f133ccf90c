import Foundation
import Testing
@testable import SkyLight
import SkyLightSandbox

/// The proxy the environment names, read the way curl reads it.
struct ProxyTests {
    @Test func theVariableFollowsTheAddressScheme() throws {
        let environment = ["https_proxy": "http://corp:3128", "HTTP_PROXY": "plain.corp:8080", "all_proxy": "socks5://socks.corp"]
        let https = try #require(try Proxy.fromEnvironment(environment, for: "https://dashboard.skylightchat.com/api/v1"))
        #expect(https == Proxy(host: "corp", port: 3128, variable: "https_proxy"))
        let http = try #require(try Proxy.fromEnvironment(environment, for: "http://api.example.com/api/v1"))
        #expect(http == Proxy(host: "plain.corp", port: 8080, variable: "HTTP_PROXY"))
        let socks = try #require(try Proxy.fromEnvironment(["ALL_PROXY": "socks5h://socks.corp"], for: "https://api.example.com"))
        #expect(socks.kind == .socks5 && socks.port == 1080 && socks.description == "socks5://socks.corp:1080")
        #expect(try Proxy.fromEnvironment([:], for: "https://api.example.com") == nil)
    }

    @Test func noProxyAndLoopbackGoDirect() throws {
        let environment = ["https_proxy": "corp:3128", "http_proxy": "corp:3128", "no_proxy": " .internal, example.com:443 ,10.1.2.3"]
        #expect(try Proxy.fromEnvironment(environment, for: "https://api.example.com/api/v1") == nil)
        #expect(try Proxy.fromEnvironment(environment, for: "https://example.com/api/v1") == nil)
        #expect(try Proxy.fromEnvironment(environment, for: "https://chat.internal/api/v1") == nil)
        #expect(try Proxy.fromEnvironment(environment, for: "http://10.1.2.3/api/v1") == nil)
        #expect(try Proxy.fromEnvironment(environment, for: "https://notexample.com/api/v1") != nil)
        // The demo's sandbox is on loopback: never sent to a proxy.
        for url in ["http://127.0.0.1:8787/api/v1", "http://localhost:8787/api/v1", "http://[::1]:8787/api/v1"] {
            #expect(try Proxy.fromEnvironment(["http_proxy": "corp:3128"], for: url) == nil, "\(url)")
        }
        #expect(try Proxy.fromEnvironment(["https_proxy": "corp:3128", "NO_PROXY": "*"], for: "https://api.example.com") == nil)
    }

    @Test func credentialsAreReadAndNeverShown() throws {
        let proxy = try Proxy(address: "http://agent%40corp:p%3Ass@proxy.corp:3128")
        #expect(proxy.username == "agent@corp" && proxy.password == "p:ss" && proxy.port == 3128)
        #expect(proxy.description == "proxy.corp:3128")
        #expect(try Proxy(address: "http://proxy.corp").port == 80)
        #expect(try Proxy(address: "http://agent:100%25@proxy.corp:3128").password == "100%")
    }

    @Test func whatCannotBeUsedIsSaid() {
        #expect(throws: ProxyError(description: "https_proxy: the proxy “https://corp:3128” is spoken to over TLS, which is not supported: use its http:// address")) {
            try Proxy.fromEnvironment(["https_proxy": "https://corp:3128"], for: "https://api.example.com")
        }
        #expect(throws: ProxyError.self) { try Proxy(address: "ftp://corp:21") }
        #expect(throws: ProxyError.self) { try Proxy(address: "socks5://user:pw@corp") }
        #expect(throws: ProxyError.self) { try Proxy(address: "http://") }
    }

    /// The SDK reaches the sandbox through a real CONNECT proxy, asking for a password or not.
    @Test func requestsGoThroughAConnectProxy() async throws {
        let (sandbox, _) = try await startSandbox()
        defer { Task { await sandbox.stop() } }
        let open = try ConnectProxy()
        defer { open.stop() }
        let guarded = try ConnectProxy(credentials: "agent:s3cret")
        defer { guarded.stop() }
        func client(_ proxy: Proxy) -> SkyLightClient {
            SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey(SandboxOptions.defaultAPIKey), retry: .none),
                           transport: AsyncHTTPClientTransport.shared(proxy: proxy))
        }
        let page = try await client(Proxy(host: "127.0.0.1", port: open.port)).messages.conversations(perPage: 5)
        #expect(page.items.count == 5)
        let target = sandbox.baseURL.replacingOccurrences(of: "http://", with: "").split(separator: "/")[0]
        #expect(open.tunnels == [String(target)])

        // Without the password: the proxy refuses the tunnel, so nothing reached the server.
        do {
            _ = try await client(Proxy(host: "127.0.0.1", port: guarded.port)).messages.send(contactID: 1, message: "hi")
            Issue.record("sent without the proxy's password")
        } catch let error as SkyLightError {
            #expect(error.requestNeverLeft, "\(error)")
            #expect(error.description == "cannot connect: the proxy asks for a user name and password (407): write them in its address, "
                    + "http://USER:PASSWORD@HOST:PORT")
        }
        let through = try await client(Proxy(address: "http://agent:s3cret@127.0.0.1:\(guarded.port)")).contacts.get(1)
        #expect(through.id == 1 && guarded.tunnels.count == 1)
    }
}
