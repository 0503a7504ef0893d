#if canImport(Glibc)
import Glibc
#endif
import CBLAS
import Foundation

/// Settings OpenBLAS reads once, while the library loads, before any Swift code runs: the only
/// way to give them from here is to set them and execute the program again. `turnrl` does that
/// at most once, at start, for the two below; a value the user set always wins.
enum OpenBLASEnvironment {
    /// Sets what `PassiveBLASThreads` and `OpenBLASCoreChoice` ask for and re-executes this
    /// program with the same arguments. Returns when there is nothing to set or the exec failed
    /// (OpenBLAS then runs as it loaded).
    static func reexecIfNeeded() {
        var changed = false
        if getenv(PassiveBLASThreads.variable) == nil {
            setenv(PassiveBLASThreads.variable, PassiveBLASThreads.value, 1)
            changed = true
        }
        if getenv(OpenBLASCoreChoice.variable) == nil, let detected = openblas_get_corename().map({ String(cString: $0) }),
           let core = OpenBLASCoreChoice.coreType(detected: detected, cpuFlags: OpenBLASCoreChoice.cpuFlags()) {
            setenv(OpenBLASCoreChoice.variable, core, 1)
            setenv(OpenBLASCoreChoice.detectedVariable, detected, 1)
            changed = true
        }
        if changed { execv("/proc/self/exe", CommandLine.unsafeArgv) }
    }
}

/// Makes OpenBLAS's idle worker threads sleep at once instead of spinning.
///
/// Why: OpenBLAS's thread server keeps an idle worker in a `sched_yield` loop for 2^28 cycles
/// (about 0.1 s) after every call before it sleeps. Between sgemm calls TensorCore's own
/// kernels run on other threads, so on 2 cores the spinning worker keeps taking turns with
/// them. In a SmolLM2 GRPO iteration, 15 % of the CPU samples were that loop (`__schedule`,
/// `sched_yield`), and an 8-episode iteration spent 100 s in the kernel instead of 60. Issue #10
/// asks for thread pools that do not busy-wait.
enum PassiveBLASThreads {
    /// Log2 of the spin cycles, clamped by OpenBLAS to 4…30.
    static let variable = "OPENBLAS_THREAD_TIMEOUT"
    /// OpenBLAS's shortest spin.
    static let value = "4"
}

/// Picks OpenBLAS kernels the CPU can run when OpenBLAS's own detection fell short.
///
/// Why: OpenBLAS recognises CPUs by model number, and a release that predates a CPU falls back
/// to its oldest x86-64 kernels. OpenBLAS 0.3.21 (Debian 12, Ubuntu 24.04) on an Emerald Rapids
/// Xeon (family 6, model 207) reports "Prescott" and runs SSE3 sgemm: `turnrl bench compute`
/// measured 62 GFLOP/s at n = 1024 there, against 290 with `OPENBLAS_CORETYPE=SkylakeX`, on 2
/// cores in the same minute. The CPU's feature flags say what it can run whatever its model.
enum OpenBLASCoreChoice {
    static let variable = "OPENBLAS_CORETYPE"
    /// Set beside `variable` when `turnrl` chose it: the core type OpenBLAS had detected.
    static let detectedVariable = "TURNRL_OPENBLAS_DETECTED_CORE"

    /// The core type the user set, or nil when unset or chosen by `turnrl`.
    static func userChoice(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        environment[detectedVariable] == nil ? environment[variable] : nil
    }

    /// What OpenBLAS detected when `turnrl` chose another core type; nil otherwise.
    static func overriddenDetection(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        environment[variable] == nil ? nil : environment[detectedVariable]
    }

    /// Who chose `coreName`, the core type in use, for `doctor` and `bench compute`.
    static func origin(of coreName: String, _ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let detected = overriddenDetection(environment) {
            return "OPENBLAS_CORETYPE=\(coreName) set by turnrl: OpenBLAS detected \(detected), below what this CPU runs"
        }
        guard let user = userChoice(environment) else { return "auto-detected" }
        let better = coreType(detected: coreName, cpuFlags: cpuFlags()).map { "; this CPU runs the faster \($0) kernels" } ?? ""
        return "OPENBLAS_CORETYPE=\(user) set by you" + better
    }

    /// OpenBLAS core types whose sgemm uses AVX-512, and those that use at least AVX2 + FMA
    /// (`openblas_get_corename` spellings, compared without case).
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    static let avx2Cores: Set<String> = avx512Cores.union(["haswell", "zen"])

    /// The core type to force, or nil when `detected` already uses what the CPU offers: SkylakeX
    /// on a CPU with AVX-512 F/BW/VL/DQ/CD, Haswell on one with AVX2 and FMA.
    static func coreType(detected: String, cpuFlags: Set<String>) -> String? {
        let core = detected.lowercased()
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(cpuFlags.contains), !avx512Cores.contains(core) {
            return "SkylakeX"
        }
        if cpuFlags.contains("avx2"), cpuFlags.contains("fma"), !avx2Cores.contains(core) { return "Haswell" }
        return nil
    }

    /// The `flags` of the first processor in /proc/cpuinfo (Linux lists only the features the
    /// kernel enabled, so AVX-512 appears only when its register state is saved); empty when
    /// unreadable.
    static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let line = cpuinfo?.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
