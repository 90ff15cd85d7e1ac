/// How durable a write must be before the server acknowledges it.
public struct WriteConcern: Sendable, Equatable {
    /// `w`: `"majority"` or a number of members.
    public var w: BSON
    /// Whether the write must reach the on-disk journal.
    public var journal: Bool

    public init(w: BSON, journal: Bool) {
        self.w = w
        self.journal = journal
    }

    /// `{w: "majority", j: true}` — the default for every write (DESIGN §7).
    public static let majorityJournaled = WriteConcern(w: "majority", journal: true)
    /// `{w: 1}` — acknowledged by the primary only, for data that can be recomputed.
    public static let acknowledged = WriteConcern(w: 1, journal: false)

    var document: BSONDocument {
        var document: BSONDocument = ["w": w]
        if journal {
            document.append("j", true)
        }
        return document
    }
}
