import NIOCore

/// A client connection's idle timer, for the handler that sees its traffic: the handler
/// marks activity (a flag, no clock read), and the watch looks every `timeout` and closes
/// the connection when none was marked since its last look and the connection is owed
/// nothing — so a silent connection is closed between one and two `timeout`s after its
/// last activity. One scheduled task per connection and `timeout`; event-loop bound.
final class IdleWatch {
    /// How long a look waits.
    private let timeout: TimeAmount
    /// Set by the owner on activity; cleared at each look.
    var sawActivity = false
    private var check: Scheduled<Void>?
    private var isBusy: (() -> Bool)?

    /// - Parameter timeout: How long the connection may stay silent.
    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// Starts looking, unless it already does.
    /// - Parameters:
    ///   - context: The owner's context, closed when the connection is found idle.
    ///   - isBusy: Whether the connection is owed an answer (then it is never idle).
    func start(context: ChannelHandlerContext, isBusy: @escaping () -> Bool) {
        guard check == nil else { return }
        self.isBusy = isBusy
        lookLater(context: context)
    }

    /// Schedules the next look: closes the connection if nothing was marked since this one
    /// and it is owed nothing, else looks again.
    private func lookLater(context: ChannelHandlerContext) {
        sawActivity = false
        check = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            check = nil
            if sawActivity || isBusy?() == true {
                lookLater(context: context)
            } else {
                stop()
                context.close(promise: nil)
            }
        }
    }

    /// Stops looking (the owner leaves the pipeline, or the connection closed).
    func stop() {
        check?.cancel()
        check = nil
        isBusy = nil
    }
}
