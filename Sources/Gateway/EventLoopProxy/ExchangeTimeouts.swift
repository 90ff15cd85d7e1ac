import NIOCore

/// A connection handler whose exchange `ExchangeTimeouts` watches.
protocol TimedExchangeOwner: AnyObject {
    /// Fails the exchange with 504 if it is overdue at `now`; unwatches when it is over.
    func timeOutExchange(ifOverdueAt now: NIODeadline)
    /// Where `ExchangeTimeouts` keeps the handler while it is watched (`nil` otherwise);
    /// set by the registry only.
    var watchSlot: Int? { get set }
}

/// The read timeouts and deadlines of one event loop's proxied exchanges, checked by one
/// task that runs every `interval` while any exchange is in flight — instead of a timer
/// scheduled and cancelled per request. An exchange times out between its limit and one
/// interval after it. Lives on its event loop; every method must be called there.
final class ExchangeTimeouts {
    let eventLoop: any EventLoop
    let interval: TimeAmount
    /// The watched handlers; each knows its position (`watchSlot`), so watching and
    /// unwatching are a few stores, with no hashing on a request's path.
    private var watched: [any TimedExchangeOwner] = []
    private var isSweeping = false

    init(eventLoop: any EventLoop, interval: TimeAmount) {
        self.eventLoop = eventLoop
        self.interval = interval
    }

    /// Checks `handler`'s exchange on every sweep until `unwatch`.
    func watch(_ handler: any TimedExchangeOwner) {
        if handler.watchSlot == nil {
            handler.watchSlot = watched.count
            watched.append(handler)
        }
        guard !isSweeping else { return }
        isSweeping = true
        scheduleSweep()
    }

    func unwatch(_ handler: any TimedExchangeOwner) {
        guard let slot = handler.watchSlot else { return }
        handler.watchSlot = nil
        // The last handler takes the freed slot.
        let last = watched.removeLast()
        if slot < watched.count {
            watched[slot] = last
            last.watchSlot = slot
        }
    }

    private func scheduleSweep() {
        // The sweep holds the registry until it stops (no exchange left): a weak capture
        // would make every retain of it take the runtime's slow path.
        eventLoop.assumeIsolated().scheduleTask(in: interval) { self.sweep() }
    }

    private func sweep() {
        let now = NIODeadline.now()
        // Timing out unwatches: the loop goes over the handlers watched when it began.
        for handler in watched {
            handler.timeOutExchange(ifOverdueAt: now)
        }
        if watched.isEmpty {
            isSweeping = false
        } else {
            scheduleSweep()
        }
    }
}
