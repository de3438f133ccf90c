import ArgumentParser
import Foundation
import SkyLightSandbox

/// `skylight sandbox`: serves the SkyLight API locally.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a local SkyLight API (for the demo, tests and fault drills).",
        discussion: """
        The first line on stdout is `SkyLight sandbox listening on http://HOST:PORT/api/v1`.
        Example: skylight sandbox --port 0 --seed demo --inbound-rate 6
        """
    )

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind; 0 picks a free one.") var port = 8787
    @Option(help: "SQLite database file, or :memory:.") var db = ":memory:"
    @Option(name: .customLong("api-key"), help: "A key clients may send (repeatable).") var apiKey: [String] = []
    @Option(help: "Starting data: demo or empty.") var seed = "demo"
    @Flag(name: .customLong("history-oldest-first"), help: "List a contact's messages and notes oldest first (the reference leaves the order open).")
    var historyOldestFirst = false
    @Option(name: .customLong("seed-size"), help: "Conversations to seed (demo default 240).") var seedSize: Int?
    @Option(name: .customLong("inbound-rate"), help: "Simulated inbound messages per minute.") var inboundRate = 0.0
    @Option(name: .customLong("clock-scale"), help: "Simulated seconds per real second (1440 = a day per minute).")
    var clockScale = 1.0

    func validate() throws {
        guard SeedKind(rawValue: seed) != nil else { throw ValidationError("--seed must be demo or empty") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard clockScale >= 0, inboundRate >= 0 else { throw ValidationError("--clock-scale and --inbound-rate must not be negative") }
        if let seedSize, seedSize < 0 { throw ValidationError("--seed-size must not be negative") }
    }

    func run() async throws {
        var options = SandboxOptions()
        options.historyOldestFirst = historyOldestFirst
        options.host = host; options.port = port; options.databasePath = db; options.apiKeys = apiKey.isEmpty ? [SandboxOptions.defaultAPIKey] : apiKey
        options.seed = SeedKind(rawValue: seed)!; options.seedSize = seedSize
        options.inboundPerMinute = inboundRate; options.clockScale = clockScale
        // Listen for SIGTERM before announcing the address: a script may stop us the moment it reads it.
        let termination = TerminationSignals()
        let sandbox: Sandbox
        do {
            sandbox = try await Sandbox.start(options)
        } catch {
            throw ValidationError("cannot start the sandbox: \(error)")
        }
        FileHandle.standardOutput.write(Data("SkyLight sandbox listening on \(sandbox.baseURL)\n".utf8))
        await termination.wait()
        await sandbox.stop()
    }
}

/// SIGINT and SIGTERM, caught from the moment this is created until `wait()` returns.
struct TerminationSignals {
    let stream: AsyncStream<Int32>
    let sources: [any DispatchSourceSignal]

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)  // the source installs its own handler when resumed
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            sources.append(source)
        }
        self.stream = stream
        self.sources = sources
    }

    /// Suspends until one of the signals arrives.
    func wait() async {
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }
}
