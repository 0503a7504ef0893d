/// What one GRPO or PPO update reports (means over its optimizer steps and tokens). The keys
/// of `columns` are the run folder's `metrics.csv` column names.
public struct PolicyGradientMetrics: Sendable, Equatable {
    /// Mean negative clipped surrogate (plus the KL term when on) over the optimizer steps.
    public var policyLoss: Float = 0
    /// Mean value loss (PPO only).
    public var valueLoss: Float?
    /// Mean entropy (nats) of the policy at the trained tokens.
    public var entropy: Float = 0
    /// Mean k3 estimate of KL(π‖π_ref) at the trained tokens, when a reference is set.
    public var klToReference: Float?
    /// Fraction of trained tokens whose probability ratio was clipped.
    public var clipFraction: Float = 0
    /// Mean advantage over the trained turns (before any whitening).
    public var advantageMean: Float = 0
    /// Turns trained on, and turns dropped (empty utterances, DASH filtering).
    public var trainedTurns = 0, droppedTurns = 0
    /// Generated tokens trained on per pass.
    public var trainedTokens = 0
    /// Optimizer steps taken.
    public var optimizerSteps = 0

    public init() {}

    /// The numbers under their `metrics.csv` names.
    public var columns: [String: Double] {
        var out: [String: Double] = [
            "policyLoss": Double(policyLoss), "entropy": Double(entropy), "clipFraction": Double(clipFraction),
            "advantageMean": Double(advantageMean), "trainedTurns": Double(trainedTurns),
            "droppedTurns": Double(droppedTurns), "trainedTokens": Double(trainedTokens),
        ]
        if let valueLoss { out["valueLoss"] = Double(valueLoss) }
        if let klToReference { out["klToReference"] = Double(klToReference) }
        return out
    }
}
