import Foundation
import GRDB
import SkyLight
import SkyLightSandbox
import Terminal
import Testing
import TestSupport

/// The inbox as an agent uses it: the real binary in tmux against a sandbox over HTTP.
@Suite(.serialized)
struct TriageTests {
    struct Setup {
        let sandbox: Sandbox
        let client: SkyLightClient
        let home: String
        /// Stops the sandbox and removes the home folder.
        func tearDown() {
            Task { await sandbox.stop() }
            Tmux.remove(home: home)
        }

        var environment: [String: String] {
            ["HOME": home, "SKYLIGHT_API_KEY": SandboxOptions.defaultAPIKey, "SKYLIGHT_BASE_URL": sandbox.baseURL, "XDG_CONFIG_HOME": home + "/.config",
             "XDG_CACHE_HOME": home + "/.cache", "XDG_STATE_HOME": home + "/.state", "EDITOR": home + "/editor"]
        }
    }

    static func setup(seed: SeedKind = .demo, historyOldestFirst: Bool = false) async throws -> Setup {
        var options = SandboxOptions()
        options.seed = seed
        options.historyOldestFirst = historyOldestFirst
        options.tickInterval = 0.5
        let sandbox = try await Sandbox.start(options)
        let home = NSTemporaryDirectory() + "skylight-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home + "/.config/skylight", withIntermediateDirectories: true)
        try "bell = false\n".write(toFile: home + "/.config/skylight/config.toml", atomically: true, encoding: .utf8)
        // An $EDITOR that, like vim, talks to the terminal: it asks for a line, reads what the
        // agent types, and saves it.
        try "#!/bin/sh\nprintf 'editor> ' > /dev/tty\nIFS= read -r line < /dev/tty\nprintf '%s' \"$line\" > \"$1\"\n"
            .write(toFile: home + "/editor", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: home + "/editor")
        let client = SkyLightClient(configuration: .init(baseURL: sandbox.baseURL, apiKey: APIKey(SandboxOptions.defaultAPIKey)))
        return Setup(sandbox: sandbox, client: client, home: home)
    }

    func eventually(_ what: String, timeout: Double = 10, _ check: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("never happened: \(what)")
    }

    @Test func triageFlow() async throws {
        try await TerminalLock.exclusive { try await triageFlowExclusively() }
    }

    func triageFlowExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        let tmux = try await Tmux(width: 80, height: 24, command: "sh -c '\(Tmux.binary); echo EXIT=$?; exec sleep 60'", environment: setup.environment)
        defer { tmux.kill() }
        try await tmux.wait(for: "Conversations 240", timeout: 60)
        try await tmux.wait(for: "● live", timeout: 30)

        // Space jumps to the next unread conversation.
        let rows = try await setup.client.messages.conversations(perPage: 100).items
        let selected = rows[0]
        let nextUnread = try #require(rows.dropFirst().first { ($0.unreadCount ?? 0) > 0 })
        try await tmux.wait(for: (selected.contactName ?? "").prefix(10).description)
        try await tmux.keys("Space")
        let target = nextUnread.contactID
        let targetName = try #require(nextUnread.contactName)
        try await tmux.wait(for: " \(targetName.prefix(12))")

        // Reply, and see it arrive through the API.
        try await tmux.keys("r")
        try await tmux.type("Hello from the e2e test")
        try await tmux.wait(for: "› Hello from the e2e test")
        try await tmux.keys("Enter")
        try await eventually("the reply reaches the server") {
            try await setup.client.messages.history(contactID: target, perPage: 5).items.contains { $0.content == "Hello from the e2e test" }
        }
        try await tmux.wait(for: "Hello from the e2e test")
        let sent = try await setup.client.messages.history(contactID: target, perPage: 20).items.filter { $0.content == "Hello from the e2e test" }
        #expect(sent.count == 1)

        // A reply written in $EDITOR comes back to the composer; Esc keeps it as a draft.
        try await tmux.keys("E")
        try await tmux.wait(for: "editor>")
        try await tmux.type("Written in the editor")
        try await tmux.keys("Enter")
        try await tmux.wait(for: "› Written in the editor")
        try await tmux.keys("Escape")
        try await tmux.wait(for: "Draft saved")
        #expect(try await tmux.screen().contains("✎ Written in the"))

        // Tag and untag.
        try await tmux.keys("t")
        try await tmux.type("E2E Tag")
        try await tmux.wait(for: "Enter creates")
        try await tmux.keys("Enter")
        try await eventually("the tag is assigned") { try await setup.client.contacts.get(target).tags?.contains("E2E Tag") == true }
        try await tmux.wait(for: "Tagged “E2E Tag”", timeout: 30)  // as a person would: see it before removing it
        try await tmux.keys("T")
        try await tmux.type("e2e")
        try await tmux.wait(for: "▸ E2E Tag")
        try await tmux.keys("Enter")
        try await eventually("the tag is removed") { try await setup.client.contacts.get(target).tags?.contains("E2E Tag") == false }

        // Blacklist and back, each confirmed.
        try await tmux.keys("b")
        try await tmux.wait(for: "Blacklist ")
        try await tmux.keys("y")
        try await eventually("blacklisted") { try await setup.client.contacts.get(target).blacklisted == true }
        try await tmux.wait(for: "BLACKLISTED")
        try await tmux.keys("b")
        try await tmux.wait(for: "Remove ")
        try await tmux.keys("n")
        #expect(try await setup.client.contacts.get(target).blacklisted == true)
        try await tmux.keys("b")
        try await tmux.wait(for: "Remove ")
        try await tmux.keys("y")
        try await eventually("unblacklisted") { try await setup.client.contacts.get(target).blacklisted == false }

        // A note.
        try await tmux.keys("a")
        try await tmux.type("Note from the e2e test")
        try await tmux.keys("Enter")
        try await eventually("the note is saved") {
            try await setup.client.contacts.notes(target).items.contains { $0.content == "Note from the e2e test" }
        }
        try await tmux.wait(for: "Note added")

        // Filter by search, then clear.
        let other = try #require(rows.last?.contactName)
        try await tmux.keys("/")
        try await tmux.type(String(other.prefix(6)))
        try await tmux.wait(for: "· /\(other.prefix(6))")
        #expect(try await tmux.screen().contains(String(other.prefix(6))))
        try await tmux.keys("Escape")
        try await tmux.wait(for: "Conversations 240")

        // Unread filter and channel filter; the channel cycles back to all.
        try await tmux.keys("u")
        try await tmux.wait(for: "unread │ unread")
        try await tmux.keys("u", "c")
        try await tmux.wait(for: "unread │ whatsapp")
        try await tmux.keys("c", "c", "c")
        try await tmux.wait(for: "Conversations 240")

        // A search kept with Enter, plus the unread filter: Esc shows all conversations again.
        try await tmux.keys("/")
        try await tmux.type(String(other.prefix(6)))
        try await tmux.keys("Enter", "u")
        try await tmux.wait(for: "unread │ unread · /\(other.prefix(6))")
        try await tmux.keys("Escape")
        try await tmux.wait(for: "Showing all conversations")
        #expect(try await tmux.screen().contains("unread │ all"))

        // Themes: a good one switches, a bad one is refused with a message.
        try await tmux.keys(":")
        try await tmux.type("theme light")
        try await tmux.keys("Enter")
        try await tmux.wait(for: "Theme: light")
        try await tmux.keys(":")
        try await tmux.type("theme missing-theme")
        try await tmux.keys("Enter")
        try await tmux.wait(for: "Theme not changed")

        // Help is generated from the key map.
        try await tmux.keys("?")
        try await tmux.wait(for: "jump to the next unread conversation")
        try await tmux.keys("Escape")
        try await tmux.wait(for: "Conversations 240")

        // Resize down to 80×24, below it, and back. A shrink keeps the header on top (tmux keeps
        // a shrinking window's bottom rows, so a partial repaint would leave the screen shifted).
        try await tmux.resize(100, 30)
        try await tmux.wait(for: "Conversations 240")
        try await tmux.resize(80, 24)
        try await tmux.wait(for: "Conversations 240")
        try await assertBorders(tmux)
        try await shrinkAndGrow(tmux)
        try await assertBorders(tmux)
        try await tmux.resize(60, 20)
        try await tmux.wait(for: "Terminal too small: 60×20")
        try await tmux.resize(80, 24)
        try await tmux.wait(for: "Conversations 240")
        try await assertBorders(tmux)

        // Quit: the terminal comes back and the program exits cleanly.
        try await tmux.keys("q")
        let final = try await tmux.wait(for: "EXIT=0")
        #expect(!final.contains("Conversations 240"))
    }

    /// Grows the window to 120×35 and shrinks it back to 80×24 a few times. Each resize must be
    /// seen whichever of the program's threads the signal lands on, and repainted whole.
    func shrinkAndGrow(_ tmux: Tmux) async throws {
        for _ in 0..<4 {
            try await tmux.resize(120, 35)
            try await tmux.wait(for: " Contact")
            try await tmux.resize(80, 24)
            try await eventually("the 80×24 layout, header on top") {
                let lines = try await tmux.lines()
                return lines.first?.hasPrefix(" SkyLight Inbox") == true && Columns.character(in: lines[1], at: 28) == "│"
            }
        }
    }

    func assertBorders(_ tmux: Tmux, separators: [Int]? = nil) async throws {
        let lines = try await tmux.lines()
        let columns = separators ?? [max(28, min(44, tmux.width * 30 / 100))]
        #expect(lines.first?.hasPrefix(" SkyLight Inbox") == true, "\(lines.first ?? "")")
        for row in 1..<(tmux.height - 1) {
            for column in columns {
                #expect(Columns.character(in: lines[row], at: column) == "│", "row \(row) col \(column): \(lines[row])")
            }
        }
    }

    @Test func sighupMidComposeKeepsTheDraft() async throws {
        try await TerminalLock.exclusive { try await sighupMidComposeKeepsTheDraftExclusively() }
    }

    func sighupMidComposeKeepsTheDraftExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        let first = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: setup.environment)
        try await first.wait(for: "● live", timeout: 60)
        try await first.keys("r")
        try await first.type("half-written reply")
        try await first.wait(for: "› half-written reply")
        try await first.keys("Escape", "a")  // the reply stays a draft; a note is started
        try await first.type("half-written note")
        try await first.wait(for: "› half-written note")
        first.kill()  // the SSH link drops: SIGHUP
        try await Task.sleep(for: .milliseconds(500))
        let second = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: setup.environment)
        defer { second.kill() }
        try await second.wait(for: "✎ half-written reply", timeout: 60)
        try await second.keys("r")
        try await second.wait(for: "› half-written reply")
        try await second.keys("Escape", "a")
        try await second.wait(for: "› half-written note")

        // Killed outright, with no chance to save: what was typed a moment before is on disk.
        try await second.type(", then more")
        try await second.wait(for: "› half-written note, then more")
        try await Task.sleep(for: .milliseconds(600))
        try await second.signalProgram(SIGKILL)
        let third = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: setup.environment)
        defer { third.kill() }
        try await third.wait(for: "✎ half-written reply", timeout: 60)
        try await third.keys("a")
        try await third.wait(for: "› half-written note, then more")
    }

    @Test func aHangUpWithTheEditorOpenKeepsWhatItSaved() async throws {
        try await TerminalLock.exclusive { try await hangUpInTheEditorExclusively() }
    }

    func hangUpInTheEditorExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        // An editor the agent saves in (vim's :w) and keeps open; its second line ends it with an
        // error, as :cq does.
        var environment = setup.environment
        environment["EDITOR"] = setup.home + "/saving-editor"
        try """
            #!/bin/sh
            printf 'editor> ' > /dev/tty
            IFS= read -r line < /dev/tty
            printf '%s' "$line" > "$1"
            printf 'saved> ' > /dev/tty
            IFS= read -r line < /dev/tty
            exit 1

            """.write(toFile: setup.home + "/saving-editor", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: setup.home + "/saving-editor")

        let first = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: environment)
        defer { first.kill() }  // on a failure before the hang-up below
        try await first.wait(for: "● live", timeout: 60)
        try await first.keys("E")
        try await first.wait(for: "editor>")
        try await first.type("saved, then :cq")
        try await first.keys("Enter")
        try await first.wait(for: "saved>")
        try await first.keys("Enter")
        try await first.wait(for: "Editor exited with status 1: kept what it saved")
        try await first.wait(for: "› saved, then :cq")
        try await first.keys("C-u", "Escape")

        // Saved along the way, then the SSH link drops with the editor still open.
        try await first.keys("E")
        try await first.wait(for: "editor>")
        try await first.type("saved before the link dropped")
        try await first.keys("Enter")
        try await first.wait(for: "saved>")
        first.kill()
        try await Task.sleep(for: .milliseconds(500))
        let second = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: environment)
        defer { second.kill() }
        try await second.wait(for: "✎ saved before the", timeout: 60)
        try await second.keys("r")
        try await second.wait(for: "› saved before the link dropped")
    }

    @Test func textTheEditorHadNotSavedWhenTheLinkDroppedIsOfferedBack() async throws {
        // An editor that, like vim, keeps unsaved text in a swap file beside the file, removes it
        // when it ends normally, keeps it when its terminal goes ("Error reading input"), and
        // offers it back when it opens a file that has one.
        try await TerminalLock.exclusive {
            try await cutOffInTheEditorAndBack(editor: """
                #!/bin/sh
                swap="$(dirname "$1")/.$(basename "$1").swp"
                if [ -f "$swap" ]; then
                    printf 'recover? ' > /dev/tty
                    IFS= read -r answer < /dev/tty
                    cat "$swap" > "$1"
                    exit 0
                fi
                printf 'editor> ' > /dev/tty
                IFS= read -r line < /dev/tty
                printf '%s' "$line" > "$swap"
                printf 'unsaved> ' > /dev/tty
                IFS= read -r line < /dev/tty || exit 1
                rm -f "$swap"

                """, typed: "typed but never saved", offeredBack: "recover?")
        }
    }

    @Test func textANanoLikeEditorSavedAtTheHangUpIsOpenedNextTime() async throws {
        // An editor that, like nano, holds the text in memory until saved, writes it to
        // FILE.save when its terminal goes, and on opening shows the file as it is.
        try await TerminalLock.exclusive {
            try await cutOffInTheEditorAndBack(editor: """
                #!/bin/sh
                if [ -s "$1" ]; then
                    printf 'opened: %s\n' "$(cat "$1")" > /dev/tty
                    IFS= read -r answer < /dev/tty
                    exit 0
                fi
                printf 'editor> ' > /dev/tty
                IFS= read -r line < /dev/tty
                printf 'unsaved> ' > /dev/tty
                IFS= read -r more < /dev/tty || { printf '%s\n' "$line" > "$1.save"; exit 1; }

                """, typed: "only in the editor's memory", offeredBack: "opened: only in the editor's memory")
        }
    }

    @Test func aWindowedEditorThatReturnsAtOnceIsExplained() async throws {
        try await TerminalLock.exclusive { try await windowedEditorExclusively() }
    }

    /// An editor that opens a window and returns at once (code, subl without their wait flag):
    /// the agent is told why nothing came back, and the draft is still in the composer.
    func windowedEditorExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        var environment = setup.environment
        environment["EDITOR"] = setup.home + "/windowed-editor"
        try "#!/bin/sh\nexit 0\n".write(toFile: setup.home + "/windowed-editor", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: setup.home + "/windowed-editor")
        let tmux = try await Tmux(width: 100, height: 30, command: Tmux.binary, environment: environment)
        defer { tmux.kill() }
        try await tmux.wait(for: "● live", timeout: 60)
        try await tmux.keys("r")
        try await tmux.type("started inline")
        try await tmux.keys("Escape", "E")
        try await tmux.wait(for: "Editor returned at once, unchanged: a windowed one needs its wait flag")
        try await tmux.wait(for: "› started inline")
    }

    /// Types `typed` in `editor` (a script that prompts "editor>", then "unsaved>") without
    /// saving, drops the link, comes back: the inbox points to the text, `E` shows `offeredBack`,
    /// Enter takes the text into the composer, and the editor's files are gone.
    func cutOffInTheEditorAndBack(editor: String, typed: String, offeredBack: String) async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        var environment = setup.environment
        environment["EDITOR"] = setup.home + "/editor-under-test"
        try editor.write(toFile: setup.home + "/editor-under-test", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: setup.home + "/editor-under-test")

        // Typed, not saved, and the SSH link drops.
        let first = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: environment)
        defer { first.kill() }  // on a failure before the hang-up below
        try await first.wait(for: "● live", timeout: 60)
        try await first.keys("E")
        try await first.wait(for: "editor>")
        try await first.type(typed)
        try await first.keys("Enter")
        try await first.wait(for: "unsaved>")
        first.kill()
        try await Task.sleep(for: .milliseconds(500))

        // Back in: the inbox says where the text is, and E on that conversation brings it back.
        let second = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: environment)
        defer { second.kill() }
        try await second.wait(for: "Unsaved editor text for", timeout: 60)
        try await second.keys("E")
        try await second.wait(for: offeredBack)
        try await second.keys("Enter")
        try await second.wait(for: "› " + typed)
        try await second.waitUntilGone("Unsaved editor text for")
        let folder = setup.home + "/.state/skylight/editing"
        let left = FileManager.default.subpaths(atPath: folder)?.filter { $0.contains("reply-to-") } ?? []
        #expect(left.isEmpty, "recovered, the editor's files go: \(left)")
    }

    @Test func ctrlZSuspendsToTheShellAndFgComesBack() async throws {
        try await TerminalLock.exclusive { try await ctrlZExclusively() }
    }

    func ctrlZExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        // An interactive shell with job control, as over SSH. Without a history file: bash writes
        // one as it ends, after the test has removed its home.
        let shell = try await Tmux(width: 80, height: 24, command: "env PS1='shell$ ' HISTFILE= bash --norc --noprofile -i",
                                   environment: setup.environment)
        defer { shell.kill() }
        try await shell.wait(for: "shell$")
        try await shell.type(Tmux.binary)
        try await shell.keys("Enter")
        try await shell.wait(for: "● live", timeout: 60)
        try await shell.keys("r")
        try await shell.type("before the break")
        try await shell.wait(for: "› before the break")
        try await shell.keys("C-z")
        try await shell.wait(for: "Stopped")
        try await shell.type("fg")
        try await shell.keys("Enter")
        // Back where it was, with the terminal in the inbox's modes again: keys arrive one by one.
        try await shell.wait(for: "› before the break")
        try await shell.type(" and after")
        try await shell.wait(for: "› before the break and after")
        try await shell.keys("Escape")
        try await shell.wait(for: "Draft saved")

        // Ctrl-Z inside the editor stops the editor and the inbox together; after fg the editor
        // goes on, and the inbox comes back on its own screen.
        try await shell.keys("E")
        try await shell.wait(for: "editor>")
        try await shell.keys("C-z")
        try await shell.wait(for: "Stopped")
        try await shell.type("fg")
        try await shell.keys("Enter")
        try await shell.waitForLineMode()
        try await shell.type("written after fg")
        try await shell.keys("Enter")
        try await shell.wait(for: "› written after fg")
        #expect(try await shell.alternateScreen())
        try await shell.keys("Escape")
        try await shell.wait(for: "Draft saved")
        try await shell.keys("q")
        try await eventually("the shell prompt is back") { try await shell.lines().last { !$0.isEmpty } == "shell$" }
        let alternate = try await shell.alternateScreen()
        let screen = try await shell.screen()
        #expect(!alternate && !screen.contains("Conversations"), "\(screen)")

        // Started with no job-control shell, there is nothing to come back to: it says so.
        let bare = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: setup.environment)
        defer { bare.kill() }
        try await bare.wait(for: "● live", timeout: 60)
        try await bare.keys("C-z")
        try await bare.wait(for: "Not suspended: no shell with job control")
    }

    /// Opens the inbox and waits until it shows the newest thread's last message as the server
    /// has it, which a restart must bring back from the cache. Returns the session and that text.
    func openUntilTheNewestThreadShows(_ setup: Setup) async throws -> (Tmux, String) {
        let tmux = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: setup.environment)
        do {
            try await tmux.wait(for: "● live", timeout: 60)
            let newest = try await setup.client.messages.conversations(perPage: 1).items[0]
            let message = try #require(try await setup.client.messages.history(contactID: newest.contactID, perPage: 1).items.first?.content)
            let shown = String(Sanitizer.clean(message).prefix(12))
            try await tmux.wait(for: shown)
            return (tmux, shown)
        } catch {
            tmux.kill()
            throw error
        }
    }

    @Test func offlineShowsABannerAndARestartPaintsFromTheCache() async throws {
        try await TerminalLock.exclusive { try await offlineExclusively() }
    }

    func offlineExclusively() async throws {
        let setup = try await Self.setup()
        let (first, shown) = try await openUntilTheNewestThreadShows(setup)
        defer { first.kill() }

        // The network goes: every connection drops. The top line says so, and contact actions
        // refuse politely.
        defer { setup.tearDown() }
        var drop = FaultRule()
        drop.dropRate = 1
        setup.sandbox.faults.set([drop])
        try await first.wait(for: "OFFLINE since", timeout: 60)
        try await first.keys("t")
        try await first.wait(for: "Offline: tags, notes")
        first.kill()

        // A restart with the network still down starts offline and paints from the cache.
        try await Task.sleep(for: .milliseconds(300))
        let second = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: setup.environment)
        defer { second.kill() }
        try await second.wait(for: "Conversations ", timeout: 60)
        try await second.wait(for: shown)
        try await second.wait(for: "OFFLINE since", timeout: 60)
    }

    @Test func aLongRateLimitIsShownAndWaitedOutInTheOpen() async throws {
        try await TerminalLock.exclusive { try await rateLimitExclusively() }
    }

    func rateLimitExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        let tmux = try await Tmux(width: 100, height: 30, command: Tmux.binary, environment: setup.environment)
        defer { tmux.kill() }
        try await tmux.wait(for: "● live", timeout: 60)
        let rows = try await setup.client.messages.conversations(perPage: 100).items
        let target = try #require(rows.dropFirst().first { ($0.unreadCount ?? 0) > 0 })
        try await tmux.keys("Space")
        try await tmux.wait(for: " \(try #require(target.contactName).prefix(12))")
        try await tmux.keys("r")
        try await tmux.type("sent once the limit lifts")
        try await tmux.wait(for: "› sent once the limit lifts")

        // The server refuses everything for a while and says how long. Waited out inside the SDK,
        // this showed "live" and a queued reply with no reason for as long as it lasted.
        var limit = FaultRule()
        limit.rateLimitRate = 1
        limit.retryAfter = 8
        setup.sandbox.faults.set([limit])
        try await tmux.keys("Enter")
        try await tmux.wait(for: "retrying in", timeout: 6)
        try await tmux.wait(for: "rate limited (retry after 8 s)")
        #expect(try await tmux.screen().contains("… queued"))

        // The limit lifts: the reply goes, once.
        setup.sandbox.faults.set([])
        try await tmux.wait(for: "● live", timeout: 30)
        func sent() async throws -> Int {
            try await setup.client.messages.history(contactID: target.contactID, perPage: 20).items.count { $0.content == "sent once the limit lifts" }
        }
        try await eventually("the reply reaches the server", timeout: 30) { try await sent() > 0 }
        #expect(try await sent() == 1)
    }

    /// An agent looking for a customer by phone finds them though their conversation is on a
    /// page of the list not yet loaded, reads the thread and replies.
    @Test func aSearchFindsAConversationBeyondTheLoadedPages() async throws {
        try await TerminalLock.exclusive { try await aSearchFindsAConversationBeyondTheLoadedPagesExclusively() }
    }

    func aSearchFindsAConversationBeyondTheLoadedPagesExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        let oldest = try #require(try await setup.client.messages.conversations(page: 3, perPage: 100).items.last)
        let contact = try await setup.client.contacts.get(oldest.contactID)
        let phone = try #require(contact.phone).filter(\.isNumber)
        let newest = try #require(try await setup.client.messages.history(contactID: oldest.contactID, perPage: 1).items.first?.content)
        let tmux = try await Tmux(width: 120, height: 30, command: "sh -c '\(Tmux.binary); echo EXIT=$?; exec sleep 60'", environment: setup.environment)
        defer { tmux.kill() }
        try await tmux.wait(for: "Conversations 240", timeout: 60)
        try await tmux.wait(for: "● live", timeout: 30)
        try await tmux.keys("/")
        try await tmux.type(phone)
        try await tmux.wait(for: "Conversations 1 · /\(phone)")
        try await tmux.keys("Enter")
        try await tmux.wait(for: String(Sanitizer.clean(newest).prefix(20)))
        try await tmux.keys("r")
        try await tmux.type("Found you by your number")
        try await tmux.keys("Enter")
        // Its last message is days old: WhatsApp's 24-hour window asks first.
        try await tmux.wait(for: "Send anyway?")
        try await tmux.keys("y")
        try await eventually("the reply reaches the customer beyond the loaded pages") {
            try await setup.client.messages.history(contactID: oldest.contactID, perPage: 5).items.contains { $0.content == "Found you by your number" }
        }
        // Now the newest conversation: it heads the whole list.
        try await tmux.keys("Escape")
        try await tmux.wait(for: "Conversations 240")
        let lines = try await tmux.lines()
        #expect(lines[2].contains(String((oldest.contactName ?? "").prefix(8))), "\(lines[2])")
    }

    @Test func aContactDeletedOnTheServerLeavesTheListAndItsDraftIsKept() async throws {
        try await TerminalLock.exclusive { try await aContactDeletedOnTheServerExclusively() }
    }

    /// A colleague deletes a spam contact while the agent has its conversation open, with a
    /// reply half written: the agent is told, can do nothing more to it, keeps the draft's
    /// text, and the conversation leaves the list and the cache once they move on.
    func aContactDeletedOnTheServerExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        let tmux = try await Tmux(width: 120, height: 30, command: "sh -c '\(Tmux.binary); echo EXIT=$?; exec sleep 60'", environment: setup.environment)
        defer { tmux.kill() }
        try await tmux.wait(for: "Conversations 240", timeout: 60)
        try await tmux.wait(for: "● live", timeout: 30)
        let second = try await setup.client.messages.conversations(page: 1, perPage: 2).items[1].contactID
        try await tmux.keys("j")
        try await tmux.wait(for: " 2/240 ")
        try await tmux.keys("r")
        try await tmux.type("Checking with the warehouse")
        try await tmux.keys("Escape")
        try await tmux.wait(for: "✎ Checking with")
        try await setup.client.contacts.delete(second)
        try await tmux.wait(for: "was deleted on the server: the conversation leaves the list when you move on", timeout: 15)
        try await tmux.wait(for: " DELETED ")
        try await tmux.keys("r")
        try await tmux.wait(for: "was deleted on the server: nothing can be sent to it or changed")
        #expect(!(try await tmux.screen().contains("─ Reply")))
        try await tmux.keys("j")
        try await tmux.wait(for: "Conversations 239")
        try await tmux.wait(for: " 2/239 ")
        try await tmux.keys(":")
        try await tmux.type("messages")
        try await tmux.keys("Enter")
        try await tmux.wait(for: "so your draft to them was not sent: “Checking with the")  // wrapped there at 120 columns
        try await tmux.wait(for: "warehouse”")
        try await tmux.keys("Escape", "q")
        try await tmux.wait(for: "EXIT=0", timeout: 20)
        // The cache forgot the conversation but kept the text the agent wrote.
        let cacheFolder = setup.home + "/.cache/skylight"
        let cache = try #require(try FileManager.default.contentsOfDirectory(atPath: cacheFolder).first { $0.hasSuffix(".sqlite") })
        let (rows, draft) = try await DatabaseQueue(path: cacheFolder + "/" + cache).read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM conversations WHERE contact_id = ?", arguments: [second]),
             try String.fetchOne(db, sql: "SELECT text FROM drafts WHERE contact_id = ?", arguments: [second]))
        }
        #expect(rows == 0 && draft == "Checking with the warehouse")
    }

    @Test func upInAWrappedReplyGoesToTheRowAbove() async throws {
        try await TerminalLock.exclusive { try await upInAWrappedReplyGoesToTheRowAboveExclusively() }
    }

    /// An agent mending a long reply goes up a row on screen, as in any editor, though the
    /// reply has no line break, and the mended reply is what the customer gets.
    func upInAWrappedReplyGoesToTheRowAboveExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        let tmux = try await Tmux(width: 80, height: 24, command: "sh -c '\(Tmux.binary); echo EXIT=$?; exec sleep 60'", environment: setup.environment)
        defer { tmux.kill() }
        try await tmux.wait(for: " 1/240 ", timeout: 60)
        try await tmux.wait(for: "● live", timeout: 30)
        let contactID = try #require(try await setup.client.messages.conversations(page: 1, perPage: 1).items.first?.contactID)
        let reply = "Your refund for order 4411 was approved this morning and should reach your card within five working days, "
            + "sooner with most banks."
        try await tmux.keys("r")
        try await tmux.wait(for: "─ Reply")
        try await tmux.type(reply)
        try await tmux.wait(for: "most banks.")
        func cursor() async throws -> (x: Int, y: Int) {
            let place = try await tmux.tmux(["display-message", "-p", "-t", tmux.name, "#{cursor_x} #{cursor_y}"])
                .split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return (place[0], place[1])
        }
        let end = try await cursor()
        try await tmux.keys("Up")
        try await tmux.type("X")
        try await eventually("the X is drawn right above where the cursor was") {
            Columns.character(in: try await tmux.lines()[end.y - 1], at: end.x) == "X"
        }
        let after = try await cursor()
        let screen = try await tmux.screen()
        #expect(after.x == end.x + 1 && after.y == end.y - 1, "\(end) then \(after): \(screen)")
        try await tmux.keys("Enter")
        try await Task.sleep(for: .milliseconds(500))
        if try await tmux.screen().contains("Send anyway?") { try await tmux.keys("y") }
        try await eventually("the mended reply reaches the customer") {
            try await setup.client.messages.history(contactID: contactID, perPage: 5).items.contains {
                $0.content?.count == reply.count + 1 && $0.content?.replacingOccurrences(of: "X", with: "") == reply
                    && $0.content?.last == "."
            }
        }
    }

    @Test func aWarmCachePaintsBeforeTheServerAnswers() async throws {
        try await TerminalLock.exclusive { try await warmCacheExclusively() }
    }

    func warmCacheExclusively() async throws {
        let setup = try await Self.setup()
        defer { setup.tearDown() }
        let (first, shown) = try await openUntilTheNewestThreadShows(setup)
        first.kill()

        // A slow server (every answer takes 30 s): the restart shows the saved inbox while its
        // first request is still out, instead of waiting on it.
        try await Task.sleep(for: .milliseconds(300))
        var slow = FaultRule()
        slow.latencyMs = 30_000
        setup.sandbox.faults.set([slow])
        let second = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: setup.environment)
        defer { second.kill() }
        try await second.wait(for: shown, timeout: 5)
        let screen = try await second.screen()
        #expect(screen.contains("◌ connecting"), "the first poll is still out: \(screen)")
    }

    @Test func demoModeRunsWithoutAnAccount() async throws {
        try await TerminalLock.exclusive { try await demoModeRunsWithoutAnAccountExclusively() }
    }

    func demoModeRunsWithoutAnAccountExclusively() async throws {
        let home = Tmux.home("demo")
        // Installed: the binary alone, away from the source tree and its themes/ folder.
        try FileManager.default.createDirectory(atPath: home + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Tmux.binary, toPath: home + "/bin/skylight")
        // A folder left by a demo run that was killed: the next run clears it away.
        let leftOver = home + "/tmp/skylight-demo-\(Int32.max - 1)"
        try FileManager.default.createDirectory(atPath: leftOver, withIntermediateDirectories: true)
        let tmux = try await Tmux.demo(home: home, binary: home + "/bin/skylight")
        defer { tmux.kill() }
        try await tmux.wait(for: "demo sandbox", timeout: 60)
        try await tmux.wait(for: "● live", timeout: 30)
        func demoFolders() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: home + "/tmp").filter { $0.hasPrefix("skylight-demo-") }
        }
        let running = try demoFolders()
        #expect(running.count == 1 && !running.contains { leftOver.hasSuffix($0) }, "\(running)")
        // Private, under a name no one could have made ready for it.
        let made = try #require(running.first)
        #expect(made.range(of: #"^skylight-demo-\d+-[A-Za-z0-9]{6}$"#, options: .regularExpression) != nil, "\(made)")
        #expect(try FileManager.default.attributesOfItem(atPath: home + "/tmp/" + made)[.posixPermissions] as? Int == 0o700)
        try await tmux.wait(for: " Contact")  // the sidebar shows at 120 columns
        #expect(try await !tmux.screen().contains("Theme not loaded"))
        try await tmux.keys(":")
        try await tmux.type("theme high-contrast")
        try await tmux.keys("Enter")
        try await tmux.wait(for: "Theme: high-contrast")
        try await shrinkAndGrow(tmux)
        try await tmux.keys("q")
        try await tmux.wait(for: "EXIT=0")
        #expect(try demoFolders().isEmpty, "a demo run leaves nothing behind")
    }

    /// Over SSH the locale is often unset, or names one the server lacks, while the terminal is
    /// UTF-8: names in every script still draw whole, the borders stay put, and the editor gets
    /// UTF-8 too.
    @Test func withoutAUTF8LocaleEveryScriptStillDraws() async throws {
        try await TerminalLock.exclusive { try await withoutAUTF8LocaleEveryScriptStillDrawsExclusively() }
    }

    func withoutAUTF8LocaleEveryScriptStillDrawsExclusively() async throws {
        let home = Tmux.home("locale")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        // An editor that writes the character set it was given into the reply.
        try "#!/bin/sh\nlocale charmap > \"$1\"\n".write(toFile: home + "/charmap-editor", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: home + "/charmap-editor")
        let tmux = try await Tmux.demo(home: home, environment: ["LANG": "", "LC_ALL": "", "EDITOR": home + "/charmap-editor"])
        defer { tmux.kill() }
        try await tmux.wait(for: "No locale is set: drawing in C.UTF-8", timeout: 60)
        let lines = try await tmux.settledLines()
        let border = try #require(lines[1].firstIndex(of: "│")).utf16Offset(in: lines[1])  // an ASCII row
        for (y, line) in lines.enumerated().dropFirst().dropLast() {
            #expect(Columns.character(in: line, at: border) == "│", "row \(y): \(line)")
        }
        let ideographs = lines.joined().unicodeScalars.filter { (0x4E00...0x9FFF).contains($0.value) }
        #expect(ideographs.count > 10, "names in Chinese and Japanese are drawn")
        try await tmux.keys("E")
        try await tmux.wait(for: "› UTF-8")
        try await tmux.keys("Escape", "q")
        try await tmux.wait(for: "EXIT=0")
    }
}

/// A thread longer than a page, of messages that wrap: all of it is reachable, whichever way
/// the server lists a history (the reference leaves it open).
struct LongThreadTests {
    @Test(arguments: [false, true]) func gReachesTheFirstMessageOfALongThread(historyOldestFirst: Bool) async throws {
        try await TerminalLock.exclusive { try await gReachesTheFirstMessageOfALongThreadExclusively(historyOldestFirst) }
    }

    func gReachesTheFirstMessageOfALongThreadExclusively(_ historyOldestFirst: Bool) async throws {
        let setup = try await TriageTests.setup(historyOldestFirst: historyOldestFirst)
        defer { setup.tearDown() }
        let contact = try await setup.client.messages.conversations(perPage: 1).items[0].contactID
        for n in 1...120 {
            _ = try await setup.client.messages.send(contactID: contact, message: "Reply \(n) of a long thread, written long enough to wrap in the pane")
        }
        let history = try await setup.client.messages.history(contactID: contact, perPage: 50)
        let oldest = try #require(try await setup.client.messages.history(contactID: contact, page: history.meta.lastPage, perPage: 50).items.last)
        let first = String(Sanitizer.clean(oldest.content ?? "").prefix(14))

        let tmux = try await Tmux(width: 80, height: 24, command: Tmux.binary, environment: setup.environment)
        defer { tmux.kill() }
        try await tmux.wait(for: "● live", timeout: 60)
        try await tmux.wait(for: "Reply 120 of a long thread, written")  // in the thread, not only the list
        try await tmux.keys("Tab", "g")
        // One `g` loads the older pages and shows the first message, under its day.
        func threadPane() async throws -> [String] {
            try await tmux.lines().dropFirst(2).prefix(20).map { $0.split(separator: "│", maxSplits: 1, omittingEmptySubsequences: false).last.map(String.init) ?? "" }
        }
        let deadline = Date().addingTimeInterval(20)
        var pane: [String] = []
        while Date() < deadline {
            pane = try await threadPane()
            if pane.contains(where: { $0.contains(first) }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(pane.contains { $0.contains(first) }, "the first message, “\(first)”, never showed: \(pane)")
        #expect(pane.first?.contains("───") == true)
        // At the top, the next `j` scrolls at once.
        try await tmux.keys("j")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await threadPane() != pane)
        try await tmux.keys("q")
    }
}

/// Over SSH, keys typed apart can arrive together; Esc must not swallow the key after it.
struct BunchedKeyTests {
    @Test func escAndTheNextKeyInOneReadBothCount() async throws {
        try await TerminalLock.exclusive { try await escAndTheNextKeyInOneReadBothCountExclusively() }
    }

    func escAndTheNextKeyInOneReadBothCountExclusively() async throws {
        let tmux = try await Tmux.demo(home: Tmux.home("keys"))
        defer { tmux.kill() }
        try await tmux.wait(for: " 1/240 ", timeout: 60)
        // Esc then an arrow: the draft is kept and the selection moves.
        try await tmux.keys("r")
        try await tmux.type("a draft")
        try await tmux.wait(for: "› a draft")
        try await tmux.keysAtOnce("Escape", "Down")
        try await tmux.wait(for: " 2/240 ")
        #expect(try await tmux.screen().contains("Draft saved"))
        // Esc then a letter (read as Alt-letter): the composer closes and `a` opens a note.
        try await tmux.keys("r")
        try await tmux.wait(for: "─ Reply")
        try await tmux.keysAtOnce("Escape", "a")
        try await tmux.wait(for: "─ Note")
        try await tmux.keys("Escape")
        // Esc twice in one read (a reflex, one packet over SSH): two Escs, not one Alt-Esc.
        try await tmux.keys("?")
        try await tmux.wait(for: "─ Keys ─")
        try await tmux.keysAtOnce("Escape", "Escape")
        try await tmux.waitUntilGone("─ Keys ─")
        try await tmux.keys("r")
        try await tmux.type("second draft")
        try await tmux.wait(for: "› second draft")
        try await tmux.keysAtOnce("Escape", "Escape")
        try await tmux.wait(for: "Draft saved")
        // `b` and `y` in one read (a paste the terminal did not mark, or a reflex): the `y` was
        // typed before the question showed and does not answer it.
        try await tmux.keysAtOnce("b", "y")
        try await tmux.wait(for: "Keys typed before this question were not taken as its answer")
        #expect(try await tmux.screen().contains("Blacklist "))
        try await tmux.keys("n")
        try await tmux.waitUntilGone("Blacklist ")
        #expect(!(try await tmux.screen().contains("BLACKLISTED")))
        try await tmux.keys("q")
        try await tmux.wait(for: "EXIT=0")
    }
}

/// A paste is one burst of text, however long; a crash still gives the terminal back.
struct PasteAndCrashTests {
    @Test func aLongPasteLandsInTheComposer() async throws {
        try await TerminalLock.exclusive { try await aLongPasteLandsInTheComposerExclusively() }
    }

    func aLongPasteLandsInTheComposerExclusively() async throws {
        let home = Tmux.home("paste")
        let tmux = try await Tmux.demo(home: home)
        defer { tmux.kill() }
        try await tmux.wait(for: " 1/240 ", timeout: 60)
        // 40 KB of a log, colour codes and all, as a terminal copies it.
        let text = (1...800).map { "\u{1B}[32mline \($0)\u{1B}[0m: order shipped 👍🏽" }.joined(separator: "\n") + "\nend of paste"
        try text.write(toFile: home + "/paste.txt", atomically: true, encoding: .utf8)
        try await tmux.keys("r")
        try await tmux.wait(for: "─ Reply")
        try await tmux.tmux(["load-buffer", home + "/paste.txt"])
        try await tmux.tmux(["paste-buffer", "-p", "-t", tmux.name])
        try await tmux.wait(for: "› ", timeout: 10)
        try await tmux.wait(for: "end of paste", timeout: 20)
        let screen = try await tmux.screen()
        #expect(screen.contains("line 800: order shipped 👍") && !screen.contains("␛"), "\(screen)")
        try await tmux.keys("Escape")
        try await tmux.wait(for: "Draft saved")
        try await tmux.keys("q")
        try await tmux.wait(for: "EXIT=0")
    }

    @Test func aCrashGivesTheTerminalBack() async throws {
        try await TerminalLock.exclusive { try await aCrashGivesTheTerminalBackExclusively() }
    }

    func aCrashGivesTheTerminalBackExclusively() async throws {
        let tmux = try await Tmux.demo(home: Tmux.home("crash"))
        defer { tmux.kill() }
        try await tmux.wait(for: " 1/240 ", timeout: 60)
        #expect(try await tmux.tmux(["display-message", "-p", "-t", tmux.name, "#{alternate_on}"]).hasPrefix("1"))
        kill(try await tmux.programPID(), SIGSEGV)
        try await tmux.wait(for: "EXIT=139")
        #expect(try await tmux.tmux(["display-message", "-p", "-t", tmux.name, "#{alternate_on}"]).hasPrefix("0"))
        let screen = try await tmux.screen()
        #expect(!screen.contains("Conversations"), "\(screen)")
    }
}

/// Over SSH the server often lacks the terminfo entry of the agent's own terminal.
struct UnknownTerminalTests {
    @Test func anUnknownTerminalTypeDrawsAsAStandIn() async throws {
        try await TerminalLock.exclusive { try await anUnknownTerminalTypeDrawsAsAStandInExclusively() }
    }

    func anUnknownTerminalTypeDrawsAsAStandInExclusively() async throws {
        let tmux = try await Tmux.demo(home: Tmux.home("term"), environment: ["TERM": "skylight-unknown-256color"])
        defer { tmux.kill() }
        try await tmux.wait(for: "drawing as xterm-256color", timeout: 60)
        try await tmux.wait(for: " Contact")
        try await tmux.keys("q")
        try await tmux.wait(for: "EXIT=0")
    }

    /// A Linux console, vt100 or a serial line has no alternate screen to go back to: leaving,
    /// by `q` or by a crash, clears what the inbox drew instead of leaving customers' messages
    /// at the shell with its prompt written over the status bar.
    @Test(arguments: ["q", "crash"]) func aTerminalWithoutAnAlternateScreenIsLeftClear(leaving: String) async throws {
        try await TerminalLock.exclusive {
            let tmux = try await Tmux.demo(home: Tmux.home("console"), environment: ["TERM": "linux"])
            defer { tmux.kill() }
            try await tmux.wait(for: " 1/240 ", timeout: 60)
            if leaving == "q" { try await tmux.keys("q") } else { kill(try await tmux.programPID(), SIGSEGV) }
            let screen = try await tmux.wait(for: leaving == "q" ? "EXIT=0" : "EXIT=139")
            // From the top of a clear screen: the exit status (after the shell's "Segmentation fault").
            let top = screen.split(separator: "\n").prefix(2)
            #expect(top.contains { $0.hasPrefix("EXIT=") } && !screen.contains("Conversations") && !screen.contains("$<"), "\(screen)")
        }
    }

    @Test func aTerminalThatCannotMoveTheCursorIsRefusedInASentence() async throws {
        try await TerminalLock.exclusive {
            let tmux = try await Tmux.demo(home: Tmux.home("dumb"), environment: ["TERM": "dumb"])
            defer { tmux.kill() }
            try await tmux.wait(for: "EXIT=1", timeout: 60)
            let screen = try await tmux.screen()
            #expect(screen.contains("TERM=dumb cannot move the cursor") && !screen.contains("SkyLight Inbox"), "\(screen)")
        }
    }
}

/// Start-up problems get one clear sentence, never a stack trace.
final class StartupMessageTests {
    /// Home folders made for this test, removed when it ends.
    var homes: [String] = []
    deinit { for home in homes { Tmux.remove(home: home) } }

    /// What `skylight` printed on standard error, and `status=N` with its exit status.
    func skylight(_ arguments: [String], environment: [String: String]) async throws -> String {
        let result = try await ChildProcess.run(Tmux.binary, arguments, environment: environment, capture: .standardError)
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines) + "\nstatus=\(result.status)"
    }

    func home() throws -> String {
        let home = NSTemporaryDirectory() + "skylight-start-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home + "/.config/skylight", withIntermediateDirectories: true)
        homes.append(home)
        return home
    }

    @Test func theWaitForAFirstAnswerSaysWhatItIs() async throws {
        try await TerminalLock.exclusive {
            let tmux = try await Tmux(width: 100, height: 10, command: "sh -c '\(Tmux.binary); echo EXIT=$?; exec sleep 60'",
                                      environment: ["HOME": try home(), "SKYLIGHT_API_KEY": "k", "SKYLIGHT_BASE_URL": "http://127.0.0.1:9/api/v1"])
            defer { tmux.kill() }
            let screen = try await tmux.wait(for: "EXIT=1", timeout: 30)
            #expect(screen.contains("Connecting to 127.0.0.1…\nskylight: Cannot reach http://127.0.0.1:9/api/v1"), "\(screen)")
        }
    }

    @Test func missingKey() async throws {
        let out = try await skylight([], environment: ["HOME": try home()])
        #expect(out.contains("No API key") && out.contains("skylight --demo") && out.hasSuffix("status=1"))
    }

    /// As under `ssh host skylight` without `-t`: a plain message, and no demo folder left in /tmp.
    @Test func demoWithoutATerminalLeavesNothingBehind() async throws {
        let home = try home()
        try FileManager.default.createDirectory(atPath: home + "/tmp", withIntermediateDirectories: true)
        let out = try await skylight(["--demo"], environment: ["HOME": home, "TMPDIR": home + "/tmp"])
        #expect(out.contains("needs a terminal") && out.contains("ssh -t") && out.hasSuffix("status=1"), "\(out)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: home + "/tmp") == [])
    }

    @Test func badURL() async throws {
        let out = try await skylight([], environment: ["HOME": try home(), "SKYLIGHT_API_KEY": "k", "SKYLIGHT_BASE_URL": "dashboard"])
        #expect(out.contains("is not an http(s) URL") && out.hasSuffix("status=1"))
    }

    @Test func unreachableServer() async throws {
        let out = try await skylight([], environment: ["HOME": try home(), "SKYLIGHT_API_KEY": "k", "SKYLIGHT_BASE_URL": "http://127.0.0.1:9/api/v1"])
        #expect(out.contains("Cannot reach http://127.0.0.1:9/api/v1") && out.hasSuffix("status=1"), "\(out)")
    }

    /// The proxy named in the environment is the one used, and the one named when it fails.
    @Test func anUnreachableProxyIsNamed() async throws {
        let out = try await skylight([], environment: ["HOME": try home(), "SKYLIGHT_API_KEY": "k", "SKYLIGHT_BASE_URL": "https://chat.example.com/api/v1",
                                                       "HTTPS_PROXY": "http://127.0.0.1:9"])
        #expect(out.contains("Cannot reach https://chat.example.com/api/v1 through the proxy 127.0.0.1:9: cannot connect: connection refused.")
                && out.contains("Check SKYLIGHT_BASE_URL, HTTPS_PROXY and your network") && out.hasSuffix("status=1"), "\(out)")
        let refused = try await skylight([], environment: ["HOME": try home(), "SKYLIGHT_API_KEY": "k", "SKYLIGHT_BASE_URL": "https://chat.example.com/api/v1",
                                                           "https_proxy": "https://proxy.corp:3128"])
        #expect(refused.contains("https_proxy: the proxy “https://proxy.corp:3128” is spoken to over TLS") && refused.hasSuffix("status=1"), "\(refused)")
    }

    @Test func wrongKey() async throws {
        var options = SandboxOptions()
        options.tickInterval = 3600
        let sandbox = try await Sandbox.start(options)
        defer { Task { await sandbox.stop() } }
        let out = try await skylight([], environment: ["HOME": try home(), "SKYLIGHT_API_KEY": "wrong", "SKYLIGHT_BASE_URL": sandbox.baseURL])
        #expect(out.contains("refused the API key") && !out.contains("wrong") && out.hasSuffix("status=1"), "\(out)")
    }

    /// A server (or a proxy before it) whose error text holds escape sequences: the message
    /// printed at start and the log show them as harmless text.
    @Test func aHostileErrorTextNeverReachesTheTerminal() async throws {
        var options = SandboxOptions()
        options.tickInterval = 3600
        let sandbox = try await Sandbox.start(options)
        defer { Task { await sandbox.stop() } }
        var revoked = FaultRule()
        revoked.errorRate = 1
        revoked.errorStatus = 401
        revoked.errorMessage = "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[31mUnauthenticated.\u{9B}1m"
        sandbox.faults.set([revoked])
        let home = try home()
        let out = try await skylight([], environment: ["HOME": home, "SKYLIGHT_API_KEY": SandboxOptions.defaultAPIKey, "SKYLIGHT_BASE_URL": sandbox.baseURL])
        #expect(out.contains("refused the API key") && out.contains("Unauthenticated.") && out.hasSuffix("status=1"), "\(out)")
        #expect(!out.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B }, "\(out.debugDescription)")
        let log = try String(contentsOfFile: home + "/.local/state/skylight/skylight.log", encoding: .utf8)
        #expect(log.contains(#"\u{1b}]0;pwned\u{7}"#) && !log.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(log)")
    }

    @Test func readableConfigWithAKeyIsRefused() async throws {
        let home = try home()
        let path = home + "/.config/skylight/config.toml"
        try "api_key = \"sk_live_secret\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let out = try await skylight([], environment: ["HOME": home])
        #expect(out.contains("chmod 600") && !out.contains("sk_live_secret") && out.hasSuffix("status=1"))
    }

    @Test func sandboxPrintsItsAddressFirst() async throws {
        let data = try await ChildProcess.firstLine(Tmux.binary, ["sandbox", "--port", "0", "--seed", "empty"])
        #expect(data.hasPrefix("SkyLight sandbox listening on http://127.0.0.1:") && data.contains("/api/v1"), "\(data)")
    }
}
