import NIOCore
import NIOEmbedded
import Testing

@testable import Gateway

/// `ExchangeTimeouts` keeps the handlers it watches in slots: every watched handler is
/// checked on each sweep, an unwatched one never again, whatever order they leave in.
@Suite struct ExchangeTimeoutsTests {
    /// A handler that counts its checks, and may leave when checked (as a finished exchange
    /// does).
    final class Owner: TimedExchangeOwner {
        let name: String
        var checks = 0
        var leavesWhenChecked = false
        var watchSlot: Int?
        weak var timeouts: ExchangeTimeouts?

        init(_ name: String) { self.name = name }

        func timeOutExchange(ifOverdueAt now: NIODeadline) {
            checks += 1
            if leavesWhenChecked { timeouts?.unwatch(self) }
        }
    }

    @Test func everyWatchedHandlerIsCheckedAndNoUnwatchedOne() {
        let loop = EmbeddedEventLoop()
        let timeouts = ExchangeTimeouts(eventLoop: loop, interval: .seconds(1))
        let owners = (0..<5).map { Owner("h\($0)") }
        for owner in owners {
            owner.timeouts = timeouts
            timeouts.watch(owner)
        }
        timeouts.watch(owners[0])  // twice: still one slot, one check a sweep
        timeouts.unwatch(owners[1])  // from the middle
        timeouts.unwatch(owners[4])  // the last
        timeouts.unwatch(owners[4])  // twice: nothing more
        loop.advanceTime(by: .seconds(1))
        #expect(owners.map(\.checks) == [1, 0, 1, 1, 0])

        // Leaving during a sweep (the first to be checked) skips no one.
        owners[0].leavesWhenChecked = true
        timeouts.watch(owners[1])  // back, into a freed slot
        loop.advanceTime(by: .seconds(1))
        #expect(owners.map(\.checks) == [2, 1, 2, 2, 0])
        loop.advanceTime(by: .seconds(1))
        #expect(owners.map(\.checks) == [2, 2, 3, 3, 0])
    }

    @Test func theSweepStopsWhenNothingIsWatchedAndStartsAgainOnTheNextWatch() {
        let loop = EmbeddedEventLoop()
        let timeouts = ExchangeTimeouts(eventLoop: loop, interval: .seconds(1))
        let owner = Owner("h")
        owner.timeouts = timeouts
        owner.leavesWhenChecked = true
        timeouts.watch(owner)
        loop.advanceTime(by: .seconds(1))
        loop.advanceTime(by: .seconds(5))
        #expect(owner.checks == 1)
        timeouts.watch(owner)
        loop.advanceTime(by: .seconds(1))
        #expect(owner.checks == 2)
    }
}
