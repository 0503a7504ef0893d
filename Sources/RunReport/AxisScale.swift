import Foundation

/// A linear axis with "nice" ticks (steps of 1, 2 or 5 × 10^k) covering a data range.
struct AxisScale: Equatable {
    /// The axis runs from `lower` to `upper`, both multiples of `step`.
    var lower: Double
    var upper: Double
    var step: Double

    /// The multiples of `step` from `lower` to `upper`.
    var ticks: [Double] {
        let first = (lower / step - 1e-9).rounded(.up)
        let last = (upper / step + 1e-9).rounded(.down)
        guard last >= first else { return [] }
        return (Int(first)...Int(last)).map { Double($0) * step }
    }

    /// About `targetTicks` ticks covering `min...max`. The axis ends on ticks unless `tight`, where
    /// it ends at the data (an x-axis of 3,200 episodes should not run on to 4,000). An empty
    /// range (one value, or a constant curve) is widened so the curve sits in the middle of a
    /// readable axis.
    init(covering min: Double, _ max: Double, targetTicks: Int = 5, tight: Bool = false) {
        var low = min, high = max
        if !(high > low) {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        let step = AxisScale.niceStep((high - low) / Double(Swift.max(1, targetTicks - 1)))
        self.step = step
        // The small tolerance keeps a value that is a multiple of the step from gaining an extra tick.
        lower = tight ? low : (low / step + 1e-9).rounded(.down) * step
        upper = tight ? high : (high / step - 1e-9).rounded(.up) * step
    }

    /// A fixed axis (e.g. success rate in 0…1) with ticks `step` apart.
    init(lower: Double, upper: Double, step: Double) {
        self.lower = lower
        self.upper = upper
        self.step = step
    }

    /// Where `value` falls between `start` (at `lower`) and `end` (at `upper`) in pixels.
    func position(_ value: Double, from start: Double, to end: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// The smallest 1, 2 or 5 × 10^k that is at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        let exponent = (log10(raw)).rounded(.down)
        let base = pow(10, exponent)
        let fraction = raw / base
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * base
    }
}
