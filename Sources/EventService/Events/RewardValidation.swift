import Foundation
import MongoKit
import PlatformCore

/// The rules of a new reward per type: POINT `amount` ≥ 1; ITEM `itemCode`
/// `[A-Za-z0-9_-]{1,64}` and `quantity` ≥ 1; COUPON `couponTemplate` `[A-Z0-9-]{1,32}`;
/// `name` 1–100; `stock` absent/null (unlimited) or 1…`maximumStock`.
enum RewardValidation {
    /// The most units a stocked reward can have: each unit granted is remembered in its
    /// stock document (for idempotent reservations), which must stay far below 16 MiB.
    static let maximumStock = 100_000

    static func reward(_ request: Components.Schemas.RewardCreate, now: Date) throws -> RewardDocument {
        switch request {
        case .POINT(let point):
            try common(name: point.name, stock: point.stock)
            try RequestValidation.integer(point.amount, field: "amount", in: 1...Int(Int32.max))
            return RewardDocument(
                id: ObjectID(), type: .point, name: point.name, amount: point.amount, stock: point.stock, createdAt: now
            )
        case .ITEM(let item):
            try common(name: item.name, stock: item.stock)
            try RequestValidation.pattern(item.itemCode, field: "itemCode", length: 1...64) { scalar in
                RequestValidation.isAttributeNameCharacter(scalar) || scalar == "-"
            }
            try RequestValidation.integer(item.quantity, field: "quantity", in: 1...Int(Int32.max))
            return RewardDocument(
                id: ObjectID(), type: .item, name: item.name, itemCode: item.itemCode, quantity: item.quantity,
                stock: item.stock, createdAt: now)
        case .COUPON(let coupon):
            try common(name: coupon.name, stock: coupon.stock)
            try RequestValidation.pattern(coupon.couponTemplate, field: "couponTemplate", length: 1...32) { scalar in
                ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
            }
            return RewardDocument(
                id: ObjectID(), type: .coupon, name: coupon.name, couponTemplate: coupon.couponTemplate,
                stock: coupon.stock, createdAt: now)
        }
    }

    private static func common(name: String, stock: Int?) throws {
        try RequestValidation.string(name, field: "name", length: 1...100)
        if let stock {
            try RequestValidation.integer(stock, field: "stock", in: 1...maximumStock)
        }
    }
}
