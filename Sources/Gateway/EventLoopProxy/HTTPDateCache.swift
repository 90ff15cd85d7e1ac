#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `Date` header value (IMF-fixdate, RFC 9110 §5.6.7) of the current second, formatted
/// once per second: the event-loop proxy stamps its answers with the gateway's clock, as
/// Hummingbird does for the router's. Lives on one event loop.
final class HTTPDateCache {
    private var second: time_t = -1
    private var value = ""
    private var field: [UInt8] = []

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// E.g. `Wed, 25 Nov 2026 20:33:11 GMT`.
    var current: String {
        refresh()
        return value
    }

    /// The whole field line, `Date: ` and `current` and CRLF, as bytes (for the byte-level
    /// path, which copies it into a head as it is).
    var currentField: [UInt8] {
        refresh()
        return field
    }

    private func refresh() {
        var now = time(nil)
        guard now != second else { return }
        second = now
        var parts = tm()
        gmtime_r(&now, &parts)
        value = Self.format(parts)
        field = Array("Date: \(value)\r\n".utf8)
    }

    static func format(_ parts: tm) -> String {
        func two(_ number: Int32) -> String { number < 10 ? "0\(number)" : "\(number)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
