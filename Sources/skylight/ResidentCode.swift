import Foundation

/// Keeps the inbox's resident set to the code it runs.
///
/// The executable and the Swift libraries hold about 40 MB of machine code. On a page fault
/// in a file mapping, Linux maps up to 64 KB around the page ("fault-around"), so code touched
/// here and there across that much text made most of the inbox's resident set. Marking the
/// code mappings random-access turns fault-around off for them, and dropping them once after
/// start-up lets only the code the main loop uses come back, a 4 KB page at a time.
///
/// Only read-only executable mappings of files are touched: their pages are never written, so
/// dropping them loses nothing and they are read back from the page cache when needed.
enum ResidentCode {
    /// Turns fault-around off for the code mappings.
    static func limitFaultAround() { forEachCodeMapping { madvise($0, $1, MADV_RANDOM) } }

    /// Lets go of code pages (start-up code, argument parsing) until they are used again.
    static func trim() { forEachCodeMapping { madvise($0, $1, MADV_DONTNEED) } }

    static func forEachCodeMapping(_ body: (UnsafeMutableRawPointer, Int) -> Int32) {
        #if os(Linux)
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // address perms offset dev inode path: only file-backed r-xp text.
            guard fields.count >= 6, fields[1] == "r-xp", fields[5].hasPrefix("/") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                  let pointer = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            _ = body(pointer, Int(end - start))
        }
        #endif
    }
}
