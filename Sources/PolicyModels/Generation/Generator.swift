import TensorCore

/// What `generate` needs besides the prompts.
public struct GenerationOptions: Sendable {
    /// Sampling settings, stop conditions and length limit.
    public var sampling: SamplingConfig
    /// Reuse keys and values of earlier positions (the default). Off recomputes the whole
    /// sequence at every step: the reference the cache is checked and benchmarked against.
    public var useKVCache: Bool
    /// Keep every step's full logits in the results.
    public var recordLogits: Bool

    public init(sampling: SamplingConfig = SamplingConfig(), useKVCache: Bool = true, recordLogits: Bool = false) {
        self.sampling = sampling
        self.useKVCache = useKVCache
        self.recordLogits = recordLogits
    }
}

extension GPT2Model {
    /// Continues each prompt by sampling, all prompts in one batch. Prompts are left-padded to
    /// a common length so one column of new tokens is appended per step; each row stops on its
    /// own (end of text, stop string, max new tokens, full context). Runs without autograd.
    ///
    /// Sampling draws rows in order at each step from `rng`, so a seed fixes the output.
    public func generate<G: RandomNumberGenerator>(
        prompts: [[Int]], tokenizer: any Tokenizer, options: GenerationOptions = GenerationOptions(),
        rng: inout G
    ) throws(PolicyModelsError) -> [GenerationResult] {
        var decoder: IncrementalDecoder?
        return try sampleContinuations(
            prompts: prompts, tokenizer: tokenizer, limits: inputLimits, options: options, rng: &rng,
            firstLogits: { () throws(PolicyModelsError) -> Tensor in
                guard options.useKVCache else { return try lastLogits(TokenBatch.leftPadded(prompts)) }
                decoder = IncrementalDecoder(model: self, batch: TokenBatch.leftPadded(prompts), maxNewTokens: options.sampling.maxNewTokens)
                return decoder!.prefill()
            },
            nextLogits: { (state: GenerationState) throws(PolicyModelsError) -> Tensor in
                guard decoder != nil else { return try lastLogits(TokenBatch.leftPadded(state.sequences)) }
                return decoder!.advance(state.lastTokens, active: state.active)
            })
    }

    /// Logits `[B, vocab]` at the last column of a left-padded batch, by a full forward pass.
    func lastLogits(_ batch: TokenBatch) throws(PolicyModelsError) -> Tensor {
        let hidden = try hiddenStates(batch)
        let last = hidden.slice(axis: 1, (batch.length - 1)..<batch.length)
        return logits(fromHidden: last).reshaped([batch.batchSize, config.vocabSize])
    }
}

/// The sampling loop of every model's `generate`, under `noGrad`: validates the request, then
/// at each step draws one token per active row (rows in order, from `rng`, so a seed fixes the
/// output) until every row has stopped. `firstLogits` gives the logits `[B, vocab]` after the
/// prompts; `nextLogits` the logits after the state's newest tokens (from a KV cache, or by
/// recomputing every sequence).
func sampleContinuations<G: RandomNumberGenerator>(
    prompts: [[Int]], tokenizer: any Tokenizer, limits: InputLimits, options: GenerationOptions, rng: inout G,
    firstLogits: () throws(PolicyModelsError) -> Tensor,
    nextLogits: (GenerationState) throws(PolicyModelsError) -> Tensor
) throws(PolicyModelsError) -> [GenerationResult] {
    let sampling = options.sampling
    guard sampling.maxNewTokens >= 0 else {
        throw .invalidConfiguration("maxNewTokens is \(sampling.maxNewTokens); it must be 0 or more")
    }
    guard !prompts.isEmpty else { return [] }
    for (i, p) in prompts.enumerated() where p.isEmpty {
        throw .invalidConfiguration("prompt \(i) is empty; generation needs at least one token (e.g. end-of-text as BOS)")
    }
    try limits.check(prompts)
    let vocab = limits.vocabularySize
    var state = GenerationState(prompts: prompts, sampling: sampling, tokenizer: tokenizer, contextLength: limits.contextLength)
    var sampler = Sampler(config: sampling, vocabularySize: vocab, sampleable: tokenizer.vocabularySize)

    // noGrad's closure cannot throw a typed error through `rethrows`; carry it out as a value.
    let failure: PolicyModelsError? = noGrad {
      do throws(PolicyModelsError) {
        var logits = try firstLogits()
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
            logits = try nextLogits(state)
        }
        return nil
      } catch { return error }
    }
    if let failure { throw failure }
    state.finish()
    return state.results
}

/// Per-row bookkeeping of a generation: the tokens so far, stop checks, results.
struct GenerationState {
    var sequences: [[Int]]
    var active: [Bool]
    var results: [GenerationResult]
    var lastTokens: [Int]
    private var generatedBytes: [[UInt8]]
    private let stopBytes: [(text: String, bytes: [UInt8])]
    private let sampling: SamplingConfig
    private let tokenizer: any Tokenizer
    private let contextLength: Int

    init(prompts: [[Int]], sampling: SamplingConfig, tokenizer: any Tokenizer, contextLength: Int) {
        sequences = prompts
        active = [Bool](repeating: true, count: prompts.count)
        let empty = GenerationResult(tokens: [], samplingLogProbs: [], policyLogProbs: [], text: "",
                                     stopReason: .maxNewTokens, stepLogits: [])
        results = [GenerationResult](repeating: empty, count: prompts.count)
        lastTokens = prompts.map { $0.last! }
        generatedBytes = [[UInt8]](repeating: [], count: prompts.count)
        stopBytes = sampling.stopStrings.filter { !$0.isEmpty }.map { ($0, Array($0.utf8)) }
        self.sampling = sampling
        self.tokenizer = tokenizer
        self.contextLength = contextLength
    }

    mutating func append(_ token: SampledToken, row: Int) {
        sequences[row].append(token.id)
        lastTokens[row] = token.id
        results[row].tokens.append(token.id)
        results[row].samplingLogProbs.append(token.samplingLogProb)
        results[row].policyLogProbs.append(token.policyLogProb)
        if sampling.stopAtEndOfText, token.id == tokenizer.endOfTextID {
            stop(row, .endOfText)
            return
        }
        guard !stopBytes.isEmpty else { return }
        // The sampler draws only ids below the tokenizer's vocabulary size, which all decode.
        let newBytes = (try? tokenizer.decodeBytes([token.id])) ?? []
        generatedBytes[row].append(contentsOf: newBytes)
        let bytes = generatedBytes[row]
        for stop in stopBytes {
            // Only a match that ends inside the new token's bytes can be new.
            let earliest = Swift.max(0, bytes.count - newBytes.count - stop.bytes.count + 1)
            if Self.contains(bytes, stop.bytes, from: earliest) {
                self.stop(row, .stopString(stop.text))
                return
            }
        }
    }

    /// Rows whose next token would sit past the last learned position stop here.
    mutating func stopRowsAtContextEnd() {
        for row in 0..<sequences.count where active[row] && sequences[row].count >= contextLength {
            stop(row, .contextFull)
        }
    }

    private mutating func stop(_ row: Int, _ reason: StopReason) {
        active[row] = false
        results[row].stopReason = reason
    }

    mutating func finish() {
        for row in 0..<results.count {
            results[row].text = (try? tokenizer.decode(results[row].tokens)) ?? ""
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8], from start: Int) -> Bool {
        guard needle.count <= haystack.count else { return false }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
