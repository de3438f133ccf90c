import Foundation
import TOMLKit

/// Every element of the screen that a theme styles.
public enum StyleRole: String, CaseIterable, Sendable, Hashable {
    case normal, dim, header, status, statusError = "status_error", statusLive = "status_live", border, title
    case titleFocused = "title_focused", selected, selectedFocused = "selected_focused", unread, unreadCount = "unread_count"
    case badgeWhatsapp = "badge_whatsapp", badgeTelegram = "badge_telegram", badgeInstagram = "badge_instagram"
    case inbound, outbound, author, timestamp, daySeparator = "day_separator"
    case markPending = "mark_pending", markSent = "mark_sent", markRead = "mark_read", markFailed = "mark_failed"
    case blacklisted, tag, note, composer, composerTitle = "composer_title", overlay, overlayTitle = "overlay_title"
    case key, placeholder, notice, warning, newMarker = "new_marker"
}

/// A colour as a theme names it.
public enum ThemeColor: Equatable, Sendable, Hashable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// One of the 256 indexed colours (0–15 are the ANSI colours).
    case indexed(Int)
    /// A 24-bit colour, drawn exactly on truecolor terminals and approximated elsewhere.
    case rgb(UInt8, UInt8, UInt8)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses `default`, `red`, `bright-red`, `0`…`255` or `#rrggbb`.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "default" || t == "none" { self = .terminalDefault; return }
        if let i = ThemeColor.names.firstIndex(of: t) { self = .indexed(i); return }
        if t.hasPrefix("bright-"), let i = ThemeColor.names.firstIndex(of: String(t.dropFirst(7))) { self = .indexed(i + 8); return }
        if let n = Int(t), (0...255).contains(n) { self = .indexed(n); return }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            self = .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)); return
        }
        return nil
    }
}

/// How one role looks.
public struct StyleSpec: Equatable, Sendable, Hashable {
    public var fg = ThemeColor.terminalDefault
    public var bg = ThemeColor.terminalDefault
    public var bold = false
    public var dim = false
    public var italic = false
    public var underline = false
    public var reverse = false

    /// Creates a style.
    public init(fg: ThemeColor = .terminalDefault, bg: ThemeColor = .terminalDefault, bold: Bool = false, dim: Bool = false,
                italic: Bool = false, underline: Bool = false, reverse: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.dim = dim; self.italic = italic; self.underline = underline
        self.reverse = reverse
    }
}

/// A theme file failed to load: names the file and the line.
public struct ThemeError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// A set of styles for every ``StyleRole``.
///
/// ```toml
/// name = "default-dark"
/// [styles]
/// header = { fg = "#ffffff", bg = "#005f87", bold = true }
/// unread = { fg = "bright-white", bold = true }
/// ```
/// A role left out falls back to a sensible relative (`selected_focused` to `selected`,
/// everything to `normal`).
public struct Theme: Equatable, Sendable {
    public var name: String
    public var styles: [StyleRole: StyleSpec]

    /// The style of a role, with fallbacks.
    public func style(_ role: StyleRole) -> StyleSpec {
        if let spec = styles[role] { return spec }
        switch role {
        case .selectedFocused: return style(.selected)
        case .titleFocused: return style(.title)
        case .statusError, .statusLive: return style(.status)
        case .composerTitle, .overlayTitle: return style(.title)
        case .unreadCount: return style(.unread)
        case .newMarker, .warning: return style(.notice)
        default: return styles[.normal] ?? StyleSpec()
        }
    }

    /// Attributes only, no colours: what `NO_COLOR` and broken theme files fall back to.
    public static let plain = Theme(name: "plain", styles: [
        .header: StyleSpec(reverse: true), .status: StyleSpec(reverse: true), .selected: StyleSpec(reverse: true),
        .selectedFocused: StyleSpec(bold: true, reverse: true), .unread: StyleSpec(bold: true), .title: StyleSpec(bold: true),
        .titleFocused: StyleSpec(bold: true, underline: true), .dim: StyleSpec(dim: true), .timestamp: StyleSpec(dim: true),
        .markFailed: StyleSpec(bold: true), .blacklisted: StyleSpec(bold: true, reverse: true), .overlayTitle: StyleSpec(bold: true),
        .key: StyleSpec(bold: true), .placeholder: StyleSpec(dim: true), .author: StyleSpec(bold: true),
        .statusError: StyleSpec(bold: true, reverse: true), .newMarker: StyleSpec(reverse: true),
    ])

    /// This theme with every colour removed (for `NO_COLOR`).
    public var withoutColors: Theme {
        Theme(name: name, styles: styles.mapValues { spec in
            var s = spec
            s.fg = .terminalDefault; s.bg = .terminalDefault
            return s
        }.merging(Theme.plain.styles) { own, plain in
            own.bold || own.reverse || own.underline || own.dim ? own : plain
        })
    }

    /// Parses a theme file's text. `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ThemeError) -> Theme {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ThemeError(file: file, line: error.source.begin.line, message: error.description)
        } catch {
            throw ThemeError(file: file, line: nil, message: "\(error)")
        }
        let lines = text.components(separatedBy: "\n")
        func line(of key: String) -> Int? {
            let patterns = ["[styles.\(key)]", "\(key) =", "\(key)="]
            return lines.firstIndex { l in patterns.contains { l.trimmingCharacters(in: .whitespaces).hasPrefix($0) } }.map { $0 + 1 }
        }
        var theme = Theme(name: table["name"]?.string ?? (file as NSString).lastPathComponent.replacingOccurrences(of: ".toml", with: ""),
                          styles: [:])
        guard let styles = table["styles"]?.table else {
            throw ThemeError(file: file, line: nil, message: "missing [styles] table")
        }
        for key in styles.keys {
            guard let role = StyleRole(rawValue: key) else {
                throw ThemeError(file: file, line: line(of: key), message: "unknown style “\(key)” (known: \(StyleRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let entry = styles[key]?.table else {
                throw ThemeError(file: file, line: line(of: key), message: "style “\(key)” must be a table like { fg = \"red\" }")
            }
            var spec = StyleSpec()
            for field in entry.keys {
                let value = entry[field]
                switch field {
                case "fg", "bg":
                    guard let text = value?.string ?? value?.int.map(String.init), let color = ThemeColor(text) else {
                        throw ThemeError(file: file, line: line(of: key), message: "style “\(key)”: bad colour for \(field) (use default, red, bright-red, 0–255 or #rrggbb)")
                    }
                    if field == "fg" { spec.fg = color } else { spec.bg = color }
                case "bold", "dim", "italic", "underline", "reverse":
                    guard let flag = value?.bool else {
                        throw ThemeError(file: file, line: line(of: key), message: "style “\(key)”: \(field) must be true or false")
                    }
                    switch field {
                    case "bold": spec.bold = flag
                    case "dim": spec.dim = flag
                    case "italic": spec.italic = flag
                    case "underline": spec.underline = flag
                    default: spec.reverse = flag
                    }
                default:
                    throw ThemeError(file: file, line: line(of: key), message: "style “\(key)”: unknown attribute “\(field)”")
                }
            }
            theme.styles[role] = spec
        }
        return theme
    }
}

/// The themes of `themes/`, compiled into the binary by name (a new file there needs its line
/// here; `ThemeTests` checks that none is missing).
public enum ShippedThemes {
    /// Each theme's TOML text, by file name without `.toml`.
    public static let files: [String: String] = [
        "default-dark": PackageResources.default_dark_toml, "light": PackageResources.light_toml,
        "high-contrast": PackageResources.high_contrast_toml, "monochrome": PackageResources.monochrome_toml,
    ].mapValues { String(decoding: $0, as: UTF8.self) }
}

/// Finds themes by name: the user's files first, then the ones shipped in the binary.
public struct ThemeLibrary: Sendable {
    /// Folders of `NAME.toml` files, searched in order.
    public var directories: [String]
    /// Theme texts by name, used when no folder has the name: by default, `themes/` as built.
    public var shipped: [String: String]

    /// Creates a library over folders searched in order, then the shipped themes.
    public init(directories: [String], shipped: [String: String] = ShippedThemes.files) {
        self.directories = directories; self.shipped = shipped
    }

    /// A user's library: `$XDG_CONFIG_HOME/skylight/themes`, then the shipped themes.
    public static func standard(environment: [String: String]) -> ThemeLibrary {
        ThemeLibrary(directories: [XDG.configHome(environment) + "/skylight/themes"])
    }

    /// Names of the themes found, sorted.
    public var names: [String] {
        Set(shipped.keys).union(directories.flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }
        }).sorted()
    }

    /// Loads a theme by name (or path); errors name the file and line.
    public func load(_ name: String) throws(ThemeError) -> Theme {
        let candidates = name.contains("/") ? [name] : directories.map { "\($0)/\(name).toml" }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            if let text = shipped[name] { return try Theme.parse(text, file: "themes/\(name).toml") }
            let known = names
            throw ThemeError(file: "\(name).toml", line: nil,
                             message: "no such theme" + (known.isEmpty ? "" : " (available: \(known.joined(separator: ", ")))"))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ThemeError(file: path, line: nil, message: "cannot read the file")
        }
        return try Theme.parse(text, file: path)
    }
}

/// XDG base directories.
public enum XDG {
    static func home(_ env: [String: String]) -> String { env["HOME"] ?? NSHomeDirectory() }
    /// `$XDG_CONFIG_HOME` or `~/.config`.
    public static func configHome(_ env: [String: String]) -> String { env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home(env) + "/.config" }
    /// `$XDG_CACHE_HOME` or `~/.cache`.
    public static func cacheHome(_ env: [String: String]) -> String { env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home(env) + "/.cache" }
    /// `$XDG_STATE_HOME` or `~/.local/state`.
    public static func stateHome(_ env: [String: String]) -> String { env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home(env) + "/.local/state" }
}
