import Foundation
import TensorCore

/// The token-level loss pieces shared by turn-level GRPO and PPO, on `[B, T]` tensors laid out
/// like `ContinuationScores` (padding entries hold 0 and are removed by the mask).
public enum PolicyGradientLoss {
    /// The clipped surrogate per token, min(ρ·A, clip(ρ, 1 − ε_low, 1 + ε_high)·A) with
    /// ρ = exp(log π − log π_old) (Schulman et al. 2017 eq. 7; separate ranges: DAPO's clip-higher).
    /// To be maximised: the loss is its negative.
    public static func clippedSurrogate(logProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor,
                                        clipLow: Float, clipHigh: Float) -> Tensor {
        let ratio = (logProbs - oldLogProbs).exp()
        let clipped = ratio.clamped(min: 1 - clipLow, max: 1 + clipHigh)
        return Tensor.minimum(ratio * advantages, clipped * advantages)
    }

    /// Schulman's unbiased, non-negative k3 estimate of KL(π‖π_ref) per token:
    /// exp(log π_ref − log π) − (log π_ref − log π) − 1.
    public static func k3KL(logProbs: Tensor, referenceLogProbs: Tensor) -> Tensor {
        let d = referenceLogProbs - logProbs
        return d.exp() - d - 1
    }

    /// Fraction of masked tokens whose ratio left [1 − ε_low, 1 + ε_high] (a diagnostic).
    public static func clipFraction(logProbs: [Float], oldLogProbs: [Float], mask: [Bool],
                                    clipLow: Float, clipHigh: Float) -> Float {
        var clipped = 0, total = 0
        for i in mask.indices where mask[i] {
            let ratio = exp(logProbs[i] - oldLogProbs[i])
            if ratio < 1 - clipLow || ratio > 1 + clipHigh { clipped += 1 }
            total += 1
        }
        return total == 0 ? 0 : Float(clipped) / Float(total)
    }
}
