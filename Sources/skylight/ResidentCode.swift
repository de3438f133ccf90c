import Foundation

/// Keeps the inbox's resident set to what the main loop uses.
///
/// The executable holds tens of megabytes of machine code (the Swift runtime, Foundation,
/// the HTTP client, the sandbox). On a page fault in a file mapping Linux maps up to 64 KB
/// around the page ("fault-around"), so start-up code touched here and there across that much
/// text stays resident: about 9 MB of the inbox's resident set. Dropping the code mappings
/// once after start-up lets only the code the main loop runs come back, and giving freed heap
/// back to the system returns what start-up allocated and let go.
///
/// Only read-only executable mappings of files are dropped: their pages are never written, so
/// dropping them loses nothing and they are read back from the page cache when needed.
enum ResidentCode {
    /// Lets go of start-up code (argument parsing, configuration, the first cache read) and
    /// of freed heap, until used again.
    static func trim() {
        forEachCodeMapping { madvise($0, $1, MADV_DONTNEED) }
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
    }

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

#if os(Linux)
/// glibc's `malloc_trim` (in <malloc.h>, which the Glibc module leaves out).
@_silgen_name("malloc_trim") private func malloc_trim(_ pad: Int) -> Int32
#endif
