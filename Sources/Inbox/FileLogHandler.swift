import Foundation
import Logging
import Synchronization

/// Writes log lines to a file: nothing is ever printed while curses owns the terminal.
///
/// The file is read with `cat`, `less` and `tail -f`, so a line never carries a control
/// character (a server's error text may hold an escape sequence), and it never grows past
/// ``Sink/limit``: then it moves to `<file>.1`, replacing the one before, and a new one starts.
///
///     let sink = FileLogHandler.Sink(path: state + "/skylight/skylight.log")
///     LoggingSystem.bootstrap { FileLogHandler(sink: sink, label: $0) }
public struct FileLogHandler: LogHandler {
    /// The open log file, shared by every logger.
    public final class Sink: Sendable {
        struct Open {
            var handle: FileHandle?
            var size: UInt64
        }
        let path: String
        let limit: UInt64
        let file: Mutex<Open>

        /// Opens (creating, mode 0600) the log at `path`, appending; it moves to `path.1` past `limit` bytes.
        public init(path: String, limit: UInt64 = 4 << 20) {
            self.path = path
            self.limit = limit
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            file = Mutex(Self.open(path))
        }

        static func open(_ path: String) -> Open {
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            let handle = FileHandle(forWritingAtPath: path)
            let size = (try? handle?.seekToEnd()) ?? 0
            return Open(handle: handle, size: size)
        }

        /// Appends a line, first moving a full log aside.
        public func write(_ line: String) {
            let data = Data(line.utf8)
            file.withLock { open in
                if open.size > 0, open.size + UInt64(data.count) > limit {
                    try? open.handle?.close()
                    _ = try? FileManager.default.removeItem(atPath: path + ".1")
                    try? FileManager.default.moveItem(atPath: path, toPath: path + ".1")
                    open = Self.open(path)
                }
                if (try? open.handle?.write(contentsOf: data)) != nil { open.size += UInt64(data.count) }
            }
        }
    }

    let sink: Sink
    let label: String
    /// Metadata attached to every line this handler writes.
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    public var logLevel: Logger.Level = .info

    /// A handler for the logger named `label`, writing to `sink`.
    public init(sink: Sink, label: String) {
        self.sink = sink
        self.label = label
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line: time, level, logger and the message with its controls escaped.
    public func log(event: LogEvent) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        sink.write("\(stamp) \(event.level) \(label): \(Self.escaped(event.message.description))\n")
    }

    /// `text` with control characters and bidi overrides written as `\u{1b}`: a terminal
    /// showing the log acts on none of them, and each entry stays on one line.
    public static func escaped(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || (0x202A...0x202E).contains(scalar.value)
                || (0x2066...0x2069).contains(scalar.value) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
