import PlatformCore

extension EventAPI {
    /// One activity or a batch of up to 1,000; a batch is validated whole (one invalid
    /// activity → 400, nothing stored).
    func recordActivities(
        _ input: Operations.recordActivities.Input
    ) async throws
        -> Operations.recordActivities.Output
    {
        let caller = try Caller.require([.operator, .admin, .service])
        let payload =
            switch input.body {
            case .json(let value): value
            }
        let now = clock.now()
        let valid: [ActivityValidation.Valid]
        switch payload {
        case .ActivityInput(let activity):
            valid = [try ActivityValidation.validate(activity, field: "", now: now)]
        case .ActivityBatch(let batch):
            guard (1...ActivityValidation.maximumBatch).contains(batch.activities.count) else {
                throw RequestValidation.invalid("activities", "A batch holds 1 to 1000 activities.")
            }
            valid = try batch.activities.enumerated().map { index, activity in
                try ActivityValidation.validate(activity, field: "activities[\(index)].", now: now)
            }
        }
        try indexes.requireReady()
        let result = try await ActivityRecorder(repository: activities, clock: clock).record(valid, caller: caller)
        return .created(.init(body: .json(result)))
    }
}
