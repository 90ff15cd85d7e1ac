public import Hummingbird

extension Router where Context == PlatformRequestContext {
    /// Adds the platform's middleware in its required order: `RequestIDMiddleware`, then
    /// `ErrorEnvelopeMiddleware`. Call it before adding any route: Hummingbird applies
    /// middleware only to routes added after it (and always to its not-found responder).
    /// - Returns: The router, for chaining.
    @discardableResult
    public func addPlatformMiddleware() -> Self {
        add(middleware: RequestIDMiddleware())
        add(middleware: ErrorEnvelopeMiddleware())
        return self
    }
}
