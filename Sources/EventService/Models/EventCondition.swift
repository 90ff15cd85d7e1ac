/// One typed condition of an event (DESIGN §5); all conditions of an event must hold.
///
/// Stored as `{type: "CONTINUOUS_LOGIN", days: 7}`, `{type: "FRIEND_INVITE", count: 3}` or
/// `{type: "CUSTOM", activityType, aggregate, field, gte}` — readable in `mongosh`.
enum EventCondition: Sendable, Hashable {
    /// LOGIN activity on `days` consecutive calendar days in the event's timezone.
    case continuousLogin(days: Int)
    /// FRIEND_INVITE activity with at least `count` distinct `attributes.inviteeId`.
    case friendInvite(count: Int)
    /// An aggregate over one activity type reaching a threshold.
    case custom(CustomRule)

    /// The condition's type name, as in the API.
    var typeName: String {
        switch self {
        case .continuousLogin: "CONTINUOUS_LOGIN"
        case .friendInvite: "FRIEND_INVITE"
        case .custom: "CUSTOM"
        }
    }

    /// The activity type the condition is evaluated over.
    var activityType: String {
        switch self {
        case .continuousLogin: "LOGIN"
        case .friendInvite: "FRIEND_INVITE"
        case .custom(let rule): rule.activityType
        }
    }

    /// The value that meets the condition (`days`, `count` or `gte`).
    var required: Double {
        switch self {
        case .continuousLogin(let days): Double(days)
        case .friendInvite(let count): Double(count)
        case .custom(let rule): rule.gte
        }
    }
}

/// A CUSTOM condition: `aggregate` over `activityType` activities reaches `gte`.
struct CustomRule: Sendable, Hashable {
    /// How the activities are aggregated.
    enum Aggregate: String, Codable, Sendable, Hashable {
        case count
        case sum
        case max
    }

    /// The activity type, `[A-Z_]{1,32}`.
    var activityType: String
    var aggregate: Aggregate
    /// The attribute name (the part after `attributes.`), for `sum` and `max` only.
    var attribute: String?
    /// The threshold.
    var gte: Double

    /// `attributes.<attribute>`, as the API spells the field.
    var field: String? { attribute.map { "attributes." + $0 } }
}

extension EventCondition: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, days, count, activityType, aggregate, field, gte
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(typeName, forKey: .type)
        switch self {
        case .continuousLogin(let days):
            try container.encode(days, forKey: .days)
        case .friendInvite(let count):
            try container.encode(count, forKey: .count)
        case .custom(let rule):
            try container.encode(rule.activityType, forKey: .activityType)
            try container.encode(rule.aggregate, forKey: .aggregate)
            try container.encodeIfPresent(rule.field, forKey: .field)
            try container.encode(rule.gte, forKey: .gte)
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "CONTINUOUS_LOGIN":
            self = .continuousLogin(days: try container.decode(Int.self, forKey: .days))
        case "FRIEND_INVITE":
            self = .friendInvite(count: try container.decode(Int.self, forKey: .count))
        case "CUSTOM":
            let field = try container.decodeIfPresent(String.self, forKey: .field)
            self = .custom(
                CustomRule(
                    activityType: try container.decode(String.self, forKey: .activityType),
                    aggregate: try container.decode(CustomRule.Aggregate.self, forKey: .aggregate),
                    attribute: field.map { String($0.dropFirst("attributes.".count)) },
                    gte: try container.decode(Double.self, forKey: .gte)))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown condition type")
        }
    }
}
