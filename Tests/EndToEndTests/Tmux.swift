import CNcursesw
import Foundation
import Testing
import TestSupport

/// Lets one terminal-driven test run at a time: they are timing-sensitive and each keeps a
/// sandbox, an inbox and tmux busy, which the two cores here share with every other test.
actor TerminalLock {
    static let shared = TerminalLock()
    var busy = false
    var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    /// Runs `body` while holding the lock.
    static func exclusive<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await shared.acquire()
        do {
            let value = try await body()
            await shared.release()
            return value
        } catch {
            await shared.release()
            throw error
        }
    }
}

/// A tmux session on a private server, driven as a person would: keys in, screen out.
final class Tmux: @unchecked Sendable {
    let socket = "skylight-e2e-\(UUID().uuidString.prefix(8))"
    let name = "t"
    var width: Int
    var height: Int
    /// The tmux server, stopped by `kill()` without waiting on anything.
    var serverPID: pid_t = 0
    /// A folder that belongs to this session alone, removed by `kill()`.
    var ownedFolder: String?

    /// The built `skylight` executable (`swift test` builds it with the tests).
    static let binary: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        return root.appendingPathComponent(".build/debug/skylight").path
    }()

    /// Starts `command` in a new session. A command that prints after the program ends should
    /// then stay alive (`; exec sleep 60`): tmux may mark a pane dead before showing its last output.
    init(width: Int, height: Int, command: String, environment: [String: String]) async throws {
        self.width = width; self.height = height
        let env = environment.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        // The server this starts outlives the command: give it no pipe to hold open.
        try await tmux(["-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                        "env TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \(env) \(command)"])
        try await tmux(["set-option", "-t", name, "remain-on-exit", "on"])
        serverPID = pid_t(try await tmux(["display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// The process the pane's shell started: the program under test.
    func programPID() async throws -> pid_t {
        let shell = try await tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        return try #require(children.split(separator: " ").first.flatMap { pid_t($0) })
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func tmux(_ arguments: [String]) async throws -> String {
        try await ChildProcess.run("/usr/bin/tmux", ["-L", socket] + arguments,
                                   capture: arguments.contains("new-session") ? .nothing : .standardOutput).text
    }

    /// Records everything the program writes to the terminal from now on.
    func record(to path: String) async throws {
        try await tmux(["pipe-pane", "-O", "-t", name, "cat >> \(Self.quote(path))"])
    }

    func keys(_ keys: String...) async throws {
        for key in keys { try await tmux(["send-keys", "-t", name, key]) }
    }

    /// A fresh home folder for one test's inbox.
    static func home(_ label: String) -> String { NSTemporaryDirectory() + "skylight-\(label)-\(UUID().uuidString.prefix(8))" }

    /// Removes a test's home once the programs started with it have ended (up to 3 s). A hung-up
    /// inbox still writes its cache and log as it leaves; removed under it, the folder was left
    /// half there.
    static func remove(home: String) {
        let entry = Array("HOME=\(home)".utf8)
        func running() -> Bool {
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
            return pids.contains { pid in
                guard pid != getpid(), let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
                return environment.split(separator: 0).contains { $0.elementsEqual(entry) }
            }
        }
        let deadline = Date().addingTimeInterval(3)
        while running(), Date() < deadline { usleep(50_000) }
        try? FileManager.default.removeItem(atPath: home)
    }

    /// `skylight --demo` in a 120×30 session, started from `/` as an installed binary would be;
    /// when it ends, the pane shows `EXIT=status`. Its temporary files go to `home/tmp`, and
    /// `kill()` removes `home`.
    static func demo(home: String, binary: String = Tmux.binary, environment: [String: String] = [:]) async throws -> Tmux {
        try FileManager.default.createDirectory(atPath: home + "/tmp", withIntermediateDirectories: true)
        let tmux = try await Tmux(width: 120, height: 30, command: "sh -c 'cd / && \(binary) --demo; echo EXIT=$?; exec sleep 60'",
                                  environment: ["HOME": home, "XDG_STATE_HOME": home + "/state", "TMPDIR": home + "/tmp"].merging(environment) { $1 })
        tmux.ownedFolder = home
        return tmux
    }

    /// Sends keys in one write, as a slow link delivers keys typed apart.
    func keysAtOnce(_ keys: String...) async throws {
        try await tmux(["send-keys", "-t", name] + keys)
    }

    /// One key in tmux's names ("Escape", "C-l") or one character ("é").
    func press(_ key: String) async throws {
        if key.count == 1 { try await type(key) } else { try await keys(key) }
    }

    func type(_ text: String) async throws {
        try await tmux(["send-keys", "-t", name, "-l", text])
    }

    func screen() async throws -> String { try await tmux(["capture-pane", "-p", "-t", name]) }

    func lines() async throws -> [String] {
        Array(try await screen().components(separatedBy: "\n").prefix(height))
    }

    /// The screen once a redraw has finished: two reads 15 ms apart that agree.
    func settledLines() async throws -> [String] {
        var previous = try await lines()
        for _ in 0..<40 {
            try await Task.sleep(for: .milliseconds(15))
            let current = try await lines()
            if current == previous { return current }
            previous = current
        }
        return previous
    }

    /// What a person sees in each cell of a row: the character and its background (and
    /// reverse video), from tmux's own record of the screen. The foreground of a blank cell is
    /// left out: it cannot be seen, and ncurses rightly does not spend bytes on it.
    struct SeenCell: Equatable, CustomStringConvertible {
        var character: Character
        var background: String
        var reverse: Bool
        var description: String { "\(character)[\(background)\(reverse ? " rev" : "")]" }
    }

    /// The screen as seen, row by row (see ``SeenCell``).
    func seenCells() async throws -> [[SeenCell]] {
        let escaped = try await tmux(["capture-pane", "-p", "-e", "-t", name])
        return escaped.components(separatedBy: "\n").prefix(height).map(Self.seenCells(of:))
    }

    static func seenCells(of line: String) -> [SeenCell] {
        var cells: [SeenCell] = []
        var background = "default", reverse = false
        var rest = Substring(line)
        while let first = rest.first {
            guard first == "\u{1B}", rest.dropFirst().first == "[", let end = rest.firstIndex(where: { $0.isLetter }) else {
                cells.append(SeenCell(character: first, background: background, reverse: reverse))
                rest = rest.dropFirst()
                continue
            }
            if rest[end] == "m" {
                var parameters = rest[rest.index(rest.startIndex, offsetBy: 2)..<end].split(separator: ";", omittingEmptySubsequences: false)
                    .map { Int($0) ?? 0 }[...]
                while let p = parameters.popFirst() {
                    switch p {
                    case 0: background = "default"; reverse = false
                    case 7: reverse = true
                    case 27: reverse = false
                    case 49: background = "default"
                    case 40...47, 100...107: background = "\(p)"
                    case 38, 48:
                        let count = parameters.first == 5 ? 2 : parameters.first == 2 ? 4 : 0
                        if p == 48 { background = parameters.prefix(count).map(String.init).joined(separator: ":") }
                        parameters = parameters.dropFirst(count)
                    default: break
                    }
                }
            }
            rest = rest[rest.index(after: end)...]
        }
        return cells
    }

    /// Waits until the screen contains `text`; returns the screen.
    @discardableResult
    func wait(for text: String, timeout: Double = 15) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try await screen()
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for “\(text)”; screen:\n\(last)")
        throw E2EError.timeout(text)
    }

    /// Waits until the screen no longer contains `text`.
    func waitUntilGone(_ text: String, timeout: Double = 15) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try await screen()
            if !last.contains(text) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("“\(text)” still on screen after \(timeout) s:\n\(last)")
        throw E2EError.timeout(text)
    }

    func resize(_ width: Int, _ height: Int) async throws {
        self.width = width; self.height = height
        try await tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Sends `signal` to the program in the pane (found below the pane's process by its name)
    /// and waits for it to end, as after a crash or the OOM killer: no chance to clean up.
    func signalProgram(_ signal: Int32, named program: String = "skylight") async throws {
        var pids = [pid_t(try await tmux(["display-message", "-p", "-t", name, "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0]
        while let pid = pids.popLast(), pid > 0 {
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            if comm.trimmingCharacters(in: .whitespacesAndNewlines) == program {
                Foundation.kill(pid, signal)
                // Gone (or a zombie tmux has not reaped yet) before the caller looks again.
                for _ in 0..<200 where (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))
                    .map({ !$0.contains(") Z ") }) ?? false {
                    try await Task.sleep(for: .milliseconds(10))
                }
                return
            }
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            pids += children.split(separator: " ").compactMap { pid_t($0) }
        }
        Issue.record("no process named \(program) in the pane")
    }

    /// Waits until the pane's terminal is in line mode (canonical, as a program reading lines
    /// sets it), so keys typed next reach that program as a person's would; typed while a shell
    /// is still handing the terminal over, Enter would arrive untranslated.
    func waitForLineMode(timeout: Double = 15) async throws {
        let tty = try await tmux(["display-message", "-p", "-t", name, "#{pane_tty}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let modes = try await ChildProcess.run("/bin/stty", ["-a", "-F", tty]).text
            if modes.split(whereSeparator: \.isWhitespace).contains("icanon") { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the terminal never went back to line mode")
        throw E2EError.timeout("line mode")
    }

    /// Whether the terminal shows its alternate screen, where a full-screen program draws.
    func alternateScreen() async throws -> Bool {
        try await tmux(["display-message", "-p", "-t", name, "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// Stops the server, which hangs up on the program as a dropped SSH link would. Synchronous,
    /// so a `defer` can call it and no session outlives its test.
    func kill() {
        if serverPID > 0 { Foundation.kill(serverPID, SIGTERM) }
        // A tmux server ended by a signal leaves its socket behind in /tmp.
        let folder = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        unlink("\(folder)/tmux-\(getuid())/\(socket)")
        if let ownedFolder { Tmux.remove(home: ownedFolder) }
    }
}

enum E2EError: Error { case timeout(String) }

/// Display columns as the C library (and tmux) count them.
enum Columns {
    static let ready: Bool = { setlocale(LC_ALL, "C.UTF-8") != nil }()

    /// The character at display column `column` of a captured line, counted scalar by scalar
    /// as the terminal does (Swift's grapheme clusters can glue a wide-enough mark to a space).
    static func character(in line: String, at column: Int) -> Character? {
        _ = ready
        var x = 0
        for scalar in line.unicodeScalars {
            let w = Int(skylight_wcwidth(Int32(bitPattern: scalar.value)))
            if w <= 0 { continue }
            if x == column { return Character(scalar) }
            x += w
            if x > column { return nil }
        }
        return nil
    }
}
