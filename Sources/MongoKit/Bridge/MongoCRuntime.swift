internal import CMongoC

/// libmongoc's process-wide initialisation, done once before the first pool is created.
/// `mongoc_cleanup` is never called: pools may outlive any one owner until exit.
enum MongoCRuntime {
    private static let initialized: Void = {
        mongoc_init()
        // libmongoc logs to stderr by default; MongoKit logs through swift-log instead.
        mongoc_log_set_handler(nil, nil)
    }()

    static func ensureInitialized() {
        _ = initialized
    }
}
