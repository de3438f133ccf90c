import CNcursesw
import Foundation

/// Runs `sh -c command sh argument` the way system() runs a command: in the inbox's own
/// process group, which owns the terminal, so an editor can read it and set its modes. (A
/// child in a group of its own, as Foundation's `Process` starts it, is stopped or refused by
/// the terminal: vi quits at once.) Ctrl-C and Ctrl-\ belong to the child meanwhile, and
/// the child's Ctrl-Z stops the inbox with it, untouched.
///
/// Returns the exit status, or 128 + the signal that ended the child; nil if it could not be
/// started, with `errno` saying why.
///
///     runInForeground("vi \"$1\"", "/tmp/reply.txt")   // 0 after :wq
func runInForeground(_ command: String, _ argument: String) -> Int32? {
    skylight_hand_interrupts_to_child()
    defer { skylight_take_interrupts_back() }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t(), none = sigset_t()
    sigemptyset(&defaults); sigaddset(&defaults, SIGINT); sigaddset(&defaults, SIGQUIT)
    sigemptyset(&none)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    let words: [String] = ["sh", "-c", command, "sh", argument]
    let arguments = words.map { strdup($0) }
    defer { arguments.forEach { free($0) } }
    var child: pid_t = 0
    let spawned = posix_spawn(&child, "/bin/sh", nil, &attributes, arguments + [nil], skylight_environment())
    guard spawned == 0 else { errno = spawned; return nil }
    var status: Int32 = 0
    while waitpid(child, &status, 0) < 0 {
        guard errno == EINTR else { return nil }
    }
    // WIFEXITED and WEXITSTATUS are macros Swift does not import.
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
}
