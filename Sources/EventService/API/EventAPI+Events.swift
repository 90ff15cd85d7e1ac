import Foundation
import MongoKit
import PlatformCore

extension EventAPI {
    func createEvent(_ input: Operations.createEvent.Input) async throws -> Operations.createEvent.Output {
        let caller = try Caller.require([.operator, .admin])
        let body =
            switch input.body {
            case .json(let value): value
            }
        try EventValidation.title(body.title)
        let description = body.description ?? ""
        try EventValidation.description(description)
        try EventValidation.window(startAt: body.startAt, endAt: body.endAt)
        let timezone = body.timezone ?? "UTC"
        try EventValidation.timezone(timezone)
        let conditions = try EventValidation.conditions(body.conditions)
        let now = clock.now()
        let event = EventDocument(
            id: ObjectID(), title: body.title, description: description, startAt: body.startAt, endAt: body.endAt,
            timezone: timezone, status: .draft, conditions: conditions, rewards: [], createdBy: caller.subject,
            createdAt: now, updatedAt: now)
        try await events.insert(event)
        await audit.record(
            actor: AuditRecorder.actor(caller), action: "event.create", target: .init(type: "event", id: event.id.hex),
            before: EventDocument?.none, after: event, requestID: Caller.requestID)
        return .created(.init(body: .json(Components.Schemas.Event(event))))
    }

    func listEvents(_ input: Operations.listEvents.Input) async throws -> Operations.listEvents.Output {
        let caller = try Caller.require([.user, .operator, .auditor, .admin])
        let limit = try RequestValidation.limit(input.query.limit)
        let after = try PageCursor.decode(input.query.cursor, kind: .events)
        var filter = BSONDocument()
        if let status = input.query.status {
            if !caller.isStaff && status == .DRAFT {
                return .ok(.init(body: .json(.init(items: [], nextCursor: nil))))
            }
            filter.append("status", .string(status.rawValue))
        } else if !caller.isStaff {
            filter.append("status", ["$ne": .string(EventStatus.draft.rawValue)])
        }
        if let activeAt = input.query.activeAt {
            filter.append("startAt", ["$lte": .datetime(activeAt)])
            filter.append("endAt", ["$gt": .datetime(activeAt)])
        }
        let page = try await PageCursor.page(.events, limit: limit, id: \EventDocument.id) { count in
            try await events.list(filter: filter, after: after, limit: count)
        }
        return .ok(
            .init(body: .json(.init(items: page.items.map { Components.Schemas.Event($0) }, nextCursor: page.next))))
    }

    func getEvent(_ input: Operations.getEvent.Input) async throws -> Operations.getEvent.Output {
        let caller = try Caller.require([.user, .operator, .auditor, .admin])
        let event = try await visibleEvent(input.path.id, to: caller)
        let rewards = try await rewardList(of: event)
        return .ok(.init(body: .json(Components.Schemas.Event(event, rewards: rewards))))
    }

    func updateEvent(_ input: Operations.updateEvent.Input) async throws -> Operations.updateEvent.Output {
        let caller = try Caller.require([.operator, .admin])
        let id = try ObjectID(contractHex: input.path.id, field: "id")
        let body =
            switch input.body {
            case .json(let value): value
            }
        guard
            body.title != nil || body.description != nil || body.startAt != nil || body.endAt != nil
                || body.timezone != nil || body.conditions != nil
        else {
            throw APIError(.validationFailed, message: "Give at least one field to change.")
        }
        guard let event = try await events.find(id) else { throw Self.eventNotFound }
        guard EventStatusMachine(event.status).isEditable else {
            throw APIError(
                .conflict, message: "Only DRAFT and INACTIVE events can be edited.",
                details: ["status": .string(event.status.rawValue)])
        }
        var changed = event
        if let title = body.title {
            try EventValidation.title(title)
            changed.title = title
        }
        if let description = body.description {
            try EventValidation.description(description)
            changed.description = description
        }
        if let timezone = body.timezone {
            try EventValidation.timezone(timezone)
            changed.timezone = timezone
        }
        if let conditions = body.conditions {
            changed.conditions = try EventValidation.conditions(conditions)
        }
        changed.startAt = body.startAt ?? event.startAt
        changed.endAt = body.endAt ?? event.endAt
        try EventValidation.window(startAt: changed.startAt, endAt: changed.endAt)
        let now = clock.now()
        if event.status == .inactive {
            if body.endAt != nil && changed.endAt <= now {
                throw APIError(.businessRule, message: "An INACTIVE event's endAt cannot move into the past.")
            }
            if changed.conditions != event.conditions, try await claims.hasGrants(eventID: id) {
                throw APIError(.businessRule, message: "Conditions cannot change once claims were granted.")
            }
        }
        changed.updatedAt = now
        guard let stored = try await events.update(changed, readAs: event) else {
            throw APIError(.conflict, message: "The event changed meanwhile; read it again.")
        }
        await audit.record(
            actor: AuditRecorder.actor(caller), action: "event.update", target: .init(type: "event", id: id.hex),
            before: event, after: stored, requestID: Caller.requestID)
        return .ok(.init(body: .json(Components.Schemas.Event(stored))))
    }

    func changeEventStatus(
        _ input: Operations.changeEventStatus.Input
    ) async throws
        -> Operations.changeEventStatus.Output
    {
        let caller = try Caller.require([.operator, .admin])
        let id = try ObjectID(contractHex: input.path.id, field: "id")
        let body =
            switch input.body {
            case .json(let value): value
            }
        guard let event = try await events.find(id) else { throw Self.eventNotFound }
        let target = EventStatus(body.status)
        var machine = EventStatusMachine(event.status)
        if case .invalid(let current, let allowed) = machine.move(to: target) {
            throw APIError(
                .invalidTransition,
                details: [
                    "current": .string(current.rawValue), "requested": .string(target.rawValue),
                    "allowed": .array(allowed.map { .string($0.rawValue) }),
                ])
        }
        let now = clock.now()
        if target == .active {
            guard !event.rewards.isEmpty else {
                throw APIError(.businessRule, message: "An event needs at least one reward to become ACTIVE.")
            }
            guard event.endAt > now else {
                throw APIError(.businessRule, message: "An event whose endAt has passed cannot become ACTIVE.")
            }
        }
        guard let stored = try await events.setStatus(id, from: event.status, to: target, at: now) else {
            throw APIError(.conflict, message: "The event changed meanwhile; read it again.")
        }
        await audit.record(
            actor: AuditRecorder.actor(caller), action: "event.status", target: .init(type: "event", id: id.hex),
            before: event, after: stored, requestID: Caller.requestID)
        return .ok(.init(body: .json(Components.Schemas.Event(stored))))
    }

    static var eventNotFound: APIError { APIError(.notFound, message: "The event was not found.") }

    /// The event `id`, unless it is missing or a DRAFT the caller may not see (both 404).
    func visibleEvent(_ id: String, to caller: CallerIdentity) async throws -> EventDocument {
        let objectID = try ObjectID(contractHex: id, field: "id")
        guard let event = try await events.find(objectID),
            caller.isStaff || EventStatusMachine(event.status).isVisibleToUsers
        else { throw Self.eventNotFound }
        return event
    }

    /// The rewards of `event` with their remaining stock.
    func rewardList(of event: EventDocument) async throws -> [Components.Schemas.Reward] {
        let remaining = event.rewards.contains { $0.stock != nil } ? try await stock.remaining(eventID: event.id) : [:]
        return event.rewards.map { Components.Schemas.Reward($0, eventID: event.id, remaining: remaining[$0.id]) }
    }
}
