import MongoKit

/// The wallet as one aggregation over the ledger: points summed, items summed per code,
/// coupons listed with their codes (oldest first).
///
/// Output: one document `{points: [{total}], items: [{_id: itemCode, quantity}],
/// coupons: [{couponCode, rewardId, eventId, claimId, grantedAt}]}`.
enum WalletPipeline {
    static func stages(userID: ObjectID) -> [BSONDocument] {
        [
            ["$match": ["userId": .objectID(userID)]],
            [
                "$facet": [
                    "points": [
                        ["$match": ["type": "POINT"]],
                        ["$group": ["_id": .null, "total": ["$sum": "$amount"]]],
                    ],
                    "items": [
                        ["$match": ["type": "ITEM"]],
                        ["$group": ["_id": "$itemCode", "quantity": ["$sum": "$quantity"]]],
                        ["$sort": ["_id": 1]],
                    ],
                    "coupons": [
                        ["$match": ["type": "COUPON"]],
                        ["$sort": ["grantedAt": 1, "_id": 1]],
                        [
                            "$project": [
                                "_id": 0, "couponCode": 1, "rewardId": 1, "eventId": 1, "claimId": 1, "grantedAt": 1,
                            ]
                        ],
                    ],
                ]
            ],
        ]
    }
}
