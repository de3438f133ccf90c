import Foundation
import Inbox
import SkyLight

/// The pure view: inbox state in, a frame out. No terminal, no I/O.
public struct InboxView: Sendable {
    public var time: TimeFormat
    public var reducer: Reducer
    /// List rows already drawn, by everything they show: moving the selection redraws two.
    let rowCache = Memo<RowKey, [Cell]>(limit: 1024)
    /// Thread panes already drawn: the selection's and its neighbours'.
    let threadBodies = Memo<ThreadBodyKey, ThreadBody>(limit: 8)

    /// Creates a view rendering times at a UTC offset.
    public init(time: TimeFormat = TimeFormat(offset: 0), reducer: Reducer = Reducer()) {
        self.time = time; self.reducer = reducer
    }

    /// Renders the whole screen.
    public func render(_ state: InboxState, width: Int, height: Int) -> Frame {
        let layout = Layout(width: width, height: height, sidebar: state.sidebarShown)
        var frame = Frame(width: width, height: height)
        if layout.tooSmall {
            renderTooSmall(state, &frame)
            return frame
        }
        renderHeader(state, &frame)
        for column in layout.separators {
            for row in layout.list.y..<layout.list.maxY { frame[column, row] = Cell(text: "│", role: .border) }
        }
        renderList(state, layout.list, &frame)
        renderThread(state, layout.thread, &frame)
        if let sidebar = layout.sidebar { renderSidebar(state, sidebar, &frame) }
        renderStatus(state, &frame)
        renderOverlay(state, &frame)
        return frame
    }

    func renderTooSmall(_ state: InboxState, _ frame: inout Frame) {
        var lines = ["Terminal too small: \(frame.width)×\(frame.height)",
                     "SkyLight Inbox needs at least \(Layout.minimumWidth)×\(Layout.minimumHeight).",
                     "Enlarge the window" + reducer.keyMap.hint(.quit) { ", or press \($0) to quit" } + "."]
        // A question asked before the window shrank (q with replies unsent) still needs its answer.
        if case .confirm(let confirmation) = state.mode {
            lines = [lines[0]] + Wrap.lines(Sanitizer.clean(confirmation.question), width: max(8, frame.width - 2)) + ["y yes · n no"]
        }
        let top = max(0, frame.height / 2 - 1)
        for (i, line) in lines.enumerated() where top + i < frame.height {
            let text = Frame.truncate(line, to: frame.width)
            frame.put(text, x: max(0, (frame.width - TextWidth.width(of: text)) / 2), y: top + i, maxWidth: frame.width,
                      role: i == 0 ? .warning : .normal)
        }
    }
}
