import ArgumentParser
import EnvServer
import EnvironmentKit
import Foundation
import Logging

/// `turnrl serve --env NAME`: one environment as an OpenEnv-compatible network service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve an environment over OpenEnv's HTTP/WebSocket protocol (any OpenEnv client or trainer can drive it).",
        discussion: """
            Each WebSocket connection to /ws is one session with its own environment; messages are \
            OpenEnv's: {"type":"reset","data":{"seed":1}}, {"type":"step","data":{"message":"<utterance>"}}, \
            {"type":"state"}, {"type":"close"}. HTTP: GET /health /metadata /schema /openapi.json /state \
            /metrics, POST /reset /step /mcp (JSON-RPC tools/list, tools/call on the environment's tools). \
            Bad messages get {"type":"error","data":{"code":…}} and the connection stays usable. \
            Sessions idle past --idle-timeout are closed; a full server answers CAPACITY_REACHED. \
            Prints one line "serving NAME on http://HOST:PORT" when ready (with --port 0, the port the \
            system picked). Stops on SIGINT/SIGTERM and logs the session, step and error counts. \
            Python: clients/python has a websocket client and a Gymnasium adapter.
            """)

    @Option(help: "Environment name or folder.")
    var env: String

    @Option(help: "Address to bind (127.0.0.1: this machine only).")
    var host = "127.0.0.1"

    @Option(help: "TCP port (0: any free port).")
    var port = 8000

    @Option(help: "Concurrent WebSocket sessions.")
    var maxSessions = 64

    @Option(help: "Seconds without a message before a session is closed (0: never).")
    var idleTimeout: Double = 600

    @Option(help: "Largest message or request body accepted, in bytes (larger: VALIDATION_ERROR).")
    var maxMessageBytes = 1 << 20

    @OptionGroup var options: EnvironmentOptions

    @Flag(name: [.short, .long], help: "Log each request's debug detail (session opens and closes are logged anyway).")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard maxSessions >= 1 else { throw ValidationError("--max-sessions must be at least 1") }
        guard idleTimeout >= 0 else { throw ValidationError("--idle-timeout must be >= 0 seconds") }
        guard maxMessageBytes >= 1024 else { throw ValidationError("--max-message-bytes must be at least 1024") }
    }

    func run() async throws {
        let logger = Self.logger(verbose: verbose)
        let provider = try await options.load(env)
        let configuration = ServerConfiguration(
            host: host, port: port, maxSessions: maxSessions,
            idleTimeout: idleTimeout > 0 ? .milliseconds(Int64(idleTimeout * 1000)) : nil, maxMessageBytes: maxMessageBytes)
        let server = EnvServer(provider: provider, configuration: configuration, logger: logger)
        let name = provider.spec.name
        let host = self.host
        do {
            try await server.run(handleSignals: true) { port in
                // Written unbuffered: scripts wait for this line to learn the port.
                let line = "serving \(name) on http://\(host):\(port) (WebSocket ws://\(host):\(port)/ws, max \(configuration.maxSessions) sessions)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        } catch {
            await provider.shutdown()
            if "\(error)".contains("Address already in use") {
                throw ServeError(description: "cannot listen on \(host):\(port): the port is in use; pick another with --port, or --port 0 for any free one")
            }
            throw error
        }
        await provider.shutdown()
    }

    /// Info-level logs on stderr (session opens/closes, counts at exit); debug with --verbose.
    static func logger(verbose: Bool) -> Logger {
        Logger(label: "turnrl.serve") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
    }
}

/// A `turnrl serve` failure worded for the user.
struct ServeError: Error, CustomStringConvertible {
    let description: String
}
