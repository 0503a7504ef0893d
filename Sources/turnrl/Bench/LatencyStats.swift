/// Latency percentiles and throughput of one benchmark row.
struct LatencyStats: Codable, Sendable {
    let calls: Int
    let p50Ms: Double
    let p99Ms: Double
    let meanMs: Double
    let callsPerSecond: Double

    /// `latenciesMs`: one entry per call; `wallSeconds`: time for all of them (concurrent calls overlap).
    init(latenciesMs: [Double], wallSeconds: Double) {
        let sorted = latenciesMs.sorted()
        calls = sorted.count
        p50Ms = Self.percentile(sorted, 0.50)
        p99Ms = Self.percentile(sorted, 0.99)
        meanMs = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        callsPerSecond = wallSeconds > 0 ? Double(sorted.count) / wallSeconds : 0
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
