/// The lifecycle of an event as a pure value (DESIGN §4): DRAFT→ACTIVE, ACTIVE⇄INACTIVE,
/// ACTIVE/INACTIVE→COMPLETED; nothing else. It knows nothing of storage; the handlers
/// store what it decides with a write conditional on the status it started from.
struct EventStatusMachine: Sendable, Equatable {
    /// What asking for a new status leads to.
    enum Outcome: Sendable, Equatable {
        /// The move is allowed; the event is now in this status.
        case moved(from: EventStatus, to: EventStatus)
        /// The move is not allowed; `allowed` are the statuses reachable from the current one.
        case invalid(current: EventStatus, allowed: [EventStatus])
    }

    /// The current status.
    private(set) var status: EventStatus

    init(_ status: EventStatus) {
        self.status = status
    }

    /// The statuses reachable from the current one, in a fixed order.
    var allowedTargets: [EventStatus] {
        switch status {
        case .draft: [.active]
        case .active: [.inactive, .completed]
        case .inactive: [.active, .completed]
        case .completed: []
        }
    }

    /// Moves to `target` when allowed.
    mutating func move(to target: EventStatus) -> Outcome {
        let allowed = allowedTargets
        guard allowed.contains(target) else {
            return .invalid(current: status, allowed: allowed)
        }
        let from = status
        status = target
        return .moved(from: from, to: target)
    }

    /// Whether the event may be edited (PATCH): only while DRAFT or INACTIVE.
    var isEditable: Bool {
        switch status {
        case .draft, .inactive: true
        case .active, .completed: false
        }
    }

    /// Whether rewards may still be added: not once COMPLETED.
    var acceptsRewards: Bool {
        switch status {
        case .draft, .active, .inactive: true
        case .completed: false
        }
    }

    /// Whether users may claim (the window is checked separately).
    var isClaimable: Bool {
        switch status {
        case .active: true
        case .draft, .inactive, .completed: false
        }
    }

    /// Whether a caller without a staff role may see the event.
    var isVisibleToUsers: Bool {
        switch status {
        case .draft: false
        case .active, .inactive, .completed: true
        }
    }
}
