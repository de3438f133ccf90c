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
    ///
    /// Past its first minute, an age is counted in minutes of the clock, as the thread's `14:05`
    /// is: every label in the list moves on together when the minute turns, so a quiet inbox
    /// redraws once a minute at most, not once for each row at the second its message came.
    public func relative(_ t: Timestamp?, now: Timestamp) -> String {
        guard let t else { return "" }
        if now.seconds(since: t) < 60 { return "now" }
        let minutes = Self.minute(of: now) - Self.minute(of: t)
        if minutes < 60 { return "\(minutes)m" }
        if minutes < 24 * 60 { return "\(minutes / 60)h" }
        if minutes < 7 * 24 * 60 { return "\(minutes / (24 * 60))d" }
        let c = t.components(offsetSeconds: offset(at: t))
        return "\(Self.months[c.month - 1]) \(c.day)"
    }

    /// The minute of the clock `t` falls in, counted from 1970.
    static func minute(of t: Timestamp) -> Int64 {
        let s = t.epochSeconds
        return s >= 0 ? s / 60 : (s - 59) / 60
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
