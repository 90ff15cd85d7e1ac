/// Text made safe to place in HTML element content or a quoted attribute.
enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Escaped text with the document's `` `code` `` spans rendered as `<code>`.
    static func inline(_ text: String) -> String {
        var html = ""
        var inCode = false
        for (index, piece) in text.split(separator: "`", omittingEmptySubsequences: false).enumerated() {
            if index > 0 {
                html += inCode ? "</code>" : "<code>"
                inCode.toggle()
            }
            html += escape(String(piece))
        }
        if inCode { html += "</code>" }
        return html
    }

    /// The little Markdown the descriptions use: paragraphs split by blank lines, lines
    /// starting with `- ` as a list, and `` `code` `` spans.
    static func prose(_ text: String) -> String {
        var html = ""
        for paragraph in text.split(separator: "\n\n", omittingEmptySubsequences: true) {
            var sentences: [String] = []
            var items: [String] = []
            for line in paragraph.split(separator: "\n") {
                let trimmed = line.drop { $0 == " " }
                if trimmed.hasPrefix("- ") {
                    items.append(String(trimmed.dropFirst(2)))
                } else if !items.isEmpty {
                    items[items.count - 1] += " " + trimmed
                } else {
                    sentences.append(String(trimmed))
                }
            }
            if !sentences.isEmpty { html += "<p>" + inline(sentences.joined(separator: " ")) + "</p>" }
            if !items.isEmpty { html += "<ul>" + items.map { "<li>" + inline($0) + "</li>" }.joined() + "</ul>" }
        }
        return html
    }
}
