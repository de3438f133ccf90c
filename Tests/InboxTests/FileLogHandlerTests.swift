import Foundation
import Logging
import Testing
@testable import Inbox

/// The log file, which agents and admins read in a terminal.
struct FileLogHandlerTests {
    func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "skylight-log-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A server's error text with an escape sequence in it reaches the file as visible escapes:
    /// `cat skylight.log` retitles no window and colours nothing.
    @Test func controlsFromAServerAreWrittenAsEscapes() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sink = FileLogHandler.Sink(path: folder + "/skylight.log")
        let logger = Logger(label: "skylight.sdk") { FileLogHandler(sink: sink, label: $0) }
        logger.notice("GET /conversations attempt 1 failed: HTTP 502: \u{1B}]0;pwned\u{07}\u{1B}[31mBad\u{9B}2J gateway\nnext \u{202E}txt.exe 👩‍👩‍👧")
        let written = try String(contentsOfFile: folder + "/skylight.log", encoding: .utf8)
        #expect(written.hasSuffix(
            #"skylight.sdk: GET /conversations attempt 1 failed: HTTP 502: \u{1b}]0;pwned\u{7}\u{1b}[31mBad\u{9b}2J gateway\u{a}next \u{202e}txt.exe 👩‍👩‍👧"#
                + "\n"), "\(written)")
        #expect(!written.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/skylight.log")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    /// Weeks of a flaky network never fill the disk: past its limit the log moves to `.1`.
    @Test func aFullLogMovesAsideAndANewOneStarts() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/skylight.log"
        let line = String(repeating: "x", count: 49) + "\n"
        var sink: FileLogHandler.Sink? = FileLogHandler.Sink(path: path, limit: 200)
        for n in 0..<9 { sink?.write("\(n)" + line.dropFirst()) }
        sink = nil
        // A restart goes on counting from the size on disk.
        sink = FileLogHandler.Sink(path: path, limit: 200)
        sink?.write("9" + line.dropFirst())
        let current = try String(contentsOfFile: path, encoding: .utf8)
        let older = try String(contentsOfFile: path + ".1", encoding: .utf8)
        #expect(current.split(separator: "\n").map { $0.prefix(1) } == ["8", "9"], "\(current)")
        #expect(older.split(separator: "\n").map { $0.prefix(1) } == ["4", "5", "6", "7"], "\(older)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["skylight.log", "skylight.log.1"])
    }
}
