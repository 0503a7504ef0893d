import Foundation
import Testing
@testable import PolicyModels

/// Chat templates render exactly as jinja2 (with transformers' trim_blocks/lstrip_blocks)
/// renders them: SmolLM2's template from its GGUF, and a Hermes-style tool template with
/// block tags on their own lines (`Benchmarks/llama_reference.py chat-template`).
struct ChatTemplateTests {
    struct Case: Decodable {
        let name: String
        let messages: [TemplateMessage]
        let addGenerationPrompt: Bool
        let rendered: String
    }
    struct Fixture: Decodable {
        let template: String
        let cases: [Case]
        let hermesTemplate: String
        let hermesCases: [Case]
    }

    static func fixture() throws -> Fixture {
        let url = GGUFReaderTests.folder.appendingPathComponent("smollm2-chat-template.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func smolLM2TemplateRendersLikeJinja2() throws {
        let fixture = try Self.fixture()
        let template = try ChatTemplate(fixture.template)
        for c in fixture.cases {
            let got = try template.render(c.messages, addGenerationPrompt: c.addGenerationPrompt)
            #expect(got == c.rendered, "\(c.name)")
        }
    }

    @Test func hermesStyleTemplateRendersLikeJinja2() throws {
        let fixture = try Self.fixture()
        let template = try ChatTemplate(fixture.hermesTemplate)
        for c in fixture.hermesCases {
            let got = try template.render(c.messages, addGenerationPrompt: c.addGenerationPrompt)
            #expect(got == c.rendered, "\(c.name)")
        }
    }

    @Test func refusesUnsupportedConstructsByName() {
        #expect(throws: PolicyModelsError.self) { try ChatTemplate("{% macro f() %}x{% endmacro %}") }
        #expect(throws: PolicyModelsError.self) { try ChatTemplate("{{ messages | tojson }}") }
        #expect(throws: PolicyModelsError.self) { try ChatTemplate("{{ raise_exception('no') }}") }
        #expect(throws: PolicyModelsError.self) { try ChatTemplate("{% if x %}open") }
    }

    @Test func loopVariablesFiltersAndOperators() throws {
        let t = try ChatTemplate("{% for m in messages %}{{ loop.index }}/{{ loop.length }}:{{ m.role|upper }}{% if not loop.last %},{% endif %}{% endfor %}{{ bos_token ~ 1 }}")
        let got = try t.render([TemplateMessage(role: "user", content: "a"), TemplateMessage(role: "assistant", content: "b")],
                               extra: ["bos_token": "<s>"])
        #expect(got == "1/2:USER,2/2:ASSISTANT<s>1")
    }
}
