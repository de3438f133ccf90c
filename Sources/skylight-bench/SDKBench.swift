import ArgumentParser
import Foundation
import SkyLight

/// `skylight-bench`: sequential SDK requests against a running sandbox, for `scripts/bench sdk`.
@main
struct SDKBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skylight-bench",
        abstract: "Time sequential GET /contacts/{id} through the SDK (JSON decoding included).",
        discussion: "Example: skylight-bench --base-url http://127.0.0.1:8787/api/v1 --count 1000"
    )

    @Option(name: .customLong("base-url")) var baseURL: String
    @Option(name: .customLong("api-key")) var apiKey = "sk_test_sandbox"
    @Option var count = 1000
    @Option(help: "Contact ids cycle through 1…N.") var contacts = 200
    @Flag(help: "Run on the global executor instead of the SDK's event loop.") var globalExecutor = false

    func run() async throws {
        let client = SkyLightClient(configuration: .init(baseURL: baseURL, apiKey: APIKey(apiKey), retry: .none))
        try await withTaskExecutorPreference(globalExecutor ? nil : client.preferredExecutor) {
            try await measure(client)
        }
    }

    func measure(_ client: SkyLightClient) async throws {
        // Warm the connection and the code paths.
        for id in 1...20 { _ = try await client.contacts.get(id) }
        var samples: [Double] = []
        samples.reserveCapacity(count)
        let clock = ContinuousClock()
        for i in 0..<count {
            let start = clock.now
            let contact = try await client.contacts.get(i % contacts + 1)
            let elapsed = clock.now - start
            precondition(contact.id == i % contacts + 1)
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        samples.sort()
        let mean = samples.reduce(0, +) / Double(samples.count)
        print(String(format: "%.4f %.4f %.4f", mean, samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)]))
    }
}
