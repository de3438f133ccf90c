/// What Tab completes on the `:` command line: a command's name, then its argument (a theme, a
/// tag, a channel), from what the inbox knows.
///
///     :th<Tab>        → :theme
///     :theme l<Tab>   → :theme light
///     :untag v<Tab>   → :untag VIP      (the selected contact's tags)
public enum CommandCompletion {
    /// The commands the line understands, by their full names, and whether each takes an argument.
    static let commands = ["channel": true, "help": false, "messages": false, "note": true, "quit": false, "reload": false, "search": true,
                           "sidebar": false, "tag": true, "theme": true, "unread": false, "untag": true]

    /// The words that could stand for the last word of `line`, best first.
    public static func candidates(for line: String, in state: InboxState) -> [String] {
        let (name, argument) = split(line)
        guard let argument else { return commands.keys.filter { $0.hasPrefix(name.lowercased()) }.sorted() }
        let contactTags = state.selectedID.flatMap { state.contacts[$0]?.tags } ?? []
        let choices: [String] = switch name {
        case "theme": state.themeNames
        case "channel": ["all", "whatsapp", "telegram", "instagram"]
        case "untag": contactTags
        case "tag":
            // Tags the contact already has are no use here.
            state.tags.compactMap(\.title).filter { title in !contactTags.contains { $0.caseInsensitiveCompare(title) == .orderedSame } }
        default: []
        }
        return choices.filter { $0.lowercased().hasPrefix(argument.lowercased()) }.sorted { $0.lowercased() < $1.lowercased() }
    }

    /// `line` with its last word completed as far as every candidate agrees, or nil when Tab
    /// would add nothing. A single command name gets the space its argument needs.
    public static func complete(_ line: String, in state: InboxState) -> String? {
        let found = candidates(for: line, in: state)
        guard let first = found.first else { return nil }
        let (name, argument) = split(line)
        var common = first
        for other in found.dropFirst() {
            let shared = zip(common.lowercased(), other.lowercased()).prefix { $0 == $1 }.count
            common = String(common.prefix(shared))
        }
        let completed = argument == nil
            ? common + (found.count == 1 && commands[common] == true ? " " : "")
            : name + " " + common
        return completed == line ? nil : completed
    }

    /// The command's name and, once a space follows it, the argument typed so far.
    static func split(_ line: String) -> (name: String, argument: String?) {
        let trimmed = String(line.drop { $0.isWhitespace })
        guard let space = trimmed.firstIndex(where: \.isWhitespace) else { return (trimmed, nil) }
        return (String(trimmed[..<space]).lowercased(), String(trimmed[space...].drop { $0.isWhitespace }))
    }
}
