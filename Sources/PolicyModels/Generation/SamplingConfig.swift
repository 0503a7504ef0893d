/// How tokens are drawn during generation. Defaults are plain ancestral sampling (temperature 1,
/// no truncation), the setting under which sampled log-probs equal the policy's log-probs, as
/// on-policy PPO/GRPO assume.
public struct SamplingConfig: Sendable, Equatable {
    /// Logits are divided by this; 0 means greedy (argmax). Default 1 (the policy itself).
    public var temperature: Float
    /// Keep only the k most likely tokens; 0 turns it off (Fan et al. 2018, top-k sampling).
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches p; 1 turns it off
    /// (Holtzman et al. 2020, nucleus sampling).
    public var topP: Float
    /// Stop after this many new tokens.
    public var maxNewTokens: Int
    /// Stop once the generated text contains one of these (the token completing it is kept).
    public var stopStrings: [String]
    /// Stop when the tokenizer's end-of-text token is sampled (it is kept in the output).
    public var stopAtEndOfText: Bool

    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1, maxNewTokens: Int = 64,
                stopStrings: [String] = [], stopAtEndOfText: Bool = true) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.stopStrings = stopStrings
        self.stopAtEndOfText = stopAtEndOfText
    }

    /// Greedy decoding: always the most likely token.
    public static func greedy(maxNewTokens: Int) -> SamplingConfig {
        SamplingConfig(temperature: 0, maxNewTokens: maxNewTokens)
    }
}
