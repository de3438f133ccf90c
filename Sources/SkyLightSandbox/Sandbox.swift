import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// How to run a sandbox: the flags of `skylight sandbox`.
public struct SandboxOptions: Sendable {
    /// The key tests and the demo use when none is given.
    public static let defaultAPIKey = "sk_test_sandbox"

    public var host = "127.0.0.1"
    /// 0 picks any free port; the running sandbox reports the one it got.
    public var port = 0
    /// A file path, or `:memory:`.
    public var databasePath = ":memory:"
    /// The keys clients may send (as a Bearer token or in `X-Api-Key`).
    public var apiKeys = [SandboxOptions.defaultAPIKey]
    public var seed = SeedKind.demo
    /// Conversations to seed (demo default 240).
    public var seedSize: Int?
    /// Simulated inbound messages per minute (0: none).
    public var inboundPerMinute = 0.0
    /// Simulated seconds per real second.
    public var clockScale = 1.0
    /// Real seconds between simulator cycles (deliveries, campaigns, inbound).
    public var tickInterval = 1.0
    /// Lists a contact's messages and notes oldest first: the reference does not say which way
    /// the server lists them, and clients must work with either.
    public var historyOldestFirst = false

    /// Default options: loopback, any port, in memory, demo seed, no inbound traffic.
    public init() {}
}

/// A local SkyLight API server: every documented endpoint over SQLite, plus the control
/// API, the inbound simulator, the campaign engine and fault injection.
///
/// ```swift
/// let sandbox = try await Sandbox.start(SandboxOptions())
/// print(sandbox.baseURL) // http://127.0.0.1:PORT/api/v1
/// await sandbox.stop()
/// ```
public final class Sandbox: Sendable {
    public let options: SandboxOptions
    public let store: SandboxStore
    /// The faults applied to `/api/v1` requests.
    public let faults: FaultInjector
    /// Deliveries, campaigns and inbound traffic.
    public let simulator: Simulator
    /// The port the server is bound to.
    public let port: Int
    let tasks: Mutex<[Task<Void, Never>]>
    let services: ServiceGroup

    /// The simulated clock.
    public var clock: SandboxClock { store.clock }
    /// `http://HOST:PORT/api/v1`.
    public var baseURL: String { "http://\(options.host):\(port)/api/v1" }
    /// `http://HOST:PORT/_sandbox`.
    public var controlURL: String { "http://\(options.host):\(port)/_sandbox" }

    init(options: SandboxOptions, store: SandboxStore, faults: FaultInjector, simulator: Simulator, port: Int,
         services: ServiceGroup, tasks: [Task<Void, Never>]) {
        self.options = options; self.store = store; self.faults = faults; self.simulator = simulator; self.port = port
        self.services = services
        self.tasks = Mutex(tasks)
    }

    /// Opens the store, seeds it, binds the port and starts the simulator; returns once the
    /// server accepts connections.
    public static func start(_ options: SandboxOptions, logger: Logger = Logger(label: "skylight.sandbox")) async throws -> Sandbox {
        let store = try SandboxStore(path: options.databasePath, clock: SandboxClock(scale: options.clockScale),
                                     historyOldestFirst: options.historyOldestFirst)
        try await store.seed(options.seed, size: options.seedSize)
        let faults = FaultInjector()
        let simulator = Simulator(store: store, inboundPerMinute: options.inboundPerMinute, tickInterval: options.tickInterval)
        let router = Router(context: SandboxContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: AuthMiddleware(apiKeys: Set(options.apiKeys)))
        let api = router.group("api/v1")
        api.add(middleware: FaultMiddleware(faults: faults))
        APIRoutes(store: store).register(on: api)
        ControlRoutes(store: store, faults: faults, simulator: simulator).register(on: router.group("_sandbox"))
        var quiet = logger
        quiet.logLevel = .warning
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "SkyLightSandbox"),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0); portContinuation.finish() },
            logger: quiet
        )
        // A service group, so stopping is a graceful shutdown that lets open connections finish.
        let services = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: quiet)
        let server = Task {
            do { try await services.run() } catch { logger.error("sandbox stopped: \(error)") }
            portContinuation.finish()
        }
        var port = 0
        for await value in portStream { port = value }
        guard port > 0 else {
            server.cancel()
            throw SandboxStartError(reason: "could not listen on \(options.host):\(options.port)")
        }
        let loop = Task { await simulator.run() }
        return Sandbox(options: options, store: store, faults: faults, simulator: simulator, port: port, services: services,
                       tasks: [server, loop])
    }

    /// Stops the server and the simulator.
    public func stop() async {
        let running = tasks.withLock { t in defer { t = [] }; return t }
        guard !running.isEmpty else { return }
        await services.triggerGracefulShutdown()
        running.last?.cancel()
        for task in running { await task.value }
    }
}

/// The sandbox could not start.
public struct SandboxStartError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
