/// The reference's daily-limit table, and the small-campaign cap.
///
/// | day | normal | new number |
/// |-----|--------|------------|
/// | 1   | 35     | 20         |
/// | 3   | 65     | 40         |
/// | 5   | 65     | 60         |
/// | 7+  | 120    | 90         |
/// | 14+ | 200    | 200        |
///
/// A day between two rows uses the last row at or below it (day 2 is day 1's limit).
public enum CampaignSchedule {
    static let rows: [(day: Int, normal: Int, newNumber: Int)] = [
        (1, 35, 20), (3, 65, 40), (5, 65, 60), (7, 120, 90), (14, 200, 200),
    ]

    /// The table's limit for a campaign day (1-based).
    public static func tableLimit(day: Int, isNewNumber: Bool) -> Int {
        let row = rows.last { $0.day <= max(1, day) } ?? rows[0]
        return isNewNumber ? row.newNumber : row.normal
    }

    /// The day's limit: the table's, capped at ⌈total / 3⌉ so a small campaign takes about three days.
    public static func dailyLimit(day: Int, isNewNumber: Bool, totalContacts: Int) -> Int {
        min(tableLimit(day: day, isNewNumber: isNewNumber), (max(0, totalContacts) + 2) / 3)
    }
}
