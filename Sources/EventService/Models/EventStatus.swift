/// The lifecycle status of an event, stored and served by its name (`DRAFT`, …).
enum EventStatus: String, Codable, Sendable, CaseIterable, Hashable {
    case draft = "DRAFT"
    case active = "ACTIVE"
    case inactive = "INACTIVE"
    case completed = "COMPLETED"
}
