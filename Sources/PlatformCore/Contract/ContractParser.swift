import HTTPTypes
import Yams

/// Reads `openapi.yaml` into an `APIContract`, resolving the `$ref`s of parameters and
/// responses within the document.
enum ContractParser {
    static let methods: [(String, HTTPRequest.Method)] = [
        ("get", .get), ("put", .put), ("post", .post), ("delete", .delete), ("options", .options),
        ("head", .head), ("patch", .patch), ("trace", .trace),
    ]

    static func parse(_ yaml: String) throws(ContractError) -> APIContract {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ContractError(location: "document", reason: "the document is empty")
            }
            root = node
        } catch let error as ContractError {
            throw error
        } catch {
            throw ContractError(location: "document", reason: "not valid YAML")
        }
        let info = root["info"]
        let serviceTags = try parseServiceTags(root["x-service-tags"])
        var serviceByTag: [String: String] = [:]
        for (service, tags) in serviceTags {
            for tag in tags { serviceByTag[tag] = service }
        }
        let tags = (root["tags"]?.sequence.map(Array.init) ?? []).map {
            APIContract.Tag(name: $0["name"]?.string ?? "", description: $0["description"]?.string ?? "")
        }
        guard let paths = root["paths"]?.mapping else {
            throw ContractError(location: "paths", reason: "the document has no paths")
        }
        var operations: [ContractOperation] = []
        var seenIDs: Set<String> = []
        for (pathKey, pathItem) in paths {
            guard let template = pathKey.string else { continue }
            let path = try PathTemplate(template)
            let sharedParameters = pathItem["parameters"]?.sequence.map(Array.init) ?? []
            for (name, method) in methods {
                guard let node = pathItem[name] else { continue }
                let location = "paths.\(template).\(name)"
                let operation = try parseOperation(
                    node, method: method, path: path, location: location, root: root,
                    sharedParameters: sharedParameters, serviceByTag: serviceByTag)
                guard seenIDs.insert(operation.operationID).inserted else {
                    throw ContractError(
                        location: location, reason: "operationId \(operation.operationID) is not unique")
                }
                operations.append(operation)
            }
        }
        return APIContract(
            title: info?["title"]?.string ?? "",
            version: info?["version"]?.string ?? "",
            description: info?["description"]?.string ?? "",
            tags: tags,
            serviceTags: serviceTags,
            operations: operations
        )
    }

    private static func parseServiceTags(_ node: Node?) throws(ContractError) -> [String: [String]] {
        guard let mapping = node?.mapping else {
            throw ContractError(location: "x-service-tags", reason: "missing: which service implements which tags")
        }
        var result: [String: [String]] = [:]
        for (key, value) in mapping {
            guard let service = key.string, let tags = value.sequence else {
                throw ContractError(location: "x-service-tags", reason: "expected service: [tags]")
            }
            result[service] = tags.compactMap(\.string)
        }
        return result
    }

    private static func parseOperation(
        _ node: Node, method: HTTPRequest.Method, path: PathTemplate, location: String, root: Node,
        sharedParameters: [Node], serviceByTag: [String: String]
    ) throws(ContractError) -> ContractOperation {
        guard let operationID = node["operationId"]?.string, !operationID.isEmpty else {
            throw ContractError(location: location, reason: "no operationId")
        }
        guard let tag = node["tags"]?.sequence?.first?.string else {
            throw ContractError(location: location, reason: "no tag")
        }
        let service = serviceByTag[tag]
        guard service != nil || tag == APIContract.platformTag else {
            throw ContractError(location: location, reason: "tag \(tag) is in no x-service-tags entry")
        }
        let access = try parseAccess(node["x-roles"], location: location)
        var parameters: [ContractParameter] = []
        for parameterNode in sharedParameters + (node["parameters"]?.sequence.map(Array.init) ?? []) {
            let resolved = resolve(parameterNode, root: root)
            let parameter = ContractParameter(
                name: resolved["name"]?.string ?? "",
                location: resolved["in"]?.string ?? "",
                isRequired: resolved["required"]?.bool ?? false,
                schema: schemaName(resolved["schema"], root: root),
                description: resolved["description"]?.string
            )
            // An operation's own parameter replaces a path-level one of the same name and place.
            parameters.removeAll { $0.name == parameter.name && $0.location == parameter.location }
            parameters.append(parameter)
        }
        var requestBody: ContractRequestBody?
        if let body = node["requestBody"].map({ resolve($0, root: root) }) {
            requestBody = ContractRequestBody(
                isRequired: body["required"]?.bool ?? false, content: content(body["content"], root: root))
        }
        var responses: [ContractResponse] = []
        for (statusNode, responseNode) in node["responses"]?.mapping ?? [:] {
            let resolved = resolve(responseNode, root: root)
            responses.append(
                ContractResponse(
                    status: statusNode.string ?? "",
                    description: responseNode["description"]?.string ?? resolved["description"]?.string ?? "",
                    content: content(resolved["content"], root: root)
                ))
        }
        return ContractOperation(
            operationID: operationID, method: method, path: path, tag: tag, service: service, access: access,
            isInternal: node["x-internal"]?.bool ?? false,
            summary: node["summary"]?.string ?? "",
            description: node["description"]?.string,
            parameters: parameters, requestBody: requestBody, responses: responses
        )
    }

    private static func parseAccess(_ node: Node?, location: String) throws(ContractError) -> AccessRequirement {
        guard let names = node?.sequence?.compactMap(\.string), !names.isEmpty else {
            throw ContractError(location: location, reason: "no x-roles")
        }
        if names == ["PUBLIC"] { return .public }
        var roles: Set<Role> = []
        for name in names {
            guard let role = Role(rawValue: name) else {
                throw ContractError(location: location, reason: "x-roles names an unknown role \(name)")
            }
            roles.insert(role)
        }
        return .anyOf(roles)
    }

    private static func content(_ node: Node?, root: Node) -> [ContractContent] {
        (node?.mapping ?? [:]).map { mediaType, media in
            ContractContent(mediaType: mediaType.string ?? "", schema: schemaName(media["schema"], root: root))
        }
    }

    /// A local `$ref` (`#/components/...`) replaced by its target; other nodes as they are.
    static func resolve(_ node: Node, root: Node) -> Node {
        var current = node
        // Bounded, so a reference cycle cannot loop forever.
        for _ in 0..<8 {
            guard let reference = current["$ref"]?.string, reference.hasPrefix("#/") else { return current }
            var target: Node? = root
            for component in reference.dropFirst(2).split(separator: "/") {
                target = target?[String(component)]
            }
            guard let target else { return current }
            current = target
        }
        return current
    }

    /// A short human name of a schema: the referenced schema's name, the alternatives of a
    /// `oneOf`, `array of X`, or the type (with its format).
    static func schemaName(_ node: Node?, root: Node) -> String {
        guard let node else { return "" }
        if let reference = node["$ref"]?.string {
            return String(reference.split(separator: "/").last ?? "")
        }
        for combinator in ["oneOf", "anyOf", "allOf"] {
            if let options = node[combinator]?.sequence {
                let separator = combinator == "allOf" ? " & " : " | "
                return options.map { schemaName($0, root: root) }.joined(separator: separator)
            }
        }
        if let items = node["items"], node["type"]?.string == "array" {
            return "array of \(schemaName(items, root: root))"
        }
        if let values = node["enum"]?.sequence {
            return "enum (" + values.map { $0.string ?? "null" }.joined(separator: ", ") + ")"
        }
        var type =
            node["type"]?.string ?? node["type"]?.sequence?.compactMap(\.string).joined(separator: " | ") ?? "any"
        if let format = node["format"]?.string { type += " (\(format))" }
        return type
    }
}
