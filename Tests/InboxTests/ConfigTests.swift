import Foundation
import Testing
import TestSupport
@testable import Inbox
import SkyLight

/// Config files, themes and the local store, on real files in a temporary folder.
final class ConfigTests {
    /// Folders made for this test, removed when it ends.
    var folders: [String] = []
    deinit { for folder in folders { try? FileManager.default.removeItem(atPath: folder) } }

    func home() throws -> String {
        let path = NSTemporaryDirectory() + "skylight-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/.config/skylight", withIntermediateDirectories: true)
        folders.append(path)
        return path
    }

    func write(_ text: String, home: String, mode: Int) throws {
        let path = home + "/.config/skylight/config.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test func keyFileMustBePrivate() throws {
        let home = try home()
        try write("api_key = \"sk_live_x\"\n", home: home, mode: 0o644)
        #expect(throws: ConfigError.self) { try Config.load(environment: ["HOME": home]) }
        do { _ = try Config.load(environment: ["HOME": home]) } catch {
            #expect(error.description.contains("chmod 600") && !error.description.contains("sk_live_x"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: home + "/.config/skylight/config.toml")
        #expect(try Config.load(environment: ["HOME": home]).apiKey == APIKey("sk_live_x"))
    }

    @Test func aFileWithoutAKeyMayBeReadable() throws {
        let home = try home()
        try write("theme = \"light\"\nbell = false\n[keys]\nreply = [\"r\", \"C-r\"]\nnext_unread = \"n\"\n", home: home, mode: 0o644)
        let config = try Config.load(environment: ["HOME": home, "SKYLIGHT_API_KEY": "env-key"])
        #expect(config.theme == "light" && config.settings.bell == false && config.apiKey == APIKey("env-key"))
        #expect(config.keyMap.command(for: .ctrl("r")) == .reply && config.keyMap.command(for: .char("n")) == .nextUnread)
        #expect(config.keyMap.command(for: .char(" ")) == nil)
    }

    /// Hints name the key the agent listed first, not the shortest of their keys.
    @Test func hintsNameTheKeyListedFirst() throws {
        let home = try home()
        try write("[keys]\nnext_unread = [\"space\", \"C-n\", \"f5\"]\nreply = [\"enter\", \"r\"]\n", home: home, mode: 0o600)
        var keys = try Config.load(environment: ["HOME": home, "SKYLIGHT_API_KEY": "k"]).keyMap
        #expect(keys.hint(.nextUnread) == "space" && keys.hint(.reply) == "Enter")
        #expect(KeyMap.standard.hint(.reply) == "r")  // the defaults: the shortest
        // Once that key runs something else, the hint falls back to the shortest left.
        keys.bind(.search, to: [.char(" ")])
        #expect(keys.hint(.nextUnread) == "F5" && keys.hint(.search) == "space")
    }

    @Test func aBaseURLPastedWithSpacesIsTaken() throws {
        let home = try home()
        let config = try Config.load(environment: ["HOME": home, "SKYLIGHT_API_KEY": " k\n", "SKYLIGHT_BASE_URL": " https://chat.example.com/api/v1\n"])
        #expect(config.baseURL == "https://chat.example.com/api/v1" && config.apiKey == APIKey("k"))
        try write("base_url = \" https://file.example.com/api/v1 \"\n", home: home, mode: 0o600)
        #expect(try Config.load(environment: ["HOME": home]).baseURL == "https://file.example.com/api/v1")
    }

    @Test func aMisspeltSettingIsNamed() throws {
        let home = try home()
        try write("bel = false\n", home: home, mode: 0o600)
        do { _ = try Config.load(environment: ["HOME": home, "SKYLIGHT_API_KEY": "k"]); Issue.record("loaded") } catch {
            #expect(error.description.hasSuffix("config.toml: no setting “bel” (known: api_key, base_url, auth, theme, bell, "
                                                + "desktop_notifications, mark_read_on_reply, cache_conversations, keys)"), "\(error)")
        }
    }

    @Test func errorsNameTheProblem() throws {
        let home = try home()
        try write("theme = \n", home: home, mode: 0o600)
        do { _ = try Config.load(environment: ["HOME": home]); Issue.record("loaded") } catch {
            #expect(error.description.contains("config.toml:1"))
        }
        try write("[keys]\nfly = \"f\"\n", home: home, mode: 0o600)
        do { _ = try Config.load(environment: ["HOME": home]); Issue.record("loaded") } catch {
            #expect(error.description.contains("fly"))
        }
        // A value of the wrong kind is refused, not ignored: the agent would wonder why it did nothing.
        for (text, says) in [("[keys]\nreply = \"ctrl-r\"\n", "cannot read the key “ctrl-r” (write keys as j, G, C-r"),
                             ("[keys]\nreply = 5\n", "reply must be a key or a list of keys"),
                             ("[keys]\ntag = \"x\"\nreply = [\"r\", \"x\"]\n", "“x” is given to both "),
                             ("[keys]\nreply = [\"r\", 5]\n", "reply must be a key or a list of keys"),
                             ("keys = \"r\"\n", "keys must be a table"),
                             ("cache_conversations = \"many\"\n", "cache_conversations must be a whole number")] {
            try write(text, home: home, mode: 0o600)
            do { _ = try Config.load(environment: ["HOME": home]); Issue.record("loaded \(text)") } catch {
                #expect(error.description.contains(says), "\(error.description)")
            }
        }
        #expect(throws: ConfigError.self) { try Config.load(environment: ["HOME": home + "/none", "SKYLIGHT_BASE_URL": "not a url"]) }
        #expect(throws: ConfigError.self) { try Config.validate(baseURL: "ftp://x/api/v1") }
    }
}

struct ThemeTests {
    static let repoThemes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../themes").standardized.path

    @Test(arguments: ["default-dark", "light", "high-contrast", "monochrome"])
    func shippedThemesLoadAndStyleEveryRole(name: String) throws {
        let theme = try ThemeLibrary(directories: [Self.repoThemes]).load(name)
        for role in StyleRole.allCases { #expect(theme.styles[role] != nil, "\(name) lacks \(role)") }
    }

    @Test func theBinaryCarriesTheShippedThemes() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.repoThemes).filter { $0.hasSuffix(".toml") }
        #expect(Set(ShippedThemes.files.keys) == Set(files.map { String($0.dropLast(5)) }))
        for file in files {
            #expect(ShippedThemes.files[String(file.dropLast(5))] == (try String(contentsOfFile: Self.repoThemes + "/" + file, encoding: .utf8)))
        }
        // Found with no folder at all, as in a binary copied to /usr/local/bin.
        #expect(try ThemeLibrary(directories: []).load("light").name == "light")
    }

    @Test func aUsersFileTakesPrecedenceOverAShippedTheme() throws {
        let folder = NSTemporaryDirectory() + "skylight-themes-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "name = \"mine\"\n[styles]\nnormal = { fg = \"red\" }\n".write(toFile: folder + "/light.toml", atomically: true, encoding: .utf8)
        let library = ThemeLibrary(directories: [folder])
        #expect(try library.load("light").name == "mine")
        #expect(library.names.contains("monochrome") && library.names.contains("light"))
    }

    @Test func badFilesNameFileAndLine() {
        let bad = "name = \"x\"\n[styles]\nnormal = {}\nheader = { fg = \"#zzzzzz\" }\n"
        #expect(throws: ThemeError(file: "x.toml", line: 4, message: "style “header”: bad colour for fg (use default, red, bright-red, 0–255 or #rrggbb)")) {
            try Theme.parse(bad, file: "x.toml")
        }
        do { _ = try Theme.parse("[styles\n", file: "y.toml"); Issue.record("parsed") } catch {
            #expect(error.file == "y.toml" && error.line == 1)
        }
        do { _ = try Theme.parse("[styles]\nsparkle = {}\n", file: "z.toml"); Issue.record("parsed") } catch {
            #expect(error.line == 2 && error.message.contains("sparkle"))
        }
        #expect(throws: ThemeError.self) { try ThemeLibrary(directories: [Self.repoThemes]).load("nope") }
    }

    @Test func colours() {
        #expect(ThemeColor("#ff8000") == .rgb(255, 128, 0) && ThemeColor("bright-red") == .indexed(9) && ThemeColor("208") == .indexed(208))
        #expect(ThemeColor("default") == .terminalDefault && ThemeColor("mauve") == nil && ThemeColor("256") == nil)
        let theme = Theme(name: "t", styles: [.header: StyleSpec(fg: .rgb(1, 2, 3), bg: .indexed(4))])
        #expect(theme.withoutColors.style(.header).fg == .terminalDefault && theme.withoutColors.style(.header).reverse)
    }
}

struct LocalStoreTests {
    @Test func survivesReopening() throws {
        let path = NSTemporaryDirectory() + "skylight-store-\(UUID().uuidString)/cache.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let t = Timestamp("2026-03-04T12:00:00.000000Z")!
        do {
            let store = try LocalStore(path: path, conversationLimit: 2)
            try store.saveDraft(contactID: 1, text: "half")
            try store.saveDraft(contactID: 2, text: "gone")
            try store.saveDraft(contactID: 2, text: "")
            try store.saveNoteDrafts([1: ["gone too"]])
            try store.saveNoteDrafts([4: ["Refund approved", "Called back\nno answer"], 5: []])
            try store.saveOutbox(OutboxEntry(id: "a", contactID: 1, text: "hi", state: .failed("422"), createdAt: t, attempts: 1))
            try store.saveOutbox(OutboxEntry(id: "b", contactID: 1, text: "yo", state: .sending, createdAt: t.adding(seconds: 1)))
            try store.saveOutbox(OutboxEntry(id: "c", contactID: 2, text: "?", state: .unknown(reason: "timed out"), createdAt: t.adding(seconds: 2)))
            try store.saveReadMark(contactID: 3, at: t)
            try store.cacheConversations((1...3).map { Conversation(contactID: $0, contactName: "c\($0)", channel: .telegram,
                                                                    lastMessageAt: t.adding(seconds: Double($0)), unreadCount: $0) })
        }
        let store = try LocalStore(path: path, conversationLimit: 2)
        #expect(try store.drafts() == [1: "half"])
        #expect(try store.restoreAction().restoredNotes == [4: ["Refund approved", "Called back\nno answer"]])
        let outbox = try store.outbox()
        #expect(outbox.map(\.id) == ["a", "b", "c"] && outbox[0].state == .failed("422") && outbox[1].state == .sending)
        #expect(outbox[2].state == .unknown(reason: "timed out"))
        #expect(try store.readMarks() == [3: t])
        #expect(try store.conversations().map(\.contactID) == [3, 2])
        try store.removeOutbox(id: "a")
        #expect(try store.outbox().map(\.id) == ["b", "c"])
    }

    @Test func aSecondInboxOnTheSameCacheLeavesTheFirstsRepliesAlone() throws {
        let path = NSTemporaryDirectory() + "skylight-store-\(UUID().uuidString)/cache.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let t = Timestamp("2026-03-04T12:00:00.000000Z")!
        func outbox(_ action: Action) -> [String] { if case .restored(_, _, let outbox, _, _) = action { outbox.map(\.id) } else { [] } }
        var first: LocalStore? = try LocalStore(path: path)
        first?.claim(instance: "AAAAAAAA")
        // Queued while offline: whichever inbox restores it would send it.
        try first?.saveOutbox(OutboxEntry(id: "7-1772625600000000-AAAAAAAA-1", contactID: 7, text: "hi", createdAt: t, attempts: 1))
        try first?.saveOutbox(OutboxEntry(id: "8-1772625600000000-2", contactID: 8, text: "older kind of id", createdAt: t, attempts: 1))
        let second = try LocalStore(path: path)
        second.claim(instance: "BBBBBBBB")
        // The unnamed one belongs to no running inbox: the second takes it, under its own name.
        #expect(outbox(try second.restoreAction()) == ["8-1772625600000000-BBBBBBBB-2"])
        // The first inbox ends: its reply is the next one's to send.
        first = nil
        #expect(outbox(try second.restoreAction()) == ["7-1772625600000000-BBBBBBBB-AAAAAAAA1", "8-1772625600000000-BBBBBBBB-2"])
        #expect(!FileManager.default.fileExists(atPath: path + ".instances/AAAAAAAA.lock"))
        #expect(FileManager.default.fileExists(atPath: path + ".instances/BBBBBBBB.lock"))
        // Taken over, they are the second's: a third inbox starting while it runs leaves them
        // alone, where it would otherwise send or offer them too.
        let third = try LocalStore(path: path)
        third.claim(instance: "CCCCCCCC")
        #expect(outbox(try third.restoreAction()) == [])
        #expect(try third.outbox().count == 2)
        // Locks of inboxes that ended do not pile up: the next start clears them.
        let ended = path + ".instances/EEEEEEEE.lock"
        FileManager.default.createFile(atPath: ended, contents: nil)
        try LocalStore(path: path).claim(instance: "DDDDDDDD")
        #expect(!FileManager.default.fileExists(atPath: ended) && FileManager.default.fileExists(atPath: path + ".instances/BBBBBBBB.lock"))
    }

    @Test func twoInboxesOnTheSameCacheKeepEachOthersNotes() throws {
        let path = NSTemporaryDirectory() + "skylight-store-\(UUID().uuidString)/cache.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        var first: LocalStore? = try LocalStore(path: path)
        first?.claim(instance: "AAAAAAAA")
        var second: LocalStore? = try LocalStore(path: path)
        second?.claim(instance: "BBBBBBBB")
        try first?.saveNoteDrafts([1: ["first's note on 1"], 3: ["first's note on 3"]])
        // The second saves its notes after the first: before, this wiped the first's from the file.
        try second?.saveNoteDrafts([2: ["second's note on 2"], 3: ["second's note on 3"]])
        first = nil
        let third = try LocalStore(path: path)
        third.claim(instance: "CCCCCCCC")
        #expect(try third.restoreAction().restoredNotes == [1: ["first's note on 1"], 3: ["first's note on 3"]])
        // The second ends too: its notes join what the third holds, a contact's notes side by side.
        second = nil
        #expect(try third.restoreAction().restoredNotes == [1: ["first's note on 1"], 2: ["second's note on 2"],
                                                            3: ["first's note on 3", "second's note on 3"]])
        // The third finishes one note; saving its own rows leaves none of the ended inboxes' behind.
        try third.saveNoteDrafts([1: ["first's note on 1"], 3: ["first's note on 3", "second's note on 3"]])
        let fourth = try LocalStore(path: path)
        fourth.claim(instance: "DDDDDDDD")
        #expect(try fourth.restoreAction().restoredNotes == [:])
    }

    @Test func anUnreadableCacheIsSetAsideNotLostAndAFreshOneStarted() throws {
        let folder = NSTemporaryDirectory() + "skylight-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/cache.sqlite"
        try Data("not a database, but someone's bytes".utf8).write(to: URL(fileURLWithPath: path))
        let (store, problem) = LocalStore.openOrSetAside(path: path, now: Date(timeIntervalSince1970: 1_700_000_000))
        let aside = path + ".unreadable-1700000000"
        #expect(problem == "Local cache unreadable (file is not a database): kept as cache.sqlite.unreadable-1700000000, a new one started")
        #expect(try String(contentsOfFile: aside, encoding: .utf8) == "not a database, but someone's bytes")
        try store?.saveDraft(contactID: 1, text: "kept")
        #expect(try store?.drafts() == [1: "kept"])

        // Nowhere to write one: no store, and the agent is told what that means.
        let (none, why) = LocalStore.openOrSetAside(path: path + "/cache.sqlite")
        #expect(none == nil && why?.hasPrefix("No local cache (File exists: \(path)") == true && why?.contains("not kept") == true, "\(why ?? "")")
    }

    /// A cache another program holds locked (a backup, a sqlite3 shell) is not damaged: it is
    /// waited for, never set aside, at opening and at the writes start-up makes.
    @Test func aLockedCacheIsWaitedForNotSetAside() throws {
        let folder = NSTemporaryDirectory() + "skylight-store-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/cache.sqlite"
        do {
            let earlier = try LocalStore(path: path)
            try earlier.saveDraft(contactID: 1, text: "written yesterday")
        }
        var lock = try CacheLock(path: path)
        var waits = 0
        let (store, problem) = LocalStore.openOrSetAside(path: path) { waits += 1; if waits == 1 { lock.letGo() } }
        #expect(waits == 1 && problem == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.contains("unreadable") })
        let opened = try #require(store)
        opened.claim(instance: "AAAAAAAA")
        lock = try CacheLock(path: path)
        waits = 0
        let restored = try LocalStore.waitingWhileLocked({ waits += 1; if waits == 1 { lock.letGo() } }) { try opened.restoreAction() }
        #expect(waits == 1)
        guard case .restored(let drafts, _, _, _, _) = restored else { Issue.record("\(restored)"); return }
        #expect(drafts == [1: "written yesterday"])
    }

    @Test func detailsComeBackForTheNewestConversations() throws {
        let path = NSTemporaryDirectory() + "skylight-store-\(UUID().uuidString)/cache.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let t = Timestamp("2026-03-04T12:00:00.000000Z")!
        do {
            let store = try LocalStore(path: path, conversationLimit: 3)
            try store.cacheConversations((1...3).map { Conversation(contactID: $0, contactName: "c\($0)", lastMessageAt: t.adding(seconds: Double($0))) })
            for id in 1...3 {
                try store.cacheThread(contactID: id, messages: [Message(id: id * 10, contactID: id, direction: .inbound, content: "m\(id)", createdAt: t)])
                try store.cacheContact(Contact(id: id, name: "c\(id)", blacklisted: id == 2, tags: ["VIP"]))
                try store.cacheNotes(contactID: id, notes: [Note(id: id, content: "n\(id)")])
            }
            try store.cacheTags([Tag(id: 1, title: "VIP")])
        }
        let store = try LocalStore(path: path, conversationLimit: 3)
        guard case .restoredDetails(let threads, let contacts, let notes, let tags) = try store.details(limit: 2) else {
            Issue.record("not a details action"); return
        }
        #expect(Set(threads.keys) == [2, 3] && threads[3]?.first?.content == "m3")
        #expect(contacts.map(\.id).sorted() == [2, 3] && contacts.first { $0.id == 2 }?.blacklisted == true)
        #expect(notes[2]?.first?.content == "n2" && tags.map(\.title) == ["VIP"])
    }
}

extension Action {
    /// The kept notes a `.restored` carries.
    var restoredNotes: [Int: [String]]? { if case .restored(_, let notes, _, _, _) = self { notes } else { nil } }
}
