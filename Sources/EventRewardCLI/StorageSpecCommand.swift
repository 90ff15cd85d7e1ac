import ArgumentParser
import AuthService
import EventService
import MongoKit

/// `event-reward storage-spec`: prints every index and auditor view of both databases as
/// canonical Extended JSON — the content of `mongo-init/storage.json`, which
/// `mongo-init/02-storage.js` applies to a fresh volume. The services create the same
/// definitions at start; a test fails when the file and this output differ.
struct StorageSpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage-spec",
        abstract: "Print the indexes and auditor views of the auth and event databases (mongo-init/storage.json)."
    )

    func run() throws {
        let auth = Self.database(
            name: "auth", indexes: AuthStorage.indexes,
            views: AuthStorage.views.map { ($0.name, $0.source, $0.pipeline) })
        let event = Self.database(
            name: "event", indexes: EventStorage.indexes,
            views: EventStorage.views.map { ($0.name, $0.source, $0.pipeline) })
        let spec: BSONDocument = ["databases": [.document(auth), .document(event)]]
        print(spec.canonicalExtendedJSON)
    }

    private static func database(
        name: String, indexes: [(collection: String, indexes: [IndexModel])],
        views: [(name: String, source: String, pipeline: [BSONDocument])]
    ) -> BSONDocument {
        let collections: [BSON] = indexes.map { entry in
            .document([
                "name": .string(entry.collection),
                "indexes": .array(entry.indexes.map { .document($0.specification) }),
            ])
        }
        let viewDocuments: [BSON] = views.map { view in
            .document([
                "name": .string(view.name), "source": .string(view.source),
                "pipeline": .array(view.pipeline.map(BSON.document)),
            ])
        }
        return ["name": .string(name), "collections": .array(collections), "views": .array(viewDocuments)]
    }
}
