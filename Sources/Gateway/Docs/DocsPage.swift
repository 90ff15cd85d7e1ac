import HTTPTypes
import PlatformCore

/// `GET /docs`: the OpenAPI document rendered as one self-contained HTML page, server-side
/// (no script, no stylesheet or font from elsewhere, so it works offline): the API's
/// title and description, a contents list by tag, then every operation with its method,
/// path, summary, roles, parameters, request body and responses by schema name.
enum DocsPage {
    static func render(_ contract: APIContract) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(contract.title)) \(HTMLText.escape(contract.version))</title>
            <style>\(style)</style></head><body><main>
            <h1>\(HTMLText.escape(contract.title)) <small>\(HTMLText.escape(contract.version))</small></h1>
            <p class="links"><a href="/openapi.yaml">openapi.yaml</a></p>
            <section class="intro">\(HTMLText.prose(contract.description))</section>
            <nav><h2>Operations</h2>
            """
        let groups = groupedByTag(contract)
        for (tag, operations) in groups {
            html += "<h3>\(HTMLText.escape(tag.name))</h3><ul>"
            for operation in operations {
                html += """
                    <li><a href="#\(HTMLText.escape(operation.operationID))"><span class="method \
                    \(operation.method.rawValue.lowercased())">\(operation.method.rawValue)</span> \
                    <code>\(HTMLText.escape(operation.path.template))</code></a> \
                    \(HTMLText.inline(operation.summary))</li>
                    """
            }
            html += "</ul>"
        }
        html += "</nav>"
        for (tag, operations) in groups {
            html +=
                "<section class=\"tag\" id=\"tag-\(HTMLText.escape(tag.name))\"><h2>\(HTMLText.escape(tag.name))</h2>"
            html += tag.description.isEmpty ? "" : "<p>\(HTMLText.escape(tag.description))</p>"
            for operation in operations {
                html += self.operation(operation)
            }
            html += "</section>"
        }
        html += "</main></body></html>\n"
        return html
    }

    /// Tags in document order with their operations; operations of undeclared tags last.
    private static func groupedByTag(_ contract: APIContract) -> [(APIContract.Tag, [ContractOperation])] {
        var tags = contract.tags
        for operation in contract.operations where !tags.contains(where: { $0.name == operation.tag }) {
            tags.append(APIContract.Tag(name: operation.tag, description: ""))
        }
        return tags.compactMap { tag in
            let operations = contract.operations.filter { $0.tag == tag.name }
            return operations.isEmpty ? nil : (tag, operations)
        }
    }

    private static func operation(_ operation: ContractOperation) -> String {
        let id = HTMLText.escape(operation.operationID)
        var html = """
            <article class="operation" id="\(id)">
            <h3><span class="method \(operation.method.rawValue.lowercased())">\(operation.method.rawValue)</span> \
            <code class="path">\(HTMLText.escape(operation.path.template))</code></h3>
            <p class="summary">\(HTMLText.inline(operation.summary))</p>
            <dl class="facts"><dt>operationId</dt><dd><code>\(id)</code></dd>
            <dt>roles</dt><dd>\(roles(operation.access))</dd>
            """
        if operation.isInternal {
            html += "<dt>internal</dt><dd>service to service; the gateway does not route it</dd>"
        }
        html += "</dl>"
        if let description = operation.description {
            html += "<div class=\"description\">\(HTMLText.prose(description))</div>"
        }
        if !operation.parameters.isEmpty {
            html += "<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>schema</th><th>required</th>"
            html += "<th>description</th></tr>"
            for parameter in operation.parameters {
                html += """
                    <tr><td><code>\(HTMLText.escape(parameter.name))</code></td>\
                    <td>\(HTMLText.escape(parameter.location))</td>\
                    <td><code>\(HTMLText.escape(parameter.schema))</code></td>\
                    <td>\(parameter.isRequired ? "yes" : "no")</td>\
                    <td>\(HTMLText.escape(parameter.description ?? ""))</td></tr>
                    """
            }
            html += "</table>"
        }
        if let body = operation.requestBody {
            html += "<h4>Request body\(body.isRequired ? "" : " (optional)")</h4><ul>"
            for content in body.content {
                html += "<li><code>\(HTMLText.escape(content.mediaType))</code>: "
                html += "<code class=\"schema\">\(HTMLText.escape(content.schema))</code></li>"
            }
            html += "</ul>"
        }
        html += "<h4>Responses</h4><table><tr><th>status</th><th>body</th><th>description</th></tr>"
        for response in operation.responses {
            let bodies = response.content.map { "<code class=\"schema\">\(HTMLText.escape($0.schema))</code>" }
            html += """
                <tr><td>\(HTMLText.escape(response.status))</td><td>\(bodies.joined(separator: ", "))</td>\
                <td>\(HTMLText.prose(response.description))</td></tr>
                """
        }
        html += "</table></article>"
        return html
    }

    private static func roles(_ access: AccessRequirement) -> String {
        switch access {
        case .public:
            return "<span class=\"role public\">PUBLIC</span> (no token needed)"
        case .anyOf(let roles):
            return Role.allCases.filter(roles.contains).map {
                "<span class=\"role\">\($0.rawValue)</span>"
            }.joined(separator: " ")
        }
    }

    private static let style = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}\
        main{max-width:1100px;margin:0 auto;padding:24px}h1 small{color:#6a7385;font-size:.5em}\
        code{font-family:ui-monospace,monospace;background:#eef1f5;padding:1px 4px;border-radius:3px}\
        nav ul{list-style:none;padding-left:0}nav li{margin:2px 0}nav a{text-decoration:none;color:inherit}\
        .method{display:inline-block;min-width:56px;text-align:center;font-weight:700;font-size:.8em;\
        padding:2px 6px;border-radius:3px;color:#fff;background:#6a7385}.method.get{background:#2f7d32}\
        .method.post{background:#1f5fbf}.method.put{background:#a35f00}.method.patch{background:#7a4bb0}\
        .method.delete{background:#b3261e}.operation{background:#fff;border:1px solid #dde2ea;\
        border-radius:6px;padding:12px 16px;margin:16px 0}.operation h3{margin:0 0 4px}\
        .facts dt{float:left;clear:left;width:110px;color:#6a7385}.facts dd{margin-left:120px}\
        .role{display:inline-block;background:#e8eefc;border-radius:3px;padding:0 6px;margin-right:4px}\
        .role.public{background:#e6f4ea}table{border-collapse:collapse;width:100%;margin:6px 0}\
        th,td{border:1px solid #dde2ea;padding:4px 8px;text-align:left;vertical-align:top}\
        td p{margin:0}th{background:#f2f4f7}
        """
}
