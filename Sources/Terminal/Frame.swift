import Synchronization
import Inbox

/// One cell of the screen: a grapheme (empty for the right half of a wide one) and a role.
///
/// A cell is two integers, so frames copy and compare without reference counting: a
/// one-scalar grapheme is stored as its scalar, a longer one (a base with combining marks)
/// by its number in ``GlyphTable``. The width rides along, so nobody measures it twice.
public struct Cell: Equatable, Sendable {
    /// Bits 0–20: the scalar or table number; 21–22: width; 23: from the table; 0 is empty.
    var code: UInt32
    public var role: StyleRole

    /// A cell showing `text` (nil: the right half of a wide grapheme).
    public init(text: Character?, role: StyleRole) {
        self.code = text.map(Cell.encode) ?? 0
        self.role = role
    }

    /// The grapheme, or nil for the right half of a wide one.
    public var text: Character? {
        if code == 0 { return nil }
        if code & Cell.tableBit != 0 { return GlyphTable.shared.grapheme(Int(code & Cell.valueMask)) }
        return Unicode.Scalar(code & Cell.valueMask).map(Character.init)
    }

    /// Display width: 0 for the right half of a wide grapheme, else 1 or 2.
    public var width: Int { Int((code >> 21) & 3) }

    /// A blank cell.
    public static let blank = Cell(text: " ", role: .normal)

    /// A blank cell of a role.
    public static func space(_ role: StyleRole) -> Cell { Cell(code: 0x20 | 1 << 21, role: role) }

    init(code: UInt32, role: StyleRole) { self.code = code; self.role = role }

    static let valueMask: UInt32 = 0x1F_FFFF
    static let tableBit: UInt32 = 1 << 23

    static func encode(_ grapheme: Character) -> UInt32 {
        let width = UInt32(TextWidth.width(of: grapheme)) << 21
        let scalars = grapheme.unicodeScalars
        if scalars.count == 1, let scalar = scalars.first { return scalar.value | width }
        return UInt32(GlyphTable.shared.number(for: grapheme)) | tableBit | width
    }
}

/// Numbers for graphemes of more than one scalar, shared by all frames so equal graphemes get
/// equal cells. Bounded: past the limit such graphemes show as U+FFFD (number 0).
public final class GlyphTable: Sendable {
    /// The table every frame uses.
    public static let shared = GlyphTable()
    static let limit = 1 << 16
    let state = Mutex<(numbers: [Character: Int], graphemes: [Character])>((["\u{FFFD}": 0], ["\u{FFFD}"]))

    func number(for grapheme: Character) -> Int {
        state.withLock { table in
            if let known = table.numbers[grapheme] { return known }
            guard table.graphemes.count < Self.limit else { return 0 }
            table.graphemes.append(grapheme)
            table.numbers[grapheme] = table.graphemes.count - 1
            return table.graphemes.count - 1
        }
    }

    func grapheme(_ number: Int) -> Character {
        state.withLock { $0.graphemes.indices.contains(number) ? $0.graphemes[number] : "\u{FFFD}" }
    }
}

/// A whole screen as a grid of cells: what a view produces, what snapshot tests read, and
/// what the screen diffs against the previous frame.
public struct Frame: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var cells: [Cell]
    /// Where the terminal cursor goes (shown only while typing).
    public var cursor: (x: Int, y: Int)?
    /// How far the selected conversation's panes are scrolled, as drawn: the loop hands this
    /// back to the reducer, which cannot know how many lines their text wraps to.
    public var shown: ShownScroll?

    /// A blank frame.
    public init(width: Int, height: Int, fill: StyleRole = .normal) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: .space(fill), count: self.width * self.height)
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
            if old.code == 0, newValue.code != 0, x > 0, cells[i - 1].width == 2 {
                cells[i - 1] = .space(cells[i - 1].role)
            }
            if old.width == 2, x + 1 < width, cells[i + 1].code == 0 {
                cells[i + 1] = .space(old.role)
            }
            cells[i] = newValue
        }
    }

    /// Copies a block of cells drawn elsewhere (`width` per row) to (x, y). The block must be
    /// whole: no wide grapheme cut at its edges.
    public mutating func copy(_ block: [Cell], x: Int, y: Int, width w: Int) {
        guard w > 0, x >= 0, x + w <= width else { return }
        for row in 0..<(block.count / w) where y + row >= 0 && y + row < height {
            let start = (y + row) * width + x
            cells.replaceSubrange(start..<(start + w), with: block[(row * w)..<((row + 1) * w)])
        }
    }

    /// Fills a rectangle with blanks of a role.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, role: StyleRole) {
        for row in max(0, y)..<min(height, y + h) {
            for col in max(0, x)..<min(width, x + w) { self[col, row] = .space(role) }
        }
    }

    /// Writes sanitised text from (x, y), clipped to `maxWidth` cells; a wide grapheme that
    /// would straddle the edge becomes a space. Returns the cells used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int, role: StyleRole) -> Int {
        guard y >= 0, y < height, maxWidth > 0 else { return 0 }
        let limit = min(width, x + maxWidth)
        var col = x
        // Text whose every scalar stands alone as a grapheme (ASCII, box drawing, punctuation,
        // most letters and CJK) is drawn a scalar at a time, without grapheme breaking.
        if text.unicodeScalars.allSatisfy({ TextWidth.standsAlone($0.value) }) {
            for scalar in text.unicodeScalars {
                let w = TextWidth.isWide(scalar.value) ? 2 : 1
                if col + w > limit {
                    if col < limit { self[col, y] = .space(role); col += 1 }
                    break
                }
                if col >= 0 {
                    self[col, y] = Cell(code: scalar.value | UInt32(w) << 21, role: role)
                    if w == 2 { self[col + 1, y] = Cell(code: 0, role: role) }
                }
                col += w
            }
            return col - x
        }
        return putGraphemes(text, x: x, y: y, limit: limit, role: role)
    }

    /// The general case of ``put(_:x:y:maxWidth:role:)``: a grapheme at a time.
    mutating func putGraphemes(_ text: String, x: Int, y: Int, limit: Int, role: StyleRole) -> Int {
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
        if text.utf8.count <= width || TextWidth.width(of: text) <= width { return text }
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
