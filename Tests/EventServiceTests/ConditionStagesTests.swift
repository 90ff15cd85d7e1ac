import Foundation
import MongoKit
import Testing

@testable import EventService

/// The stages each condition type compiles to, checked without a database.
@Suite struct ConditionStagesTests {
    @Test func continuousLoginTruncatesToLocalDaysAndReducesSortedDays() throws {
        let stages = ContinuousLoginStages(days: 7, timezone: "Asia/Seoul").stages
        #expect(stages.first == ["$match": ["type": "LOGIN"]])
        let group = try #require(stages[1]["$group"]?.documentValue)
        #expect(
            group["_id"] == ["$dateTrunc": ["date": "$occurredAt", "unit": "day", "timezone": "Asia/Seoul"]])
        let text = stages.description
        #expect(text.contains("$sortArray"))
        #expect(text.contains("$reduce"))
        #expect(text.contains("86400000"))  // day gaps compared after rounding
        #expect(!text.contains("$dateDiff"))
        #expect(!text.contains("$setWindowFields"))
        #expect(stages.last?["$project"]?.documentValue?["current"] == "$streak.best")
    }

    @Test func continuousLoginUsesTheEventTimezoneOnlyAsAValue() {
        let stages = ContinuousLoginStages(days: 3, timezone: "America/New_York").stages
        #expect(
            stages[1]["$group"]?.documentValue?["_id"]?.documentValue?["$dateTrunc"]?.documentValue?["timezone"]
                == "America/New_York")
    }

    @Test func friendInviteGroupsByDistinctInvitee() {
        let stages = FriendInviteStages(count: 3).stages
        #expect(
            stages[0] == [
                "$match": ["type": "FRIEND_INVITE", "attributes.inviteeId": ["$exists": true, "$ne": .null]]
            ])
        #expect(stages[1]["$group"]?.documentValue?["_id"] == "$attributes.inviteeId")
        #expect(stages[2]["$group"]?.documentValue?["current"] == ["$sum": 1])
        #expect(!stages.description.contains("$sort"))  // $top/$topN bound the work, no stage sorts
    }

    @Test func customCountCountsTheActivityType() {
        let stages = CustomConditionStages(
            rule: CustomRule(activityType: "LEVEL_UP", aggregate: .count, attribute: nil, gte: 5)
        )
        .stages
        #expect(stages[0] == ["$match": ["type": "LEVEL_UP"]])
        #expect(stages[1]["$group"]?.documentValue?["current"] == ["$sum": 1])
        #expect(stages[1]["$group"]?.documentValue?["activityIds"] == CustomConditionStages.earliestIDs)
        #expect(!stages.description.contains("$getField"))
        #expect(!stages.description.contains("$sort"))  // $topN bounds the work, no stage sorts
    }

    @Test func customSumReadsTheAttributeThroughGetFieldWithALiteralName() {
        let rule = CustomRule(activityType: "MATCH", aggregate: .sum, attribute: "score", gte: 100)
        let stages = CustomConditionStages(rule: rule).stages
        #expect(stages[0] == ["$match": ["type": "MATCH"]])
        #expect(
            stages[1]
                == ["$set": ["value": ["$getField": ["field": ["$literal": "score"], "input": "$attributes"]]]])
        #expect(stages[2] == ["$match": ["value": ["$type": "number"]]])
        #expect(stages[3]["$group"]?.documentValue?["current"] == ["$sum": "$value"])
    }

    @Test func customMaxTakesTheHighestValue() {
        let rule = CustomRule(activityType: "LEVEL_UP", aggregate: .max, attribute: "level", gte: 50)
        let stages = CustomConditionStages(rule: rule).stages
        #expect(
            stages[3]["$group"]?.documentValue?["best"]
                == [
                    "$top": [
                        "sortBy": ["value": -1, "occurredAt": 1, "_id": 1],
                        "output": ["value": "$value", "id": "$_id"],
                    ]
                ])
        #expect(stages[4] == ["$project": ["_id": 0, "current": "$best.value", "activityIds": ["$best.id"]]])
    }

    @Test func hostileInputStaysAValue() {
        // Even a name validation would refuse is only ever a literal, never a field path or operator.
        let rule = CustomRule(activityType: "X", aggregate: .sum, attribute: "$where", gte: 1)
        let stages = CustomConditionStages(rule: rule).stages
        #expect(
            stages[1]["$set"]?.documentValue?["value"]?.documentValue?["$getField"]?.documentValue?["field"]
                == ["$literal": "$where"])
        #expect(!stages.contains { $0.keys.contains("$where") || $0.keys.contains("$function") })
    }

    @Test func facetLeadsWithAnIndexedMatchOnUserTypesAndWindow() throws {
        let user = ObjectID()
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let end = start.addingTimeInterval(86_400)
        let conditions: [EventCondition] = [
            .continuousLogin(days: 2), .friendInvite(count: 1),
            .custom(CustomRule(activityType: "LOGIN", aggregate: .count, attribute: nil, gte: 3)),
        ]
        let pipeline = ConditionPipeline.pipeline(
            userID: user, conditions: conditions, window: start..<end, timezone: "UTC")
        #expect(pipeline.count == 2)
        #expect(
            pipeline[0]
                == [
                    "$match": [
                        "userId": .objectID(user), "type": ["$in": ["LOGIN", "FRIEND_INVITE"]],
                        "occurredAt": ["$gte": .datetime(start), "$lt": .datetime(end)],
                    ]
                ])
        let facet = try #require(pipeline[1]["$facet"]?.documentValue)
        #expect(facet.keys == ["c0", "c1", "c2"])
        #expect(facet["c1"] == .array(FriendInviteStages(count: 1).stages.map(BSON.document)))
    }

    @Test func outcomesReadEachFacetAndDefaultToZero() {
        let id = ObjectID()
        let result: BSONDocument = [
            "c0": [["current": .int64(7), "activityIds": [.objectID(id)]]],
            "c1": [],
        ]
        let outcomes = ConditionPipeline.outcomes(
            from: result, conditions: [.continuousLogin(days: 7), .friendInvite(count: 2)])
        #expect(outcomes[0].progress == ConditionProgress(type: "CONTINUOUS_LOGIN", current: 7, required: 7, met: true))
        #expect(outcomes[0].activityIDs == [id])
        #expect(outcomes[1].progress == ConditionProgress(type: "FRIEND_INVITE", current: 0, required: 2, met: false))
        let evaluation = Evaluation(outcomes: outcomes)
        #expect(!evaluation.met)
        #expect(evaluation.activityIDs == [id])
    }
}
