import Foundation
import Testing
import ToolSandbox
@testable import EnvironmentKit

/// Tasks written in env.yaml itself: typed like JSON, errors name env.yaml's line and the item.
@Suite struct InlineTasksTests {
    static let manifest = """
        name: inline
        version: 1.0.0
        description: Inline tasks.
        system_prompt: Answer.
        tasks:
          train:
            - {id: a, kind: easy, prompt: "What is 2+2?", answer: 4, first_action: answer}
            - id: b
              prompt: Name a primary colour.
              answer: [red, "blue", yellow]
          test:
            - {id: c, prompt: "Is it true?", answer: true, weight: 0.5, note: null, code: "007"}
        verifier: exact_match
        """

    func parse(_ text: String) throws -> EnvironmentManifest {
        try ManifestLoader.parse(text, folder: try Fixtures.temporaryFolder())
    }

    func error(_ text: String) throws -> String {
        do { _ = try parse(text) } catch { return "\(error)" }
        Issue.record("no error for:\n\(text)")
        return ""
    }

    @Test func parsesTypedTasks() throws {
        guard case .inline(let tasks) = try parse(Self.manifest).tasks else {
            Issue.record("not inline")
            return
        }
        #expect(tasks.train.map(\.id) == ["a", "b"] && tasks.test.map(\.id) == ["c"])
        #expect(tasks.train[0].answer == .int(4) && tasks.train[0].kind == "easy" && tasks.train[0].firstAction == "answer")
        #expect(tasks.train[1].answer == .array([.string("red"), .string("blue"), .string("yellow")]) && tasks.train[1].kind == "default")
        let test = tasks.test[0]
        #expect(test.answer == .bool(true) && test.fields["weight"] == .double(0.5) && test.fields["note"] == .null)
        #expect(test.fields["code"] == .string("007"))  // quoted: text, not a number
    }

    @Test func badItemsNameLineAndItem() throws {
        let missing = try error(Self.manifest.replacingOccurrences(of: "prompt: Name a primary colour.", with: "promt: Name a primary colour."))
        #expect(missing.contains("env.yaml:8") && missing.contains("tasks.train[1]") && missing.contains("prompt"), "\(missing)")
        let scalar = try error(Self.manifest.replacingOccurrences(of: "    - {id: c,", with: "    - c\n    - {id: c,"))
        #expect(scalar.contains("env.yaml:12") && scalar.contains("tasks.test[0]") && scalar.contains("mapping"), "\(scalar)")
        let duplicate = try error(Self.manifest.replacingOccurrences(of: "- id: b", with: "- id: a"))
        #expect(duplicate.contains("duplicate task id 'a'") && duplicate.contains("env.yaml:7") && duplicate.contains("env.yaml:8"), "\(duplicate)")
    }

    @Test func bothSplitsInlineOrBothFiles() throws {
        let mixed = Self.manifest.replacingOccurrences(of: "  test:\n    - {id: c, prompt: \"Is it true?\", answer: true, weight: 0.5, note: null, code: \"007\"}", with: "  test: test.jsonl")
        let message = try error(mixed)
        #expect(message.contains("tasks.train") && message.contains("both splits inline"), "\(message)")
        let notList = try error(Self.manifest.replacingOccurrences(of: "  test:\n    - {id: c, prompt: \"Is it true?\", answer: true, weight: 0.5, note: null, code: \"007\"}", with: "  test: {id: c}"))
        #expect(notList.contains("env.yaml:11") && notList.contains("tasks.test") && notList.contains("a mapping"), "\(notList)")
    }
}
