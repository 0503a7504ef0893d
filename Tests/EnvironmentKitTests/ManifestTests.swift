import Foundation
import Testing
@testable import EnvironmentKit

/// Every bad manifest we can think of gives an error naming the file, the line and the field.
@Suite struct ManifestTests {
    static let good = """
        name: demo
        version: 1.0.0
        description: A demo.
        tools: []
        system_prompt: |
          Answer with <answer>x</answer>.
        tasks:
          train: train.jsonl
          test: test.jsonl
        verifier: exact_match
        max_turns: 3
        """
    static let train = #"{"id": "a", "kind": "k", "prompt": "p1", "answer": "x"}"# + "\n"
    static let test = #"{"id": "b", "kind": "k", "prompt": "p2", "answer": "y"}"# + "\n"

    func folder(manifest: String, extra: [String: String] = [:]) throws -> URL {
        var files = ["env.yaml": manifest, "train.jsonl": Self.train, "test.jsonl": Self.test]
        for (name, text) in extra { files[name] = text }
        return try Fixtures.folder(files)
    }

    func error(_ manifest: String, extra: [String: String] = [:]) throws -> String {
        let url = try folder(manifest: manifest, extra: extra)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            let manifest = try ManifestLoader.load(folder: url)
            if case .files(let train, let test) = manifest.tasks {
                _ = try TaskFile.load(url.appendingPathComponent(train))
                _ = try TaskFile.load(url.appendingPathComponent(test))
            }
        } catch {
            return "\(error)"
        }
        Issue.record("no error for:\n\(manifest)")
        return ""
    }

    @Test func goodManifestParses() throws {
        let url = try folder(manifest: Self.good)
        let manifest = try ManifestLoader.load(folder: url)
        #expect(manifest.name == "demo" && manifest.maxTurns == 3 && manifest.verifier == .builtin(.exactMatch))
        #expect(manifest.actionFormat == .tags && manifest.observationCapChars == 2000 && manifest.context.budgetTokens == 2048)
        #expect(manifest.systemPrompt == "Answer with <answer>x</answer>.\n")
    }

    @Test func missingField() throws {
        let message = try error(Self.good.replacingOccurrences(of: "version: 1.0.0\n", with: ""))
        #expect(message.contains("env.yaml:1") && message.contains("field 'version'") && message.contains("missing"))
    }

    @Test func wrongType() throws {
        let message = try error(Self.good.replacingOccurrences(of: "max_turns: 3", with: "max_turns: three"))
        #expect(message.contains("env.yaml:11") && message.contains("field 'max_turns'") && message.contains("integer"))
        let list = try error(Self.good.replacingOccurrences(of: "tools: []", with: "tools: python"))
        #expect(list.contains("env.yaml:4") && list.contains("field 'tools'") && list.contains("list"))
        let nested = try error(Self.good + "\nreward:\n  format_penalty: lots\n")
        #expect(nested.contains("env.yaml:13") && nested.contains("reward.format_penalty") && nested.contains("number"))
    }

    @Test func unknownToolFieldAndValues() throws {
        let tool = try error(Self.good.replacingOccurrences(of: "tools: []", with: "tools: [python, browser]"))
        #expect(tool.contains("env.yaml:4") && tool.contains("unknown tool 'browser'"))
        let field = try error(Self.good + "\nmax_turn: 4\n")
        #expect(field.contains("env.yaml:12") && field.contains("field 'max_turn'") && field.contains("unknown field"))
        let verifier = try error(Self.good.replacingOccurrences(of: "verifier: exact_match", with: "verifier: fuzzy"))
        #expect(verifier.contains("env.yaml:10") && verifier.contains("unknown verifier 'fuzzy'"))
        let format = try error(Self.good + "\naction_format: xml\n")
        #expect(format.contains("field 'action_format'") && format.contains("unknown action format"))
        let name = try error(Self.good.replacingOccurrences(of: "name: demo", with: "name: Demo Env"))
        #expect(name.contains("env.yaml:1") && name.contains("field 'name'"))
    }

    @Test func missingFiles() throws {
        let message = try error(Self.good.replacingOccurrences(of: "test: test.jsonl", with: "test: tests.jsonl"))
        #expect(message.contains("env.yaml:9") && message.contains("tasks.test") && message.contains("tests.jsonl") && message.contains("does not exist"))
        let verifier = try error(Self.good.replacingOccurrences(of: "verifier: exact_match", with: "verifier: verify.py"))
        #expect(verifier.contains("env.yaml:10") && verifier.contains("field 'verifier'") && verifier.contains("verify.py"))
        let noManifest = try Fixtures.folder(["README.md": "x"])
        #expect(throws: EnvironmentError.self) { try ManifestLoader.load(folder: noManifest) }
    }

    @Test func brokenTaskLineAndDuplicates() throws {
        let broken = try error(Self.good, extra: ["test.jsonl": Self.test + "\n" + #"{"id": "c", "prompt": "p3", "answer": 1"# + "\n"])
        #expect(broken.contains("test.jsonl:3") && broken.contains("not valid JSON"))
        let missing = try error(Self.good, extra: ["train.jsonl": Self.train + #"{"id": "d", "answer": 1}"# + "\n"])
        #expect(missing.contains("train.jsonl:2") && missing.contains("prompt"))
        let duplicate = try error(Self.good, extra: ["train.jsonl": Self.train + Self.train])
        #expect(duplicate.contains("duplicate task id 'a'") && duplicate.contains("train.jsonl:1") && duplicate.contains("train.jsonl:2"))
        let field = try error(Self.good + "\nname: again\n")
        #expect(field.contains("duplicate field 'name'") && field.contains("env.yaml:1") && field.contains("env.yaml:12"), "\(field)")
    }

    @Test func yamlSyntax() throws {
        let message = try error(Self.good + "\ncontext: [unclosed\n")
        #expect(message.contains("env.yaml:") && message.contains("not valid YAML"))
    }

    @Test func generatorNeedsCounts() throws {
        let manifest = Self.good.replacingOccurrences(of: "  train: train.jsonl\n  test: test.jsonl", with: "  generator: generate.py\n  train_count: 10")
        let message = try error(manifest, extra: ["generate.py": "def generate(split, seed, count): return []\n"])
        #expect(message.contains("tasks.test_count") && message.contains("missing"))
    }
}
