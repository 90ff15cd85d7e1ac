import MongoKit
import PlatformCore

extension EventAPI {
    /// The ledger summed by one aggregation (`WalletPipeline`).
    func getMyWallet(_ input: Operations.getMyWallet.Input) async throws -> Operations.getMyWallet.Output {
        let caller = try Caller.require([.user])
        let userID = try Caller.userID(caller)
        let result = try await ledger.wallet(userID: userID)
        let points = result?["points"]?.arrayValue?.first?.documentValue?["total"]?.intValue ?? 0
        let items: [Components.Schemas.WalletItem] = (result?["items"]?.arrayValue ?? []).compactMap { row in
            guard let document = row.documentValue, let code = document["_id"]?.stringValue,
                let quantity = document["quantity"]?.intValue
            else { return nil }
            return .init(itemCode: code, quantity: Int64(quantity))
        }
        let coupons: [Components.Schemas.WalletCoupon] = (result?["coupons"]?.arrayValue ?? []).compactMap { row in
            guard let document = row.documentValue, let code = document["couponCode"]?.stringValue,
                let reward = document["rewardId"]?.objectIDValue, let event = document["eventId"]?.objectIDValue,
                let claim = document["claimId"]?.objectIDValue, let grantedAt = document["grantedAt"]?.dateValue
            else { return nil }
            return .init(
                couponCode: code, rewardId: reward.hex, eventId: event.hex, claimId: claim.hex, grantedAt: grantedAt)
        }
        return .ok(
            .init(body: .json(.init(userId: userID.hex, points: Int64(max(points, 0)), items: items, coupons: coupons)))
        )
    }
}
