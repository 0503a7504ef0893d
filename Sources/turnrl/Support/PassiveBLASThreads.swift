#if canImport(Glibc)
import Glibc
#endif

/// Makes OpenBLAS's idle worker threads sleep at once instead of spinning.
///
/// Why: OpenBLAS's thread server keeps an idle worker in a `sched_yield` loop for 2^28 cycles
/// (about 0.1 s) after every call before it sleeps. Between sgemm calls TensorCore's own
/// kernels run on other threads, so on 2 cores the spinning worker keeps taking turns with
/// them. In a SmolLM2 GRPO iteration, 15 % of the CPU samples were that loop (`__schedule`,
/// `sched_yield`), and an 8-episode iteration spent 100 s in the kernel instead of 60. Issue #10
/// asks for thread pools that do not busy-wait.
///
/// OpenBLAS reads its timeout (`OPENBLAS_THREAD_TIMEOUT`, log2 of the cycles, clamped to 4…30)
/// once, while the library loads, before any Swift code runs. So the only way to set it from
/// here is to set it and execute the program again.
enum PassiveBLASThreads {
    static let variable = "OPENBLAS_THREAD_TIMEOUT"

    /// Sets `OPENBLAS_THREAD_TIMEOUT=4` (OpenBLAS's shortest spin) and re-executes this program
    /// with the same arguments, unless the variable is set already (a user's own value wins).
    /// Returns only when there is nothing to do or the exec failed; OpenBLAS then spins as usual.
    static func reexecIfNeeded() {
        guard getenv(variable) == nil else { return }
        setenv(variable, "4", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
    }
}
