/// Keys and values of earlier generations that later prompts may start with: what lets the
/// next turn of a multi-turn episode read only its new tokens (the last reply's closing, the
/// tool's observation, the next header) instead of its whole context again.
///
/// `LlamaModel.generate(…, cache:)` finds, for each prompt, the stored sequence it shares the
/// most leading tokens with and starts that row's decoding from those tokens' keys and values;
/// afterwards the store holds the rows it just decoded (each prompt and the reply tokens fed
/// back). Keys and values belong to the weights that computed them, so a cache must not outlive
/// a weight update: the rollout worker makes one per batch of episodes.
public final class LlamaPromptCache {
    var sequences: [EncodedSequence] = []

    public init() {}

    /// Prompt tokens generation was asked to continue, over the cache's life.
    public private(set) var promptTokens = 0
    /// Of those, the tokens the model read (the rest were known from the cache or shared
    /// between the prompts of a call).
    public private(set) var readTokens = 0

    /// Tokens the cache holds keys and values for, over all its sequences.
    public var storedTokens: Int { sequences.reduce(0) { $0 + $1.tokens.count } }

    /// Keeps `decoder`'s rows (prompts and fed reply tokens, `sequences[b]` being row b's
    /// prompt and sampled tokens) in place of the cache's contents, and counts what it read.
    func update(from decoder: LlamaDecoder, prompts: [[Int]], sequences: [[Int]]) {
        promptTokens += prompts.reduce(0) { $0 + $1.count }
        readTokens += decoder.batch.lengths.reduce(0, +)
        self.sequences = decoder.encodedSequences(sequences)
    }

    /// The stored sequence sharing the most leading tokens with `prompt`, and how many (at most
    /// `prompt.count - 1`: the prompt's last token must be read to give the first logits).
    func longestMatch(_ prompt: [Int]) -> KnownPrefix? {
        var best: KnownPrefix?
        for sequence in sequences {
            let count = min(sequence.sharedLength(with: prompt), prompt.count - 1)
            if count > (best?.count ?? 0) { best = KnownPrefix(sequence: sequence, count: count) }
        }
        return best
    }
}

/// A row's first `count` tokens, whose keys and values `sequence` holds.
struct KnownPrefix {
    let sequence: EncodedSequence
    let count: Int
}

/// A run of tokens with every layer's rotated keys and values of it, `tokens.count × kvDim`
/// floats per layer (the key/value heads: 46 KB per SmolLM2-135M token).
struct EncodedSequence {
    let tokens: [Int]
    let keys: [[Float]]
    let values: [[Float]]

    /// How many leading tokens `prompt` has in common with this sequence.
    func sharedLength(with prompt: [Int]) -> Int {
        var n = 0
        let limit = min(tokens.count, prompt.count)
        while n < limit, tokens[n] == prompt[n] { n += 1 }
        return n
    }
}
