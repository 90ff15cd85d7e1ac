import MongoKit

/// The `$facet` sub-pipeline of a FRIEND_INVITE condition: how many distinct
/// `attributes.inviteeId` the user's FRIEND_INVITE activities name (an invitee invited
/// twice counts once; an activity without an invitee counts not at all).
///
/// Output: at most one document `{current: <distinct invitees>, activityIds: [...]}`, one
/// id per invitee (its first invitation), the earliest `activityIDLimit` of them by time.
/// `$top`/`$topN` keep only what is returned while they read, so no stage sorts or holds
/// all of a user's invitations.
struct FriendInviteStages: Sendable {
    let count: Int

    var stages: [BSONDocument] {
        [
            ["$match": ["type": "FRIEND_INVITE", "attributes.inviteeId": ["$exists": true, "$ne": .null]]],
            [
                "$group": [
                    "_id": "$attributes.inviteeId",
                    "first": [
                        "$top": [
                            "sortBy": ["occurredAt": 1, "_id": 1], "output": ["at": "$occurredAt", "id": "$_id"],
                        ]
                    ],
                ]
            ],
            [
                "$group": [
                    "_id": .null, "current": ["$sum": 1],
                    "activityIds": [
                        "$topN": [
                            "n": .int(ConditionPipeline.activityIDLimit),
                            "sortBy": ["first.at": 1, "first.id": 1], "output": "$first.id",
                        ]
                    ],
                ]
            ],
            ["$project": ["_id": 0, "current": 1, "activityIds": 1]],
        ]
    }
}
