import Foundation
import Gateway
import HummingbirdTesting
import PlatformCore
import TestSupport
import Testing

/// `/docs` as a person sees it: rendered by headless Chromium (Debian's `chromium`) from
/// the live gateway, offline, with every operation in the DOM and a real screenshot.
@Suite struct DocsBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (Debian package `chromium`); CI installs it"))
    func docsRenderInHeadlessChromiumWithEveryOperation() async throws {
        let chromium = try #require(Self.chromium)
        let contract = try GatewayContract(documentBytes: try repositoryDocument()).contract
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let screenshot = directory.appendingPathComponent("docs.png")

        try await GatewayHarness.run { _, gateway in
            let url = "http://127.0.0.1:\(gateway.port!)/docs"
            let common = [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
            ]
            let dom = try await Self.run(chromium, common + ["--dump-dom", url])
            for operation in contract.operations {
                #expect(
                    dom.contains(#"id="\#(operation.operationID)""#), "\(operation.operationID) missing from the DOM")
                #expect(dom.contains(operation.path.template.replacingOccurrences(of: "&", with: "&amp;")))
            }
            _ = try await Self.run(
                chromium, common + ["--screenshot=\(screenshot.path)", "--window-size=1280,4000", url])
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: screenshot.path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        #expect(size > 50_000, "the screenshot is \(size) bytes: nearly blank?")
        let header = try FileHandle(forReadingFrom: screenshot).readData(ofLength: 8)
        #expect(Array(header) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// Runs `executable` to completion (bounded at 60 s) and returns its standard output.
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw TestSupportError("\(executable) did not finish within 60 s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let data = await reader.value
        guard process.terminationStatus == 0 else {
            throw TestSupportError("\(executable) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
