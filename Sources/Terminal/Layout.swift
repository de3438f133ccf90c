import Inbox

/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
}

/// Where each pane goes for a terminal size.
public struct Layout: Equatable, Sendable {
    /// The smallest terminal the inbox draws in; smaller gets a notice.
    public static let minimumWidth = 80
    public static let minimumHeight = 24
    /// The width from which the sidebar shows without being asked.
    public static let sidebarAutoWidth = 120

    public var width: Int
    public var height: Int
    public var list: Rect
    public var thread: Rect
    public var sidebar: Rect?
    /// Columns of the vertical separators between panes.
    public var separators: [Int]

    public var tooSmall: Bool { width < Layout.minimumWidth || height < Layout.minimumHeight }

    /// Conversations the list shows at once (two rows each, under a title row).
    public var listItems: Int { max(1, (list.height - 1) / 2) }

    /// Computes the layout.
    public init(width: Int, height: Int, sidebar showSidebar: Bool) {
        self.width = width; self.height = height
        let paneHeight = max(0, height - 2)
        var listWidth = min(44, max(28, width * 30 / 100))
        var sidebarWidth = showSidebar ? min(40, max(26, width / 4)) : 0
        if showSidebar, width - listWidth - sidebarWidth - 2 < 36 {
            listWidth = max(24, (width - 2) * 30 / 100)
            sidebarWidth = max(22, (width - 2) * 28 / 100)
        }
        let threadWidth = max(0, width - listWidth - 1 - (showSidebar ? sidebarWidth + 1 : 0))
        list = Rect(x: 0, y: 1, width: listWidth, height: paneHeight)
        thread = Rect(x: listWidth + 1, y: 1, width: threadWidth, height: paneHeight)
        separators = [listWidth]
        if showSidebar {
            separators.append(listWidth + 1 + threadWidth)
            sidebar = Rect(x: listWidth + 1 + threadWidth + 1, y: 1, width: sidebarWidth, height: paneHeight)
        } else {
            sidebar = nil
        }
    }
}
