import Foundation

/// The private folder replies composed in `$EDITOR` are written in: one file per contact, kept
/// while an editor's unsaved text may need it.
///
/// The name of a contact's file does not change, and the file outlasts an editor cut off by a
/// dropped link. The editor's own recovery data (vim's `.reply-to-28.txt.swp`, nano's
/// `reply-to-28.txt.save`, emacs' `#reply-to-28.txt#`) is left beside it, or, for editors
/// that keep it in a folder of their own, is filed under that path; either way the next `E` on
/// that conversation opens the same path and the editor, or the inbox, offers it back.
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
    func file(for contactID: Int) -> String { path + "/" + Self.name(for: contactID) }

    /// The name of a contact's reply file.
    static func name(for contactID: Int) -> String { "reply-to-\(contactID).txt" }

    /// Files an editor left beside a contact's reply file: its recovery data.
    func recoveryFiles(for contactID: Int) -> [String] {
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

    /// The text an editor that writes its recovery data as plain text left at a hang-up: nano's
    /// `reply-to-28.txt.save` (`.save.1`, … when one was there already), emacs'
    /// `#reply-to-28.txt#`; the newest if several. Such editors do not offer it on opening
    /// the file again, so the inbox does. (vim's swap file is not text; vim reads it itself.)
    func rescuedText(for contactID: Int) -> String? {
        let plain = recoveryFiles(for: contactID).filter { Self.isPlainText($0, for: contactID) }
        return plain.max { (Self.modified($0) ?? .distantPast) < (Self.modified($1) ?? .distantPast) }.flatMap { FileManager.default.contents(atPath: $0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether a recovery file holds the editor's text as plain text (nano's, emacs').
    static func isPlainText(_ recoveryFile: String, for contactID: Int) -> Bool {
        let name = name(for: contactID), base = (recoveryFile as NSString).lastPathComponent
        return base.hasPrefix(name + ".save") || base == "#" + name + "#"
    }

    /// Creates the folder (mode 0700) and puts the draft in the contact's file. Returns the
    /// file's path.
    ///
    /// What a cut-off editor left is what it last had, which the inbox may never have read (it
    /// was killed first), while the draft may have grown since. Neither is lost: the kept text
    /// stays when it holds the draft (a kept file is then left untouched: rewritten, it would
    /// look newer than vim's swap), gives way to a draft that holds it, and otherwise the
    /// draft follows it after a blank line.
    func prepare(_ text: String, for contactID: Int) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = file(for: contactID)
        let rescued = rescuedText(for: contactID)
        var contents = text
        if let kept = (rescued ?? FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) }).map(Self.trimmed) {
            let draft = Self.trimmed(text)
            if kept.contains(draft) {
                if rescued == nil { return file }
                contents = kept
            } else if !draft.contains(kept) {
                contents = kept + "\n\n" + draft
            }
        }
        try? FileManager.default.removeItem(atPath: file)
        guard FileManager.default.createFile(atPath: file, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return file
    }

    /// Tidies up after the editor: the reply's file goes unless the editor was cut off (ended
    /// badly after a hang-up) or left recovery data. An editor that ends well settles the
    /// recovery data it was offered: plain text, already in the file it opened, goes; vim's
    /// swap goes once the file is saved (recovered, or written anew).
    ///
    /// - Parameters:
    ///   - cleanExit: the editor ended with status 0.
    ///   - cutOff: a hang-up or another ending signal came while the editor ran.
    ///   - saved: the editor wrote the file.
    ///   - offered: recovery files that were there before the editor started.
    func finish(contactID: Int, cleanExit: Bool, cutOff: Bool, saved: Bool, offered: [String]) {
        if cleanExit {
            for file in offered where saved || Self.isPlainText(file, for: contactID) { try? FileManager.default.removeItem(atPath: file) }
        }
        if (cutOff && !cleanExit) || !recoveryFiles(for: contactID).isEmpty { return }
        try? FileManager.default.removeItem(atPath: file(for: contactID))
    }

    /// When a file was last written, if it exists.
    static func modified(_ file: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date
    }

    /// The text without the line ends editors add after the last line.
    static func trimmed(_ text: String) -> String {
        var text = text
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
