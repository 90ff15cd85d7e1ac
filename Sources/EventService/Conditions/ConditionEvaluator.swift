import Foundation
import MongoKit

/// Evaluates an event's conditions for a user with exactly one `aggregate` command.
struct ConditionEvaluator: Sendable {
    let activities: MongoCollection<BSONDocument>

    /// The user's progress on every condition of `event`.
    /// - Throws: `MongoError` when the aggregation fails.
    func evaluate(_ event: EventDocument, userID: ObjectID) async throws -> Evaluation {
        let pipeline = ConditionPipeline.pipeline(
            userID: userID, conditions: event.conditions, window: event.startAt..<max(event.startAt, event.endAt),
            timezone: event.timezone)
        let result = try await activities.aggregate(pipeline).toArray().first
        return Evaluation(outcomes: ConditionPipeline.outcomes(from: result, conditions: event.conditions))
    }
}
