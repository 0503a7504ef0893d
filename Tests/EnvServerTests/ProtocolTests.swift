import EnvironmentKit
import Foundation
import Logging
import Testing
import ToolSandbox

@testable import EnvServer

/// A Swift-native environment with no sandbox: one `noop` tool, exact-match answers, 3 turns.
enum Tiny {
    static let provider = NativeEnvironment(
        spec: EnvironmentSpec(name: "tiny", description: "test environment", systemPrompt: "Answer with <answer>42</answer>.", maxTurns: 3),
        tasks: TaskSet(
            train: [TaskRecord(id: "t0", kind: "k", prompt: "What is six times seven?", answer: .string("42"))],
            test: [TaskRecord(id: "s0", kind: "k", prompt: "What is forty minus two?", answer: .string("38"))]),
        tools: [NoOpTool()], verifier: ExactMatchVerifier(), reward: RewardSettings(formatPenalty: -0.5))

    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    static func handler(maxSessions: Int = 4) async throws -> (MessageHandler, SessionTable) {
        let table = SessionTable(provider: provider, maxSessions: maxSessions, logger: quiet)
        let session = try await table.open()
        let mcp = MCPEndpoint(tools: provider.tools, tasks: provider.tasks)
        return (MessageHandler(session: session, table: table, mcp: mcp), table)
    }
}

extension MessageHandler.Outcome {
    var errorCode: String? {
        guard case .object(let reply)? = reply, reply["type"] == .string("error"), case .object(let data)? = reply["data"],
              case .string(let code)? = data["code"] else { return nil }
        return code
    }

    /// `data` of an observation or state reply.
    var data: [String: JSONValue] {
        guard case .object(let reply)? = reply, case .object(let data)? = reply["data"] else { return [:] }
        return data
    }

    var observation: [String: JSONValue] {
        if case .object(let observation)? = data["observation"] { return observation }
        return [:]
    }
}

@Test func badMessagesGetTheirCodesAndTheSessionStaysUsable() async throws {
    let (handler, table) = try await Tiny.handler()
    let cases: [(String, String)] = [
        ("{nope", "INVALID_JSON"),
        ("\"just a string\"", "INVALID_JSON"),
        (#"{"type":"fly"}"#, "UNKNOWN_TYPE"),
        (#"{"type":7}"#, "UNKNOWN_TYPE"),
        (#"{"data":{}}"#, "UNKNOWN_TYPE"),
        (#"{"type":"step","data":{"message":"<answer>42</answer>"}}"#, "SESSION_ERROR"),
        (#"{"type":"step","data":{"text":"x"}}"#, "VALIDATION_ERROR"),
        (#"{"type":"step","data":{"message":5}}"#, "VALIDATION_ERROR"),
        (#"{"type":"step"}"#, "VALIDATION_ERROR"),
        (#"{"type":"reset","data":{"seed":-3}}"#, "VALIDATION_ERROR"),
        (#"{"type":"reset","data":{"split":"dev"}}"#, "VALIDATION_ERROR"),
        (#"{"type":"reset","data":{"task_id":"missing"}}"#, "VALIDATION_ERROR"),
        (#"{"type":"reset","data":{},"extra":1}"#, "VALIDATION_ERROR"),
    ]
    for (text, code) in cases {
        let outcome = await handler.handle(text)
        #expect(outcome.errorCode == code, "\(text) → \(String(describing: outcome.reply))")
        #expect(!outcome.close)
    }
    // Still usable: a whole episode.
    let reset = await handler.handle(#"{"type":"reset","data":{"seed":1,"episode_id":"ep-1"}}"#)
    #expect(reset.observation["text"] == .string("What is six times seven?"))
    #expect(reset.observation["turn"] == .int(0) && reset.data["reward"] == .null && reset.data["done"] == .bool(false))
    let noop = await handler.handle(#"{"type":"step","data":{"message":"<noop>x</noop>","metadata":{"k":1}}}"#)
    #expect(noop.observation["text"] == .string("<result name=\"noop\">ok</result>"))
    #expect(noop.observation["turn"] == .int(1) && noop.data["done"] == .bool(false))
    guard case .array(let calls)? = noop.observation["tool_calls"], case .object(let call)? = calls.first else {
        Issue.record("no tool_calls in \(noop.observation)")
        return
    }
    #expect(call["name"] == .string("noop") && call["output"] == .string("ok") && call["is_error"] == .bool(false))
    let bad = await handler.handle(#"{"type":"step","data":{"message":"no tags"}}"#)
    #expect(bad.data["reward"] == .double(-0.5) && bad.observation["format_error"] != .null)
    let answer = await handler.handle(#"{"type":"step","data":{"message":"<answer>42</answer>"}}"#)
    #expect(answer.data["done"] == .bool(true) && answer.data["reward"] == .double(1))
    #expect(answer.observation["terminated"] == .bool(true) && answer.observation["success"] == .bool(true))
    let after = await handler.handle(#"{"type":"step","data":{"message":"<answer>42</answer>"}}"#)
    #expect(after.errorCode == "SESSION_ERROR")
    let state = await handler.handle(#"{"type":"state"}"#)
    #expect(state.data["episode_id"] == .string("ep-1") && state.data["step_count"] == .int(3) && state.data["done"] == .bool(true))
    #expect(await handler.handle(#"{"type":"close"}"#).close)

    let counts = await table.snapshot
    #expect(counts.errors == cases.count + 1 && counts.errorsByCode["INVALID_JSON"] == 2 && counts.errorsByCode["SESSION_ERROR"] == 2)
    #expect(counts.resets == 1 && counts.steps == 3)
}

@Test func theTurnLimitTruncatesAndResetStartsOver() async throws {
    let (handler, _) = try await Tiny.handler()
    _ = await handler.handle(#"{"type":"reset","data":{"seed":0,"split":"test"}}"#)
    var last = await handler.handle(#"{"type":"step","data":{"message":"<noop>a</noop>"}}"#)
    for _ in 0..<2 { last = await handler.handle(#"{"type":"step","data":{"message":"<noop>a</noop>"}}"#) }
    #expect(last.data["done"] == .bool(true) && last.observation["truncated"] == .bool(true) && last.observation["terminated"] == .bool(false))
    #expect(last.observation["truncated_by"] == .string("TimeLimit(3)"))
    let again = await handler.handle(#"{"type":"reset","data":{"task_id":"s0","split":"test"}}"#)
    #expect(again.observation["task_id"] == .string("s0") && again.observation["turn"] == .int(0))
    #expect(await handler.handle(#"{"type":"step","data":{"message":"<answer>38</answer>"}}"#).observation["success"] == .bool(true))
}

@Test func capacityIsEnforcedAndIdleSessionsAreReclaimed() async throws {
    let table = SessionTable(provider: Tiny.provider, maxSessions: 2, logger: Tiny.quiet)
    let reclaimed = Counter()
    let first = try await table.open(onReclaim: { await reclaimed.add() })
    _ = try await table.open(onReclaim: { await reclaimed.add() })
    await #expect(throws: WireError.self) { try await table.open() }
    do {
        _ = try await table.open()
    } catch {
        #expect(error.code == .capacityReached)
    }
    await table.close(first.id)
    let third = try await table.open()
    let full = await table.snapshot
    #expect(full.activeSessions == 2 && full.capacityRejections == 2)
    // Nothing is idle yet; 10 minutes from now everything is.
    #expect(await table.reclaimIdle(olderThan: .seconds(60)) == 0)
    #expect(await table.reclaimIdle(olderThan: .seconds(60), now: .now + .seconds(600)) == 2)
    let empty = await table.snapshot
    #expect(empty.activeSessions == 0 && empty.sessionsReclaimed == 2)
    #expect(await reclaimed.value == 1, "only the reclaimed session's hook runs, not the closed one's")
    let handler = MessageHandler(session: third, table: table, mcp: MCPEndpoint(tools: [], tasks: Tiny.provider.tasks))
    #expect(await handler.handle(#"{"type":"reset","data":{}}"#).errorCode == "SESSION_ERROR")
}

@Test func mcpListsAndCallsTheEnvironmentTools() async throws {
    let mcp = MCPEndpoint(tools: Tiny.provider.tools, tasks: Tiny.provider.tasks)
    let list = await mcp.handle(.object(["jsonrpc": .string("2.0"), "id": .int(1), "method": .string("tools/list")]))
    guard case .object(let listReply) = list, case .object(let result)? = listReply["result"], case .array(let tools)? = result["tools"],
          case .object(let tool)? = tools.first else {
        Issue.record("tools/list: \(list)")
        return
    }
    #expect(tool["name"] == .string("noop") && tool["inputSchema"] != nil && listReply["id"] == .int(1))
    let call = await mcp.handle(.object(["jsonrpc": .string("2.0"), "id": .string("c"), "method": .string("tools/call"),
                                         "params": .object(["name": .string("noop"), "arguments": .object(["text": .string("x")])])]))
    #expect(WireFormat.text(call) == #"{"id":"c","jsonrpc":"2.0","result":{"content":[{"text":"ok","type":"text"}],"isError":false}}"#)
    func errorCode(_ value: JSONValue) -> JSONValue? {
        if case .object(let reply) = value, case .object(let error)? = reply["error"] { return error["code"] }
        return nil
    }
    // What `openenv validate` posts: an empty object is an invalid request, answered in JSON-RPC.
    #expect(errorCode(await mcp.handle(.object([:]))) == .int(-32600))
    #expect(errorCode(await mcp.handle(.object(["jsonrpc": .string("2.0"), "method": .string("resources/list")]))) == .int(-32601))
    #expect(errorCode(await mcp.handle(.object(["jsonrpc": .string("2.0"), "method": .string("tools/call"), "params": .object(["name": .string("rm")])]))) == .int(-32602))
    #expect(errorCode(await mcp.handle(.object(["jsonrpc": .string("2.0"), "method": .string("tools/call"), "params": .object(["name": .string("noop")])]))) == .int(-32602))
}

@Test func schemasDescribeExactlyTheFieldsTheServerWrites() async throws {
    let (handler, _) = try await Tiny.handler()
    let reset = await handler.handle(#"{"type":"reset","data":{"seed":1}}"#)
    let step = await handler.handle(#"{"type":"step","data":{"message":"<noop>x</noop>"}}"#)
    let state = await handler.handle(#"{"type":"state"}"#)
    func properties(_ schema: JSONValue) -> Set<String> {
        guard case .object(let object) = schema, case .object(let properties)? = object["properties"] else { return [] }
        return Set(properties.keys)
    }
    #expect(Set(reset.observation.keys) == properties(Schemas.observation))
    #expect(Set(step.observation.keys) == properties(Schemas.observation))
    #expect(Set(state.data.keys) == properties(Schemas.state))
    #expect(properties(Schemas.action) == ["message", "metadata"])
}

actor Counter {
    var value = 0
    func add() { value += 1 }
}
