import Inbox

/// One cell of the screen: a grapheme (empty for the right half of a wide one) and a role.
public struct Cell: Equatable, Sendable {
    public var text: Character?
    public var role: StyleRole

    /// A blank cell.
    public static let blank = Cell(text: " ", role: .normal)
}

/// A whole screen as a grid of cells: what a view produces, what snapshot tests read, and
/// what the screen diffs against the previous frame.
public struct Frame: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var cells: [Cell]
    /// Where the terminal cursor goes (shown only while typing).
    public var cursor: (x: Int, y: Int)?

    /// A blank frame.
    public init(width: Int, height: Int, fill: StyleRole = .normal) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: Cell(text: " ", role: fill), count: self.width * self.height)
    }

    public static func == (a: Frame, b: Frame) -> Bool {
        a.width == b.width && a.height == b.height && a.cells == b.cells && a.cursor?.x == b.cursor?.x && a.cursor?.y == b.cursor?.y
    }

    /// A cell. Setting one never leaves half of a wide grapheme behind: the other half of
    /// any wide grapheme it overlaps becomes a blank.
    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            let i = y * width + x
            let old = cells[i]
            if old.text == nil, newValue.text != nil, x > 0, cells[i - 1].text.map(TextWidth.width(of:)) == 2 {
                cells[i - 1] = Cell(text: " ", role: cells[i - 1].role)
            }
            if let text = old.text, TextWidth.width(of: text) == 2, x + 1 < width, cells[i + 1].text == nil {
                cells[i + 1] = Cell(text: " ", role: old.role)
            }
            cells[i] = newValue
        }
    }

    /// Fills a rectangle with blanks of a role.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, role: StyleRole) {
        for row in max(0, y)..<min(height, y + h) {
            for col in max(0, x)..<min(width, x + w) { self[col, row] = Cell(text: " ", role: role) }
        }
    }

    /// Writes sanitised text from (x, y), clipped to `maxWidth` cells; a wide grapheme that
    /// would straddle the edge becomes a space. Returns the cells used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int, role: StyleRole) -> Int {
        guard y >= 0, y < height, maxWidth > 0 else { return 0 }
        let limit = min(width, x + maxWidth)
        var col = x
        for grapheme in text {
            let w = TextWidth.width(of: grapheme)
            if w == 0 { continue }
            if col + w > limit {
                if col < limit { self[col, y] = Cell(text: " ", role: role); col += 1 }
                break
            }
            if col >= 0 {
                self[col, y] = Cell(text: grapheme, role: role)
                if w == 2 { self[col + 1, y] = Cell(text: nil, role: role) }
            }
            col += w
        }
        return col - x
    }

    /// Writes text, cutting it with `…` when it does not fit, and pads the rest with blanks.
    public mutating func putPadded(_ text: String, x: Int, y: Int, width w: Int, role: StyleRole) {
        fill(x: x, y: y, width: w, height: 1, role: role)
        put(Frame.truncate(text, to: w), x: x, y: y, maxWidth: w, role: role)
    }

    /// Text cut to fit `width` cells, ending in `…` when cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if TextWidth.width(of: text) <= width { return text }
        var out = ""
        var used = 0
        for g in text {
            let w = TextWidth.width(of: g)
            if used + w > width - 1 { break }
            out.append(g); used += w
        }
        return out + "…"
    }

    /// The frame as plain text, one line per row (wide graphemes once), for tests.
    public var text: String {
        (0..<height).map { row in
            String((0..<width).compactMap { self[$0, row].text })
        }.joined(separator: "\n")
    }

    /// One row as text.
    public func row(_ y: Int) -> String { String((0..<width).compactMap { self[$0, y].text }) }
}
