import MongoKit

/// The `$facet` sub-pipeline of a FRIEND_INVITE condition: how many distinct
/// `attributes.inviteeId` the user's FRIEND_INVITE activities name (an invitee invited
/// twice counts once; an activity without an invitee counts not at all).
///
/// Output: at most one document `{current: <distinct invitees>, activityIds: [...]}`, one
/// id per invitee (its first invitation).
struct FriendInviteStages: Sendable {
    let count: Int

    var stages: [BSONDocument] {
        [
            ["$match": ["type": "FRIEND_INVITE", "attributes.inviteeId": ["$exists": true, "$ne": .null]]],
            ["$sort": ["occurredAt": 1, "_id": 1]],
            ["$group": ["_id": "$attributes.inviteeId", "first": ["$first": "$_id"]]],
            ["$group": ["_id": .null, "current": ["$sum": 1], "activityIds": ["$push": "$first"]]],
            [
                "$project": [
                    "_id": 0, "current": 1,
                    "activityIds": ["$slice": ["$activityIds", .int(ConditionPipeline.activityIDLimit)]],
                ]
            ],
        ]
    }
}
