import Foundation
import Testing
@testable import ToolSandbox

@Suite("Environment-defined Python tools")
struct ToolTests {
    static func pool() async throws -> SandboxPool {
        let tools = TestSandbox.fixtures.appendingPathComponent("tools.py").path
        return try await SandboxPool(configuration: TestSandbox.configuration(workers: 1, toolsFile: tools))
    }

    @Test("tools are described by their type hints and called with JSON arguments")
    func describeAndCall() async throws {
        let pool = try await Self.pool()
        let schemas = await pool.toolSchemas
        let names = schemas.compactMap { schema -> String? in
            if case .object(let fields) = schema, case .string(let name)? = fields["name"] { return name }
            return nil
        }
        #expect(names == ["add", "fail", "mean", "not_json", "solve_quadratic"])
        let add = schemas.first { $0.description.contains("\"name\": \"add\"") }
        #expect(add?.description.contains("\"required\": [\"a\"]") == true, "\(String(describing: add))")
        #expect(add?.description.contains("\"b\": {\"default\": 10, \"type\": \"integer\"}") == true)

        let sum = try await pool.callTool(name: "add", arguments: ["a": .int(2), "b": .int(3)])
        #expect(sum.ok && sum.value == .int(5), "\(sum)")
        let withDefault = try await pool.callTool(name: "add", arguments: ["a": .int(2)])
        #expect(withDefault.value == .int(12))
        let roots = try await pool.callTool(name: "solve_quadratic", arguments: ["a": .int(1), "b": .int(0), "c": .int(-4)])
        guard case .array(let values)? = roots.value else {
            Issue.record("solve_quadratic returned \(roots)")
            return
        }
        #expect(values.map(\.numberValue) == [-2, 2])
        let mean = try await pool.callTool(name: "mean", arguments: ["values": .array([.int(1), .double(2.5), .int(6)])])
        #expect(mean.value?.numberValue == 19.0 / 6.0)
        await pool.shutdown()
    }

    @Test("wrong tools, wrong arguments, raising tools and non-JSON returns give clear errors")
    func errors() async throws {
        let pool = try await Self.pool()
        let unknown = try await pool.callTool(name: "nope", arguments: [:])
        #expect(!unknown.ok && unknown.error?.contains("no tool named 'nope'") == true)
        #expect(unknown.error?.contains("add, fail, mean, not_json, solve_quadratic") == true)
        let missing = try await pool.callTool(name: "add", arguments: [:])
        #expect(missing.error == "tool add: missing required argument(s) a")
        let wrongType = try await pool.callTool(name: "add", arguments: ["a": .string("2")])
        #expect(wrongType.error == "tool add: argument a must be integer, got str")
        let extra = try await pool.callTool(name: "add", arguments: ["a": .int(1), "c": .int(1)])
        #expect(extra.error?.contains("unknown argument(s) c") == true)
        let raised = try await pool.callTool(name: "fail", arguments: ["message": .string("boom")])
        #expect(!raised.ok && raised.error == "ValueError: boom" && raised.stderr.contains("ValueError: boom"))
        let notJSON = try await pool.callTool(name: "not_json", arguments: [:])
        #expect(!notJSON.ok && notJSON.error?.contains("TypeError") == true, "\(notJSON)")
        let fine = try await pool.callTool(name: "add", arguments: ["a": .int(-1), "b": .int(1)])
        #expect(fine.value == .int(0))
        await pool.shutdown()
    }
}
