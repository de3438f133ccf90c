import Foundation

/// The private folder replies composed in `$EDITOR` are written in: one file per contact, kept
/// while an editor's unsaved text may need it.
///
/// The name of a contact's file does not change, and the file outlasts an editor cut off by a
/// dropped link. The editor's own recovery data (vim's `.reply-to-28.txt.swp`, nano's
/// `reply-to-28.txt.save`, emacs' `#reply-to-28.txt#`) is left beside it, or kept by the
/// editor under that path (neovim), so the next `E` on that conversation finds it and offers
/// to recover.
///
///     let folder = EditorFolder(path: "~/.local/state/skylight/editing/ab12cd34")
///     folder.file(for: 28)            // "…/editing/ab12cd34/reply-to-28.txt"
///     folder.contactsWithKeptText()   // [28] after vim was cut off writing to contact 28
public struct EditorFolder: Sendable {
    /// The folder; created, private to the agent, when an editor is first opened.
    public let path: String

    /// Names the folder; nothing is created until an editor opens.
    public init(path: String) { self.path = path }

    /// The file a reply to this contact is written in.
    public func file(for contactID: Int) -> String { path + "/" + Self.name(for: contactID) }

    static func name(for contactID: Int) -> String { "reply-to-\(contactID).txt" }

    /// Files an editor left beside a contact's reply file: its recovery data.
    public func recoveryFiles(for contactID: Int) -> [String] {
        let name = Self.name(for: contactID)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0 != name && $0.contains(name) }.sorted().map { path + "/" + $0 }
    }

    /// Contacts whose reply file was kept because an editor ended before the agent was done
    /// with it, in order.
    public func contactsWithKeptText() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("reply-to-"), name.hasSuffix(".txt") else { return nil }
            return Int(name.dropFirst("reply-to-".count).dropLast(".txt".count))
        }.sorted()
    }

    /// Creates the folder (mode 0700) and puts the draft in the contact's file. Returns the
    /// file's path.
    ///
    /// A file kept from an editor that was cut off is what it last saved, which the inbox may
    /// never have read (it was killed first), while the draft may have grown since. Neither is
    /// lost: the file stays as it is when it holds the draft (rewritten, it would look newer
    /// than the editor's recovery data), gives way to a draft that holds it, and otherwise
    /// the draft follows it after a blank line.
    func prepare(_ text: String, for contactID: Int) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = file(for: contactID)
        var contents = text
        if let data = FileManager.default.contents(atPath: file) {
            let kept = Self.trimmed(String(decoding: data, as: UTF8.self)), draft = Self.trimmed(text)
            if kept.contains(draft) { return file }
            if !draft.contains(kept) { contents = kept + "\n\n" + draft }
        }
        try? FileManager.default.removeItem(atPath: file)
        guard FileManager.default.createFile(atPath: file, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return file
    }

    /// Tidies up after the editor: the reply's file goes unless the editor was cut off (ended
    /// badly after a hang-up) or left recovery data. A save after recovery data was offered settles that data: it goes too.
    ///
    /// - Parameters:
    ///   - cleanExit: the editor ended with status 0.
    ///   - cutOff: a hang-up or another ending signal came while the editor ran.
    ///   - saved: the editor wrote the file.
    ///   - offered: recovery files that were there before the editor started.
    func finish(contactID: Int, cleanExit: Bool, cutOff: Bool, saved: Bool, offered: [String]) {
        if cleanExit && saved { for file in offered { try? FileManager.default.removeItem(atPath: file) } }
        if (cutOff && !cleanExit) || !recoveryFiles(for: contactID).isEmpty { return }
        try? FileManager.default.removeItem(atPath: file(for: contactID))
    }

    /// The text without the line ends editors add after the last line.
    static func trimmed(_ text: String) -> String {
        var text = text
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
