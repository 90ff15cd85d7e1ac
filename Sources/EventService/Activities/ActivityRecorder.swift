import Foundation
import MongoKit
import PlatformCore

/// Records activities, one or a batch, idempotently per producer: an activity whose
/// `sourceId` this source (the token's subject) already recorded for the user is not
/// stored again and is reported as a duplicate with the id recorded earlier.
struct ActivityRecorder: Sendable {
    let repository: any ActivityRepository
    let clock: WorkerClock

    /// Records already validated activities for `caller`.
    func record(
        _ inputs: [ActivityValidation.Valid], caller: CallerIdentity
    ) async throws
        -> Components.Schemas.ActivityResult
    {
        let now = clock.now()
        let recorder = ActivityDocument.Recorder(subject: caller.subject, role: Self.actingRole(caller).rawValue)
        let keys = inputs.compactMap { input in
            input.sourceID.map { ActivitySourceKey(userID: input.userID, sourceID: $0) }
        }
        var known = try await repository.existing(subject: caller.subject, keys: keys)
        var fresh: [ActivityDocument] = []
        var items: [(id: ObjectID, sourceID: String?, duplicate: Bool)] = []
        for input in inputs {
            let key = input.sourceID.map { ActivitySourceKey(userID: input.userID, sourceID: $0) }
            if let key, let id = known[key] {
                items.append((id, input.sourceID, true))
                continue
            }
            let document = ActivityDocument(
                id: ObjectID(), userId: input.userID, type: input.type, occurredAt: input.occurredAt,
                attributes: input.attributes, sourceId: input.sourceID, recordedBy: recorder, recordedAt: now)
            if let key { known[key] = document.id }
            fresh.append(document)
            items.append((document.id, input.sourceID, false))
        }
        if try await repository.insert(fresh) {
            // A concurrent delivery stored some of them first: report what is stored.
            let stored = try await repository.existing(subject: caller.subject, keys: keys)
            items = zip(inputs, items).map { input, item in
                guard let sourceID = input.sourceID,
                    let id = stored[ActivitySourceKey(userID: input.userID, sourceID: sourceID)]
                else { return item }
                return (id, item.sourceID, item.duplicate || id != item.id)
            }
        }
        let duplicates = items.filter(\.duplicate).count
        return Components.Schemas.ActivityResult(
            recorded: items.count - duplicates, duplicates: duplicates,
            items: items.map { .init(id: $0.id.hex, sourceId: $0.sourceID, duplicate: $0.duplicate) })
    }

    /// The role an activity is recorded under: SERVICE for machines, else the staff role.
    static func actingRole(_ caller: CallerIdentity) -> Role {
        for role in [Role.service, .admin, .operator] where caller.roles.contains(role) {
            return role
        }
        return .operator
    }
}
