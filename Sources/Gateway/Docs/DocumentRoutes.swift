import Hummingbird
import PlatformCore

/// `GET /openapi.yaml` (the document, byte for byte) and `GET /docs` (the page rendered
/// from it). Both bodies are made once, at build time.
struct DocumentRoutes: Sendable {
    let document: ByteBuffer
    let page: ByteBuffer

    init(contract: GatewayContract) {
        document = ByteBuffer(bytes: contract.documentBytes)
        page = ByteBuffer(string: DocsPage.render(contract.contract))
    }

    func addRoutes(to router: Router<PlatformRequestContext>) {
        router.get("openapi.yaml") { [document] _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: document))
        }
        router.get("docs") { [page] _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: ResponseBody(byteBuffer: page))
        }
    }
}
