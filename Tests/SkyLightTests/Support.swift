import Foundation
import Synchronization
@testable import SkyLight
import SkyLightSandbox

/// A transport that records requests and answers from a script, for unit tests.
final class ScriptedTransport: HTTPTransport {
    enum Step: Sendable { case respond(HTTPResponse), fail(TransportError) }
    let steps: Mutex<[Step]>
    let recorded = Mutex<[HTTPRequest]>([])

    init(_ steps: [Step]) { self.steps = Mutex(steps) }

    convenience init(status: Int = 200, json: String, headers: [String: String] = ["content-type": "application/json"]) {
        self.init([.respond(HTTPResponse(status: status, headers: headers, body: Data(json.utf8)))])
    }

    var requests: [HTTPRequest] { recorded.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        recorded.withLock { $0.append(request) }
        let step = steps.withLock { s -> Step in s.count > 1 ? s.removeFirst() : s[0] }
        switch step {
        case .respond(let response): return response
        case .fail(let error): throw error
        }
    }
}

enum Fixture {
    static func text(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }
}

func client(_ transport: ScriptedTransport, retry: RetryPolicy = .none, auth: AuthScheme = .bearer) -> SkyLightClient {
    SkyLightClient(configuration: .init(baseURL: "http://sandbox.test/api/v1", apiKey: APIKey("sk_test_secret_123"),
                                        authScheme: auth, retry: retry), transport: transport)
}

/// A sandbox on 127.0.0.1 at a free port with its own in-memory database.
func startSandbox(seed: SeedKind = .demo, keys: [String] = [SandboxOptions.defaultAPIKey],
                  historyOldestFirst: Bool = false) async throws -> (Sandbox, SkyLightClient) {
    var options = SandboxOptions()
    options.seed = seed
    options.historyOldestFirst = historyOldestFirst
    options.apiKeys = keys
    options.tickInterval = 3600
    let sandbox = try await Sandbox.start(options)
    let client = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey(keys[0]),
                                                     retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01)))
    return (sandbox, client)
}

import Testing
