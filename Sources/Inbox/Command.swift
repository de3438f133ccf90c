/// Everything a key can be bound to in the normal (not typing) mode.
public enum Command: String, CaseIterable, Sendable, Hashable {
    case moveDown = "move_down", moveUp = "move_up", pageDown = "page_down", pageUp = "page_up"
    case top, bottom
    case nextPane = "next_pane", previousPane = "previous_pane"
    case nextUnread = "next_unread", jumpBack = "jump_back"
    case unreadOnly = "unread_only", cycleChannel = "cycle_channel"
    case search, clearFilter = "clear_filter", commandLine = "command_line", redraw, suspend, quit
    case reply, replyInEditor = "reply_in_editor", tag, untag, blacklist, note
    case toggleSidebar = "toggle_sidebar", toggleRead = "toggle_read", resend, help

    /// One line for the help screen.
    public var summary: String {
        switch self {
        case .moveDown: "next conversation / scroll down"
        case .moveUp: "previous conversation / scroll up"
        case .pageDown: "page down"
        case .pageUp: "page up"
        case .top: "first conversation / first message (loads older ones)"
        case .bottom: "last conversation / newest message"
        case .nextPane: "focus the next pane (j/k then scroll the thread or sidebar)"
        case .previousPane: "focus the previous pane"
        case .nextUnread: "jump to the next unread conversation"
        case .jumpBack: "return to where you jumped from"
        case .unreadOnly: "show unread conversations only"
        case .cycleChannel: "filter by channel: all, WhatsApp, Telegram, Instagram"
        case .search: "filter conversations (server search + local match)"
        case .clearFilter: "show all conversations again (clears /, u and c)"
        case .commandLine: "command line (:theme NAME, :tag TITLE, :q …)"
        case .redraw: "redraw the screen"
        case .suspend: "suspend to the shell (fg comes back)"
        case .quit: "quit (asks first while replies wait in the outbox)"
        case .reply: "reply in the inline composer"
        case .replyInEditor: "compose the reply in $EDITOR"
        case .tag: "add a tag (a new title creates it)"
        case .untag: "remove one of the contact's tags"
        case .blacklist: "blacklist or unblacklist the contact (asks first)"
        case .note: "add a note to the contact"
        case .toggleSidebar: "show or hide the contact sidebar"
        case .toggleRead: "mark the conversation read / unread"
        case .resend: "resend the selected failed reply"
        case .help: "show this help"
        }
    }
}

/// Which key runs which command. Defaults follow vim and mutt habits; nothing destructive
/// sits on a key tmux or vim users press by reflex.
public struct KeyMap: Sendable, Equatable {
    public private(set) var bindings: [Key: Command] { didSet { hints = Self.hints(bindings, firstListed: firstListed) } }
    /// The key the agent listed first for a command in `[keys]`: the one hints name, while it
    /// still runs that command.
    private var firstListed: [Command: Key] = [:]
    /// Each command's hint key, worked out once: hints are drawn on every frame.
    private var hints: [Command: String] = [:]

    /// The default bindings.
    public static let standard = KeyMap(bindings: [
        .char("j"): .moveDown, .down: .moveDown, .char("k"): .moveUp, .up: .moveUp,
        .pageDown: .pageDown, .ctrl("d"): .pageDown, .pageUp: .pageUp, .ctrl("u"): .pageUp,
        .char("g"): .top, .home: .top, .char("G"): .bottom, .end: .bottom,
        .tab: .nextPane, .backTab: .previousPane,
        .char(" "): .nextUnread, .backspace: .jumpBack,
        .char("u"): .unreadOnly, .char("c"): .cycleChannel, .char("/"): .search, .escape: .clearFilter, .char(":"): .commandLine,
        .ctrl("l"): .redraw, .ctrl("z"): .suspend, .char("q"): .quit,
        .char("r"): .reply, .enter: .reply, .char("E"): .replyInEditor, .char("t"): .tag, .char("T"): .untag,
        .char("b"): .blacklist, .char("a"): .note, .char("i"): .toggleSidebar, .char("m"): .toggleRead,
        .char("R"): .resend, .char("?"): .help,
    ])

    /// Creates a key map from explicit bindings.
    public init(bindings: [Key: Command]) {
        self.bindings = bindings
        hints = Self.hints(bindings, firstListed: [:])
    }

    /// The key listed first for each command, else its shortest (`r` rather than `enter`).
    static func hints(_ bindings: [Key: Command], firstListed: [Command: Key]) -> [Command: String] {
        var hints: [Command: String] = [:]
        for (key, command) in bindings {
            let notation = key.notation
            if let current = hints[command], (current.count, current) <= (notation.count, notation) { continue }
            hints[command] = notation
        }
        for (command, key) in firstListed where bindings[key] == command { hints[command] = key.notation }
        return hints
    }

    /// The command bound to a key.
    public func command(for key: Key) -> Command? { bindings[key] }

    /// The keys bound to a command, in a stable order.
    public func keys(for command: Command) -> [Key] {
        bindings.filter { $0.value == command }.map(\.key).sorted { $0.notation < $1.notation }
    }

    /// The key a hint names for a command: the first listed in `[keys]`, else its shortest
    /// binding, or nil when it has none.
    ///
    ///     KeyMap.standard.hint(.reply)   // "r" (Enter replies too)
    public func hint(_ command: Command) -> String? { hints[command] }

    /// A hint's words around the key bound to `command`, or nothing when no key runs it: hints
    /// name the agent's own keys, not the defaults.
    ///
    ///     "Note kept" + keyMap.hint(.note) { " · \($0) to finish it" }   // "Note kept · a to finish it"
    public func hint(_ command: Command, _ words: (String) -> String) -> String {
        hint(command).map(words) ?? ""
    }

    /// Rebinds a command: its old keys go, the new ones take over from whatever they ran.
    public mutating func bind(_ command: Command, to keys: [Key]) {
        firstListed[command] = keys.first
        var rebound = bindings.filter { $0.value != command }
        for key in keys { rebound[key] = command }
        bindings = rebound
    }

    /// Help lines generated from the bindings: `keys — summary`, in command order.
    public var helpLines: [(keys: String, summary: String)] {
        Command.allCases.compactMap { command in
            let keys = self.keys(for: command)
            guard !keys.isEmpty else { return nil }
            return (keys.map(\.notation).joined(separator: " "), command.summary)
        }
    }
}
