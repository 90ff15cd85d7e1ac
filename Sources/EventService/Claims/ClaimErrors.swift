import Hummingbird
import PlatformCore

extension APIError.Code {
    /// 409: the caller already holds the grant of this event.
    static let alreadyClaimed = Self(
        "ALREADY_CLAIMED", status: .conflict, defaultMessage: "You have already claimed this event.")
    /// 409: the event is not ACTIVE or now is outside its window.
    static let eventNotActive = Self(
        "EVENT_NOT_ACTIVE", status: .conflict, defaultMessage: "The event is not active.")
    /// 410: a stocked reward has no unit left.
    static let outOfStock = Self(
        "OUT_OF_STOCK", status: .gone, defaultMessage: "A reward of this event is out of stock.")
    /// 422: the event's conditions are not met.
    static let conditionNotMet = Self(
        "CONDITION_NOT_MET", status: .unprocessableContent, defaultMessage: "The event's conditions are not met.")
    /// 409: the event cannot move to the requested status.
    static let invalidTransition = Self(
        "INVALID_TRANSITION", status: .conflict, defaultMessage: "The event cannot move to that status.")
}
