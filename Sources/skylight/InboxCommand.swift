import ArgumentParser
import Foundation
import Inbox
import Logging
import SkyLight
import SkyLightSandbox
import Terminal

/// `skylight [--demo]`: opens the inbox.
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "Open the inbox (the default).",
        discussion: """
        The account comes from SKYLIGHT_API_KEY and SKYLIGHT_BASE_URL, or from
        ~/.config/skylight/config.toml (which must be chmod 600 when it holds a key).
        Behind a proxy, https_proxy (and no_proxy) are read as curl reads them.
        Example: SKYLIGHT_API_KEY=sk_live_… skylight
        """
    )

    @Flag(help: "Run on an embedded sandbox with demo data: no account needed.") var demo = false
    @Option(help: "Theme name: a shipped one or a file in ~/.config/skylight/themes (default from the config file).") var theme: String?
    @Option(name: .customLong("inbound-rate"), help: "With --demo: simulated inbound messages per minute.") var inboundRate = 4.0
    @Option(name: .customLong("seed-size"), help: "With --demo: conversations to seed.") var seedSize: Int?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logPath = XDG.stateHome(environment) + "/skylight/skylight.log"
        let sink = FileLogHandler.Sink(path: logPath)
        LoggingSystem.bootstrap { label in FileLogHandler(sink: sink, label: label) }
        let logger = Logger(label: "skylight")

        var config: Config
        do { config = try Config.load(environment: environment) } catch { fail(error.description) }
        if let theme { config.theme = theme }

        var sandbox: Sandbox?
        var demoFolder: DemoFolder?
        var cachePath: String
        let editorFolder: EditorFolder
        if demo {
            // Nothing to check first, and nothing made yet to be left behind.
            Self.requireTerminal()
            guard let folder = DemoFolder.create() else {
                fail("Cannot make a folder for the demo in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
            }
            demoFolder = folder
            var options = SandboxOptions()
            options.databasePath = folder.path + "/sandbox.sqlite"
            options.inboundPerMinute = inboundRate
            options.seedSize = seedSize
            do { sandbox = try await Sandbox.start(options) } catch {
                folder.remove()
                fail("Cannot start the demo sandbox: \(error)")
            }
            config.apiKey = APIKey(SandboxOptions.defaultAPIKey)
            config.baseURL = sandbox!.baseURL
            config.authScheme = .bearer
            cachePath = folder.path + "/inbox.sqlite"
            editorFolder = EditorFolder(path: folder.path + "/editing")
        } else {
            guard let key = config.apiKey, !key.isEmpty else {
                fail("""
                    No API key. Set SKYLIGHT_API_KEY, or put api_key = "…" in \(Config.path(environment)) (chmod 600).
                    To look around without an account: skylight --demo
                    """)
            }
            let account = Self.accountID(config.baseURL, key)
            cachePath = XDG.cacheHome(environment) + "/skylight/\(account).sqlite"
            // Not under the cache: what an editor could not save is not for a cache cleaner to delete.
            editorFolder = EditorFolder(path: XDG.stateHome(environment) + "/skylight/editing/\(account)")
        }
        let proxy: Proxy?
        do { proxy = try Proxy.fromEnvironment(environment, for: config.baseURL) } catch {
            fail(error.description)
        }
        if let proxy { logger.notice("requests to \(config.baseURL) go through the proxy \(proxy)") }
        let transport = proxy.map { AsyncHTTPClientTransport.shared(proxy: $0) }
        let client = SkyLightClient(configuration: .init(baseURL: config.baseURL, apiKey: config.apiKey!, authScheme: config.authScheme,
                                                         retry: .inbox, timeout: 15),
                                    transport: transport, logger: Logger(label: "skylight.sdk"))
        // Another program (a backup, a sqlite3 shell) holding the cache locked: wait for it, and
        // say so, rather than start without the drafts and replies it holds.
        var toldOfTheLock = false
        func waitForTheLock() {
            guard !toldOfTheLock else { return }
            toldOfTheLock = true
            logger.notice("cache locked by another program: waiting (cache: \(cachePath))")
            FileHandle.standardError.write(Data("skylight: waiting for the local cache: another program holds its lock (Ctrl-C to stop)…\n".utf8))
        }
        let (store, cacheProblem) = LocalStore.openOrSetAside(path: cachePath, conversationLimit: config.cacheConversations,
                                                              whileLocked: waitForTheLock)
        if let cacheProblem { logger.error("\(cacheProblem) (cache: \(cachePath))") }
        // Named before the outbox is read: another inbox on this cache leaves this one's replies alone.
        let instance = String(UUID().uuidString.prefix(8))
        store?.claim(instance: instance)
        let restored = try? store.map { store in try LocalStore.waitingWhileLocked(waitForTheLock) { try store.restoreAction() } }
        var hasCache = false
        if case .restored(_, _, _, _, let rows)? = restored { hasCache = !rows.isEmpty }

        // Without a cache, one quick request before taking over the screen, so a wrong key or URL
        // gets a plain message. With one, the inbox paints at once, without waiting on the
        // network, and the first poll's answer shows in the status bar. The demo's key and URL
        // are its own.
        if !hasCache && !demo {
            // The one wait before the screen is taken (up to the probe's timeout on a slow link):
            // say what it is. Once answered, the line goes; a failure's message follows it.
            let shown = isatty(STDERR_FILENO) == 1
            if shown { FileHandle.standardError.write(Data("Connecting to \(URL(string: config.baseURL)?.host ?? config.baseURL)…\n".utf8)) }
            await Self.probe(config, proxy: proxy, transport: transport, logger: logger)
            if shown { FileHandle.standardError.write(Data("\u{1B}[1A\r\u{1B}[2K".utf8)) }
        }

        // Checked after the account, so a wrong key or URL is reported even without a terminal.
        Self.requireTerminal()
        let themes = ThemeLibrary.standard(environment: environment)
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        var initialTheme = Theme.plain
        var startup: [Action] = []
        do { initialTheme = try themes.load(config.theme) } catch {
            startup.append(.themeResult(name: "plain", error: "Theme not loaded: \(error)"))
        }
        if let restored { startup.insert(restored, at: 0) }
        let keptText = editorFolder.contactsWithKeptText()
        if !keptText.isEmpty { startup.append(.editorTextKept(contactIDs: keptText)) }
        // Details of the newest conversations: enough to fill the first screens.
        if let details = try? store?.details(limit: 40) { startup.insert(details, at: restored == nil ? 0 : 1) }
        var state = InboxState(accountLabel: demo ? "demo sandbox" : URL(string: config.baseURL)?.host ?? config.baseURL,
                               now: .now, themeName: initialTheme.name, settings: config.settings)
        state.nextPollAt = .now
        state.instance = instance + "-"
        state.themeNames = themes.names
        // Without a cache the agent must know before writing anything; a cache set aside is news once.
        if let cacheProblem { if store == nil { state.warning = cacheProblem } else { startup.append(.terminalNote(cacheProblem)) } }
        let reducer = Reducer(keyMap: config.keyMap, textLayout: .composer)
        let initialState = state
        let colorTheme = noColor ? initialTheme.withoutColors : initialTheme
        let startupActions = startup + [.start]
        let makeApp: @Sendable () -> TerminalApp = {
            let app = TerminalApp(state: initialState, reducer: reducer, theme: colorTheme, themes: themes, colors: !noColor,
                                  startup: startupActions, editorFolder: editorFolder, logger: logger) { post in
                EffectRunner(client: client, store: store, logger: Logger(label: "skylight.effects"), post: post)
            }
            // An inbox left open for hours keeps only the code its polling runs.
            app.onIdle = ResidentCode.trim
            return app
        }
        let exit: TerminalApp.Exit, unsaved: [String]
        ResidentCode.trim()  // start-up is over: keep only the code the main loop uses
        do {
            (exit, unsaved) = try await Self.onThread { let app = makeApp(); return (try app.run(), app.unsavedAtExit) }
        } catch {
            await sandbox?.stop()
            demoFolder?.remove()
            fail("The terminal could not be used: \(error)")
        }
        if !unsaved.isEmpty {
            FileHandle.standardError.write(Data("skylight: the local cache could not be written before quitting (see the log); not saved: \(unsaved.joined(separator: ", "))\n".utf8))
        }
        await sandbox?.stop()
        demoFolder?.remove()
        if case .signal(let number) = exit { throw ExitCode(128 + number) }
    }

    /// Asks for one conversation and exits with a plain message when the answer shows a wrong
    /// key, a wrong URL or no server.
    static func probe(_ config: Config, proxy: Proxy?, transport: (any HTTPTransport)?, logger: Logger) async {
        let probe = SkyLightClient(configuration: .init(baseURL: config.baseURL, apiKey: config.apiKey!, authScheme: config.authScheme,
                                                        retry: .none, timeout: 8), transport: transport, logger: logger)
        do {
            _ = try await probe.messages.conversations(perPage: 1)
        } catch let error as SkyLightError {
            switch error {
            case .http(401, _, _), .http(403, _, _):
                fail("The server at \(config.baseURL) refused the API key (\(error)). Check SKYLIGHT_API_KEY or api_key in the config.")
            case .cannotConnect, .outcomeUnknown:
                let through = proxy.map { " through the proxy \($0)" } ?? ""
                fail("Cannot reach \(config.baseURL)\(through): \(error).\nCheck SKYLIGHT_BASE_URL"
                     + (proxy?.variable.map { ", \($0)" } ?? "") + " and your network, or try skylight --demo.")
            case .http(300...399, let message, _):
                fail("\(config.baseURL): \(message ?? "a redirect"). Set SKYLIGHT_BASE_URL or base_url in the config.")
            case .http(404, _, _):
                fail("\(config.baseURL) does not look like the SkyLight API (404). The base URL ends in /api/v1.")
            default:
                logger.warning("first request failed: \(error)")
            }
        } catch {
            logger.warning("first request failed: \(error)")
        }
    }

    /// Runs the blocking terminal loop on its own thread, off the concurrency pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// A file name for an account's cache that does not contain the key.
    static func accountID(_ baseURL: String, _ key: APIKey) -> String {
        let host = (URL(string: baseURL)?.host ?? "account").filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
        return "\(host)-\(key.fingerprint)"
    }
}

extension InboxCommand {
    /// Exits with a plain message unless stdin and stdout are a terminal (as under `ssh host skylight` without `-t`).
    static func requireTerminal() {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            fail("skylight needs a terminal (stdin and stdout must be a TTY; over SSH, ssh -t).")
        }
    }
}

/// Prints a message for the user on stderr and exits with status 1: never a stack trace.
func fail(_ message: String) -> Never {
    // The message may quote a server (an error text) or the environment: its escape sequences
    // and controls must not reach the terminal now that curses has let it go.
    let safe = message.split(separator: "\n", omittingEmptySubsequences: false).map { Sanitizer.clean(String($0)) }.joined(separator: "\n")
    FileHandle.standardError.write(Data(("skylight: " + safe + "\n").utf8))
    exit(1)
}
