import Foundation
import Testing
@testable import Terminal
import Inbox

/// Hostile text is normal input: every string of the Big List of Naughty Strings goes
/// through the sanitiser and into a frame without a control character or a moved border.
struct SanitizerTests {
    static let corpus: [String] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/corpora/blns/blns.json")
        guard let data = try? Data(contentsOf: url.standardized),
              let strings = try? JSONSerialization.jsonObject(with: data) as? [String] else { return [] }
        return strings
    }()

    @Test func corpusIsThere() {
        #expect(Self.corpus.count > 500)
    }

    @Test func nothingDangerousSurvives() {
        for raw in Self.corpus {
            for multiline in [false, true] {
                let clean = Sanitizer.clean(raw, multiline: multiline)
                for scalar in clean.unicodeScalars {
                    let v = scalar.value
                    #expect(!(v < 0x20 && !(multiline && v == 0x0A)), "control \(v) from \(raw.debugDescription)")
                    #expect(!(0x7F...0x9F).contains(v), "C1 \(v) from \(raw.debugDescription)")
                    #expect(!(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v), "bidi from \(raw.debugDescription)")
                    #expect(scalar.properties.generalCategory != .format, "format \(v) from \(raw.debugDescription)")
                }
                for grapheme in clean where grapheme != "\n" {
                    #expect([1, 2].contains(TextWidth.width(of: grapheme)), "width of \(grapheme.debugDescription)")
                }
            }
        }
    }

    @Test func bordersNeverMove() {
        for raw in Self.corpus {
            for width in [1, 2, 7, 30, 80] {
                var frame = Frame(width: width + 2, height: 1)
                frame[width + 1, 0] = Cell(text: "│", role: .border)
                frame[0, 0] = Cell(text: "│", role: .border)
                frame.put(Sanitizer.clean(raw), x: 1, y: 0, maxWidth: width, role: .normal)
                #expect(frame[0, 0].text == "│" && frame[width + 1, 0].text == "│", "\(raw.debugDescription) at \(width)")
                let used = (1...width).reduce(0) { total, x in total + (frame[x, 0].text.map(TextWidth.width(of:)) ?? 0) }
                #expect(used <= width)
            }
        }
    }

    /// The fast paths of `Frame.put` (printable ASCII, scalars that are graphemes of their
    /// own) draw exactly what breaking the text into graphemes draws.
    @Test func fastPathsDrawWhatGraphemesDraw() {
        let extra = ["plain", "│ box ─ rules ─│", "王静 박서연 عبدالله", "Grüße · naïve – “quotes” …", "👍🏽 e\u{301} 각 \u{1100}\u{1161}",
                     "✓✓ read", "abc\u{20D7}", String(repeating: "─", count: 90)]
        for raw in Self.corpus + extra {
            let text = Sanitizer.clean(raw)
            for width in [3, 12, 40] {
                var fast = Frame(width: width + 2, height: 1)
                var slow = fast
                let a = fast.put(text, x: 1, y: 0, maxWidth: width, role: .inbound)
                let b = slow.putGraphemes(text, x: 1, y: 0, limit: width + 1, role: .inbound)
                #expect(a == b && fast == slow, "\(raw.debugDescription) at \(width)")
            }
        }
    }

    @Test func escapeSequencesCollapse() {
        #expect(Sanitizer.clean("Roses are \u{1B}[0;31mred\u{1B}[0m!") == "Roses are ␛red␛!")
        #expect(Sanitizer.clean("\u{1B}]0;pwned\u{07}Eve") == "␛Eve")
        #expect(Sanitizer.clean("\u{1B}]52;c;ZXZpbA==\u{1B}\\copy") == "␛copy")
        #expect(Sanitizer.clean("\u{1B}P1$r0m\u{1B}\\x") == "␛x")
        #expect(Sanitizer.clean("\u{1B}_apc payload\u{1B}\\y") == "␛y")
        #expect(Sanitizer.clean("\u{9B}2J\u{9D}0;t\u{9C}z") == "␛z")
        #expect(Sanitizer.clean("bell\u{07}nul\u{00}") == "bell\u{FFFD}nul\u{FFFD}")
        #expect(!Sanitizer.clean("\u{1B}[6n\u{1B}[21t").contains("\u{1B}"))
    }

    @Test func layoutCharactersGo() {
        #expect(Sanitizer.clean("Zoë \u{202E}gnp.exe") == "Zoë gnp.exe")
        #expect(Sanitizer.clean("a\u{200B}b\u{2066}c\u{2069}\u{FEFF}d\u{00AD}e") == "abcde")
        #expect(Sanitizer.clean("tab\there") == "tab    here")
        #expect(Sanitizer.clean("two\nlines") == "two ⏎ lines")
        // On one line (a list snippet), a run of breaks is one mark, and none leads.
        #expect(Sanitizer.clean("a\n\n\n\n\nb") == "a ⏎ b")
        #expect(Sanitizer.clean("a  \r\n \r\n\r\nb") == "a ⏎ b")
        #expect(Sanitizer.clean(String(repeating: "\n", count: 2000) + "end") == "end")
        #expect(Sanitizer.clean("two\r\nlines", multiline: true) == "two\nlines")
    }

    @Test func emojiBecomeOneGlyphOfKnownWidth() {
        #expect(Sanitizer.clean("👍🏽") == "👍")
        #expect(Sanitizer.clean("👩‍👩‍👧‍👦") == "👩")
        #expect(Sanitizer.clean("❤️") == "❤")
        #expect(TextWidth.width(of: Sanitizer.clean("❤️")) == 1)
        #expect(Sanitizer.clean("🇸🇦") == "SA")
        #expect(TextWidth.width(of: "🎉") == 2 && TextWidth.width(of: "日本") == 4 && TextWidth.width(of: "مرحبا") == 5)
        let zalgo = Sanitizer.clean("Z̤͔ͧ̑̓ä͖̭̈̇")
        #expect(zalgo.count == 2 && zalgo.unicodeScalars.count <= 10)
        #expect(Sanitizer.clean("\u{0301}x") == "x")
    }

    @Test func truncationKeepsWidth() {
        #expect(Frame.truncate("日本語テキスト", to: 7) == "日本語…")
        #expect(TextWidth.width(of: Frame.truncate("日本語テキスト", to: 6)) <= 6)
        #expect(Frame.truncate("short", to: 10) == "short")
    }
}
