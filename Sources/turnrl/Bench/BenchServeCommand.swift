import ArgumentParser
import EnvServer
import EnvironmentKit
import Foundation
import HummingbirdWSClient
import Logging

/// `turnrl bench serve`: many concurrent sessions of the expert against `turnrl serve`'s
/// server over loopback; step latency next to the same environment stepped in-process.
struct BenchServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load test of the environment server: concurrent expert sessions over loopback WebSockets (p50/p99 step latency, errors).",
        discussion: """
            Starts the server in this process on 127.0.0.1 (a free port), opens --sessions WebSocket \
            sessions at once and plays the environment's expert in each for --steps steps (resetting \
            after every episode, test split). A step's latency is the round trip of one step message, \
            the expert's own time excluded. Target: zero errors (error replies, failed connections). \
            Peer, in the same run: the same environment stepped in-process by the same number of \
            concurrent tasks for --peer-steps steps each; the ratio of the p50s is what the protocol \
            and network add. --json prints {"served": {...}, "inProcess": {...}, ...}.
            """)

    @Option(help: "Environment name or folder (it needs an expert).")
    var env = "arith-python"

    @Option(help: "Concurrent sessions.")
    var sessions = 64

    @Option(help: "Steps per session.")
    var steps = 200

    @Option(help: "Steps per task for the in-process peer (0 skips it).")
    var peerSteps = 20

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var options: EnvironmentOptions

    struct Row: Encodable {
        var sessions: Int
        var steps: Int
        var episodes: Int
        var latency: LatencyStats
        var infraErrors: Int
    }

    struct Report: Encodable {
        var environment: String
        var served: Row
        var inProcess: Row?
        /// served p50 / in-process p50.
        var p50Ratio: Double?
        /// Failed sessions (connection errors, error replies) seen by the clients.
        var clientErrors: [String]
        /// The server's own counts after the run (its `errors` must be 0).
        var server: ServerCounts
        var zeroErrors: Bool
    }

    func validate() throws {
        guard sessions >= 1, steps >= 1, peerSteps >= 0 else { throw ValidationError("--sessions and --steps must be >= 1, --peer-steps >= 0") }
    }

    func run() async throws {
        let provider = try await options.load(env)
        guard let expert = provider.expert else {
            await provider.shutdown()
            throw ValidationError("\(provider.spec.name) has no expert (expert.py); pick an environment with one, e.g. --env arith-python")
        }
        let driver = ExpertSessionDriver(provider: provider, expert: expert, split: .test)
        do {
            let (served, clientErrors, counts) = try await measureServed(provider: provider, driver: driver)
            let peer = peerSteps > 0 ? try await measureInProcess(provider: provider, driver: driver) : nil
            await provider.shutdown()
            let report = Report(
                environment: provider.spec.name, served: served, inProcess: peer,
                p50Ratio: peer.map { $0.latency.p50Ms > 0 ? served.latency.p50Ms / $0.latency.p50Ms : 0 },
                clientErrors: clientErrors, server: counts, zeroErrors: clientErrors.isEmpty && counts.errors == 0)
            try print(report)
        } catch {
            await provider.shutdown()
            throw error
        }
    }

    private func print(_ report: Report) throws {
        if json { return try JSONOutput.print(report) }
        let s = report.served
        Swift.print("\(report.environment): \(s.sessions) sessions × \(steps) steps over loopback WebSockets (expert policy, test split)")
        Swift.print(String(format: "  served:     p50 %.2f ms  p99 %.2f ms  mean %.2f ms  %.0f steps/s  (%d steps, %d episodes)", s.latency.p50Ms, s.latency.p99Ms, s.latency.meanMs, s.latency.callsPerSecond, s.steps, s.episodes))
        if let p = report.inProcess {
            Swift.print(String(format: "  in-process: p50 %.2f ms  p99 %.2f ms  mean %.2f ms  %.0f steps/s  (%d steps; peer, same concurrency)", p.latency.p50Ms, p.latency.p99Ms, p.latency.meanMs, p.latency.callsPerSecond, p.steps))
            Swift.print(String(format: "  served / in-process p50: %.2f×", report.p50Ratio ?? 0))
        }
        Swift.print("  errors: \(report.clientErrors.count) failed sessions, \(report.server.errors) server error replies, \(s.infraErrors) infrastructure errors in observations (target: zero errors: \(report.zeroErrors ? "met" : "NOT met"))")
        for error in report.clientErrors.prefix(5) { Swift.print("    \(error)") }
    }

    /// Runs the server in this process and the sessions against it.
    private func measureServed(provider: any EnvironmentProvider, driver: ExpertSessionDriver) async throws -> (Row, [String], ServerCounts) {
        let quiet = {
            var logger = Logger(label: "turnrl.bench.serve")
            logger.logLevel = .error
            return logger
        }()
        let server = EnvServer(provider: provider, configuration: ServerConfiguration(host: "127.0.0.1", port: 0, maxSessions: sessions, idleTimeout: nil), logger: quiet)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let serverTask = Task {
            defer { continuation.finish() }
            try await server.run { port in continuation.yield(port) }
        }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next() else {
            try await serverTask.value  // rethrows why it could not listen
            throw ValidationError("the server stopped before it listened")
        }

        let results = ResultCollector()
        let counter = StepCounter(label: "serve load", total: sessions * steps)
        await counter.note("\(sessions) sessions × \(steps) steps against ws://127.0.0.1:\(port)/ws")
        let start = BenchTiming.now()
        await withTaskGroup(of: Void.self) { group in
            for session in 0..<sessions {
                group.addTask { [steps] in
                    do {
                        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws", configuration: .init(maxFrameSize: 1 << 24), logger: quiet) { inbound, outbound, _ in
                            var transport = WebSocketTransport(inbound: inbound.messages(maxSize: 1 << 24).makeAsyncIterator(), outbound: outbound)
                            let outcome = try await driver.run(steps: steps, seedBase: UInt64(session) * 1_000, transport: &transport) { await counter.add() }
                            await results.add(outcome)
                            try await outbound.write(.text(#"{"type":"close"}"#))
                        }
                    } catch {
                        await results.fail("session \(session): \(error)")
                    }
                }
            }
        }
        let seconds = BenchTiming.now() - start
        await counter.finish()
        let counts = await server.table.snapshot
        await server.shutdown()
        try await serverTask.value
        let outcome = await results.merged
        return (Row(sessions: sessions, steps: outcome.latenciesMs.count, episodes: outcome.episodes, latency: LatencyStats(latenciesMs: outcome.latenciesMs, wallSeconds: seconds), infraErrors: outcome.infraErrors), await results.failures, counts)
    }

    /// The peer: one environment per task, stepped directly.
    private func measureInProcess(provider: any EnvironmentProvider, driver: ExpertSessionDriver) async throws -> Row {
        let results = ResultCollector()
        let start = BenchTiming.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for session in 0..<sessions {
                group.addTask { [peerSteps] in
                    var transport = InProcessTransport(environment: provider.makeEnvironment())
                    let outcome = try await driver.run(steps: peerSteps, seedBase: UInt64(session) * 1_000, transport: &transport) {}
                    await transport.environment.close()
                    await results.add(outcome)
                }
            }
            try await group.waitForAll()
        }
        let seconds = BenchTiming.now() - start
        let outcome = await results.merged
        return Row(sessions: sessions, steps: outcome.latenciesMs.count, episodes: outcome.episodes, latency: LatencyStats(latenciesMs: outcome.latenciesMs, wallSeconds: seconds), infraErrors: outcome.infraErrors)
    }
}

/// Gathers the sessions' outcomes and failures from concurrent tasks.
actor ResultCollector {
    private(set) var merged = ExpertSessionDriver.Outcome()
    private(set) var failures: [String] = []

    func add(_ outcome: ExpertSessionDriver.Outcome) {
        merged.latenciesMs += outcome.latenciesMs
        merged.episodes += outcome.episodes
        merged.infraErrors += outcome.infraErrors
    }

    func fail(_ message: String) { failures.append(message) }
}

/// Counts finished steps across sessions and redraws the progress bar every 64 steps.
actor StepCounter {
    private var done = 0
    private let total: Int
    private let bar: ProgressBar

    init(label: String, total: Int) {
        self.total = total
        bar = ProgressBar(label: label)
    }

    func note(_ message: String) { bar.note(message) }

    func add() {
        done += 1
        if done % 64 == 0 || done == total { bar.update(done: done, total: total) }
    }

    func finish() { bar.finish() }
}
