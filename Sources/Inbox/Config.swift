import Foundation
import SkyLight
import TOMLKit

/// Why the inbox cannot start with the configuration it found: always a sentence that says
/// what to do.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
}

/// The inbox's configuration: `~/.config/skylight/config.toml` (XDG), overridden by
/// `SKYLIGHT_API_KEY` and `SKYLIGHT_BASE_URL`.
///
/// ```toml
/// api_key = "sk_live_…"          # the file must then be chmod 600
/// base_url = "https://dashboard.skylightchat.com/api/v1"
/// auth = "bearer"                # or "x-api-key"
/// theme = "default-dark"
/// bell = true
/// desktop_notifications = false  # OSC 9 / OSC 777 when the terminal is unfocused
/// mark_read_on_reply = true
/// cache_conversations = 20000
///
/// [keys]
/// reply = "r"
/// next_unread = ["space", "n"]
/// ```
public struct Config: Sendable, Equatable {
    public var apiKey: APIKey?
    public var baseURL = SkyLightClient.Configuration.defaultBaseURL
    public var authScheme = AuthScheme.bearer
    public var theme = "default-dark"
    public var settings = InboxState.Settings()
    public var keyMap = KeyMap.standard
    public var cacheConversations = 20_000
    /// Where the file was, if there was one.
    public var path: String?

    /// Creates the built-in defaults.
    public init() {}

    /// The config file's path for an environment.
    public static func path(_ environment: [String: String]) -> String {
        XDG.configHome(environment) + "/skylight/config.toml"
    }

    /// Reads the file (if any) and the environment.
    public static func load(environment: [String: String]) throws(ConfigError) -> Config {
        var config = Config()
        let path = Config.path(environment)
        if FileManager.default.fileExists(atPath: path) {
            config.path = path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigError(description: "Cannot read \(path).")
            }
            try config.apply(text: text, path: path)
            if config.apiKey != nil {
                let mode = ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue ?? 0
                if mode & 0o077 != 0 {
                    throw ConfigError(description: """
                        \(path) holds an API key but other users can read it (mode \(String(mode & 0o777, radix: 8))).
                        Fix it with: chmod 600 \(path)
                        """)
                }
            }
        }
        if let key = environment["SKYLIGHT_API_KEY"], !key.isEmpty { config.apiKey = APIKey(key) }
        // Pasted with a space or a newline around it, the address is still the address.
        if let url = environment["SKYLIGHT_BASE_URL"]?.trimmingCharacters(in: .whitespacesAndNewlines), !url.isEmpty { config.baseURL = url }
        if let theme = environment["SKYLIGHT_THEME"], !theme.isEmpty { config.theme = theme }
        try validate(baseURL: config.baseURL)
        return config
    }

    /// Checks that a base URL is an absolute http(s) URL.
    public static func validate(baseURL: String) throws(ConfigError) {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw ConfigError(description: "The base URL “\(baseURL)” is not an http(s) URL, e.g. https://dashboard.skylightchat.com/api/v1")
        }
    }

    /// The settings a config file may hold, `keys` being the `[keys]` table.
    static let settingNames = ["api_key", "base_url", "auth", "theme", "bell", "desktop_notifications", "mark_read_on_reply",
                               "cache_conversations", "keys"]

    /// Applies a config file's text.
    public mutating func apply(text: String, path: String) throws(ConfigError) {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigError(description: "\(path):\(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigError(description: "\(path): \(error)")
        }
        func string(_ key: String) throws(ConfigError) -> String? {
            guard let value = table[key] else { return nil }
            guard let s = value.string else { throw ConfigError(description: "\(path): \(key) must be a string") }
            return s
        }
        func bool(_ key: String) throws(ConfigError) -> Bool? {
            guard let value = table[key] else { return nil }
            guard let b = value.bool else { throw ConfigError(description: "\(path): \(key) must be true or false") }
            return b
        }
        // A misspelt setting (bel = false) would otherwise be ignored without a word.
        for name in table.keys where !Self.settingNames.contains(name) {
            throw ConfigError(description: "\(path): no setting “\(name)” (known: \(Self.settingNames.joined(separator: ", ")))")
        }
        if let key = try string("api_key"), !key.isEmpty { apiKey = APIKey(key) }
        if let url = try string("base_url") { baseURL = url.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let auth = try string("auth") {
            guard let scheme = AuthScheme(rawValue: auth.lowercased()) else {
                throw ConfigError(description: "\(path): auth must be \"bearer\" or \"x-api-key\"")
            }
            authScheme = scheme
        }
        if let theme = try string("theme") { self.theme = theme }
        if let bell = try bool("bell") { settings.bell = bell }
        if let notify = try bool("desktop_notifications") { settings.desktopNotifications = notify }
        if let mark = try bool("mark_read_on_reply") { settings.markReadOnReply = mark }
        if let value = table["cache_conversations"] {
            guard let limit = value.int else { throw ConfigError(description: "\(path): cache_conversations must be a whole number") }
            cacheConversations = max(100, limit)
        }
        if let value = table["keys"] {
            guard let keys = value.table else { throw ConfigError(description: "\(path): keys must be a table: [keys] then lines like reply = \"r\"") }
            // Two commands on one key in the file: which would win is not something to guess.
            var claimed: [Key: String] = [:]
            for name in keys.keys {
                guard let command = Command(rawValue: name) else {
                    throw ConfigError(description: "\(path): [keys] has no command “\(name)” (known: \(Command.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                let notations: [String]
                if let one = keys[name]?.string { notations = [one] }
                else if let many = keys[name]?.array, many.allSatisfy({ $0.string != nil }) { notations = many.compactMap(\.string) }
                else {
                    throw ConfigError(description: "\(path): [keys] \(name) must be a key or a list of keys, like \"r\" or [\"r\", \"enter\"]")
                }
                var parsed: [Key] = []
                for notation in notations {
                    guard let key = Key(notation: notation) else {
                        throw ConfigError(description: "\(path): [keys] \(name): cannot read the key “\(notation)” "
                                          + "(write keys as j, G, C-r, M-x, enter, space, tab, esc, pgdn or f5)")
                    }
                    if let other = claimed[key], other != name {
                        throw ConfigError(description: "\(path): [keys] “\(notation)” is given to both \(other) and \(name): keep it on one")
                    }
                    claimed[key] = name
                    parsed.append(key)
                }
                keyMap.bind(command, to: parsed)
            }
        }
    }
}
