import ArgumentParser
import CSgemmPeer
import Foundation
import TensorCore

/// `turnrl bench compute`: TensorCore's sgemm path against the same cblas_sgemm call made from C,
/// and TensorCore's fused kernels against NumPy, all in one run, with the OpenBLAS core type.
struct BenchComputeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "sgemm GFLOP/s from Swift vs C, kernel times vs NumPy, OpenBLAS core type, peak RSS.",
        discussion: """
            sgemm: square n×n×n products. "swift" is TensorCore's BLAS.sgemm (the call Tensor.matmul \
            makes), "c" the identical cblas_sgemm call timed by a C function on the same buffers, \
            "matmul" the full Tensor.matmul (including allocating its output). Contenders run \
            interleaved, best of --rounds. OPENBLAS_CORETYPE is respected; the core type in use is \
            reported. Kernels: reference-policy shapes (batch 16, context 256, width 256, 4 heads, \
            vocab 512); the NumPy peer runs when --python has numpy, and is skipped otherwise.
            """)

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @Option(help: "Comma-separated square sgemm sizes.")
    var sizes: String = "256,512,1024,2048"

    @Option(help: "Interleaved rounds per measurement (best is kept).")
    var rounds: Int = 7

    @Option(help: "Seconds each contender runs per round.")
    var seconds: Double = 0.25

    @Flag(help: "Skip the kernel timings (sgemm only).")
    var skipKernels = false

    @Option(help: "Python with NumPy for the kernel peer (default: python3 on PATH).")
    var python: String?

    @OptionGroup var global: GlobalOptions

    struct SgemmRow: Codable {
        let n: Int
        let swiftGflops: Double
        let cGflops: Double
        let ratio: Double
        let matmulGflops: Double
        let matmulRatio: Double
    }

    struct Report: Codable {
        let openblasCoreType: String
        /// OPENBLAS_CORETYPE as the user set it (nil when unset or chosen by turnrl).
        let openblasCoreTypeFromEnvironment: String?
        /// What OpenBLAS detected when turnrl chose `openblasCoreType` instead.
        var openblasCoreTypeDetected: String? = nil
        let openblasThreads: Int
        let openblasConfig: String
        let cores: Int
        let sgemm: [SgemmRow]
        let kernels: [ComputeKernels.Row]
        let numpyPeer: String
        let peakRSSMiB: Double
    }

    func run() throws {
        let logger = global.logger("turnrl.bench.compute")
        let sizeList = try sizes.split(separator: ",").map { part -> Int in
            guard let n = Int(String(part).trimmed), n > 0 else {
                throw ValidationError("--sizes: '\(part)' is not a positive integer (example: --sizes 256,512)")
            }
            return n
        }
        guard rounds > 0, seconds > 0 else { throw ValidationError("--rounds and --seconds must be positive") }
        if !json { print("OpenBLAS core \(BLAS.coreName), \(BLAS.threads) threads\(coreTypeNote)") }
        var rows: [SgemmRow] = []
        for n in sizeList {
            logger.debug("sgemm", metadata: ["n": "\(n)"])
            let row = measureSgemm(n)
            rows.append(row)
            if !json {
                print(String(format: "sgemm %5d: swift %7.1f GFLOP/s  c %7.1f GFLOP/s  ratio %.3f  |  Tensor.matmul %7.1f GFLOP/s  ratio %.3f",
                             n, row.swiftGflops, row.cGflops, row.ratio, row.matmulGflops, row.matmulRatio))
            }
        }
        var kernels: [ComputeKernels.Row] = []
        var peer = "skipped (--skip-kernels)"
        if !skipKernels {
            let interpreter = python ?? Shell.which("python3") ?? "/usr/bin/python3"
            (kernels, peer) = ComputeKernels.measure(rounds: rounds, seconds: seconds, python: interpreter, logger: logger)
            if !json {
                print("kernels (ms per call; NumPy peer: \(peer)):")
                for k in kernels {
                    let numpy = k.numpyMs.map { String(format: "%9.3f", $0) } ?? "        -"
                    let ratio = k.speedupVsNumpy.map { String(format: "%6.2fx", $0) } ?? "      -"
                    print("  \(k.name.padding(toLength: 44, withPad: " ", startingAt: 0)) swift \(String(format: "%9.3f", k.swiftMs))  numpy \(numpy)  speedup \(ratio)")
                }
            }
        }
        let report = Report(
            openblasCoreType: BLAS.coreName,
            openblasCoreTypeFromEnvironment: OpenBLASCoreChoice.userChoice(),
            openblasCoreTypeDetected: OpenBLASCoreChoice.overriddenDetection(),
            openblasThreads: BLAS.threads,
            openblasConfig: BLAS.configuration.trimmed,
            cores: ProcessInfo.processInfo.activeProcessorCount,
            sgemm: rows, kernels: kernels, numpyPeer: peer,
            peakRSSMiB: BenchTiming.peakRSSMiB())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(String(format: "peak RSS %.1f MiB", report.peakRSSMiB))
        }
    }

    private var coreTypeNote: String {
        " (\(OpenBLASCoreChoice.origin(of: BLAS.coreName)))"
    }

    /// One size: Swift BLAS.sgemm, the C peer and Tensor.matmul, interleaved on the same inputs.
    private func measureSgemm(_ n: Int) -> SgemmRow {
        var rng = SeededRNG(seed: UInt64(n))
        let a = Tensor.randn([n, n], rng: &rng), b = Tensor.randn([n, n], rng: &rng)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { c.deallocate() }
        c.initialize(repeating: 0, count: n * n)
        return a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                let pa = ap.baseAddress!, pb = bp.baseAddress!
                let swiftCall = { BLAS.sgemm(m: n, n: n, k: n, a: pa, lda: n, b: pb, ldb: n, c: c, ldc: n) }
                let matmulCall = { _ = noGrad { Tensor.matmul(a, b) } }
                let reps = BenchTiming.repetitions(toFill: seconds, swiftCall)
                let best = BenchTiming.interleavedBest(rounds: rounds, contenders: [
                    (reps, swiftCall),
                    // The C peer loops itself, so its timing excludes even Swift's loop.
                    (1, { _ = turnrl_peer_sgemm_seconds(Int32(n), Int32(reps), pa, pb, c) }),
                    (reps, matmulCall),
                ])
                let flop = 2 * Double(n) * Double(n) * Double(n)
                let swift = flop / best[0] / 1e9, cRate = flop / (best[1] / Double(reps)) / 1e9, mm = flop / best[2] / 1e9
                return SgemmRow(n: n, swiftGflops: swift, cGflops: cRate, ratio: swift / cRate, matmulGflops: mm, matmulRatio: mm / cRate)
            }
        }
    }
}
