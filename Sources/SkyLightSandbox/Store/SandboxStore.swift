import Foundation
import GRDB
import SkyLight

/// The sandbox's data: one SQLite database (WAL on disk, or in memory), its schema, and the
/// queries every route uses. All SQL of the sandbox lives in this type's files.
public final class SandboxStore: Sendable {
    let db: any DatabaseWriter
    /// The simulated clock every timestamp comes from.
    public let clock: SandboxClock
    /// Whether a contact's history and notes list oldest first (see ``SandboxOptions/historyOldestFirst``).
    let historyOldestFirst: Bool

    /// Opens (creating if needed) the store at `path`, or an in-memory one for `":memory:"`.
    public init(path: String, clock: SandboxClock, historyOldestFirst: Bool = false) throws {
        self.historyOldestFirst = historyOldestFirst
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        if path == ":memory:" {
            db = try DatabaseQueue(configuration: configuration)
        } else {
            db = try DatabasePool(path: path, configuration: configuration)
        }
        self.clock = clock
        try migrator.migrate(db)
    }

    var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
            CREATE TABLE channels(id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, phone TEXT,
                                  connected INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL);
            CREATE TABLE contacts(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, phone TEXT, type TEXT NOT NULL,
                                  status TEXT NOT NULL DEFAULT 'active', blacklisted INTEGER NOT NULL DEFAULT 0,
                                  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                                  last_message_at INTEGER, last_message TEXT, unread_count INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX contacts_by_last_message ON contacts(last_message_at DESC, id DESC);
            CREATE TABLE tags(id INTEGER PRIMARY KEY, title TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE UNIQUE INDEX tags_by_title ON tags(title COLLATE NOCASE);
            CREATE TABLE contact_tags(contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                                      tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
                                      PRIMARY KEY(contact_id, tag_id)) WITHOUT ROWID;
            CREATE INDEX contact_tags_by_tag ON contact_tags(tag_id);
            CREATE TABLE lists(id INTEGER PRIMARY KEY, name TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 1,
                               created_at INTEGER NOT NULL);
            CREATE TABLE list_members(list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
                                      contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                                      PRIMARY KEY(list_id, contact_id)) WITHOUT ROWID;
            CREATE TABLE segments(id INTEGER PRIMARY KEY, title TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 1,
                                  created_at INTEGER NOT NULL);
            CREATE TABLE segment_members(segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
                                         contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                                         PRIMARY KEY(segment_id, contact_id)) WITHOUT ROWID;
            CREATE TABLE messages(id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                                  direction TEXT NOT NULL, channel TEXT NOT NULL, content TEXT NOT NULL, status TEXT NOT NULL,
                                  error TEXT, sent_at INTEGER, created_at INTEGER NOT NULL);
            CREATE INDEX messages_by_contact ON messages(contact_id, id);
            CREATE INDEX messages_in_flight ON messages(status, sent_at) WHERE status IN ('sent', 'delivered');
            CREATE TABLE notes(id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                               content TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE INDEX notes_by_contact ON notes(contact_id, id);
            CREATE TABLE campaigns(id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, channel_id INTEGER NOT NULL,
                                   messages TEXT NOT NULL, is_new_number INTEGER NOT NULL DEFAULT 0,
                                   campaign_day INTEGER NOT NULL DEFAULT 0, messages_sent_today INTEGER NOT NULL DEFAULT 0,
                                   started_at INTEGER, completed_at INTEGER, created_at INTEGER NOT NULL);
            CREATE TABLE campaign_contacts(id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
                                           contact_id INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'pending', phone TEXT,
                                           sent_at INTEGER, error TEXT, UNIQUE(campaign_id, contact_id));
            CREATE INDEX campaign_contacts_by_status ON campaign_contacts(campaign_id, status, id);
            """)
        }
        return migrator
    }

    var now: Int64 { clock.now.microseconds }

    /// Reads in a snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await db.read(body)
    }

    /// Writes in one transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await db.write(body)
    }

}

/// Timestamps are stored as microseconds since the epoch.
func timestampJSON(_ micros: Int64?) -> JSON {
    micros.map { .string(Timestamp(microseconds: $0).description) } ?? .null
}

/// Pagination of a listing: page number, size and the `meta` object built from a total.
struct PageRequest: Sendable {
    var page: Int
    var perPage: Int

    var offset: Int { (page - 1) * perPage }

    func meta(total: Int) -> JSON {
        ["current_page": .int(page), "last_page": .int(max(1, (total + perPage - 1) / perPage)),
         "per_page": .int(perPage), "total": .int(total)]
    }
}
