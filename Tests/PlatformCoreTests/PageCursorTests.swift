import MongoKit
import PlatformCore
import Testing

@Suite struct PageCursorTests {
    private let users = PageCursor.Kind("us")
    private let claims = PageCursor.Kind("cl")

    @Test func aCursorRoundTripsWithinItsList() throws {
        let id = ObjectID()
        let cursor = PageCursor.encode(users, after: id)
        #expect(!cursor.contains("=") && !cursor.contains("+") && !cursor.contains("/"))
        #expect(try PageCursor.decode(cursor, kind: users) == id)
        #expect(try PageCursor.decode(nil, kind: users) == nil)
    }

    @Test func aCursorOfAnotherListOrAnythingElseIsA400NamingTheField() throws {
        let cursor = PageCursor.encode(users, after: ObjectID())
        let forged = [
            "", "short", cursor + "A", "!!!!", String(repeating: "A", count: 600), String(cursor.dropLast(3)),
            PageCursor.encode(claims, after: ObjectID()),
        ]
        for bad in forged {
            #expect("\(bad)") { try PageCursor.decode(bad, kind: users) } throws: { error in
                guard let error = error as? APIError else { return false }
                return error.code == .validationFailed && error.details["field"] == "cursor"
            }
        }
    }

    @Test func pagingFetchesOneMoreToKnowWhetherAnotherPageFollows() async throws {
        let ids = (0..<5).map { _ in ObjectID() }
        let full = try await PageCursor.page(users, limit: 3, id: { $0 }) { count in Array(ids.prefix(count)) }
        #expect(full.items == Array(ids.prefix(3)))
        #expect(try PageCursor.decode(full.next, kind: users) == ids[2])
        let last = try await PageCursor.page(users, limit: 10, id: { $0 }) { count in Array(ids.prefix(count)) }
        #expect(last.items == ids && last.next == nil)
    }
}
