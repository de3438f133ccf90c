/// An editable text with a cursor, counted in grapheme clusters (so an emoji or an accented
/// letter moves and deletes as one).
public struct LineEditor: Equatable, Sendable {
    public private(set) var characters: [Character]
    /// The insertion point, 0...characters.count.
    public private(set) var cursor: Int
    /// Whether Enter-like keys may insert line breaks (composer, note) or not (search, command).
    public let multiline: Bool
    /// The column Up and Down keep to across shorter rows; any other key forgets it.
    var goalColumn: Int?

    /// Creates an editor holding `text` with the cursor at its end.
    public init(_ text: String = "", multiline: Bool = false) {
        characters = Array(text)
        cursor = characters.count
        self.multiline = multiline
    }

    /// The text, built from each character's UTF-8: joining `Character`s one by one checks
    /// every boundary for graphemes, several times slower, and this runs on every key.
    public var text: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count)
        for character in characters { bytes.append(contentsOf: character.utf8) }
        return String(decoding: bytes, as: UTF8.self)
    }
    public var isEmpty: Bool { characters.isEmpty }

    /// What the key did.
    public enum Outcome: Equatable, Sendable { case edited, moved, submit, cancel, ignored }

    /// Applies an editing key.
    public mutating func handle(_ key: Key) -> Outcome {
        goalColumn = nil
        switch key {
        case .char(let c): insert(c); return .edited
        case .paste(let text):
            let plain = Self.plain(text)
            insert(multiline ? plain : plain.replacingOccurrences(of: "\n", with: " "))
            return .edited
        case .ctrl("j"), .altEnter:
            if multiline { insert("\n"); return .edited }
            return .submit
        case .enter: return .submit
        case .escape, .ctrl("c"), .ctrl("g"): return .cancel
        case .backspace, .ctrl("h"):
            guard cursor > 0 else { return .ignored }
            characters.remove(at: cursor - 1); cursor -= 1; regroupAtCursor(); return .edited
        case .delete, .ctrl("d"):
            guard cursor < characters.count else { return .ignored }
            characters.remove(at: cursor); regroupAtCursor(); return .edited
        case .left, .ctrl("b"): cursor = max(0, cursor - 1); return .moved
        case .right, .ctrl("f"): cursor = min(characters.count, cursor + 1); return .moved
        case .home, .ctrl("a"): cursor = lineStart(of: cursor); return .moved
        case .end, .ctrl("e"): cursor = lineEnd(of: cursor); return .moved
        case .ctrl("u"):
            let start = lineStart(of: cursor)
            characters.removeSubrange(start..<cursor); cursor = start; regroupAtCursor(); return .edited
        case .ctrl("k"):
            let end = lineEnd(of: cursor)
            characters.removeSubrange(cursor..<end); regroupAtCursor(); return .edited
        case .ctrl("w"), .alt("\u{7F}"):
            let start = wordStart(before: cursor)
            characters.removeSubrange(start..<cursor); cursor = start; regroupAtCursor(); return .edited
        case .alt("d"):
            let end = wordEnd(after: cursor)
            guard end > cursor else { return .ignored }
            characters.removeSubrange(cursor..<end); regroupAtCursor(); return .edited
        case .alt("b"): cursor = wordStart(before: cursor); return .moved
        case .alt("f"): cursor = wordEnd(after: cursor); return .moved
        default: return .ignored
        }
    }

    /// Moves the cursor to the row above or below, as `place` lays out each paragraph, at the
    /// column it started from or the nearest before it.
    public mutating func moveRow(down: Bool, placing place: (ArraySlice<Character>) -> [TextLayout.Position]) -> Outcome {
        guard multiline else { return .ignored }
        let start = lineStart(of: cursor), end = lineEnd(of: cursor)
        let here = place(characters[start..<end])
        guard here.count == end - start + 1 else { return .ignored }
        let row = here[cursor - start].row
        let goal = goalColumn ?? here[cursor - start].column
        let target: (start: Int, positions: [TextLayout.Position], row: Int)
        if !down, row > 0 {
            target = (start, here, row - 1)
        } else if !down {
            guard start > 0 else { return .ignored }
            let above = lineStart(of: start - 1)
            let positions = place(characters[above..<start - 1])
            target = (above, positions, positions.last?.row ?? 0)
        } else if row < here[here.count - 1].row {
            target = (start, here, row + 1)
        } else {
            guard end < characters.count else { return .ignored }
            target = (end + 1, place(characters[(end + 1)..<lineEnd(of: end + 1)]), 0)
        }
        let onRow = target.positions.indices.filter { target.positions[$0].row == target.row }
        guard let first = onRow.first else { return .ignored }
        cursor = target.start + (onRow.last { target.positions[$0].column <= goal } ?? first)
        goalColumn = goal
        return .moved
    }

    /// Moves the cursor to the start or the end of its row as `place` lays out the paragraph
    /// (Home and End in a wrapped reply; C-a and C-e keep to the paragraph, as in a shell).
    public mutating func moveToRowEdge(end toEnd: Bool, placing place: (ArraySlice<Character>) -> [TextLayout.Position]) -> Outcome {
        let start = lineStart(of: cursor), end = lineEnd(of: cursor)
        let here = place(characters[start..<end])
        guard multiline, here.count == end - start + 1 else { return handle(toEnd ? .end : .home) }
        let row = here[cursor - start].row
        let onRow = here.indices.filter { here[$0].row == row }
        guard let first = onRow.first, let last = onRow.last else { return .ignored }
        // A wrapped row ends at its last character, where the line broke; the last row at the paragraph's end.
        cursor = start + (toEnd ? last : first)
        goalColumn = nil
        return .moved
    }

    /// Inserts text at the cursor (typing, or a paste), in one move however long it is.
    public mutating func insert(_ text: String) {
        let start = cursor
        let pieces = text.compactMap { c -> Character? in
            if c == "\n" || c == "\r\n" || c == "\r" { return multiline ? "\n" : nil }
            return c
        }
        characters.insert(contentsOf: pieces, at: cursor)
        cursor += pieces.count
        regroup(from: start)
    }

    mutating func insert(_ c: Character) { insert(String(c)) }

    /// Makes every element one grapheme again after an edit between `start` and the cursor,
    /// keeping the cursor after the same text.
    ///
    /// A terminal sends a joined emoji, a skin tone or a decomposed accent one scalar at a
    /// time; kept apart, the pieces would take invisible cursor steps and backspaces. A deletion
    /// can join what it leaves on either side the same way.
    ///
    /// Only the edit and one character either side are regrouped: the characters beyond are
    /// whole graphemes already, and regrouping the whole text made every key in a long reply
    /// written in Arabic or Korean cost as much as the reply.
    private mutating func regroup(from start: Int) {
        let from = max(0, start - 1), to = min(characters.count, cursor + 1)
        // Typing plain text, the common case, joins nothing.
        if characters[from..<to].allSatisfy(\.isASCII) { return }
        let head = String(characters[from..<cursor])
        let regrouped = Array(head + String(characters[cursor..<to]))
        guard !regrouped.elementsEqual(characters[from..<to]) else { return }
        let headScalars = head.unicodeScalars.count
        var seen = 0
        var index = 0
        while index < regrouped.count, seen < headScalars {
            seen += regrouped[index].unicodeScalars.count
            index += 1
        }
        characters.replaceSubrange(from..<to, with: regrouped)
        cursor = from + index
    }

    private mutating func regroupAtCursor() { regroup(from: cursor) }

    /// Where the word before `index` starts (readline's M-b, C-w).
    func wordStart(before index: Int) -> Int {
        var i = index
        while i > 0, characters[i - 1].isWhitespace { i -= 1 }
        while i > 0, !characters[i - 1].isWhitespace { i -= 1 }
        return i
    }

    /// Where the word after `index` ends (readline's M-f, M-d).
    func wordEnd(after index: Int) -> Int {
        var i = index
        while i < characters.count, characters[i].isWhitespace { i += 1 }
        while i < characters.count, !characters[i].isWhitespace { i += 1 }
        return i
    }

    func lineStart(of index: Int) -> Int {
        var i = index
        while i > 0, characters[i - 1] != "\n" { i -= 1 }
        return i
    }

    func lineEnd(of index: Int) -> Int {
        var i = index
        while i < characters.count, characters[i] != "\n" { i += 1 }
        return i
    }
}
