import EnvironmentKit
import Foundation
import Hummingbird
import HummingbirdWebSocket
import ToolSandbox

/// OpenEnv's HTTP routes. As in OpenEnv, `/reset`, `/step` and `/state` are stateless (each
/// request gets a fresh environment); whole episodes are played over `/ws`.
struct HTTPRoutes: Sendable {
    let provider: any EnvironmentProvider
    let table: SessionTable
    let mcp: MCPEndpoint
    let maxBodyBytes: Int

    func register(on router: Router<BasicWebSocketRequestContext>) {
        let metadata = Self.metadata(provider)
        let openAPI = OpenAPIDocument.document(environment: provider.spec.name, description: provider.spec.description)
        router.get("/health") { _, _ in Self.json(.object(["status": .string("healthy")])) }
        router.get("/metadata") { _, _ in Self.json(metadata) }
        router.get("/schema") { _, _ in Self.json(Schemas.all) }
        router.get("/openapi.json") { _, _ in Self.json(openAPI) }
        router.get("/state") { _, _ in Self.json(WireFormat.statePayload(episodeID: nil, stepCount: 0, taskID: nil, done: false)) }
        router.get("/metrics") { _, _ in
            let data = try JSONEncoder().encode(await table.snapshot)
            return Self.response(.ok, String(decoding: data, as: UTF8.self))
        }
        router.post("/reset") { request, _ in await self.reset(request) }
        router.post("/step") { request, _ in await self.step(request) }
        router.post("/mcp") { request, _ in await self.mcp(request) }
    }

    private func reset(_ request: Request) async -> Response {
        do {
            let body = try await Self.objectBody(request, limit: maxBodyBytes, emptyIsObject: true)
            let session = EnvironmentSession(environment: provider.makeEnvironment())
            let payload = try await session.reset(try ResetParameters(body))
            await session.close()
            await table.recordReset()
            return Self.json(payload)
        } catch {
            return await failure(error)
        }
    }

    /// One step on a fresh environment reset from the request's seed (default 0), split and
    /// task: the first turn of that episode.
    private func step(_ request: Request) async -> Response {
        do {
            let body = try await Self.objectBody(request, limit: maxBodyBytes, emptyIsObject: false)
            guard case .object(let actionFields)? = body["action"] else {
                throw WireError(.validationError, "the body needs \"action\": {\"message\": \"<utterance>\"}")
            }
            let action = try ActionParameters(actionFields)
            var reset = try ResetParameters(body)
            reset.seed = reset.seed ?? 0
            let session = EnvironmentSession(environment: provider.makeEnvironment())
            _ = try await session.reset(reset)
            let payload = try await session.step(action)
            await session.close()
            await table.recordStep()
            return Self.json(payload)
        } catch {
            return await failure(error)
        }
    }

    private func mcp(_ request: Request) async -> Response {
        var request = request
        guard let buffer = try? await request.collectBody(upTo: maxBodyBytes) else {
            return Self.json(MCPEndpoint.error(.invalidRequest, "request body above \(maxBodyBytes) bytes (--max-message-bytes)", id: .null))
        }
        guard let message = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer)) else {
            return Self.json(MCPEndpoint.error(.parseError, "Parse error: the body is not JSON", id: .null))
        }
        return Self.json(await mcp.handle(message))
    }

    /// A request body above the size limit (answered 413, counted as VALIDATION_ERROR).
    struct BodyTooLarge: Error {
        let limit: Int
    }

    /// An error as FastAPI shapes it: `{"detail": …}`, 422 for bad input, 413 for a body above
    /// the limit, 500 when the environment failed.
    private func failure(_ error: any Error) async -> Response {
        if let tooLarge = error as? BodyTooLarge {
            await table.record(.validationError)
            return Self.json(.object(["detail": .string("request body above \(tooLarge.limit) bytes (--max-message-bytes)"), "code": .string(WireErrorCode.validationError.rawValue)]), status: .contentTooLarge)
        }
        let wire = error as? WireError ?? WireError(.executionError, "\(error)")
        await table.record(wire.code)
        let status: HTTPResponse.Status = wire.code == .executionError ? .internalServerError : .unprocessableContent
        return Self.json(.object(["detail": .string(wire.message), "code": .string(wire.code.rawValue)]), status: status)
    }

    static func objectBody(_ request: Request, limit: Int, emptyIsObject: Bool) async throws -> [String: JSONValue] {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw BodyTooLarge(limit: limit)
        }
        if buffer.readableBytes == 0 && emptyIsObject { return [:] }
        return try WireFormat.parseObject(String(buffer: buffer))
    }

    /// OpenEnv's `EnvironmentMetadata` plus what an agent needs to act: the system prompt (it
    /// states the action format), the tools, the turn limit.
    static func metadata(_ provider: any EnvironmentProvider) -> JSONValue {
        let spec = provider.spec
        var readme: JSONValue = .null
        if !provider.source.hasPrefix("swift:"),
           let text = try? String(contentsOf: URL(fileURLWithPath: provider.source).appendingPathComponent("README.md"), encoding: .utf8) {
            readme = .string(text)
        }
        return .object([
            "name": .string(spec.name), "description": .string(spec.description), "version": .string(spec.version),
            "readme_content": readme, "author": .null, "documentation_url": .null,
            "system_prompt": .string(spec.systemPrompt), "action_format": .string(spec.actionFormat.rawValue),
            "tools": .array(spec.tools.map { .object(["name": .string($0.name), "description": .string($0.description), "inputSchema": $0.argumentsSchema]) }),
            "max_turns": spec.maxTurns.map(JSONValue.int) ?? .null,
        ])
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        response(status, WireFormat.text(value))
    }

    static func response(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
