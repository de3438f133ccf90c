import Foundation
@testable import SkyLightSandbox
import Testing
import TestSupport

/// Every curl example in the reference pages, run as written against a sandbox: only the
/// base URL changes. Each gets a fresh sandbox, so examples do not depend on each other.
struct CurlExampleTests {
    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/api-reference").standardized

    struct Example: CustomStringConvertible, Sendable {
        var page: String
        var command: String
        var description: String { "\(page): \(command.prefix(90))" }
    }

    static let examples: [Example] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: reference.path).filter { $0.hasSuffix(".txt") }.sorted()) ?? []
        var examples: [Example] = []
        for file in files {
            guard let text = try? String(contentsOf: reference.appendingPathComponent(file), encoding: .utf8) else { continue }
            var lines = text.components(separatedBy: "\n")[...]
            while let line = lines.first {
                lines = lines.dropFirst()
                guard line.hasPrefix("curl ") else { continue }
                var command = line
                var previous = line
                while previous.hasSuffix("\\") || command.filter({ $0 == "'" }).count % 2 == 1, let next = lines.first {
                    command += "\n" + next
                    previous = next
                    lines = lines.dropFirst()
                }
                examples.append(Example(page: file, command: command))
            }
        }
        return examples
    }()

    @Test func everyPageHasExamples() {
        #expect(Set(Self.examples.map(\.page)).count == 5)
        #expect(Self.examples.count >= 15)
    }

    @Test(arguments: examples)
    func runsUnchanged(_ example: Example) async throws {
        var options = SandboxOptions()
        options.apiKeys = ["sk_live_••••••••••••", "••••••••••••"]
        options.tickInterval = 3600
        let sandbox = try await Sandbox.start(options)
        defer { Task { await sandbox.stop() } }
        let command = example.command.replacingOccurrences(of: "https://dashboard.skylightchat.com/api/v1", with: sandbox.baseURL)
        let text = try await ChildProcess.run("/bin/bash", ["-c", command.replacingOccurrences(of: "curl ", with: "curl -sS -w '\\n%{http_code}' ",
                                                                                        options: .anchored)]).text
        let status = Int(text.split(separator: "\n").last ?? "") ?? 0
        let body = text.split(separator: "\n").dropLast().joined(separator: "\n")
        #expect([200, 201, 204].contains(status), "\(example): \(status) \(body)")
        if status == 204 { #expect(body.isEmpty); return }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(body)")
        #expect(json["success"] as? Bool == true, "\(body)")
        #expect(json["data"] != nil)
        if let items = json["data"] as? [Any], json["meta"] != nil {
            let meta = try #require(json["meta"] as? [String: Int])
            #expect(Set(meta.keys) == ["current_page", "last_page", "per_page", "total"] && meta["total"]! >= items.count)
        }
    }
}
