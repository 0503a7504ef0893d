import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of cores work is split over (read once; immutable).
let coreCount: Int = Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// Splits `0..<n` into at most `coreCount` contiguous chunks of at least `grain` items and runs
/// `body(start, end)` on each, in parallel when there is more than one chunk. Contiguous chunks
/// keep each core streaming through its own part of memory.
@inline(__always) func parallelRanges(_ n: Int, grain: Int, _ body: (Int, Int) -> Void) {
    let chunks = Swift.min(coreCount, n / Swift.max(grain, 1))
    if chunks <= 1 {
        if n > 0 { body(0, n) }
        return
    }
    // concurrentPerform wants a @Sendable closure; ours captures raw pointers. It is safe because
    // concurrentPerform returns only after every chunk ran, and callers give chunks disjoint
    // output memory.
    withoutActuallyEscaping(body) { escapable in
        let work = UncheckedSendable(escapable)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            work.value(n * c / chunks, n * (c + 1) / chunks)
        }
    }
}

/// Runs `body(row)` for every row of `length` elements, rows split over cores. `cost` is the
/// work per element relative to a simple add (about 8 for rows that take an exp per element),
/// so cheap rows are not split below the grain.
@inline(__always) func parallelRows(_ rows: Int, length: Int, cost: Int = 1, _ body: (Int) -> Void) {
    parallelRanges(rows, grain: Swift.max(1, elementwiseGrain / cost / Swift.max(length, 1))) { start, end in
        for r in start..<end { body(r) }
    }
}

/// Carries a value into a @Sendable closure when the caller guarantees exclusive use.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The grain (in elements) below which elementwise work stays on one thread: splitting costs a
/// few microseconds, about what 32k simple float ops take.
let elementwiseGrain = 32_768
