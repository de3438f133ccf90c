import Foundation
@testable import Terminal
import Testing

/// The folder replies are written in with `$EDITOR`: what it keeps after an editor is cut off,
/// and what it tidies away.
struct EditorFolderTests {
    /// A folder of its own under the temporary directory, removed by `remove()`.
    struct Scratch {
        let folder = EditorFolder(path: NSTemporaryDirectory() + "skylight-editor-folder-\(UUID().uuidString.prefix(8))/editing")
        func put(_ name: String, _ text: String = "") throws {
            try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
            try text.write(toFile: folder.path + "/" + name, atomically: false, encoding: .utf8)
        }
        func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() }
        func remove() { try? FileManager.default.removeItem(atPath: (folder.path as NSString).deletingLastPathComponent) }
    }

    @Test func eachContactHasOneFileAndItsEditorsRecoveryFilesAreFoundBesideIt() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        for name in ["reply-to-2.txt", ".reply-to-2.txt.swp", "reply-to-2.txt.save", "#reply-to-2.txt#",
                     "reply-to-28.txt", ".reply-to-28.txt.swp", "reply-to-12.txt", "notes.txt"] {
            try scratch.put(name)
        }
        #expect(scratch.folder.file(for: 2) == scratch.folder.path + "/reply-to-2.txt")
        #expect(scratch.folder.recoveryFiles(for: 2).map { ($0 as NSString).lastPathComponent }
                == ["#reply-to-2.txt#", ".reply-to-2.txt.swp", "reply-to-2.txt.save"])
        #expect(scratch.folder.recoveryFiles(for: 12).isEmpty)
        #expect(scratch.folder.contactsWithKeptText() == [2, 12, 28])
        #expect(EditorFolder(path: scratch.folder.path + "/none").contactsWithKeptText().isEmpty)
    }

    @Test func theDraftIsWrittenPrivatelyAndAKeptFileHoldingItIsLeftUntouched() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let file = try scratch.folder.prepare("Hello", for: 5)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "Hello")
        let folderMode = try FileManager.default.attributesOfItem(atPath: scratch.folder.path)[.posixPermissions] as? Int
        let fileMode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(folderMode == 0o700 && fileMode == 0o600)

        // Kept from an editor that saved "Hello" with its own line end: rewritten, it would look
        // newer than the editor's recovery data.
        try scratch.put("reply-to-5.txt", "Hello\n")
        let old = Date(timeIntervalSinceNow: -3600)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file)
        _ = try scratch.folder.prepare("Hello", for: 5)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "Hello\n")
        let stamp = try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date
        #expect(abs((stamp ?? .now).timeIntervalSince(old)) < 1)

        // A draft grown since is what the editor opens.
        _ = try scratch.folder.prepare("Hello again", for: 5)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "Hello again")

        // The inbox killed while the editor ran on: what the editor saved afterwards, and the
        // inbox never read, is not written over by the older draft.
        try scratch.put("reply-to-5.txt", "Hello again, your refund is on its way\n")
        _ = try scratch.folder.prepare("Hello again", for: 5)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "Hello again, your refund is on its way\n")

        // Both changed apart: both are there, the file's first.
        _ = try scratch.folder.prepare("A different start", for: 5)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "Hello again, your refund is on its way\n\nA different start")
    }

    /// nano (`NAME.save`) and emacs (`#NAME#`) leave the whole text as plain text, and do not
    /// offer it when the file is opened again: the inbox puts it in the file.
    @Test func textAnEditorLeftAsPlainTextIsWhatItOpensNext() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        try scratch.put("reply-to-7.txt", "Saved with ^O")
        try scratch.put("reply-to-7.txt.save", "Saved with ^O, then typed until the link dropped\n")
        let file = try scratch.folder.prepare("Saved with ^O", for: 7)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "Saved with ^O, then typed until the link dropped")

        // Of several, the newest; a vim swap beside them is not read as text.
        try scratch.put(".reply-to-7.txt.swp", "b0VIM binary")
        try scratch.put("#reply-to-7.txt#", "older auto-save")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -600)], ofItemAtPath: scratch.folder.path + "/#reply-to-7.txt#")
        try scratch.put("reply-to-7.txt.save.1", "second hang-up")
        #expect(scratch.folder.rescuedText(for: 7) == "second hang-up")
        #expect(scratch.folder.rescuedText(for: 8) == nil)

        // Opened and left without saving: the text is in the file, and from there in the draft;
        // the files that held it go. vim's swap waits for a save.
        let offered = scratch.folder.recoveryFiles(for: 7)
        scratch.folder.finish(contactID: 7, cleanExit: true, cutOff: false, saved: false, offered: offered)
        #expect(scratch.names() == [".reply-to-7.txt.swp", "reply-to-7.txt"])
        scratch.folder.finish(contactID: 7, cleanExit: true, cutOff: false, saved: true, offered: [scratch.folder.path + "/.reply-to-7.txt.swp"])
        #expect(scratch.names().isEmpty)
    }

    @Test func theFileGoesUnlessTheEditorWasCutOffOrLeftRecoveryData() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        _ = try scratch.folder.prepare("a", for: 1)
        scratch.folder.finish(contactID: 1, cleanExit: true, cutOff: false, saved: true, offered: [])
        #expect(scratch.names().isEmpty)

        // :cq, nothing left behind: nothing to recover.
        _ = try scratch.folder.prepare("a", for: 1)
        scratch.folder.finish(contactID: 1, cleanExit: false, cutOff: false, saved: false, offered: [])
        #expect(scratch.names().isEmpty)

        // The link dropped: kept, even with no recovery file here (neovim keeps its swap elsewhere).
        _ = try scratch.folder.prepare("a", for: 1)
        scratch.folder.finish(contactID: 1, cleanExit: false, cutOff: true, saved: false, offered: [])
        #expect(scratch.names() == ["reply-to-1.txt"])

        // A signal came, but the editor still ended well (the agent saved and quit): all is in the draft.
        scratch.folder.finish(contactID: 1, cleanExit: true, cutOff: true, saved: true, offered: [])
        #expect(scratch.names().isEmpty)

        // Ended with a swap file beside it: kept with it.
        _ = try scratch.folder.prepare("a", for: 1)
        try scratch.put(".reply-to-1.txt.swp", "unsaved")
        scratch.folder.finish(contactID: 1, cleanExit: false, cutOff: false, saved: false, offered: [])
        #expect(scratch.names() == [".reply-to-1.txt.swp", "reply-to-1.txt"])
    }

    @Test func aSaveAfterRecoveryWasOfferedSettlesIt() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        try scratch.put("reply-to-3.txt", "saved part")
        try scratch.put(".reply-to-3.txt.swp", "unsaved part")
        let offered = scratch.folder.recoveryFiles(for: 3)

        // Opened read-only and left: the recovery data stays for next time.
        scratch.folder.finish(contactID: 3, cleanExit: true, cutOff: false, saved: false, offered: offered)
        #expect(scratch.names() == [".reply-to-3.txt.swp", "reply-to-3.txt"])

        // Recovered and saved: nothing is left to offer.
        scratch.folder.finish(contactID: 3, cleanExit: true, cutOff: false, saved: true, offered: offered)
        #expect(scratch.names().isEmpty)
    }
}
