import Foundation
import Logging
import MongoKit
import PlatformCore

extension EventAPI {
    func claimReward(_ input: Operations.claimReward.Input) async throws -> Operations.claimReward.Output {
        let caller = try Caller.require([.user])
        let userID = try Caller.userID(caller)
        let id = try ObjectID(contractHex: input.path.id, field: "id")
        try indexes.requireReady()
        var logger = requestLogger
        logger[metadataKey: "event.id"] = .string(id.hex)
        logger[metadataKey: "user.id"] = .string(userID.hex)
        let claim = try await processor.claim(eventID: id, userID: userID, logger: logger)
        return .created(.init(body: .json(Components.Schemas.Claim(claim))))
    }

    func listMyClaims(_ input: Operations.listMyClaims.Input) async throws -> Operations.listMyClaims.Output {
        let caller = try Caller.require([.user])
        let userID = try Caller.userID(caller)
        var filter: BSONDocument = ["userId": .objectID(userID)]
        if let eventID = try RequestValidation.optionalObjectID(input.query.eventId, field: "eventId") {
            filter.append("eventId", .objectID(eventID))
        }
        if let status = input.query.status {
            filter.append("status", .string(status.rawValue))
        }
        let page = try await claimPage(filter: filter, limit: input.query.limit, cursor: input.query.cursor)
        return .ok(.init(body: .json(page)))
    }

    func listClaims(_ input: Operations.listClaims.Input) async throws -> Operations.listClaims.Output {
        _ = try Caller.require([.operator, .auditor, .admin])
        let query = input.query
        var filter = BSONDocument()
        if let userID = try RequestValidation.optionalObjectID(query.userId, field: "userId") {
            filter.append("userId", .objectID(userID))
        }
        if let eventID = try RequestValidation.optionalObjectID(query.eventId, field: "eventId") {
            filter.append("eventId", .objectID(eventID))
        }
        if let status = query.status {
            filter.append("status", .string(status.rawValue))
        }
        if let range = try Self.createdRange(from: query.from, to: query.to, field: "createdAt") {
            filter.append("createdAt", range)
        }
        let page = try await claimPage(filter: filter, limit: query.limit, cursor: query.cursor)
        return .ok(.init(body: .json(page)))
    }

    /// Staff see any claim; a USER only their own — someone else's is a 404, so ids
    /// cannot be probed.
    func getClaim(_ input: Operations.getClaim.Input) async throws -> Operations.getClaim.Output {
        let caller = try Caller.require([.user, .operator, .auditor, .admin])
        let id = try ObjectID(contractHex: input.path.id, field: "id")
        guard let claim = try await claims.find(id), caller.isStaff || claim.userId.hex == caller.subject else {
            throw APIError(.notFound, message: "The claim was not found.")
        }
        return .ok(.init(body: .json(Components.Schemas.Claim(claim))))
    }

    /// A FAILED claim back to work (`ClaimProcessor.retryFailed`), audited as
    /// `claim.retry` with the claim before and after.
    func retryClaim(_ input: Operations.retryClaim.Input) async throws -> Operations.retryClaim.Output {
        let caller = try Caller.require([.operator, .admin])
        let id = try ObjectID(contractHex: input.path.id, field: "id")
        try indexes.requireReady()
        var logger = requestLogger
        logger[metadataKey: "claim.id"] = .string(id.hex)
        let before = try await claims.find(id)
        let claim = try await processor.retryFailed(id, logger: logger)
        await audit.record(
            actor: AuditRecorder.actor(caller), action: "claim.retry", target: .init(type: "claim", id: id.hex),
            before: before, after: claim, requestID: Caller.requestID)
        return .ok(.init(body: .json(Components.Schemas.Claim(claim))))
    }

    private func claimPage(
        filter: BSONDocument, limit: Int?, cursor: String?
    ) async throws
        -> Components.Schemas.ClaimPage
    {
        let limit = try RequestValidation.limit(limit)
        let after = try PageCursor.decode(cursor, kind: .claims)
        let page = try await PageCursor.page(.claims, limit: limit, id: \ClaimDocument.id) { count in
            try await claims.list(filter: filter, after: after, limit: count)
        }
        return .init(items: page.items.map(Components.Schemas.Claim.init), nextCursor: page.next)
    }

    /// `{$gte: from, $lt: to}` for the `from`/`to` filters, `nil` when neither is given.
    static func createdRange(from: Date?, to: Date?, field: String) throws -> BSON? {
        var range = BSONDocument()
        if let from { range.append("$gte", .datetime(from)) }
        if let to { range.append("$lt", .datetime(to)) }
        if let from, let to, from > to {
            throw RequestValidation.invalid("to", "to must not be before from.")
        }
        return range.isEmpty ? nil : .document(range)
    }
}
