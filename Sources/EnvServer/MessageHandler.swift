import EnvironmentKit
import ToolSandbox

/// OpenEnv's WebSocket message protocol for one session, independent of the transport: one
/// client text in, one reply out. Every bad message gets an error reply and leaves the session
/// usable; only `close` ends it.
public struct MessageHandler: Sendable {
    /// What to do after a message.
    public struct Outcome: Sendable {
        /// The reply to send (nil for `close`, which OpenEnv does not answer).
        public var reply: JSONValue?
        /// The client asked to close the session.
        public var close: Bool
    }

    let session: EnvironmentSession
    let table: SessionTable
    let mcp: MCPEndpoint

    public init(session: EnvironmentSession, table: SessionTable, mcp: MCPEndpoint) {
        self.session = session
        self.table = table
        self.mcp = mcp
    }

    /// Handles one text message (already within the size limit).
    public func handle(_ text: String) async -> Outcome {
        // Active at the start and at the end: a long step is not idle time.
        await table.touch(session.id)
        let outcome: Outcome
        do {
            outcome = try await dispatch(try WireFormat.parseObject(text))
        } catch {
            await table.record(error.code)
            outcome = Outcome(reply: WireFormat.errorMessage(error), close: false)
        }
        await table.touch(session.id)
        return outcome
    }

    /// The error reply for a message that was not read at all (too large, binary).
    public func reject(_ error: WireError) async -> Outcome {
        await table.touch(session.id)
        await table.record(error.code)
        return Outcome(reply: WireFormat.errorMessage(error), close: false)
    }

    private func dispatch(_ message: [String: JSONValue]) async throws(WireError) -> Outcome {
        let type: String
        switch message["type"] {
        case .string(let value)?: type = value
        case nil: type = ""
        case let other?: throw WireError(.unknownType, "Unknown message type: \(other) (a message's \"type\" is a string)")
        }
        switch type {
        case "reset":
            try Self.allowOnly(["type", "data"], in: message)
            let payload = try await session.reset(try ResetParameters(try Self.object(message["data"], field: "data", required: false)))
            await table.recordReset()
            return Outcome(reply: WireFormat.observationMessage(payload), close: false)
        case "step":
            try Self.allowOnly(["type", "data"], in: message)
            let payload = try await session.step(try ActionParameters(try Self.object(message["data"], field: "data", required: true)))
            await table.recordStep()
            return Outcome(reply: WireFormat.observationMessage(payload), close: false)
        case "state":
            try Self.allowOnly(["type"], in: message)
            return Outcome(reply: .object(["type": .string("state"), "data": await session.state()]), close: false)
        case "close":
            return Outcome(reply: nil, close: true)
        case "mcp":
            try Self.allowOnly(["type", "data"], in: message)
            let request = try Self.object(message["data"], field: "data", required: true)
            let response = await mcp.handle(.object(request), sessionTask: await session.currentTask)
            return Outcome(reply: .object(["type": .string("mcp"), "data": response]), close: false)
        default:
            throw WireError(.unknownType, "Unknown message type: \(type) (expected reset, step, state, close or mcp)")
        }
    }

    /// OpenEnv's message models forbid extra fields.
    static func allowOnly(_ keys: Set<String>, in message: [String: JSONValue]) throws(WireError) {
        let extra = message.keys.filter { !keys.contains($0) }.sorted()
        if !extra.isEmpty { throw WireError(.validationError, "Invalid message: unexpected field(s) \(extra.joined(separator: ", "))") }
    }

    static func object(_ value: JSONValue?, field: String, required: Bool) throws(WireError) -> [String: JSONValue] {
        switch value {
        case .object(let object)?: return object
        case nil where !required: return [:]
        case nil: throw WireError(.validationError, "Invalid message: \"\(field)\" is required")
        case let other?: throw WireError(.validationError, "Invalid message: \"\(field)\" must be an object, got \(WireFormat.typeName(other))")
        }
    }
}
