import PlatformCore
import Testing

@testable import Gateway

@Suite struct DocsPageTests {
    @Test func textIsEscaped() {
        #expect(
            HTMLText.escape(#"<script>"a" & 'b'</script>"#)
                == "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;")
    }

    @Test func proseRendersCodeSpansListsAndParagraphs() {
        let html = HTMLText.prose("First `x<y` line\ncontinues.\n\n- one `a`\n- two\n  wrapped")
        #expect(
            html
                == "<p>First <code>x&lt;y</code> line continues.</p><ul><li>one <code>a</code></li><li>two wrapped</li></ul>"
        )
    }

    @Test func pageShowsMethodPathRolesAndSchemas() throws {
        let contract = try GatewayContract(documentBytes: try repositoryDocument()).contract
        let html = DocsPage.render(contract)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(#"<code class="path">/events/{id}/claims</code>"#))
        #expect(html.contains(#"<span class="role">USER</span>"#))
        #expect(html.contains(#"<code class="schema">EventCreate</code>"#))
        #expect(html.contains(#"<code class="schema">ActivityInput | ActivityBatch</code>"#))
        #expect(html.contains("<code>limit</code>"))
    }
}
