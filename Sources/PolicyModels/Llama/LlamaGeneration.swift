import TensorCore

extension LlamaModel {
    /// Continues each prompt by sampling, all prompts in one left-padded batch over a KV
    /// cache; the same contract as `GPT2Model.generate` (stop conditions, log-probs, seeded
    /// sampling in row order). `useKVCache: false` recomputes the whole sequence every step.
    public func generate<G: RandomNumberGenerator>(
        prompts: [[Int]], tokenizer: any Tokenizer, options: GenerationOptions = GenerationOptions(),
        rng: inout G
    ) throws(PolicyModelsError) -> [GenerationResult] {
        guard options.sampling.maxNewTokens >= 0 else {
            throw .invalidConfiguration("maxNewTokens is \(options.sampling.maxNewTokens); it must be 0 or more")
        }
        guard !prompts.isEmpty else { return [] }
        for (i, p) in prompts.enumerated() where p.isEmpty {
            throw .invalidConfiguration("prompt \(i) is empty; generation needs at least one token")
        }
        try check(TokenBatch.leftPadded(prompts))
        let vocab = config.vocabSize
        let sampling = options.sampling
        var state = GenerationState(prompts: prompts, sampling: sampling, tokenizer: tokenizer, contextLength: config.contextLength)
        var sampler = Sampler(config: sampling, vocabularySize: vocab, sampleable: tokenizer.vocabularySize)
        var decoder: LlamaDecoder?
        if options.useKVCache {
            // The tokens every prompt starts with are encoded once, not once per row.
            let shared = Self.sharedPrefixLength(prompts)
            let prefix = shared > 0 ? noGrad { encodedPrefix(TokenBatch.rightPadded([Array(prompts[0].prefix(shared))])) } : nil
            decoder = LlamaDecoder(model: self, batch: TokenBatch.leftPadded(prompts.map { Array($0.dropFirst(shared)) }),
                                   maxNewTokens: sampling.maxNewTokens, prefix: prefix)
        }

        let failure: PolicyModelsError? = noGrad {
          do throws(PolicyModelsError) {
            var logits = decoder != nil ? decoder!.prefill() : try lastLogits(TokenBatch.leftPadded(state.sequences))
            for step in 0..<sampling.maxNewTokens {
                logits.withUnsafeBufferPointer { all in
                    for row in 0..<prompts.count where state.active[row] {
                        let rowLogits = UnsafeBufferPointer(rebasing: all[(row * vocab)..<((row + 1) * vocab)])
                        if options.recordLogits { state.results[row].stepLogits.append(Array(rowLogits)) }
                        state.append(sampler.sample(rowLogits, using: &rng), row: row)
                    }
                }
                if step == sampling.maxNewTokens - 1 { break }
                state.stopRowsAtContextEnd()
                if !state.active.contains(true) { break }
                logits = decoder != nil ? decoder!.advance(state.lastTokens, active: state.active)
                    : try lastLogits(TokenBatch.leftPadded(state.sequences))
            }
            return nil
          } catch { return error }
        }
        if let failure { throw failure }
        state.finish()
        return state.results
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
