import EnvironmentKit
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// Serves one TurnRL environment over OpenEnv's protocol: WebSocket sessions at `/ws`, the
/// HTTP routes `/health /metadata /schema /openapi.json /reset /step /state /mcp /metrics`.
///
/// ```swift
/// let server = EnvServer(provider: provider, configuration: ServerConfiguration(port: 0))
/// try await server.run { port in print("listening on \(port)") }   // until shutdown()
/// ```
public struct EnvServer: Sendable {
    public let provider: any EnvironmentProvider
    public let configuration: ServerConfiguration
    public let logger: Logger
    /// The sessions and the counts (also at `GET /metrics`).
    public let table: SessionTable
    let mcp: MCPEndpoint
    private let control = ServerControl()

    public init(provider: any EnvironmentProvider, configuration: ServerConfiguration = ServerConfiguration(), logger: Logger = Logger(label: "turnrl.serve")) {
        self.provider = provider
        self.configuration = configuration
        self.logger = logger
        self.table = SessionTable(provider: provider, maxSessions: configuration.maxSessions, logger: logger)
        self.mcp = MCPEndpoint(tools: Self.tools(of: provider), tasks: provider.tasks)
    }

    /// The tools behind the provider's descriptors (folder and Swift-native environments).
    static func tools(of provider: any EnvironmentProvider) -> [any Tool] {
        if let package = provider as? EnvironmentPackage { return package.tools }
        if let native = provider as? NativeEnvironment { return native.tools }
        return []
    }

    /// Binds, calls `onReady` with the bound port, and serves until `shutdown()` (or, with
    /// `handleSignals`, SIGINT/SIGTERM; or cancellation of the surrounding task); then logs the
    /// counts.
    public func run(handleSignals: Bool = false, onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router(context: BasicWebSocketRequestContext.self)
        HTTPRoutes(provider: provider, table: table, mcp: mcp, maxBodyBytes: configuration.maxMessageBytes).register(on: router)
        let endpoint = WebSocketEndpoint(table: table, mcp: mcp, maxMessageBytes: configuration.maxMessageBytes, logger: logger)
        router.ws("/ws") { inbound, outbound, _ in
            try await endpoint.serve(inbound: inbound, outbound: outbound)
        }
        // Pings keep idle-but-alive connections open through proxies; the idle timeout is ours.
        let ws = WebSocketServerConfiguration(maxFrameSize: configuration.frameCeilingBytes, autoPing: .disabled)
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(ws: ws)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "turnrl"),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let timeout = configuration.idleTimeout {
                group.addTask { await reap(every: Self.reapInterval(timeout), timeout: timeout) }
            }
            let services = ServiceGroup(configuration: .init(
                services: [app], gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger))
            await control.started(services)
            group.addTask { try await services.run() }
            // The server ends first (shutdown, a signal or cancellation); the reaper follows it.
            try await group.next()
            group.cancelAll()
        }
        let counts = await table.snapshot
        logger.info("server stopped", metadata: [
            "sessionsOpened": "\(counts.sessionsOpened)", "resets": "\(counts.resets)", "steps": "\(counts.steps)",
            "errors": "\(counts.errors)", "reclaimed": "\(counts.sessionsReclaimed)", "capacityRejections": "\(counts.capacityRejections)",
        ])
    }

    /// Stops a running server gracefully: it stops accepting connections, and `run` returns
    /// once the open ones have closed.
    public func shutdown() async {
        await control.shutdown()
    }

    /// A quarter of the timeout, within [50 ms, 5 s] (OpenEnv checks every max(timeout/4, 5 s)).
    static func reapInterval(_ timeout: Duration) -> Duration {
        min(max(timeout / 4, .milliseconds(50)), .seconds(5))
    }

    private func reap(every interval: Duration, timeout: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            await table.reclaimIdle(olderThan: timeout)
        }
    }
}

/// Lets `shutdown()` reach the service group of a `run` that may not have started yet.
actor ServerControl {
    private var group: ServiceGroup?
    private var stopRequested = false

    func started(_ group: ServiceGroup) async {
        self.group = group
        if stopRequested { await group.triggerGracefulShutdown() }
    }

    func shutdown() async {
        stopRequested = true
        await group?.triggerGracefulShutdown()
    }
}
