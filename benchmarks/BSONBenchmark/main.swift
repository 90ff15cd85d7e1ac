// Encodes and decodes the claim-like documents in a file of concatenated BSON documents
// (written by benchmarks/bson_pymongo.py) with MongoKit, and prints the rates as JSON:
// bytes -> BSONDocument ("decode"), BSONDocument -> bytes ("encode"), bytes -> a Codable
// struct through BSONDocument ("codableDecode"), and a Codable struct straight to bytes
// with `BSONEncoder.encodeBytes` ("codableEncode", the counterpart of pymongo's dict -> bytes).
// Before timing it checks that MongoKit re-encodes every document byte for byte as pymongo
// wrote it, and that `encodeBytes` gives the same bytes as `encode(_:)` + `bytes()`.
// Usage: BSONBenchmark DOCS.bson [ROUNDS]
import Foundation
import MongoKit

struct ClaimDocument: Codable {
    struct Progress: Codable {
        var type: String
        var current: Int
        var required: Int
        var met: Bool
    }

    struct Payout: Codable {
        var rewardId: ObjectID
        var type: String
        var amount: Int?
        var itemCode: String?
        var quantity: Int?
        var couponCode: String?
    }

    var _id: ObjectID
    var eventId: ObjectID
    var userId: ObjectID
    var status: String
    var reason: String?
    var attempts: Int32
    var createdAt: Date
    var updatedAt: Date
    var progress: [Progress]
    var activityIds: [ObjectID]
    var payout: [Payout]
    var requestId: String
}

/// Splits concatenated BSON documents by their length prefixes.
func splitDocuments(_ data: [UInt8]) -> [[UInt8]] {
    var documents: [[UInt8]] = []
    var offset = 0
    while offset + 4 <= data.count {
        let length =
            Int(data[offset]) | Int(data[offset + 1]) << 8 | Int(data[offset + 2]) << 16 | Int(data[offset + 3]) << 24
        documents.append(Array(data[offset..<offset + length]))
        offset += length
    }
    return documents
}

/// The best documents-per-second over `rounds` runs of `body` (which handles `count` documents).
func bestRate(rounds: Int, count: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Duration.seconds(1_000_000)
    for _ in 0..<rounds {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        best = min(best, elapsed)
    }
    let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
    return Double(count) / seconds
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: BSONBenchmark DOCS.bson [ROUNDS]\n".utf8))
    exit(2)
}
let rounds = arguments.count >= 3 ? Int(arguments[2]) ?? 5 : 5
let raw = splitDocuments(Array(data))
var documents = try raw.map { try BSONDocument(bytes: $0) }
var claims = try documents.map { try BSONDecoder().decode(ClaimDocument.self, from: $0) }

// Sanity: what we encode must be byte-identical to what pymongo wrote.
let reencoded = try documents.map { try $0.bytes() }
guard reencoded == raw else {
    FileHandle.standardError.write(Data("MongoKit's re-encoding differs from pymongo's bytes\n".utf8))
    exit(1)
}

// Sanity: the byte encoder must agree with the tree encoder on every document.
for claim in claims where try BSONEncoder().encodeBytes(claim) != BSONEncoder().encode(claim).bytes() {
    FileHandle.standardError.write(Data("encodeBytes differs from encode(_:).bytes()\n".utf8))
    exit(1)
}

var sink = 0
let decodeRate = try bestRate(rounds: rounds, count: raw.count) {
    documents = try raw.map { try BSONDocument(bytes: $0) }
    sink &+= documents.count
}
let encodeRate = try bestRate(rounds: rounds, count: documents.count) {
    for document in documents { sink &+= try document.bytes().count }
}
let codableDecodeRate = try bestRate(rounds: rounds, count: raw.count) {
    claims = try raw.map { try BSONDecoder().decode(ClaimDocument.self, from: try BSONDocument(bytes: $0)) }
    sink &+= claims.count
}
let codableEncodeRate = try bestRate(rounds: rounds, count: claims.count) {
    for claim in claims { sink &+= try BSONEncoder().encodeBytes(claim).count }
}
let result: [String: Double] = [
    "documents": Double(raw.count),
    "decode": decodeRate, "encode": encodeRate,
    "codableDecode": codableDecodeRate, "codableEncode": codableEncodeRate,
    "sink": Double(sink % 2),
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
