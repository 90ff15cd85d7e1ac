import MongoKit
import PlatformCore

extension EventAPI {
    /// One read of the event plus one aggregation (DESIGN §10).
    func getProgress(_ input: Operations.getProgress.Input) async throws -> Operations.getProgress.Output {
        let caller = try Caller.require([.user])
        let userID = try Caller.userID(caller)
        let id = try ObjectID(contractHex: input.path.id, field: "id")
        guard let event = try await events.find(id), EventStatusMachine(event.status).isVisibleToUsers else {
            throw Self.eventNotFound
        }
        let evaluation = try await evaluator.evaluate(event, userID: userID)
        return .ok(
            .init(
                body: .json(
                    .init(
                        eventId: event.id.hex, userId: userID.hex, met: evaluation.met,
                        conditions: evaluation.progress.map(Components.Schemas.ConditionProgress.init)))))
    }
}
