import CNcursesw
import Foundation
import Inbox
import Logging
import SkyLight
import Synchronization

/// The main loop: key → action → reducer → effects → result actions → state → view →
/// frame → ncurses. It sleeps in `poll()` until a key, a timer, a signal or a background
/// result arrives; nothing here waits on the network.
public final class TerminalApp {
    public var state: InboxState
    let reducer: Reducer
    let view: InboxView
    let themes: ThemeLibrary
    var theme: Theme
    let colors: Bool
    let logger: Logger
    let makeRunner: @Sendable (@escaping @Sendable (Action) -> Void) -> EffectRunner
    let startup: [Action]
    /// Called once each time the agent has left the keyboard for ``idleAfter``.
    public var onIdle: () -> Void = {}
    /// What the cache could not take as the inbox left ("draft for contact 42"): the agent is told after the
    /// terminal is restored.
    public private(set) var unsavedAtExit: [String] = []
    /// How long without a key counts as idle.
    public var idleAfter: Duration = .seconds(5)
    /// Where replies composed in `$EDITOR` are written.
    let editorFolder: EditorFolder

    /// Creates the app; `makeRunner` builds the effect runner around the mailbox's post function.
    public init(state: InboxState, reducer: Reducer, theme: Theme, themes: ThemeLibrary, colors: Bool, startup: [Action] = [],
                editorFolder: EditorFolder, logger: Logger, makeRunner: @escaping @Sendable (@escaping @Sendable (Action) -> Void) -> EffectRunner) {
        self.state = state; self.reducer = reducer; self.theme = theme; self.themes = themes; self.colors = colors
        self.editorFolder = editorFolder; self.logger = logger; self.makeRunner = makeRunner; self.startup = startup
        self.view = InboxView(time: TimeFormat(zone: .current), reducer: reducer)
    }

    /// Results of background work, handed to the main loop through a pipe.
    final class Mailbox: Sendable {
        let actions = Mutex<[Action]>([])
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        func post(_ action: Action) {
            actions.withLock { $0.append(action) }
            var byte: UInt8 = 1
            _ = write(fd, &byte, 1)
        }
        func take() -> [Action] { actions.withLock { a in defer { a = [] }; return a } }
    }

    /// Why the loop ended.
    public enum Exit: Equatable, Sendable { case quit, signal(Int32) }

    /// Runs until the agent quits or a signal ends the session. Restores the terminal.
    public func run() throws -> Exit {
        var wake: [Int32] = [0, 0], signals: [Int32] = [0, 0]
        guard pipe(&wake) == 0, pipe(&signals) == 0 else { throw TerminalError(message: "cannot create pipes") }
        for fd in wake + signals { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        defer { for fd in wake + signals { close(fd) } }
        let mailbox = Mailbox(fd: wake[1])
        let runner = makeRunner { mailbox.post($0) }
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { skylight_route_signal(sig, signals[1]) }

        let screen = try Screen()
        defer { screen.end() }
        skylight_route_resize(signals[1])  // after ncurses has installed its own handler
        screen.apply(theme, colors: colors)
        var size = (width: 0, height: 0)
        var exit = Exit.quit

        // Background work starts after the frame is on screen (see the poll below).
        var pending: [Effect] = []
        func startPending() {
            guard !pending.isEmpty else { return }
            runner.run(pending)
            pending = []
        }
        func dispatch(_ action: Action) {
            for effect in reducer.reduce(&state, action) {
                if effect.belongsToTerminal {
                    // A suspend or an editor may outlast the process: the writes before it go first.
                    startPending()
                    perform(effect, screen: screen, runner: runner, mailbox: mailbox)
                } else { pending.append(effect) }
            }
        }
        func syncViewport() {
            let now = screen.size
            guard now != size else { return }
            size = now
            let layout = Layout(width: now.width, height: now.height, sidebar: state.sidebarShown)
            dispatch(.viewport(listItems: layout.listItems, threadLines: max(1, layout.thread.height - 1),
                               sidebarFits: now.width >= Layout.sidebarAutoWidth, tooSmall: layout.tooSmall, width: now.width))
        }

        // The first frame already holds what the cache restored.
        syncViewport()
        for action in startup { dispatch(action) }
        if let standIn = screen.localeStandIn {
            let asked = standIn.asked.isEmpty ? "No locale is set" : "Locale \(standIn.asked) is not UTF-8 here"
            logger.warning("\(asked): drawing in \(standIn.used)")
            dispatch(.terminalNote("\(asked): drawing in \(standIn.used)"))
        }
        if let standIn = screen.standIn {
            logger.warning("no terminfo entry for TERM=\(standIn.asked): drawing as \(standIn.used)")
            dispatch(.terminalNote("TERM=\(standIn.asked) is unknown here: drawing as \(standIn.used)"))
        }
        dispatch(.tick(now: .now, jitter: Double.random(in: 0...1)))
        var nextTick = ContinuousClock.now + .seconds(1)
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0),
                   pollfd(fd: signals[0], events: Int16(POLLIN), revents: 0)]
        var dirty = true
        var lastKey = ContinuousClock.now
        var idleHandled = false
        while !state.quitting {
            if dirty {
                syncViewport()
                let frame = view.render(state, width: size.width, height: size.height)
                screen.draw(frame)
                dirty = false
                // Scrolled past an end, or with messages arrived below: the state learns where
                // the view is. The frame already shows it, so this needs no redraw.
                if let shown = frame.shown, shown.differs(from: state) { dispatch(.scrollShown(shown)) }
                view.warm(state, width: size.width, height: size.height)
            }
            // Wake for the next tick, or earlier when the next poll falls due.
            let untilPoll = state.pollInFlight ? 1.0 : max(0, state.nextPollAt.seconds(since: .now))
            if ContinuousClock.now + .milliseconds(Int(untilPoll * 1000)) < nextTick {
                nextTick = ContinuousClock.now + .milliseconds(Int(untilPoll * 1000))
            }
            let remaining = nextTick - ContinuousClock.now
            var timeout = max(0, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            // Background work waits until the terminal has had a moment to take the frame:
            // on a small machine its threads would otherwise compete with the terminal for it.
            if !pending.isEmpty { timeout = min(timeout, 2) }
            for i in fds.indices { fds[i].revents = 0 }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            startPending()
            if ready < 0 && errno != EINTR { break }
            if fds[2].revents != 0 {
                // Any other signal ends the inbox; SIGWINCH is a resize.
                var bytes = [UInt8](repeating: 0, count: 16)
                let count = read(signals[0], &bytes, bytes.count)
                if count > 0, let byte = bytes.prefix(count).first(where: { Int32($0) != SIGWINCH }) {
                    exit = .signal(Int32(byte))
                    logger.notice("signal \(byte): leaving")
                    // Results already in are taken in (an editor's text among them), so what
                    // they write reaches the disk below.
                    for action in mailbox.take() { dispatch(action) }
                    break
                }
                // ncurses can be left on an older size by a burst of resizes, and a terminal shrunk
                // and grown back between two frames has dropped what no longer fitted: take the
                // size from the kernel and paint all of it again.
                if count > 0 {
                    screen.followTerminalSize()
                    screen.invalidate()
                    syncViewport()
                    dirty = true
                }
            }
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                exit = .signal(SIGHUP)
                break
            }
            // Keys (and KEY_RESIZE after SIGWINCH interrupted the poll).
            var events = screen.readEvents()[...]
            while let event = events.popFirst() {
                dirty = true
                switch event {
                case .resize: syncViewport()
                case .key(let key):
                    lastKey = ContinuousClock.now; idleHandled = false
                    let wasAsking = state.isAsking
                    dispatch(.key(key))
                    // Keys read together with the one that brought up a question were typed
                    // before it showed: a paste where the terminal does not mark pastes, or a
                    // reflex over a slow link. None of them may answer it ("by" would blacklist).
                    if !wasAsking, state.isAsking, events.contains(where: \.isTyped) {
                        events.removeAll { $0.isTyped }
                        dispatch(.terminalNote("Keys typed before this question were not taken as its answer"))
                    }
                }
            }
            if fds[1].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 256)
                while read(wake[0], &buffer, 256) > 0 {}
                for action in mailbox.take() { dispatch(action); dirty = true }
            }
            if ContinuousClock.now >= nextTick {
                let before = state
                dispatch(.tick(now: .now, jitter: Double.random(in: 0...1)))
                nextTick = ContinuousClock.now + .seconds(1)
                if state != before { dirty = true }
                if !idleHandled, ContinuousClock.now - lastKey >= idleAfter {
                    idleHandled = true
                    onIdle()
                }
            }
        }
        // On the way out only the disk matters: a request started now would be cut off.
        for effect in pending where effect.isLocalWrite { runner.run(effect) }
        unsavedAtExit = runner.flushPendingWrites()
        return exit
    }

    func perform(_ effect: Effect, screen: Screen, runner: EffectRunner, mailbox: Mailbox) {
        switch effect {
        case .bell:
            screen.bell()
        case .redraw:
            screen.invalidate()
        case .notify(let title, let body):
            // OSC 777 and OSC 9 with sanitised, control-free text only.
            let t = String(Sanitizer.clean(title).prefix(60)).replacingOccurrences(of: ";", with: ",")
            let b = String(Sanitizer.clean(body).prefix(120)).replacingOccurrences(of: ";", with: ",")
            Screen.writeRaw("\u{1B}]777;notify;\(t);\(b)\u{07}\u{1B}]9;\(t): \(b)\u{07}")
        case .applyTheme(let name):
            do {
                let loaded = try themes.load(name)
                theme = loaded
                screen.apply(colors ? loaded : loaded.withoutColors, colors: colors)
                mailbox.post(.themeResult(name: loaded.name, error: nil))
            } catch {
                mailbox.post(.themeResult(name: name, error: "Theme not changed: \(error)"))
            }
        case .suspend:
            guard skylight_can_suspend() == 1 else {
                mailbox.post(.terminalNote("Not suspended: no shell with job control started the inbox"))
                return
            }
            // Stopped, the inbox could be killed from the shell: what is being written goes to disk first.
            runner.flushPendingWrites()
            screen.suspend()
            skylight_suspend()
            screen.resume()
            screen.followTerminalSize()
        case .openEditor(let contactID, let text):
            switch edit(text, contactID: contactID, screen: screen) {
            case .success(let edited): mailbox.post(.editorFinished(contactID: contactID, text: edited))
            case .failure(let failure): mailbox.post(.editorFinished(contactID: contactID, text: failure.saved, failure: failure.message))
            }
        default:
            runner.run(effect)
        }
    }

    /// Why the editor ended badly; `message` nil means the agent quit it without saving.
    struct EditorFailure: Error {
        let message: String?
        /// What the editor had saved before it ended with an error.
        var saved: String? = nil
    }

    /// Runs `$VISUAL` or `$EDITOR` (else vi) on the text in the contact's file in
    /// ``editorFolder``, with the terminal handed over meanwhile.
    func edit(_ text: String, contactID: Int, screen: Screen) -> Result<String, EditorFailure> {
        let environment = ProcessInfo.processInfo.environment
        let editor = environment["VISUAL"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
        let offered = editorFolder.recoveryFiles(for: contactID)
        let path: String
        do { path = try editorFolder.prepare(text, for: contactID) } catch {
            return .failure(EditorFailure(message: "Could not write a file for the editor in \(editorFolder.path): \(error.localizedDescription)"))
        }
        let before = (EditorFolder.modified(path), FileManager.default.contents(atPath: path))
        let signalsBefore = skylight_ending_signals()
        screen.suspend()
        let started = ContinuousClock.now
        let status = runInForeground("\(editor) \"$1\"", path)
        let startError = errno
        let took = ContinuousClock.now - started
        screen.resume()
        let data = FileManager.default.contents(atPath: path)
        editorFolder.finish(contactID: contactID, cleanExit: status == 0, cutOff: skylight_ending_signals() != signalsBefore,
                            saved: (EditorFolder.modified(path), data) != before, offered: offered)
        guard let status else {
            return .failure(EditorFailure(message: "Could not start /bin/sh for the editor: \(String(cString: strerror(startError)))"))
        }
        // The shell's "cannot run" and "not found": the agent's setting, not their choice to quit.
        if status == 126 || status == 127 {
            return .failure(EditorFailure(message: "The editor “\(editor)” could not be run: set $VISUAL or $EDITOR"))
        }
        guard let data else { return .failure(EditorFailure(message: nil)) }
        let result = EditorFolder.trimmed(String(decoding: data, as: UTF8.self))
        // A windowed editor (code, subl, gedit) hands the file to its window and returns at once:
        // what the agent then writes there would never come back. (Text offered back after a
        // dropped link is often taken as it is, quickly.)
        if status == 0, took < .seconds(1), data == before.1, offered.isEmpty {
            return .failure(EditorFailure(message: "Editor returned at once, unchanged: a windowed one needs its wait flag "
                                          + "in $VISUAL (code --wait, subl -w)", saved: result))
        }
        if status == 0 { return .success(result) }
        // Ended with an error: vim's :cq, or a hang-up (the SSH link dropped) with the editor
        // open. What it had saved (a :w along the way) is kept as the draft, not thrown away.
        guard result != EditorFolder.trimmed(text) else { return .failure(EditorFailure(message: nil)) }
        return .failure(EditorFailure(message: "Editor exited with status \(status): kept what it saved",
                                      saved: result))
    }
}

extension Effect {
    /// Writes to the local cache: the effects still worth running as the inbox leaves.
    var isLocalWrite: Bool {
        switch self {
        case .saveDraft, .saveOutbox, .saveNoteDrafts, .removeOutbox, .saveReadMark, .cacheConversations: return true
        default: return false
        }
    }

    /// Effects the main loop carries out itself, before the next frame; the rest go to the runner.
    var belongsToTerminal: Bool {
        switch self {
        case .bell, .redraw, .notify, .applyTheme, .openEditor, .suspend: return true
        default: return false
        }
    }
}
