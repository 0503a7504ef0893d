/// Linear warmup then cosine decay of the learning rate (Loshchilov & Hutter, 2017; the
/// schedule of GPT-3 and nanoGPT).
public struct WarmupCosineSchedule: Sendable, Equatable {
    /// The learning rate reached at the end of warmup.
    public var peak: Float
    /// Steps of linear warmup from peak/warmupSteps up to peak.
    public var warmupSteps: Int
    /// The step at which the cosine reaches its floor; later steps stay at the floor.
    public var totalSteps: Int
    /// The floor as a fraction of the peak (nanoGPT uses 0.1).
    public var minRatio: Float

    /// A schedule; `minRatio` defaults to nanoGPT's 0.1.
    public init(peak: Float, warmupSteps: Int, totalSteps: Int, minRatio: Float = 0.1) {
        precondition(warmupSteps >= 0 && totalSteps >= warmupSteps, "WarmupCosineSchedule: need 0 ≤ warmupSteps (\(warmupSteps)) ≤ totalSteps (\(totalSteps))")
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minRatio = minRatio
    }

    /// The learning rate for `step` (0-based).
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let floor = peak * minRatio
        if step >= totalSteps || totalSteps == warmupSteps { return floor }
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return floor + (peak - floor) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
