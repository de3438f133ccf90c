import Inbox

/// A paragraph of a reply or note as the composer draws it. Each character is made safe on
/// its own, so the cursor has a place before every character of the draft, then the paragraph
/// is wrapped by words like a message.
enum ComposerText {
    /// The rows drawn and the place before each character (and after the last).
    struct Placed {
        var rows: [String]
        var positions: [TextLayout.Position]
    }

    /// Places a paragraph (no line breaks) in rows of `width` cells.
    static func place(_ paragraph: ArraySlice<Character>, width: Int) -> Placed {
        // Where each character of the draft starts in the text drawn.
        var shown = ""
        var shownOffsets: [Int] = []
        shownOffsets.reserveCapacity(paragraph.count + 1)
        var count = 0
        for character in paragraph {
            shownOffsets.append(count)
            if let ascii = character.asciiValue, (0x20..<0x7F).contains(ascii) {
                shown.append(character); count += 1
            } else {
                let safe = Sanitizer.clean(String(character), multiline: false, tabWidth: 4)
                shown += safe; count += safe.count
            }
        }
        shownOffsets.append(count)
        let rows = Wrap.rows(of: Substring(shown), width: width)
        // Walks the rows once: each offset's row is the last that starts at or before it.
        var positions: [TextLayout.Position] = []
        positions.reserveCapacity(shownOffsets.count)
        var row = 0
        var rowCharacters = Array(rows[0].text)
        var column = 0, counted = 0
        for offset in shownOffsets {
            while row + 1 < rows.count, rows[row + 1].start <= offset {
                row += 1; rowCharacters = Array(rows[row].text); column = 0; counted = 0
            }
            let within = min(offset - rows[row].start, rowCharacters.count)
            while counted < within { column += TextWidth.width(of: rowCharacters[counted]); counted += 1 }
            positions.append(TextLayout.Position(row: row, column: column))
        }
        return Placed(rows: rows.map(\.text), positions: positions)
    }

    struct Key: Hashable { var paragraph: String; var width: Int }
    /// The paragraphs around the cursor are drawn again on every key: their rows are remembered.
    static let cache = Memo<Key, [String]>(limit: 512)

    /// The rows of a paragraph the cursor is not in.
    static func rows(_ paragraph: ArraySlice<Character>, width: Int) -> [String] {
        cache.value(for: Key(paragraph: String(paragraph), width: width)) { place(paragraph, width: width).rows }
    }
}

extension TextLayout {
    /// The composer as this terminal draws it: the reducer's Up and Down follow its rows.
    public static let composer = TextLayout { paragraph, state in
        let pane = Layout(width: state.width, height: Layout.minimumHeight, sidebar: state.sidebarShown).thread.width
        return ComposerText.place(paragraph, width: InboxView.composerTextWidth(paneWidth: pane)).positions
    }
}
