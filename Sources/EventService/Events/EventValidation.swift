import Foundation
import PlatformCore

/// The rules of event fields the generated decoder does not check, as in `EventCreate`:
/// title 1–200, description ≤ 2000, `startAt` < `endAt`, a known IANA timezone, 1–10
/// conditions each valid for its type.
enum EventValidation {
    static func title(_ title: String) throws {
        try RequestValidation.string(title, field: "title", length: 1...200)
    }

    static func description(_ description: String) throws {
        try RequestValidation.string(description, field: "description", length: 0...2000)
    }

    static func window(startAt: Date, endAt: Date) throws {
        guard startAt < endAt else {
            throw RequestValidation.invalid("endAt", "endAt must be after startAt.")
        }
    }

    /// An IANA zone name Foundation knows (`Asia/Seoul`, `UTC`, …).
    static func timezone(_ name: String) throws {
        try RequestValidation.pattern(name, field: "timezone", length: 1...64) { scalar in
            RequestValidation.isAttributeNameCharacter(scalar) || scalar == "+" || scalar == "/" || scalar == "-"
        }
        // Foundation also takes names MongoDB refuses (`GMT+5`): beyond its list of zones
        // and `UTC`, only tz database `Area/Location` names.
        let known = name == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(name) || name.contains("/")
        guard known, TimeZone(identifier: name) != nil else {
            throw RequestValidation.invalid("timezone", "The timezone is not a known IANA time zone.")
        }
    }

    /// The typed conditions of the request, validated per type.
    static func conditions(_ conditions: [Components.Schemas.Condition]) throws -> [EventCondition] {
        guard (1...10).contains(conditions.count) else {
            throw RequestValidation.invalid("conditions", "An event has 1 to 10 conditions.")
        }
        return try conditions.enumerated().map { index, condition in
            try self.condition(condition, field: "conditions[\(index)]")
        }
    }

    static func condition(_ condition: Components.Schemas.Condition, field: String) throws -> EventCondition {
        switch condition {
        case .CONTINUOUS_LOGIN(let login):
            try RequestValidation.integer(login.days, field: field + ".days", in: 1...366)
            return .continuousLogin(days: login.days)
        case .FRIEND_INVITE(let invite):
            try RequestValidation.integer(invite.count, field: field + ".count", in: 1...1000)
            return .friendInvite(count: invite.count)
        case .CUSTOM(let custom):
            try RequestValidation.activityType(custom.activityType, field: field + ".activityType")
            guard custom.gte.isFinite else {
                throw RequestValidation.invalid(field + ".gte", "gte must be a finite number.")
            }
            let aggregate: CustomRule.Aggregate =
                switch custom.aggregate {
                case .count: .count
                case .sum: .sum
                case .max: .max
                }
            let attribute = try self.attribute(custom.field, aggregate: aggregate, field: field + ".field")
            return .custom(
                CustomRule(
                    activityType: custom.activityType, aggregate: aggregate, attribute: attribute, gte: custom.gte))
        }
    }

    /// `attributes.<name>` → `<name>`; required for sum and max, refused for count.
    private static func attribute(_ value: String?, aggregate: CustomRule.Aggregate, field: String) throws -> String? {
        switch (aggregate, value) {
        case (.count, nil):
            return nil
        case (.count, .some):
            throw RequestValidation.invalid(field, "field is not allowed with aggregate count.")
        case (.sum, nil), (.max, nil):
            throw RequestValidation.invalid(field, "field is required with aggregate sum or max.")
        case (.sum, .some(let path)), (.max, .some(let path)):
            let prefix = "attributes."
            guard path.hasPrefix(prefix) else {
                throw RequestValidation.invalid(field, "field must be attributes.<name>.")
            }
            let name = String(path.dropFirst(prefix.count))
            try RequestValidation.pattern(
                name, field: field, length: 1...64, allowed: RequestValidation.isAttributeNameCharacter)
            return name
        }
    }
}
