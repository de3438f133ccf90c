import Foundation
import SkyLight
import SkyLightSandbox
import Terminal
import Testing

/// Every string of the Big List of Naughty Strings as a contact name, a message and a note,
/// walked through in tmux: borders stay put and no escape from the content reaches the terminal.
@Suite(.serialized)
struct HostileTextTests {
    static let payloads = ["\u{1B}]0;E2E-TITLE\u{07}title", "\u{1B}]52;c;RTJFLUNMSVA=\u{07}clipboard", "\u{9D}0;E2E-C1\u{9C}c1",
                           "\u{1B}P+qE2E-DCS\u{1B}\\dcs", "\u{1B}_E2E-APC\u{1B}\\apc", "\u{1B}[6n\u{1B}[21tquery"]
    static let markers = ["E2E-TITLE", "RTJFLUNMSVA", "E2E-C1", "E2E-DCS", "E2E-APC"]

    static let corpus: [String] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/corpora/blns/blns.json")
        let strings = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url.standardized))) as? [String] ?? []
        return strings + payloads
    }()

    func populate(_ client: SkyLightClient) async throws -> Int {
        var count = 0
        for (i, text) in Self.corpus.enumerated() {
            let phone = "+1555\(String(format: "%07d", i))"
            let contact: Contact
            do {
                contact = try await client.contacts.create(NewContact(name: text, type: .telegram, phone: phone))
            } catch {
                contact = try await client.contacts.create(NewContact(name: "#\(i) \(text)", type: .telegram, phone: phone))
            }
            count += 1
            // Blank text is refused by the API: keep it inside text the API accepts.
            let body = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "#\(i) [\(text)]" : text
            _ = try await client.contacts.addNote(contact.id, content: body)
            try await inbound(client, contact.id, body)
        }
        return count
    }

    func inbound(_ client: SkyLightClient, _ id: Int, _ text: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["contact_id": id, "message": text])
        let control = client.configuration.baseURL.replacingOccurrences(of: "/api/v1", with: "/_sandbox/inbound")
        let response = try await AsyncHTTPClientTransport.shared.send(HTTPRequest(
            method: "POST", url: control, headers: ["Authorization": "Bearer \(SandboxOptions.defaultAPIKey)", "Content-Type": "application/json"],
            body: body))
        #expect(response.status == 201, "\(text.debugDescription): \(String(decoding: response.body, as: UTF8.self))")
    }

    @Test(arguments: [(200, 50, false), (80, 24, true)])
    func walkEveryConversation(width: Int, height: Int, slow: Bool) async throws {
        try await TerminalLock.exclusive { try await walkExclusively(width: width, height: height, slow: slow) }
    }

    func walkExclusively(width: Int, height: Int, slow: Bool) async throws {
        #expect(Self.corpus.count > 500)
        var options = SandboxOptions()
        options.seed = .empty
        options.tickInterval = 3600
        let sandbox = try await Sandbox.start(options)
        defer { Task { await sandbox.stop() } }
        let client = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey(SandboxOptions.defaultAPIKey)))
        let total = try await populate(client)
        let home = NSTemporaryDirectory() + "skylight-blns-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home + "/.config/skylight", withIntermediateDirectories: true)
        defer { Tmux.remove(home: home) }
        try "bell = false\n".write(toFile: home + "/.config/skylight/config.toml", atomically: true, encoding: .utf8)
        let stream = home + "/stream.bin"
        let tmux = try await Tmux(width: width, height: height, command: "sh -c 'sleep 0.3; exec \(Tmux.binary)'",
                                  environment: ["HOME": home, "SKYLIGHT_API_KEY": SandboxOptions.defaultAPIKey,
                                                "SKYLIGHT_BASE_URL": sandbox.baseURL, "XDG_STATE_HOME": home + "/state"])
        defer { tmux.kill() }
        try await tmux.record(to: stream)
        try await tmux.wait(for: "Conversations \(total)", timeout: 60)
        let sidebar = width >= Layout.sidebarAutoWidth || slow
        if slow && width < Layout.sidebarAutoWidth { try await tmux.keys("i") }
        let separators = Layout(width: width, height: height, sidebar: sidebar).separators
        var checked = 0
        var dumped = false
        for step in 0..<total {
            if step > 0 { try await tmux.keys("j") }
            if slow { try await Task.sleep(for: .milliseconds(40)) }
            let lines = try await tmux.settledLines()
            #expect(lines.first?.hasPrefix(" SkyLight Inbox") == true, "step \(step): \(lines.first ?? "")")
            var broken = false
            for row in 1..<(height - 1) {
                for column in separators where Columns.character(in: lines[row], at: column) != "│" {
                    Issue.record("step \(step): border moved at row \(row), column \(column): \(lines[row].debugDescription)")
                    broken = true
                }
            }
            if broken, !dumped {
                dumped = true
                let dump = lines.map { $0.debugDescription }.joined(separator: "\n")
                Issue.record(Comment(rawValue: "screen at step \(step):\n\(dump)"))
            }
            checked += 1
        }
        #expect(checked == total)
        try await tmux.keys("q")
        try await Task.sleep(for: .milliseconds(500))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: stream))
        #expect(bytes.count > 10_000)
        let text = String(decoding: bytes, as: UTF8.self)
        for introducer in ["\u{1B}]", "\u{1B}P", "\u{1B}_", "\u{1B}^", "\u{1B}X"] {
            #expect(!text.contains(introducer), "string-sequence introducer \(introducer.debugDescription) reached the terminal")
        }
        #expect(!text.unicodeScalars.contains { (0x80...0x9F).contains($0.value) }, "a C1 control reached the terminal")
        #expect(!text.contains("\u{1B}[6n") && !text.contains("\u{1B}[21t"), "a terminal query reached the terminal")
        for marker in Self.markers { #expect(!text.contains(marker), "\(marker) reached the terminal") }
    }
}
