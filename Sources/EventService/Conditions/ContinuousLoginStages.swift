import MongoKit

/// The `$facet` sub-pipeline of a CONTINUOUS_LOGIN condition: the longest run of
/// consecutive calendar days, in the event's timezone, with LOGIN activity.
///
/// Each LOGIN is truncated to its local midnight (`$dateTrunc` with `timezone`), the
/// distinct days are sorted, and a `$reduce` walks them: two days are consecutive when
/// their midnights are one day apart *after rounding*, since local midnights are 23–25 h
/// apart around a DST change. (`$dateDiff` and `$setWindowFields` range windows are not
/// used; see DESIGN §8.)
///
/// Output: at most one document `{current: <longest run>, activityIds: [...]}`, the ids
/// being the LOGINs of the first run that reached `days` (or of the longest run).
struct ContinuousLoginStages: Sendable {
    let days: Int
    let timezone: String

    var stages: [BSONDocument] {
        [
            ["$match": ["type": "LOGIN"]],
            [
                "$group": [
                    "_id": ["$dateTrunc": ["date": "$occurredAt", "unit": "day", "timezone": .string(timezone)]],
                    "ids": ["$push": "$_id"],
                ]
            ],
            ["$group": ["_id": .null, "days": ["$push": ["day": "$_id", "ids": "$ids"]]]],
            ["$project": ["_id": 0, "streak": .document(streakReduction)]],
            [
                "$project": [
                    "current": "$streak.best",
                    "activityIds": ["$slice": ["$streak.bestIds", .int(ConditionPipeline.activityIDLimit)]],
                ]
            ],
        ]
    }

    /// `{best, bestIds, run, runIds, prev}` folded over the sorted days.
    private var streakReduction: BSONDocument {
        let dayGap: BSON = [
            "$round": [["$divide": [["$subtract": ["$$this.day", "$$value.prev"]], .int(86_400_000)]], 0]
        ]
        let continues: BSON = ["$and": [["$ne": ["$$value.prev", .null]], ["$eq": [dayGap, 1]]]]
        let stillLooking: BSON = ["$lt": ["$$value.best", .int(days)]]
        let step: BSON = [
            "$let": [
                "vars": [
                    "run": ["$cond": ["$$continues", ["$add": ["$$value.run", 1]], 1]],
                    "runIds": [
                        "$cond": ["$$continues", ["$concatArrays": ["$$value.runIds", "$$this.ids"]], "$$this.ids"]
                    ],
                ],
                "in": [
                    "best": ["$max": ["$$value.best", "$$run"]],
                    "bestIds": [
                        "$cond": [
                            ["$and": [["$gt": ["$$run", "$$value.best"]], stillLooking]], "$$runIds", "$$value.bestIds",
                        ]
                    ],
                    "run": "$$run",
                    "runIds": "$$runIds",
                    "prev": "$$this.day",
                ],
            ]
        ]
        return [
            "$reduce": [
                "input": ["$sortArray": ["input": "$days", "sortBy": ["day": 1]]],
                "initialValue": ["best": 0, "bestIds": [], "run": 0, "runIds": [], "prev": .null],
                "in": ["$let": ["vars": ["continues": continues], "in": step]],
            ]
        ]
    }
}
