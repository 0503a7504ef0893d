import ArgumentParser
import Dispatch
import Foundation
import ToolSandbox

/// `turnrl bench sandbox`: latency and throughput of `print(1+1)` in the sandbox, next to
/// (a) `python3 -c` in a plain subprocess and (b) a bare fork + pipe from a warm Python.
struct BenchSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Sandbox call latency and throughput vs python3 -c and a bare fork+pipe floor.",
        discussion: """
            All three run `print(1+1)` with the same interpreter in the same run, at concurrency 1 \
            and 2. Targets for the sandbox: p50 <= 5 ms, p99 <= 20 ms, >= 200 calls/s, >= 5x the \
            throughput of python3 -c. --json prints {"workload", "python", "layers", "rows": \
            [{"system", "concurrency", "calls", "p50Ms", "p99Ms", "meanMs", "callsPerSecond"}], \
            "ratios", "targets"}.
            """)

    @Option(help: "Measured calls per row for the sandbox and the fork floor.")
    var calls = 400

    @Option(help: "Measured calls per row for python3 -c (each takes tens of ms).")
    var subprocessCalls = 60

    @Option(help: "Unmeasured warm-up calls per row.")
    var warmup = 30

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @OptionGroup var sandbox: SandboxOptions
    @OptionGroup var global: GlobalOptions

    static let workload = "print(1+1)"

    struct Row: Codable {
        let system: String
        let concurrency: Int
        let stats: LatencyStats
        /// CPU time (user + system) spent per call by every process involved, this one included:
        /// independent of how busy the machine is, unlike the latencies.
        let cpuMsPerCall: Double
        /// Sandbox rows: the runner's own p50 (request in to result out, without Swift and IPC).
        var runnerP50Ms: Double? = nil
    }

    struct Report: Encodable {
        let workload: String
        let python: String
        let layers: [String]
        let rows: [Row]
        let ratios: [String: Double]
        let targets: [String: Bool]
    }

    func validate() throws {
        guard calls > 0, subprocessCalls > 0, warmup >= 0 else { throw ValidationError("call counts must be positive") }
    }

    func run() async throws {
        let configuration = try sandbox.configuration(workers: 2)
        let pool = try await SandboxPool(configuration: configuration)
        let layers = await pool.layers
        var rows: [Row] = []
        for concurrency in [1, 2] {
            for _ in 0..<warmup { _ = try await pool.run(code: Self.workload) }
            let cpu0 = try await pool.runnerCPUSeconds() + Self.cpuSeconds(RUSAGE_SELF.rawValue)
            let (stats, runner) = try await measureSandbox(pool, concurrency: concurrency)
            let cpu = try await pool.runnerCPUSeconds() + Self.cpuSeconds(RUSAGE_SELF.rawValue) - cpu0
            rows.append(Row(system: "turnrl-sandbox", concurrency: concurrency, stats: stats,
                            cpuMsPerCall: cpu * 1000 / Double(stats.calls), runnerP50Ms: runner))
        }
        await pool.shutdown()
        try await Task.sleep(for: .milliseconds(500))  // let the workers' exit be reaped before CPU is counted
        for concurrency in [1, 2] {
            let cpu0 = Self.cpuSeconds(RUSAGE_SELF.rawValue) + Self.cpuSeconds(RUSAGE_CHILDREN.rawValue)
            let stats = try await measureSubprocess(python: configuration.python, concurrency: concurrency)
            let cpu = Self.cpuSeconds(RUSAGE_SELF.rawValue) + Self.cpuSeconds(RUSAGE_CHILDREN.rawValue) - cpu0
            rows.append(Row(system: "python3 -c subprocess", concurrency: concurrency, stats: stats,
                            cpuMsPerCall: cpu * 1000 / Double(stats.calls)))
            let (floor, floorCPU) = try await measureFloor(configuration, concurrency: concurrency)
            rows.append(Row(system: "fork+pipe floor", concurrency: concurrency, stats: floor, cpuMsPerCall: floorCPU))
        }
        let report = makeReport(rows: rows, python: configuration.python, layers: layers)
        if json {
            try JSONOutput.print(report)
        } else {
            printTable(report)
        }
    }

    private func measureSandbox(_ pool: SandboxPool, concurrency: Int) async throws -> (LatencyStats, Double) {
        let perTask = calls / concurrency
        let start = ContinuousClock.now
        let measured = try await withThrowingTaskGroup(of: [(Double, Double)].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var local: [(Double, Double)] = []
                    for _ in 0..<perTask {
                        let t = ContinuousClock.now
                        let result = try await pool.run(code: Self.workload)
                        guard result.ok, result.stdout == "2\n" else {
                            throw ValidationError("sandbox returned a wrong result: \(result.error ?? result.stdout)")
                        }
                        local.append((Self.milliseconds(since: t), result.durationMs))
                    }
                    return local
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let wall = Self.milliseconds(since: start) / 1000
        return (LatencyStats(latenciesMs: measured.map(\.0), wallSeconds: wall),
                LatencyStats.percentile(measured.map(\.1).sorted(), 0.5))
    }

    private func measureSubprocess(python: String, concurrency: Int) async throws -> LatencyStats {
        let perTask = max(1, subprocessCalls / concurrency)
        for _ in 0..<min(warmup, 3) { _ = try Self.pythonC(python) }
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask { try await Self.blocking { try (0..<perTask).map { _ in try Self.pythonC(python) } } }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        return LatencyStats(latenciesMs: latencies, wallSeconds: Self.milliseconds(since: start) / 1000)
    }

    /// One `python3 -c 'print(1+1)'` in a plain subprocess, as SkyRL-Gym runs code; milliseconds.
    private static func pythonC(_ python: String) throws -> Double {
        let t = ContinuousClock.now
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", workload]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, data == Data("2\n".utf8) else {
            throw ValidationError("python3 -c returned status \(process.terminationStatus)")
        }
        return milliseconds(since: t)
    }

    private struct FloorOutput: Decodable {
        let latenciesMs: [Double]
        let wallSeconds: Double
        let cpuSeconds: Double
    }

    private func measureFloor(_ configuration: SandboxConfiguration, concurrency: Int) async throws -> (LatencyStats, Double) {
        let script = URL(fileURLWithPath: configuration.runner).deletingLastPathComponent()
            .appendingPathComponent("fork_floor.py").path
        let perTask = calls / concurrency
        let outputs = try await withThrowingTaskGroup(of: FloorOutput.self) { group in
            for _ in 0..<concurrency {
                group.addTask { [warmup] in
                    try await Self.blocking {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: configuration.python)
                        process.arguments = ["-I", "-S", "-B", script, String(perTask), String(warmup)]
                        process.environment = ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"]
                        let out = Pipe()
                        process.standardOutput = out
                        try process.run()
                        let data = out.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return try JSONDecoder().decode(FloorOutput.self, from: data)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let stats = LatencyStats(latenciesMs: outputs.flatMap(\.latenciesMs), wallSeconds: outputs.map(\.wallSeconds).max() ?? 0)
        return (stats, outputs.map(\.cpuSeconds).reduce(0, +) * 1000 / Double(max(1, stats.calls)))
    }

    private func makeReport(rows: [Row], python: String, layers: [String]) -> Report {
        func stats(_ system: String, _ concurrency: Int) -> LatencyStats? {
            rows.first { $0.system == system && $0.concurrency == concurrency }?.stats
        }
        var ratios: [String: Double] = [:]
        var targets: [String: Bool] = [:]
        for c in [1, 2] {
            guard let sandbox = stats("turnrl-sandbox", c), let sub = stats("python3 -c subprocess", c),
                  let floor = stats("fork+pipe floor", c) else { continue }
            ratios["throughputVsPythonC_c\(c)"] = sandbox.callsPerSecond / sub.callsPerSecond
            ratios["p50SpeedupVsPythonC_c\(c)"] = sub.p50Ms / sandbox.p50Ms
            ratios["p50OverFloor_c\(c)"] = sandbox.p50Ms / floor.p50Ms
            targets["p50<=5ms_c\(c)"] = sandbox.p50Ms <= 5
            targets["p99<=20ms_c\(c)"] = sandbox.p99Ms <= 20
            targets[">=5xPythonC_c\(c)"] = sandbox.callsPerSecond >= 5 * sub.callsPerSecond
        }
        if let best = [stats("turnrl-sandbox", 1), stats("turnrl-sandbox", 2)].compactMap({ $0?.callsPerSecond }).max() {
            targets[">=200calls/s"] = best >= 200
        }
        return Report(workload: Self.workload, python: python, layers: layers, rows: rows, ratios: ratios, targets: targets)
    }

    private func printTable(_ report: Report) {
        print("Workload: \(report.workload)   Python: \(report.python)")
        print("Sandbox layers: \(report.layers.joined(separator: ", "))")
        print("system                  conc   calls   p50 ms   p99 ms   calls/s  CPU ms/call")
        for row in report.rows {
            let s = row.stats
            let name = row.system.padding(toLength: 22, withPad: " ", startingAt: 0)
            let runner = row.runnerP50Ms.map { String(format: "   (runner p50 %.2f ms)", $0) } ?? ""
            print(name + String(format: "  %4d  %6d  %7.2f  %7.2f  %8.1f  %8.2f", row.concurrency, s.calls, s.p50Ms, s.p99Ms,
                                s.callsPerSecond, row.cpuMsPerCall) + runner)
        }
        for (key, value) in report.ratios.sorted(by: { $0.key < $1.key }) { print("  \(key) = \(String(format: "%.2f", value))") }
        for (key, value) in report.targets.sorted(by: { $0.key < $1.key }) { print("  target \(key): \(value ? "met" : "NOT met")") }
    }

    /// User + system CPU seconds of this process (RUSAGE_SELF) or of its reaped children.
    private static func cpuSeconds(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        let (s, atto) = d.components
        return Double(s) * 1000 + Double(atto) / 1e15
    }

    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
