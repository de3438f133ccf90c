import Testing
@testable import Inbox

/// The order in which preview loads go out when the agent moves faster than the server answers.
struct PreviewQueueTests {
    static func row(_ id: Int) -> [Effect] { [.loadThread(contactID: id, page: 1), .loadContact(id), .loadNotes(id)] }

    @Test func theNewestRowGoesFirstAndItsLoadsInTheirOrder() {
        var queue = PreviewQueue()
        queue.running = PreviewQueue.atOnce  // the server is busy with earlier loads
        #expect(queue.add(Self.row(1), at: .now).skipped.isEmpty)
        #expect(queue.add(Self.row(2), at: .now).skipped.isEmpty)
        queue.running = 0
        var started: [Effect] = []
        while let load = queue.next(at: .now + .seconds(1)) { started.append(load) }
        #expect(started == Self.row(2) + [.loadThread(contactID: 1, page: 1)])
        #expect(queue.next(at: .now + .seconds(1)) == nil)  // four at once
        queue.running -= 1
        #expect(queue.next(at: .now + .seconds(1)) == .loadContact(1))
    }

    @Test func rowsPassedOverAreSkippedOncePastThreeRowsWaiting() {
        var queue = PreviewQueue()
        queue.running = PreviewQueue.atOnce
        var skipped: [Effect] = []
        for id in 1...5 { skipped += queue.add(Self.row(id), at: .now).skipped }
        #expect(skipped.count == 6 && (Self.row(1) + Self.row(2)).allSatisfy(skipped.contains))
        queue.running = 0
        #expect(queue.next(at: .now + .seconds(1)) == .loadThread(contactID: 5, page: 1))
    }

    @Test func aLoadAskedForAgainMovesToTheNewestBatch() {
        var queue = PreviewQueue()
        queue.running = PreviewQueue.atOnce
        _ = queue.add(Self.row(1), at: .now)
        _ = queue.add([.loadContact(2), .loadContact(1)], at: .now)
        #expect(queue.batches == [[.loadThread(contactID: 1, page: 1), .loadNotes(1)], [.loadContact(2), .loadContact(1)]])
    }

    @Test func loadsWaitWhileBatchesComeFasterThanTheyCanSettle() {
        var queue = PreviewQueue()
        let start = ContinuousClock.now
        #expect(queue.add(Self.row(1), at: start).startNow)
        #expect(!queue.add(Self.row(2), at: start + .milliseconds(30)).startNow)
        #expect(!queue.add(Self.row(3), at: start + .milliseconds(60)).startNow)
        // Nothing starts while they come, even when a load ends and makes room.
        #expect(queue.next(at: start + .milliseconds(100)) == nil)
        #expect(queue.next(at: start + .milliseconds(120)) == .loadThread(contactID: 3, page: 1))
        #expect(queue.add(Self.row(4), at: start + .milliseconds(200)).startNow)
    }

    /// Held down, j asks each time only for the row two below (the others were asked for as
    /// neighbours): the row stopped on goes first all the same.
    @Test func theRowLookedAtGoesFirstThoughAskedForEarlier() {
        var queue = PreviewQueue()
        queue.running = PreviewQueue.atOnce
        _ = queue.add(Self.row(3), at: .now)
        _ = queue.add(Self.row(4), at: .now)
        _ = queue.add(Self.row(5), at: .now, lookingAt: 3)
        queue.running = 0
        let later = ContinuousClock.now + .seconds(1)
        #expect([queue.next(at: later), queue.next(at: later), queue.next(at: later), queue.next(at: later)] == Self.row(3) + [.loadThread(contactID: 5, page: 1)])
    }

    @Test func onlyTheNewestPageOfAThreadIsAPreview() {
        #expect(Effect.loadThread(contactID: 1, page: 1).isPreviewLoad)
        #expect(!Effect.loadThread(contactID: 1, page: 2).isPreviewLoad)
        #expect(!Effect.loadTags.isPreviewLoad)
    }
}
