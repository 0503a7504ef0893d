/// Why a sequence stopped growing.
public enum StopReason: Sendable, Equatable {
    /// The tokenizer's end-of-text token was sampled.
    case endOfText
    /// The generated text came to contain this stop string.
    case stopString(String)
    /// `maxNewTokens` were generated.
    case maxNewTokens
    /// The sequence reached the model's context length.
    case contextFull
}

/// What one prompt produced.
public struct GenerationResult: Sendable, Equatable {
    /// The new token ids, in order (including a final end-of-text or stop-string token).
    public var tokens: [Int]
    /// log p of each new token under the distribution it was sampled from (temperature,
    /// top-k, top-p applied; 0 for greedy).
    public var samplingLogProbs: [Float]
    /// log p of each new token under the model itself (temperature 1, no truncation, the
    /// full vocabulary: what `score` returns for the same tokens).
    public var policyLogProbs: [Float]
    /// The new tokens decoded (invalid UTF-8 at a cut becomes U+FFFD).
    public var text: String
    public var stopReason: StopReason
    /// The full next-token logits of every step (`vocab` floats each); filled only when
    /// generation was asked to record them (for tests and debugging).
    public var stepLogits: [[Float]]
}
