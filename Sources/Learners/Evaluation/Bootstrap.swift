import TensorCore

/// A mean with its 95 % confidence interval.
public struct Estimate: Sendable, Equatable, Codable {
    public var mean: Double
    public var low: Double
    public var high: Double

    public init(mean: Double, low: Double, high: Double) {
        self.mean = mean
        self.low = low
        self.high = high
    }
}

/// Percentile bootstrap confidence intervals (Efron & Tibshirani 1993, ch. 13): resample the
/// values with replacement, take the mean of each resample, report the 2.5 % and 97.5 %
/// quantiles of those means.
public enum Bootstrap {
    /// The mean of `values` with a percentile-bootstrap interval at `confidence` from
    /// `resamples` resamples drawn from a generator seeded with `seed` (reproducible).
    public static func meanInterval(_ values: [Double], confidence: Double = 0.95, resamples: Int = 2000, seed: UInt64 = 0) -> Estimate {
        guard !values.isEmpty else { return Estimate(mean: 0, low: 0, high: 0) }
        let n = values.count
        let mean = values.reduce(0, +) / Double(n)
        var rng = SeededRNG(seed: seed)
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += values[Int(rng.next() % UInt64(n))] }
            means[r] = sum / Double(n)
        }
        means.sort()
        let alpha = (1 - confidence) / 2
        return Estimate(mean: mean, low: quantile(means, alpha), high: quantile(means, 1 - alpha))
    }

    /// Linear-interpolated quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        let weight = position - Double(lower)
        return sorted[lower] * (1 - weight) + sorted[upper] * weight
    }
}
