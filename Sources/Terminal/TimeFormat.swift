import Foundation
import SkyLight

/// Short human times for lists and threads, in the terminal's time zone.
///
/// A message is shown at the offset its own moment had: one written before a change to or
/// from daylight-saving time keeps the hour it was written at, and a session that runs across
/// the change follows it.
public struct TimeFormat: Sendable {
    /// A UTC offset and the moment (seconds since 1970) it starts.
    struct Span: Sendable { var start: Int64; var offset: Int }
    /// Oldest first; the first also covers everything before it, the last everything after.
    let spans: [Span]

    /// Creates a formatter for one fixed UTC offset, in seconds east of UTC.
    public init(offset: Int) { spans = [Span(start: .min, offset: offset)] }

    /// Creates a formatter that follows `zone`'s offsets for the years around `now`.
    ///
    /// ```swift
    /// let format = TimeFormat(zone: .current)  // honours TZ
    /// ```
    public init(zone: TimeZone, around now: Date = Date()) {
        var moment = now.addingTimeInterval(-3 * 365 * 86_400)
        let end = now.addingTimeInterval(2 * 365 * 86_400)
        var spans = [Span(start: .min, offset: zone.secondsFromGMT(for: moment))]
        while let change = zone.nextDaylightSavingTimeTransition(after: moment), change < end {
            spans.append(Span(start: Int64(change.timeIntervalSince1970.rounded(.down)), offset: zone.secondsFromGMT(for: change)))
            moment = change
        }
        self.spans = spans
    }

    /// The offset in effect at `t`, in seconds east of UTC.
    public func offset(at t: Timestamp) -> Int {
        let seconds = t.epochSeconds
        var low = 0, high = spans.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if spans[middle].start <= seconds { low = middle } else { high = middle - 1 }
        }
        return spans[low].offset
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// `now`, `5m`, `3h`, `2d`, or `Mar 4`: at most 6 cells.
    public func relative(_ t: Timestamp?, now: Timestamp) -> String {
        guard let t else { return "" }
        let seconds = now.seconds(since: t)
        if seconds < 60 { return "now" }
        if seconds < 3600 { return "\(Int(seconds / 60))m" }
        if seconds < 86_400 { return "\(Int(seconds / 3600))h" }
        if seconds < 7 * 86_400 { return "\(Int(seconds / 86_400))d" }
        let c = t.components(offsetSeconds: offset(at: t))
        return "\(Self.months[c.month - 1]) \(c.day)"
    }

    /// `14:05`.
    public func clock(_ t: Timestamp) -> String {
        let c = t.components(offsetSeconds: offset(at: t))
        return (c.hour < 10 ? "0" : "") + "\(c.hour):" + (c.minute < 10 ? "0" : "") + "\(c.minute)"
    }

    /// `Tue 3 Mar 2026`.
    public func day(_ t: Timestamp) -> String {
        let c = t.components(offsetSeconds: offset(at: t))
        return "\(Self.weekdays[c.weekday]) \(c.day) \(Self.months[c.month - 1]) \(c.year)"
    }

    /// A key that changes at local midnight.
    public func dayNumber(_ t: Timestamp) -> Int64 {
        let s = t.epochSeconds + Int64(offset(at: t))
        return s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
    }
}
