import Foundation
import MongoKit
import PlatformCore

extension EventAPI {
    func addReward(_ input: Operations.addReward.Input) async throws -> Operations.addReward.Output {
        let caller = try Caller.require([.operator, .admin])
        let id = try ObjectID(contractHex: input.path.id, field: "id")
        let body =
            switch input.body {
            case .json(let value): value
            }
        let now = clock.now()
        let reward = try RewardValidation.reward(body, now: now)
        guard let event = try await events.find(id) else { throw Self.eventNotFound }
        guard EventStatusMachine(event.status).acceptsRewards else { throw Self.eventCompleted }
        // The counter first: a crash before the reward is added leaves only an unused counter.
        if let units = reward.stock {
            try await stock.create(rewardID: reward.id, eventID: id, stock: units)
        }
        guard let stored = try await events.addReward(reward, to: id, at: now) else {
            try? await stock.delete(rewardID: reward.id)
            throw try await events.find(id) == nil ? Self.eventNotFound : Self.eventCompleted
        }
        await audit.record(
            actor: AuditRecorder.actor(caller), action: "reward.create",
            target: .init(type: "reward", id: reward.id.hex),
            before: RewardDocument?.none, after: reward, requestID: Caller.requestID)
        return .created(
            .init(body: .json(Components.Schemas.Reward(reward, eventID: stored.id, remaining: reward.stock))))
    }

    func listRewards(_ input: Operations.listRewards.Input) async throws -> Operations.listRewards.Output {
        let caller = try Caller.require([.user, .operator, .auditor, .admin])
        let event = try await visibleEvent(input.path.id, to: caller)
        return .ok(.init(body: .json(.init(items: try await rewardList(of: event)))))
    }

    static var eventCompleted: APIError {
        APIError(
            .conflict, message: "The event is COMPLETED.", details: ["status": .string(EventStatus.completed.rawValue)])
    }
}
