internal import CMongoC

extension MongoCollection {
    /// Runs an aggregation pipeline; results decode as `U` (`BSONDocument` by default).
    /// - Parameters:
    ///   - pipeline: The stages, in order.
    ///   - batchSize: Documents per round trip and cursor page.
    /// - Returns: A cursor over the results; pipeline errors surface while iterating.
    public func aggregate<U: Decodable>(
        _ pipeline: [BSONDocument], as type: U.Type = BSONDocument.self, batchSize: Int = 101
    ) -> MongoCursor<U> {
        let pipelineDocument: BSONDocument = ["pipeline": .array(pipeline.map(BSON.document))]
        let options: BSONDocument = ["batchSize": .int64(Int64(max(batchSize, 1)))]
        return MongoCursor(pool: pool, pageSize: max(batchSize, 1)) { [database = database.name, name] resources in
            try await resources.open(database: database, collection: name) { collection in
                let pipelineHandle = try BSONHandle(copying: pipelineDocument)
                let optionsHandle = try BSONHandle(copying: options)
                defer { withExtendedLifetime((pipelineHandle, optionsHandle)) {} }
                return mongoc_collection_aggregate(
                    collection, MONGOC_QUERY_NONE, pipelineHandle.opaque, optionsHandle.opaque, nil)
            }
        }
    }
}
