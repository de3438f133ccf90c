import Foundation

/// Runs programs for tests without ever blocking a thread that Swift concurrency needs.
///
/// Each wait happens on a thread of its own. On Linux the concurrency pool and Dispatch's
/// global queues share one pool of worker threads: a test that waits on a child process
/// there (while the child waits on a sandbox served by this same process) can starve the
/// sandbox and stall every test for many seconds.
///
/// ```swift
/// let result = try await ChildProcess.run("/usr/bin/tmux", ["-V"])
/// print(result.status, result.text)
/// ```
public enum ChildProcess {
    /// Where the child's output goes.
    public enum Capture: Sendable {
        /// Standard output is captured; standard error is discarded.
        case standardOutput
        /// Standard error is captured; standard output is discarded.
        case standardError
        /// Nothing is captured: for a program that leaves a daemon behind (a tmux server),
        /// which would otherwise hold the capture open.
        case nothing
    }

    /// What a finished child printed and how it ended.
    public struct Result: Sendable {
        /// The captured output.
        public var output: Data
        /// The exit status, or 128 + the signal number.
        public var status: Int32
        /// The captured output as UTF-8 text.
        public var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// Runs `executable` to completion with standard input from `/dev/null`.
    ///
    /// Output goes through a file rather than a pipe, so a daemon the program leaves behind
    /// cannot keep the call from returning.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           capture: Capture = .standardOutput) async throws -> Result {
        try await onThread {
            let outputPath = NSTemporaryDirectory() + "skylight-run-\(UUID().uuidString)"
            defer { unlink(outputPath) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            let captured: Int32 = capture == .standardError ? 2 : 1
            posix_spawn_file_actions_addopen(&actions, captured, capture == .nothing ? "/dev/null" : outputPath,
                                             O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, captured == 1 ? 2 : 1, "/dev/null", O_WRONLY, 0)
            let pid = try spawn(executable, arguments, environment: environment, actions: &actions)
            let status = wait(for: pid)
            let output = (try? Data(contentsOf: URL(fileURLWithPath: outputPath))) ?? Data()
            return Result(output: output, status: status)
        }
    }

    /// Starts a long-running program, returns the first line it prints on standard output,
    /// then stops it with SIGTERM.
    public static func firstLine(_ executable: String, _ arguments: [String]) async throws -> String {
        try await onThread {
            var pipe: [Int32] = [0, 0]
            guard Foundation.pipe(&pipe) == 0 else { throw POSIXError(.EMFILE) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipe[0])
            let pid: pid_t
            do { pid = try spawn(executable, arguments, environment: nil, actions: &actions) } catch {
                close(pipe[0]); close(pipe[1])
                throw error
            }
            close(pipe[1])
            var line = Data()
            var byte: UInt8 = 0
            while read(pipe[0], &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
            close(pipe[0])
            kill(pid, SIGTERM)
            _ = wait(for: pid)
            return String(decoding: line, as: UTF8.self)
        }
    }

    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]?,
                      actions: inout posix_spawn_file_actions_t) throws -> pid_t {
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // A child inherits the spawning thread's signal mask and ignored signals: start it clean,
        // or a tmux server started here cannot be stopped with SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        return pid
    }

    static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Runs blocking work on a new thread and resumes the caller with its result.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
        }
    }
}
