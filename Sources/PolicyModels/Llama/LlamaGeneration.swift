import TensorCore

extension LlamaModel {
    /// Continues each prompt by sampling, all prompts in one left-padded batch over a KV
    /// cache; the same contract as `GPT2Model.generate` (stop conditions, log-probs, seeded
    /// sampling in row order). `useKVCache: false` recomputes the whole sequence every step.
    ///
    /// With `cache`, a prompt that begins like a sequence the cache holds (the same episode's
    /// previous turn) reads only its new tokens, and the cache afterwards holds these rows
    /// instead. The tokens every prompt starts with are encoded once either way.
    public func generate<G: RandomNumberGenerator>(
        prompts: [[Int]], tokenizer: any Tokenizer, options: GenerationOptions = GenerationOptions(),
        cache: LlamaPromptCache? = nil, rng: inout G
    ) throws(PolicyModelsError) -> [GenerationResult] {
        var decoder: LlamaDecoder?
        let results = try sampleContinuations(
            prompts: prompts, tokenizer: tokenizer, limits: inputLimits, options: options, rng: &rng,
            firstLogits: { () throws(PolicyModelsError) -> Tensor in
                guard options.useKVCache else { return try lastLogits(TokenBatch.leftPadded(prompts)) }
                decoder = LlamaDecoder(model: self, prompts: prompts, known: knownPrefixes(prompts, cache: cache),
                                       maxNewTokens: options.sampling.maxNewTokens)
                return decoder!.prefill()
            },
            nextLogits: { (state: GenerationState) throws(PolicyModelsError) -> Tensor in
                guard decoder != nil else { return try lastLogits(TokenBatch.leftPadded(state.sequences)) }
                return decoder!.advance(state.lastTokens, active: state.active)
            })
        if let cache, let decoder {
            cache.update(from: decoder, prompts: prompts, sequences: zip(prompts, results).map { $0 + $1.tokens })
        }
        return results
    }

    /// For each prompt, the longest start whose keys and values are known without reading it:
    /// from `cache`, or else the tokens all prompts share (encoded here, once for every row).
    func knownPrefixes(_ prompts: [[Int]], cache: LlamaPromptCache?) -> [KnownPrefix?] {
        var known = prompts.map { cache?.longestMatch($0) }
        let shared = Self.sharedPrefixLength(prompts)
        if shared > 0, known.contains(where: { ($0?.count ?? 0) < shared }) {
            let common = KnownPrefix(sequence: encodedSequence(Array(prompts[0].prefix(shared))), count: shared)
            known = known.map { ($0?.count ?? 0) < shared ? common : $0 }
        }
        return known
    }

    /// Every layer's keys and values of `tokens`, in the cache's stored layout.
    func encodedSequence(_ tokens: [Int]) -> EncodedSequence {
        let encoded = noGrad { encodedPrefix(TokenBatch.rightPadded([tokens])) }
        return EncodedSequence(tokens: tokens, keys: encoded.map { $0.keys.toArray() }, values: encoded.map { $0.values.toArray() })
    }

    /// How many leading tokens all `prompts` share, leaving every prompt at least one token of
    /// its own (its last column gives the first logits). 0 for a single prompt.
    static func sharedPrefixLength(_ prompts: [[Int]]) -> Int {
        guard prompts.count > 1, let shortest = prompts.map(\.count).min() else { return 0 }
        let first = prompts[0]
        var n = 0
        while n < shortest - 1, prompts.allSatisfy({ $0[n] == first[n] }) { n += 1 }
        return n
    }

    /// Logits `[B, vocab]` at the last column of a left-padded batch, by a full forward pass.
    func lastLogits(_ batch: TokenBatch) throws(PolicyModelsError) -> Tensor {
        let hidden = try hiddenStates(batch)
        let last = hidden.slice(axis: 1, (batch.length - 1)..<batch.length)
        return logits(fromHidden: last).reshaped([batch.batchSize, config.vocabSize])
    }

    /// Scores each continuation after its prompt, recording the graph (for PPO/GRPO/ArCHer
    /// losses through LoRA); the same layout as `GPT2Model.continuationScores`.
    public func continuationScores(prompts: [[Int]], continuations: [[Int]]) throws(PolicyModelsError) -> ContinuationScores {
        let layout = try ContinuationLayout(prompts: prompts, continuations: continuations)
        return layout.scores(hidden: try hiddenStates(layout.batch), head: logits(fromHidden:))
    }

    /// Scores continuations without autograd: per-token log-probs and entropies.
    public func score(prompts: [[Int]], continuations: [[Int]]) throws(PolicyModelsError) -> [ScoredContinuation] {
        let result: Result<ContinuationScores, PolicyModelsError> = noGrad {
            do throws(PolicyModelsError) {
                return .success(try continuationScores(prompts: prompts, continuations: continuations))
            } catch { return .failure(error) }
        }
        return try result.get().scoredContinuations
    }
}
