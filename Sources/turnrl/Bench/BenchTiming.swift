import Foundation

/// Timing helpers shared by the benchmarks: a monotonic clock, best-of-rounds timing with the
/// contenders interleaved (so background load hits them alike), and peak RSS.
enum BenchTiming {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// How many repetitions of `body` fill about `seconds` (one warm-up call included).
    static func repetitions(toFill seconds: Double, _ body: () -> Void) -> Int {
        body()
        let start = now()
        body()
        let one = max(now() - start, 1e-7)
        return max(1, Int(seconds / one))
    }

    /// Runs each contender `rounds` times, interleaved (each round starts with the next
    /// contender, so none always runs first), timing `reps` calls per round; returns each
    /// contender's best seconds per call.
    static func interleavedBest(rounds: Int, contenders: [(reps: Int, body: () -> Void)]) -> [Double] {
        var best = [Double](repeating: .infinity, count: contenders.count)
        for round in 0..<rounds {
            for j in 0..<contenders.count {
                let i = (round + j) % contenders.count
                let c = contenders[i]
                let start = now()
                for _ in 0..<c.reps { c.body() }
                best[i] = min(best[i], (now() - start) / Double(c.reps))
            }
        }
        return best
    }

    /// The process's peak resident set size in MiB (getrusage; Linux reports KiB).
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
