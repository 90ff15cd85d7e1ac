import PlatformCore

/// The event service's paged lists.
extension PageCursor.Kind {
    static let events = Self("ev")
    static let claims = Self("cl")
    static let auditLogs = Self("au")
}
