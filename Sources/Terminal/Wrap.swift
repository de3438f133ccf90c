/// Word wrapping of sanitised text to a width in cells.
public enum Wrap {
    struct Key: Hashable { var text: String; var width: Int }
    /// Threads are drawn again on every frame: wrapped messages are remembered.
    static let cache = Memo<Key, [String]>(limit: 4096)

    /// Lines of at most `width` cells; words longer than a line are broken.
    public static func lines(_ text: String, width: Int) -> [String] {
        cache.value(for: Key(text: text, width: width)) { uncachedLines(text, width: width) }
    }

    /// A line of a message as the thread shows it: text, or a count standing for a run of blank lines.
    enum ShownLine: Equatable {
        case text(String)
        case blanks(Int)
    }

    /// Wrapped lines as the thread shows them: blank lines at either end dropped, and a run of
    /// more than two inside shown as one count, so a message of blank lines cannot push the
    /// conversation off the screen.
    static func collapsingBlankRuns(_ lines: [String]) -> [ShownLine] {
        func isBlank(_ line: String) -> Bool { line.allSatisfy { $0 == " " } }
        guard let first = lines.firstIndex(where: { !isBlank($0) }), let last = lines.lastIndex(where: { !isBlank($0) }) else { return [] }
        var shown: [ShownLine] = []
        var run = 0
        for line in lines[first...last] {
            if isBlank(line) { run += 1; continue }
            if run > 2 { shown.append(.blanks(run)) } else { shown += Array(repeating: .text(""), count: run) }
            run = 0
            shown.append(.text(line))
        }
        return shown
    }

    static func uncachedLines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var result: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            result += rows(of: paragraph, width: width).map(\.text)
        }
        return result
    }

    /// A row of a wrapped paragraph and the offset, in characters, of its first character.
    struct Row: Equatable {
        var text: String
        var start: Int
    }

    /// The rows of one paragraph (no line breaks) of at most `width` cells: words are kept
    /// whole unless longer than a row, and the space where a row breaks is not drawn.
    static func rows(of paragraph: Substring, width: Int) -> [Row] {
        guard width > 0 else { return [] }
        var rows: [Row] = []
        var line = ""
        var lineWidth = 0
        var lineStart = 0
        var offset = 0
        for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
            defer { offset += word.count + 1 }
            let w = TextWidth.width(of: String(word))
            if lineWidth > 0, lineWidth + 1 + w <= width {
                line += " " + word; lineWidth += 1 + w
                continue
            }
            if lineWidth > 0 { rows.append(Row(text: line, start: lineStart)); line = ""; lineWidth = 0; lineStart = offset }
            if w <= width { line = String(word); lineWidth = w; lineStart = offset; continue }
            var at = offset
            for g in word {
                let gw = TextWidth.width(of: g)
                if lineWidth + gw > width { rows.append(Row(text: line, start: lineStart)); line = ""; lineWidth = 0; lineStart = at }
                line.append(g); lineWidth += gw; at += 1
            }
        }
        rows.append(Row(text: line, start: lineStart))
        return rows
    }
}
