import Foundation
import MongoKit

/// Builds the one aggregation that evaluates all conditions of an event for one user, and
/// reads its result (DESIGN §5).
///
/// The pipeline is a leading `$match` on `userId`, the conditions' activity types and the
/// event window — served by the index `{userId: 1, type: 1, occurredAt: 1}` — followed by
/// one `$facet` with a sub-pipeline per condition, keyed `c0`, `c1`, … in the event's order.
enum ConditionPipeline {
    /// The most activity ids one condition reports (bounds the claim document).
    static let activityIDLimit = 1000

    /// The facet key of the condition at `index`.
    static func facetKey(_ index: Int) -> String { "c\(index)" }

    /// The sub-pipeline of one condition.
    static func stages(for condition: EventCondition, timezone: String) -> [BSONDocument] {
        switch condition {
        case .continuousLogin(let days):
            ContinuousLoginStages(days: days, timezone: timezone).stages
        case .friendInvite(let count):
            FriendInviteStages(count: count).stages
        case .custom(let rule):
            CustomConditionStages(rule: rule).stages
        }
    }

    /// The whole evaluation pipeline.
    /// - Parameters:
    ///   - userID: Whose activities.
    ///   - conditions: The event's conditions, in order.
    ///   - window: The event window `[start, end)`.
    ///   - timezone: The event's IANA timezone.
    static func pipeline(
        userID: ObjectID, conditions: [EventCondition], window: Range<Date>, timezone: String
    ) -> [BSONDocument] {
        var types: [String] = []
        for condition in conditions where !types.contains(condition.activityType) {
            types.append(condition.activityType)
        }
        let match: BSONDocument = [
            "userId": .objectID(userID),
            "type": ["$in": .array(types.map(BSON.string))],
            "occurredAt": ["$gte": .datetime(window.lowerBound), "$lt": .datetime(window.upperBound)],
        ]
        var facet = BSONDocument()
        for (index, condition) in conditions.enumerated() {
            facet.append(facetKey(index), .array(stages(for: condition, timezone: timezone).map(BSON.document)))
        }
        return [["$match": .document(match)], ["$facet": .document(facet)]]
    }

    /// Reads the `$facet` result: one outcome per condition, in order. A condition with no
    /// activity at all reports `current: 0`.
    static func outcomes(from result: BSONDocument?, conditions: [EventCondition]) -> [ConditionOutcome] {
        conditions.enumerated().map { index, condition in
            let row = result?[facetKey(index)]?.arrayValue?.first?.documentValue
            let current = row?["current"]?.doubleValue ?? 0
            let ids = row?["activityIds"]?.arrayValue?.compactMap(\.objectIDValue) ?? []
            let required = condition.required
            return ConditionOutcome(
                progress: ConditionProgress(
                    type: condition.typeName, current: current, required: required, met: current >= required),
                activityIDs: ids)
        }
    }
}

/// One condition's evaluation: its progress and the activities behind it.
struct ConditionOutcome: Sendable, Hashable {
    var progress: ConditionProgress
    var activityIDs: [ObjectID]
}

/// All conditions of an event evaluated for one user.
struct Evaluation: Sendable, Hashable {
    var outcomes: [ConditionOutcome]

    /// Whether every condition holds.
    var met: Bool { outcomes.allSatisfy(\.progress.met) }

    /// The snapshot stored with a claim.
    var progress: [ConditionProgress] { outcomes.map(\.progress) }

    /// The activities that met the conditions, without repeats, in condition order.
    var activityIDs: [ObjectID] {
        var seen = Set<ObjectID>()
        var ids: [ObjectID] = []
        for id in outcomes.flatMap(\.activityIDs) where seen.insert(id).inserted {
            ids.append(id)
        }
        return ids
    }
}
