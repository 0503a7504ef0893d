import EnvironmentKit
import Hummingbird
import HummingbirdWebSocket
import Logging
import ToolSandbox

/// `WS /ws`: one environment session per connection, OpenEnv's messages in both directions.
struct WebSocketEndpoint: Sendable {
    let table: SessionTable
    let mcp: MCPEndpoint
    let maxMessageBytes: Int
    let logger: Logger

    /// Serves one connection until the client closes it, sends `close`, or the session is
    /// reclaimed. A full server answers CAPACITY_REACHED and closes, as OpenEnv does.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let session: EnvironmentSession
        do {
            session = try await table.open(onReclaim: {
                let error = WireError(.sessionError, "session reclaimed after its idle timeout; open a new connection")
                try? await outbound.write(.text(WireFormat.text(WireFormat.errorMessage(error))))
                try? await outbound.close(.goingAway, reason: "idle timeout")
            })
        } catch {
            try await outbound.write(.text(WireFormat.text(WireFormat.errorMessage(error))))
            try await outbound.close(.normalClosure, reason: "capacity reached")
            return
        }
        let handler = MessageHandler(session: session, table: table, mcp: mcp)
        do {
            try await loop(inbound: inbound, outbound: outbound, handler: handler)
        } catch {
            logger.debug("connection ended with an error", metadata: ["session": "\(session.id)", "error": "\(error)"])
        }
        await table.close(session.id)
    }

    /// Reads whole messages (collating fragments) while keeping at most `maxMessageBytes` of
    /// one: a larger message is drained and answered VALIDATION_ERROR, and the connection goes on.
    private func loop(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, handler: MessageHandler) async throws {
        var message = ByteBuffer()
        var size = 0
        for try await frame in inbound {
            if frame.opcode != .continuation {
                message.clear()
                size = 0
            }
            size += frame.data.readableBytes
            if size <= maxMessageBytes { message.writeImmutableBuffer(frame.data) }
            guard frame.fin else { continue }
            let outcome: MessageHandler.Outcome
            if size > maxMessageBytes {
                outcome = await handler.reject(WireError(.validationError, "message of \(size) bytes is above the server's limit of \(maxMessageBytes) bytes (--max-message-bytes)"))
            } else {
                // Binary frames are read as UTF-8 text too (OpenEnv only sends text).
                outcome = await handler.handle(String(buffer: message))
            }
            if let reply = outcome.reply { try await outbound.write(.text(WireFormat.text(reply))) }
            if outcome.close { return }
        }
    }
}
