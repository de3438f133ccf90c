import Foundation
import Logging
import Synchronization
import Testing
@testable import SkyLight

/// Error mapping: every way a response or a connection can go wrong has its own case.
struct ErrorMappingTests {
    func failure(status: Int, body: String, headers: [String: String] = ["content-type": "application/json"]) async -> SkyLightError? {
        let transport = ScriptedTransport(status: status, json: body, headers: headers)
        do { _ = try await client(transport).contacts.get(42); return nil } catch { return error as? SkyLightError }
    }

    @Test func unauthorized() async {
        let error = await failure(status: 401, body: #"{"success":false,"message":"Unauthenticated."}"#)
        #expect(error == .http(status: 401, message: "Unauthenticated.", fieldErrors: [:]))
    }

    @Test func notFound() async {
        #expect(await failure(status: 404, body: #"{"message":"Contact not found."}"#)?.status == 404)
    }

    @Test func validationWithFieldErrors() async {
        let body = #"{"message":"The name field is required. (and 1 more error)","errors":{"name":["The name field is required."],"type":["The selected type is invalid."]}}"#
        let error = await failure(status: 422, body: body)
        guard case .http(422, let message, let fields) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(message?.hasPrefix("The name field is required.") == true)
        #expect(fields == ["name": ["The name field is required."], "type": ["The selected type is invalid."]])
        #expect(error!.description.contains("type: The selected type is invalid."))
    }

    @Test func rateLimitedWithRetryAfter() async {
        let error = await failure(status: 429, body: #"{"message":"Too Many Attempts."}"#, headers: ["Retry-After": "7"])
        #expect(error == .rateLimited(retryAfter: 7, message: "Too Many Attempts."))
    }

    @Test func serverError() async {
        #expect(await failure(status: 500, body: #"{"message":"Server Error"}"#) == .http(status: 500, message: "Server Error", fieldErrors: [:]))
    }

    @Test func htmlErrorPage() async {
        let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
        let error = await failure(status: 502, body: html, headers: ["content-type": "text/html"])
        #expect(error == .http(status: 502, message: "502 Bad Gateway", fieldErrors: [:]))
    }

    @Test func htmlOn200IsADecodingErrorNamingTheEndpoint() async {
        let error = await failure(status: 200, body: "<html>maintenance</html>", headers: ["content-type": "text/html"])
        guard case .decoding(let endpoint, _, _) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(endpoint == "GET /contacts/42")
    }

    @Test func truncatedJSON() async {
        let error = await failure(status: 200, body: #"{"success":true,"data":{"id":42,"name":"Sar"#)
        guard case .decoding(let endpoint, _, let detail) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(endpoint == "GET /contacts/42" && detail.contains("malformed JSON"))
        #expect(error?.description.hasPrefix("unexpected response from GET /contacts/42: malformed JSON") == true, "\(String(describing: error))")
    }

    /// What a caller must read back before repeating a write: a lost answer, a server failing
    /// partway, a success whose body is cut short. A refusal or a request never sent is safe.
    @Test func whatMayHaveTakenEffect() async {
        let truncated = await failure(status: 201, body: #"{"success":true,"data":{"id":42,"con"#)
        #expect(truncated?.mayHaveTakenEffect == true, "\(String(describing: truncated))")
        #expect(SkyLightError.outcomeUnknown(reason: "connection closed").mayHaveTakenEffect)
        #expect(SkyLightError.http(status: 503, message: nil, fieldErrors: [:]).mayHaveTakenEffect)
        #expect(!SkyLightError.http(status: 422, message: nil, fieldErrors: [:]).mayHaveTakenEffect)
        #expect(!SkyLightError.rateLimited(retryAfter: 1, message: nil).mayHaveTakenEffect)
        #expect(!SkyLightError.cannotConnect(reason: "refused").mayHaveTakenEffect)
    }

    @Test func wrongTypeNamesTheJSONPath() async {
        let transport = ScriptedTransport(json: #"{"success":true,"data":[{"contact_id":1},{"contact_id":"two"}]}"#)
        do {
            _ = try await client(transport).messages.conversations()
            Issue.record("decoded")
        } catch let error as SkyLightError {
            guard case .decoding(let endpoint, let path, _) = error else { Issue.record("\(error)"); return }
            #expect(endpoint == "GET /conversations" && path == "data[1].contact_id")
        } catch { Issue.record("\(error)") }
    }

    @Test func connectionRefusedNeverLeftAndSaysSoPlainly() async throws {
        let (socket, port) = heldPort()
        defer { close(socket) }
        let client = SkyLightClient(configuration: .init(baseURL: "http://127.0.0.1:\(port)/api/v1", apiKey: APIKey("k"), retry: .none))
        let error = await #expect(throws: SkyLightError.self) { _ = try await client.tags.list() }
        #expect(error?.requestNeverLeft == true, "\(String(describing: error))")
        // Said plainly: this reaches an agent's status bar and the start-up message.
        #expect(error?.description == "cannot connect: connection refused")
    }

    @Test func anUnknownHostIsSaidPlainly() async throws {
        let client = SkyLightClient(configuration: .init(baseURL: "http://no-such-host.invalid/api/v1", apiKey: APIKey("k"), retry: .none, timeout: 5))
        let error = await #expect(throws: SkyLightError.self) { _ = try await client.tags.list() }
        #expect(error?.description == "cannot connect: could not find the host no-such-host.invalid", "\(String(describing: error))")
    }
}

/// Retries: idempotent requests are repeated; a POST only when it provably never left.
struct RetryTests {
    static let ok = HTTPResponse(status: 200, body: Data(#"{"success":true,"data":{"id":1}}"#.utf8))
    static let unavailable = HTTPResponse(status: 503, body: Data(#"{"message":"down"}"#.utf8))
    let fast = RetryPolicy(maxAttempts: 4, baseDelay: 0.001, maxDelay: 0.002)

    @Test func getRetriesServerErrorsAndLostAnswers() async throws {
        let transport = ScriptedTransport([.respond(Self.unavailable), .fail(.outcomeUnknown("reset")), .respond(Self.ok)])
        _ = try await client(transport, retry: fast).contacts.get(1)
        #expect(transport.requests.count == 3)
    }

    @Test func getGivesUpAfterMaxAttempts() async {
        let transport = ScriptedTransport([.respond(Self.unavailable)])
        await #expect(throws: SkyLightError.self) { _ = try await client(transport, retry: fast).contacts.get(1) }
        #expect(transport.requests.count == 4)
    }

    @Test func postIsNotRepeatedAfterAnUnknownOutcome() async {
        let transport = ScriptedTransport([.fail(.outcomeUnknown("timeout")), .respond(Self.ok)])
        let error = await #expect(throws: SkyLightError.self) {
            _ = try await client(transport, retry: fast).messages.send(contactID: 1, message: "hi")
        }
        #expect(error?.isOutcomeUnknown == true && transport.requests.count == 1)
    }

    @Test(arguments: [503, 500, 429])
    func postIsNotRepeatedAfterAnAnswer(status: Int) async {
        let transport = ScriptedTransport([.respond(HTTPResponse(status: status, headers: ["retry-after": "0"], body: Data("{}".utf8))),
                                           .respond(Self.ok)])
        await #expect(throws: SkyLightError.self) { _ = try await client(transport, retry: fast).contacts.toggleBlacklist(1) }
        #expect(transport.requests.count == 1)
    }

    @Test(arguments: [503, 429])
    func aPostTheAPICallsIdempotentIsRepeated(status: Int) async throws {
        let failed = ScriptedTransport.Step.respond(HTTPResponse(status: status, headers: ["retry-after": "0"], body: Data("{}".utf8)))
        let transport = ScriptedTransport([failed, .fail(.outcomeUnknown("reset")), .respond(Self.ok)])
        try await client(transport, retry: fast).tags.assign(title: "VIP", to: 1)
        let lists = ScriptedTransport([failed, .fail(.outcomeUnknown("reset")), .respond(Self.ok)])
        try await client(lists, retry: fast).contacts.addToList(1, listID: 2)
        #expect(transport.requests.count == 3 && lists.requests.count == 3)
        #expect(transport.requests.allSatisfy { $0.method == "POST" && $0.url.hasSuffix("/contacts/1/tags") })
    }

    @Test func aGetWhoseAnswerWasCutShortIsRepeated() async throws {
        let cut = ScriptedTransport.Step.respond(HTTPResponse(status: 200, body: Data(#"{"success":true,"data":{"id":1,"na"#.utf8)))
        let transport = ScriptedTransport([cut, .respond(Self.ok)])
        #expect(try await client(transport, retry: fast).contacts.get(1).id == 1)
        #expect(transport.requests.count == 2)
        // A note's answer cut short may mean it was saved: not repeated.
        let notes = ScriptedTransport([cut, .respond(Self.ok)])
        let error = await #expect(throws: SkyLightError.self) { _ = try await client(notes, retry: fast).contacts.addNote(1, content: "x") }
        #expect(error?.mayHaveTakenEffect == true && notes.requests.count == 1)
    }

    @Test func postIsRepeatedWhenItNeverLeft() async throws {
        let transport = ScriptedTransport([.fail(.cannotConnect("refused")), .fail(.cannotConnect("refused")), .respond(Self.ok)])
        _ = try await client(transport, retry: fast).messages.send(contactID: 1, message: "hi")
        #expect(transport.requests.count == 3)
    }

    @Test func rateLimitHonoursRetryAfter() async throws {
        let limited = HTTPResponse(status: 429, headers: ["Retry-After": "0.3"], body: Data("{}".utf8))
        let transport = ScriptedTransport([.respond(limited), .respond(Self.ok)])
        let start = ContinuousClock.now
        _ = try await client(transport, retry: fast).tags.get(1)
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        #expect(transport.requests.count == 2)
    }

    @Test func retryAfterBeyondTheLimitIsThrown() async {
        let limited = HTTPResponse(status: 429, headers: ["Retry-After": "3600"], body: Data("{}".utf8))
        let transport = ScriptedTransport([.respond(limited)])
        let error = await #expect(throws: SkyLightError.self) { _ = try await client(transport, retry: fast).tags.get(1) }
        #expect(error == .rateLimited(retryAfter: 3600, message: nil) && transport.requests.count == 1)
    }

    @Test func backoffIsBoundedAndJittered() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 0.25, maxDelay: 2)
        let samples = (0..<200).map { _ in policy.backoff(afterAttempt: 6) }
        #expect(samples.allSatisfy { (0...2).contains($0) })
        #expect(Set(samples).count > 100)
    }

    @Test func retryAfterParsesSecondsAndDates() {
        #expect(SkyLightClient.retryAfter("12") == 12)
        #expect(SkyLightClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
        #expect(SkyLightClient.retryAfter("soon") == nil)
    }
}

/// The API key never shows in descriptions, errors or logs.
struct SecretTests {
    final class Capture: LogHandler, @unchecked Sendable {
        let lines = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { nil } set {} }
        func log(event: LogEvent) {
            lines.withLock { $0.append("\(event.message) \(event.metadata ?? [:])") }
        }
    }

    @Test func keyNeverAppears() async throws {
        let secret = "sk_live_TOPSECRET"
        let capture = Capture()
        let transport = ScriptedTransport([.fail(.cannotConnect("refused")), .respond(HTTPResponse(status: 401, body: Data("{}".utf8)))])
        let configuration = SkyLightClient.Configuration(apiKey: APIKey(secret), retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.001))
        let client = SkyLightClient(configuration: configuration, transport: transport, logger: Logger(label: "t") { _ in capture })
        var texts = [String(describing: configuration), String(reflecting: configuration.apiKey), "\(configuration.apiKey)",
                     String(describing: client)]
        do { _ = try await client.contacts.get(1) } catch {
            texts += [String(describing: error), String(reflecting: error), error.localizedDescription]
        }
        texts += capture.lines.withLock { $0 }
        #expect(capture.lines.withLock { $0.count } >= 2)
        for text in texts { #expect(!text.contains(secret), "\(text)") }
    }
}

/// A TCP port that nothing listens on.
func heldPort() -> (socket: Int32, port: Int) {
    // Bound but not listening: connecting is refused, and no other test can take the port meanwhile.
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
