import MongoKit

/// The `$facet` sub-pipeline of a CUSTOM condition, compiled from its typed rule.
///
/// The operator's input appears only as values: the activity type in an equality, the
/// attribute name through `$getField` with a `$literal` field, the threshold as a number.
/// No operator-supplied pipeline text, `$where` or `$function` ever reaches MongoDB.
/// `sum` and `max` ignore activities whose attribute is missing or not a number.
///
/// Output: at most one document `{current: <aggregate>, activityIds: [...]}`.
struct CustomConditionStages: Sendable {
    let rule: CustomRule

    var stages: [BSONDocument] {
        var stages: [BSONDocument] = [["$match": ["type": .string(rule.activityType)]]]
        let limit = BSON.int(ConditionPipeline.activityIDLimit)
        switch rule.aggregate {
        case .count:
            stages += [
                ["$sort": ["occurredAt": 1, "_id": 1]],
                ["$group": ["_id": .null, "current": ["$sum": 1], "activityIds": ["$push": "$_id"]]],
                ["$project": ["_id": 0, "current": 1, "activityIds": ["$slice": ["$activityIds", limit]]]],
            ]
        case .sum:
            stages +=
                numericValueStages + [
                    ["$sort": ["occurredAt": 1, "_id": 1]],
                    ["$group": ["_id": .null, "current": ["$sum": "$value"], "activityIds": ["$push": "$_id"]]],
                    ["$project": ["_id": 0, "current": 1, "activityIds": ["$slice": ["$activityIds", limit]]]],
                ]
        case .max:
            stages +=
                numericValueStages + [
                    ["$sort": ["value": -1, "occurredAt": 1, "_id": 1]],
                    ["$group": ["_id": .null, "current": ["$first": "$value"], "first": ["$first": "$_id"]]],
                    ["$project": ["_id": 0, "current": 1, "activityIds": ["$first"]]],
                ]
        }
        return stages
    }

    /// Sets `value` to the rule's attribute and keeps only activities where it is a number.
    private var numericValueStages: [BSONDocument] {
        [
            [
                "$set": [
                    "value": [
                        "$getField": ["field": ["$literal": .string(rule.attribute ?? "")], "input": "$attributes"]
                    ]
                ]
            ],
            ["$match": ["value": ["$type": "number"]]],
        ]
    }
}
