import Testing
@testable import Inbox
import SkyLight

struct CommandCompletionTests {
    func harness() -> Harness {
        var h = Harness()
        h.state.themeNames = ["default-dark", "high-contrast", "light", "monochrome"]
        h.send(.tagsLoaded([Tag(id: 1, title: "VIP"), Tag(id: 2, title: "Hot Lead"), Tag(id: 3, title: "High Value")]))
        h.send(.contactLoaded(Contact(id: 1, name: "Sarah", status: .active, tags: ["VIP"])))
        return h
    }

    /// Types `text` on the command line, presses Tab, and returns the line.
    func tab(_ h: inout Harness, _ text: String) -> String? {
        h.press(.char(":")); h.type(text); h.press(.tab)
        defer { h.press(.escape) }
        if case .command(let editor) = h.state.mode { return editor.text }
        return nil
    }

    @Test func tabCompletesNamesThenArguments() {
        var h = harness()
        #expect(tab(&h, "th") == "theme ")
        #expect(tab(&h, "theme l") == "theme light")
        #expect(tab(&h, "theme") == "theme ")         // whole: the space its argument needs
        #expect(tab(&h, "u") == "un")                 // unread, untag: as far as they agree
        #expect(tab(&h, "untag v") == "untag VIP")    // the contact's own tags, in their spelling
        #expect(tab(&h, "tag h") == "tag H")          // Hot Lead, High Value: not VIP, already on
        #expect(tab(&h, "tag ho") == "tag Hot Lead")
        #expect(tab(&h, "channel tel") == "channel telegram")
        #expect(tab(&h, "q") == "quit")
        #expect(tab(&h, "note call") == "note call")  // free text: Tab adds nothing
    }

    @Test func candidatesAreWhatTheStatusLineOffers() {
        let h = harness()
        #expect(CommandCompletion.candidates(for: "tag ", in: h.state) == ["High Value", "Hot Lead"])
        #expect(CommandCompletion.candidates(for: "theme ", in: h.state).count == 4)
        #expect(CommandCompletion.candidates(for: "zz", in: h.state).isEmpty)
    }
}
