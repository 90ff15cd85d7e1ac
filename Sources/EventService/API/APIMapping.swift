import Foundation
import MongoKit

// Stored documents → the API's generated schemas.

extension Components.Schemas.Event {
    init(_ event: EventDocument, rewards: [Components.Schemas.Reward]? = nil) {
        self.init(
            id: event.id.hex, title: event.title, description: event.description, startAt: event.startAt,
            endAt: event.endAt, timezone: event.timezone,
            status: Components.Schemas.EventStatus(event.status),
            conditions: event.conditions.map(Components.Schemas.Condition.init),
            createdBy: event.createdBy, createdAt: event.createdAt, updatedAt: event.updatedAt, rewards: rewards)
    }
}

extension Components.Schemas.EventStatus {
    init(_ status: EventStatus) {
        switch status {
        case .draft: self = .DRAFT
        case .active: self = .ACTIVE
        case .inactive: self = .INACTIVE
        case .completed: self = .COMPLETED
        }
    }
}

extension EventStatus {
    init(_ status: Components.Schemas.EventStatus) {
        switch status {
        case .DRAFT: self = .draft
        case .ACTIVE: self = .active
        case .INACTIVE: self = .inactive
        case .COMPLETED: self = .completed
        }
    }
}

extension Components.Schemas.Condition {
    init(_ condition: EventCondition) {
        switch condition {
        case .continuousLogin(let days):
            self = .CONTINUOUS_LOGIN(.init(_type: .CONTINUOUS_LOGIN, days: days))
        case .friendInvite(let count):
            self = .FRIEND_INVITE(.init(_type: .FRIEND_INVITE, count: count))
        case .custom(let rule):
            let aggregate: Components.Schemas.CustomCondition.aggregatePayload =
                switch rule.aggregate {
                case .count: .count
                case .sum: .sum
                case .max: .max
                }
            self = .CUSTOM(
                .init(
                    _type: .CUSTOM, activityType: rule.activityType, aggregate: aggregate, field: rule.field,
                    gte: rule.gte))
        }
    }
}

extension Components.Schemas.Reward {
    init(_ reward: RewardDocument, eventID: ObjectID, remaining: Int?) {
        self.init(
            id: reward.id.hex, eventId: eventID.hex, _type: Components.Schemas.RewardType(reward.type),
            name: reward.name,
            amount: reward.amount, itemCode: reward.itemCode, quantity: reward.quantity,
            couponTemplate: reward.couponTemplate, stock: reward.stock,
            remainingStock: reward.stock == nil ? nil : (remaining ?? reward.stock), createdAt: reward.createdAt)
    }
}

extension Components.Schemas.RewardType {
    init(_ type: RewardType) {
        switch type {
        case .point: self = .POINT
        case .item: self = .ITEM
        case .coupon: self = .COUPON
        }
    }
}

extension Components.Schemas.ConditionProgress {
    init(_ progress: ConditionProgress) {
        self.init(
            _type: Components.Schemas.ConditionType(rawValue: progress.type) ?? .CUSTOM, current: progress.current,
            required: progress.required, met: progress.met)
    }
}

extension Components.Schemas.Claim {
    init(_ claim: ClaimDocument) {
        let status: Components.Schemas.ClaimStatus =
            switch claim.status {
            case .pending: .PENDING
            case .granted: .GRANTED
            case .rejected: .REJECTED
            case .failed: .FAILED
            }
        let reason: Components.Schemas.ClaimReason? =
            switch claim.reason {
            case .conditionNotMet: .CONDITION_NOT_MET
            case .outOfStock: .OUT_OF_STOCK
            case nil: nil
            }
        self.init(
            id: claim.id.hex, eventId: claim.eventId.hex, userId: claim.userId.hex, status: status,
            reason: claim.status == .rejected ? reason : nil,
            progress: claim.progress.map(Components.Schemas.ConditionProgress.init),
            activityIds: claim.activityIds.map(\.hex),
            payout: claim.payout.map(Components.Schemas.Payout.init), createdAt: claim.createdAt,
            updatedAt: claim.updatedAt, grantedAt: claim.grantedAt)
    }
}

extension Components.Schemas.Payout {
    init(_ entry: PayoutEntry) {
        self.init(
            rewardId: entry.rewardId.hex, _type: Components.Schemas.RewardType(entry.type), name: entry.name,
            amount: entry.amount, itemCode: entry.itemCode, quantity: entry.quantity, couponCode: entry.couponCode)
    }
}
