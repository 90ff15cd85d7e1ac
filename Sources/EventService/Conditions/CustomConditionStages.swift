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
        switch rule.aggregate {
        case .count:
            stages += [
                ["$group": ["_id": .null, "current": ["$sum": 1], "activityIds": Self.earliestIDs]],
                ["$project": ["_id": 0, "current": 1, "activityIds": 1]],
            ]
        case .sum:
            stages +=
                numericValueStages + [
                    ["$group": ["_id": .null, "current": ["$sum": "$value"], "activityIds": Self.earliestIDs]],
                    ["$project": ["_id": 0, "current": 1, "activityIds": 1]],
                ]
        case .max:
            stages +=
                numericValueStages + [
                    [
                        "$group": [
                            "_id": .null,
                            "best": [
                                "$top": [
                                    "sortBy": ["value": -1, "occurredAt": 1, "_id": 1],
                                    "output": ["value": "$value", "id": "$_id"],
                                ]
                            ],
                        ]
                    ],
                    ["$project": ["_id": 0, "current": "$best.value", "activityIds": ["$best.id"]]],
                ]
        }
        return stages
    }

    /// The ids of the group's first `activityIDLimit` activities by time: `$topN` keeps only
    /// those while it reads the group, where a `$sort` and a `$push` would sort and hold all.
    static var earliestIDs: BSON {
        [
            "$topN": [
                "n": .int(ConditionPipeline.activityIDLimit), "sortBy": ["occurredAt": 1, "_id": 1],
                "output": "$_id",
            ]
        ]
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
