import Foundation
import GRDB
import SkyLight
import Synchronization

/// The inbox's own SQLite file, one per account: drafts, the outbox, read watermarks and the
/// last known conversation list, so the inbox paints before the network answers and loses no
/// reply across a quit, a crash or a dropped SSH session.
public final class LocalStore: Sendable {
    let db: any DatabaseWriter
    /// The most conversations kept; older ones are pruned.
    public let conversationLimit: Int
    /// Where each running inbox on this file holds a lock (see `claim(instance:)`); nil in memory.
    let instancesFolder: String?
    /// The lock this inbox holds while it runs (-1 before `claim(instance:)`), and its name.
    let claimed = Mutex<(lock: Int32, instance: String)>((-1, ""))

    /// Opens (creating and migrating) the store at `path`; `:memory:` for tests.
    public init(path: String, conversationLimit: Int = 20_000) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(3)
        // The store is read at start and written now and then: a small page cache per
        // connection is enough (SQLite's default is 2 MB each).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -256") }
        instancesFolder = path == ":memory:" ? nil : path + ".instances"
        if path == ":memory:" {
            db = try DatabaseQueue(configuration: configuration)
        } else {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            db = try DatabasePool(path: path, configuration: configuration)
        }
        self.conversationLimit = conversationLimit
        try Self.migrator.migrate(db)
    }

    deinit {
        claimed.withLock { held in if held.lock >= 0 { close(held.lock) } }
    }

    /// Opens the cache at `path`. One that cannot be read (a crash mid-write on a full disk, a
    /// file from elsewhere) is set aside, never deleted, and a fresh one made in its place.
    /// Returns the store, or nil when none can be made, and what the agent should be told.
    /// A cache another program holds locked is waited for, never set aside: `whileLocked` is
    /// called before each new try.
    public static func openOrSetAside(path: String, conversationLimit: Int = 20_000, now: Date = Date(),
                                      whileLocked: () -> Void = {}) -> (store: LocalStore?, problem: String?) {
        let opened = Result { try waitingWhileLocked(whileLocked) { try LocalStore(path: path, conversationLimit: conversationLimit) } }
        do { return (try opened.get(), nil) } catch let first {
            let aside = path + ".unreadable-\(Int(now.timeIntervalSince1970))"
            let files = FileManager.default
            guard files.fileExists(atPath: path), (try? files.moveItem(atPath: path, toPath: aside)) != nil else {
                return (nil, "No local cache (\(reason(first))): replies, drafts and notes are not kept if the inbox closes")
            }
            for suffix in ["-wal", "-shm"] { try? files.moveItem(atPath: path + suffix, toPath: aside + suffix) }
            do {
                return (try LocalStore(path: path, conversationLimit: conversationLimit),
                        "Local cache unreadable (\(reason(first))): kept as \((aside as NSString).lastPathComponent), a new one started")
            } catch {
                return (nil, "No local cache (\(reason(error))): replies, drafts and notes are not kept if the inbox closes")
            }
        }
    }

    /// Whether `error` says another connection holds the lock: a wait, not a damaged file.
    public static func isLocked(_ error: any Error) -> Bool {
        guard let database = error as? DatabaseError else { return false }
        return database.resultCode == .SQLITE_BUSY || database.resultCode == .SQLITE_LOCKED
    }

    /// Runs `body` again for as long as it fails on a lock another program holds, calling
    /// `whileLocked` before each new try (each try already waits out SQLite's busy timeout).
    public static func waitingWhileLocked<T>(_ whileLocked: () -> Void, _ body: () throws -> T) throws -> T {
        while true {
            do { return try body() } catch where isLocked(error) { whileLocked() }
        }
    }

    /// SQLite's own words for what went wrong, without the statement it was running.
    static func reason(_ error: any Error) -> String {
        if let database = error as? DatabaseError { return database.message ?? database.description }
        // Foundation's file errors wrap the system's: "Not a directory" says it, "Code=512" does not.
        let file = error as NSError
        if let system = (file.userInfo[NSUnderlyingErrorKey] as? any Error).map({ $0 as NSError }), system.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(system.code))) + ((file.userInfo[NSFilePathErrorKey] as? String).map { ": \($0)" } ?? "")
        }
        return String(describing: error)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
            CREATE TABLE drafts(contact_id INTEGER PRIMARY KEY, text TEXT NOT NULL, updated_at INTEGER NOT NULL);
            CREATE TABLE outbox(id TEXT PRIMARY KEY, contact_id INTEGER NOT NULL, text TEXT NOT NULL, state TEXT NOT NULL,
                                detail TEXT, created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE read_marks(contact_id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
            CREATE TABLE conversations(contact_id INTEGER PRIMARY KEY, contact_name TEXT, channel TEXT, last_message TEXT,
                                       last_message_at INTEGER, unread_count INTEGER);
            CREATE INDEX conversations_by_time ON conversations(last_message_at DESC);
            """)
        }
        migrator.registerMigration("v2: details") { db in
            // Whole API objects as JSON: tolerant of fields the API adds later.
            try db.execute(sql: """
            CREATE TABLE threads(contact_id INTEGER PRIMARY KEY, messages BLOB NOT NULL);
            CREATE TABLE contacts(contact_id INTEGER PRIMARY KEY, contact BLOB NOT NULL);
            CREATE TABLE notes(contact_id INTEGER PRIMARY KEY, notes BLOB NOT NULL);
            CREATE TABLE tags(id INTEGER PRIMARY KEY CHECK (id = 1), tags BLOB NOT NULL);
            """)
        }
        migrator.registerMigration("v3: note drafts") { db in
            try db.execute(sql: "CREATE TABLE note_drafts(contact_id INTEGER PRIMARY KEY, texts BLOB NOT NULL)")
        }
        migrator.registerMigration("v4: note drafts by inbox") { db in
            // Each running inbox writes its own rows: one inbox's save no longer wipes another's.
            try db.execute(sql: """
            CREATE TABLE kept_notes(owner TEXT NOT NULL, contact_id INTEGER NOT NULL, texts BLOB NOT NULL,
                                    PRIMARY KEY (owner, contact_id));
            INSERT INTO kept_notes SELECT '', contact_id, texts FROM note_drafts;
            DROP TABLE note_drafts;
            ALTER TABLE kept_notes RENAME TO note_drafts;
            """)
        }
        return migrator
    }

    // MARK: Drafts

    /// Saves a draft; an empty text deletes it.
    public func saveDraft(contactID: Int, text: String) throws {
        try db.write { db in
            if text.isEmpty {
                try db.execute(sql: "DELETE FROM drafts WHERE contact_id = ?", arguments: [contactID])
            } else {
                try db.execute(sql: "INSERT OR REPLACE INTO drafts(contact_id, text, updated_at) VALUES (?, ?, ?)",
                               arguments: [contactID, text, Timestamp.now.microseconds])
            }
        }
    }

    /// Every saved draft.
    public func drafts() throws -> [Int: String] {
        try db.read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT contact_id, text FROM drafts").map { ($0[0], $0[1]) },
                       uniquingKeysWith: { a, _ in a })
        }
    }

    /// Replaces this inbox's kept notes (see ``InboxState/noteDrafts``) with these; another
    /// inbox's on the same file stay as they are.
    public func saveNoteDrafts(_ drafts: [Int: [String]]) throws {
        let owner = claimed.withLock { $0.instance }
        try db.write { db in
            try db.execute(sql: "DELETE FROM note_drafts WHERE owner = ?", arguments: [owner])
            for (contactID, texts) in drafts where !texts.isEmpty {
                try db.execute(sql: "INSERT INTO note_drafts(owner, contact_id, texts) VALUES (?, ?, ?)",
                               arguments: [owner, contactID, try JSONEncoder().encode(texts)])
            }
        }
    }

    // MARK: Outbox

    /// Writes an outbox entry (before any network call, and at every state change).
    public func saveOutbox(_ entry: OutboxEntry) throws {
        let (state, detail): (String, String?) = switch entry.state {
        case .queued: ("queued", nil)
        case .sending: ("sending", nil)
        case .unknown(let reason): ("unknown", reason)
        case .failed(let why): ("failed", why)
        }
        try db.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO outbox(id, contact_id, text, state, detail, created_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.id, entry.contactID, entry.text, state, detail, entry.createdAt.microseconds, entry.attempts])
        }
    }

    /// Removes a delivered (or abandoned) entry.
    public func removeOutbox(id: String) throws {
        try db.write { db in try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id]) }
    }

    /// Every entry not yet delivered, oldest first.
    public func outbox() throws -> [OutboxEntry] {
        try db.read { db in try Self.outbox(db) }
    }

    static func outbox(_ db: Database) throws -> [OutboxEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY created_at").map { row in
            let state: OutboxEntry.State = switch row["state"] as String {
            case "sending": .sending
            case "unknown": .unknown(reason: row["detail"] ?? "no answer")
            case "failed": .failed(row["detail"] ?? "failed")
            default: .queued
            }
            return OutboxEntry(id: row["id"], contactID: row["contact_id"], text: row["text"], state: state,
                               createdAt: Timestamp(microseconds: row["created_at"]), attempts: row["attempts"])
        }
    }

    // MARK: Read marks

    /// Sets or clears a conversation's read watermark.
    public func saveReadMark(contactID: Int, at: Timestamp?) throws {
        try db.write { db in
            if let at {
                try db.execute(sql: "INSERT OR REPLACE INTO read_marks(contact_id, at) VALUES (?, ?)", arguments: [contactID, at.microseconds])
            } else {
                try db.execute(sql: "DELETE FROM read_marks WHERE contact_id = ?", arguments: [contactID])
            }
        }
    }

    /// Every read watermark.
    public func readMarks() throws -> [Int: Timestamp] {
        try db.read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT contact_id, at FROM read_marks").map { ($0[0], Timestamp(microseconds: $0[1])) },
                       uniquingKeysWith: { a, _ in a })
        }
    }

    // MARK: Conversations

    /// Upserts conversation rows and prunes beyond the limit.
    public func cacheConversations(_ rows: [Conversation]) throws {
        try db.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO conversations(contact_id, contact_name, channel, last_message, last_message_at, unread_count)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            for row in rows {
                try statement.execute(arguments: [row.contactID, row.contactName, row.channel?.rawValue, row.lastMessage,
                                                  row.lastMessageAt?.microseconds, row.unreadCount])
            }
            try db.execute(sql: """
                DELETE FROM conversations WHERE contact_id NOT IN
                  (SELECT contact_id FROM conversations ORDER BY last_message_at DESC LIMIT ?)
                """, arguments: [conversationLimit])
        }
    }

    /// Drops a deleted contact's conversation row, thread, details, notes and read mark. Its
    /// draft stays: text the agent wrote is never thrown away by the cache.
    public func forgetContact(_ contactID: Int) throws {
        try db.write { db in
            for table in ["conversations", "threads", "contacts", "notes", "read_marks"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE contact_id = ?", arguments: [contactID])
            }
        }
    }

    /// The cached conversation list, newest first.
    public func conversations() throws -> [Conversation] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM conversations ORDER BY last_message_at DESC, contact_id DESC").map { row in
                Conversation(contactID: row["contact_id"], contactName: row["contact_name"],
                             channel: (row["channel"] as String?).map(ChannelType.init(rawValue:)), lastMessage: row["last_message"],
                             lastMessageAt: (row["last_message_at"] as Int64?).map(Timestamp.init(microseconds:)),
                             unreadCount: row["unread_count"])
            }
        }
    }

    // MARK: Details

    static let encoder = JSONEncoder()
    static let decoder = JSONDecoder()

    /// Keeps the newest page of a contact's messages.
    public func cacheThread(contactID: Int, messages: [Message]) throws {
        let blob = try Self.encoder.encode(messages)
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO threads(contact_id, messages) VALUES (?, ?)", arguments: [contactID, blob])
        }
    }

    /// Keeps a contact.
    public func cacheContact(_ contact: Contact) throws {
        let blob = try Self.encoder.encode(contact)
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO contacts(contact_id, contact) VALUES (?, ?)", arguments: [contact.id, blob])
        }
    }

    /// Keeps a contact's notes.
    public func cacheNotes(contactID: Int, notes: [Note]) throws {
        let blob = try Self.encoder.encode(notes)
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO notes(contact_id, notes) VALUES (?, ?)", arguments: [contactID, blob])
        }
    }

    /// Keeps the tag list.
    public func cacheTags(_ tags: [Tag]) throws {
        let blob = try Self.encoder.encode(tags)
        try db.write { db in try db.execute(sql: "INSERT OR REPLACE INTO tags(id, tags) VALUES (1, ?)", arguments: [blob]) }
    }

    /// Messages, contacts and notes of the newest `limit` conversations, and the tag list.
    /// Details of conversations pruned from the list are deleted here.
    public func details(limit: Int) throws -> Action {
        try db.write { db in
            for table in ["threads", "contacts", "notes"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE contact_id NOT IN (SELECT contact_id FROM conversations)")
            }
            let ids = try Int.fetchAll(db, sql: "SELECT contact_id FROM conversations ORDER BY last_message_at DESC, contact_id DESC LIMIT ?",
                                       arguments: [limit])
            var threads: [Int: [Message]] = [:], contacts: [Contact] = [], notes: [Int: [Note]] = [:]
            for id in ids {
                if let blob = try Data.fetchOne(db, sql: "SELECT messages FROM threads WHERE contact_id = ?", arguments: [id]) {
                    threads[id] = try? Self.decoder.decode([Message].self, from: blob)
                }
                if let blob = try Data.fetchOne(db, sql: "SELECT contact FROM contacts WHERE contact_id = ?", arguments: [id]),
                   let contact = try? Self.decoder.decode(Contact.self, from: blob) {
                    contacts.append(contact)
                }
                if let blob = try Data.fetchOne(db, sql: "SELECT notes FROM notes WHERE contact_id = ?", arguments: [id]) {
                    notes[id] = try? Self.decoder.decode([Note].self, from: blob)
                }
            }
            let tags = try Data.fetchOne(db, sql: "SELECT tags FROM tags WHERE id = 1").flatMap { try? Self.decoder.decode([Tag].self, from: $0) }
            return .restoredDetails(threads: threads, contacts: contacts, notes: notes, tags: tags ?? [])
        }
    }

    /// Everything needed to paint and resume at start-up, as one action: with this inbox's
    /// kept notes and replies, those of inboxes that have ended (see `takeOverFromEnded()`).
    public func restoreAction() throws -> Action {
        let taken = try takeOverFromEnded()
        return .restored(drafts: try drafts(), noteDrafts: taken.notes, outbox: taken.outbox,
                         readMarks: try readMarks(), conversations: try conversations())
    }
}
