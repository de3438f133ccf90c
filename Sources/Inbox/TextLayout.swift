/// Where the terminal draws the characters of a paragraph being written. The reducer asks it
/// so that Up and Down in the composer move by the rows the agent sees, not by lines of text.
public struct TextLayout: Sendable {
    /// A cell, counted from the paragraph's first row.
    public struct Position: Equatable, Sendable {
        public var row: Int
        public var column: Int

        /// Creates a position.
        public init(row: Int, column: Int) { self.row = row; self.column = column }
    }

    /// The place before each character of a paragraph (which holds no line break) and after
    /// its last, as the composer draws it in `state`: one more position than characters.
    public var positions: @Sendable (_ paragraph: ArraySlice<Character>, _ state: InboxState) -> [Position]

    /// Creates a layout from the terminal's measure.
    public init(positions: @escaping @Sendable (_ paragraph: ArraySlice<Character>, _ state: InboxState) -> [Position]) {
        self.positions = positions
    }

    /// A row per paragraph and a column per character: the layout a reducer assumes without a terminal.
    public static let unwrapped = TextLayout { paragraph, _ in (0...paragraph.count).map { Position(row: 0, column: $0) } }
}
