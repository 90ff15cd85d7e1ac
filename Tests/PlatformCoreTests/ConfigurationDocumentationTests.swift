import Foundation
import Testing

/// The configuration reference an operator reads (README.md) names every environment
/// variable the platform reads, so a new setting cannot ship undocumented.
@Suite struct ConfigurationDocumentationTests {
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `"UPPER_CASE"` string literal in the configuration sources: the variables read.
    private static func variablesRead() throws -> Set<String> {
        let folder = root.appendingPathComponent("Sources/PlatformCore/Config")
        var names: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let pattern = try NSRegularExpression(pattern: #""([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)""#)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                names.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        return names
    }

    @Test(arguments: ["README.md", "docs/OPERATIONS.md"])
    func theReferenceDocumentsEveryVariableTheConfigurationReads(document: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
        let read = try Self.variablesRead()
        #expect(read.count > 20)
        let undocumented = read.filter { !text.contains("`\($0)`") }
        #expect(undocumented.isEmpty, "not in \(document): \(undocumented.sorted())")
    }
}
