#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One token drawn from a row of logits.
public struct SampledToken: Sendable, Equatable {
    /// The token id.
    public var id: Int
    /// log p(id) under the distribution it was drawn from (after temperature, top-k, top-p);
    /// 0 for greedy decoding, where that distribution puts all mass on one token.
    public var samplingLogProb: Float
    /// log p(id) under the model itself (softmax of the raw logits, temperature 1).
    public var policyLogProb: Float
}

/// Draws tokens from logits according to a `SamplingConfig`. Works on one row of `vocab`
/// logits at a time; the scratch buffers live in the value so a generation loop allocates once.
struct Sampler {
    let config: SamplingConfig
    /// Only ids below this are drawn: a model's vocabulary may be padded past its tokenizer's
    /// (the reference policy has 512 ids, the byte tokenizer 258), and an id the tokenizer
    /// cannot decode must never be produced.
    let sampleable: Int
    private var probabilities: [Float]
    private var order: [Int32]

    init(config: SamplingConfig, vocabularySize: Int, sampleable: Int? = nil) {
        self.config = config
        self.sampleable = Swift.max(1, Swift.min(sampleable ?? vocabularySize, vocabularySize))
        probabilities = [Float](repeating: 0, count: vocabularySize)
        order = (0..<Int32(vocabularySize)).map { $0 }
    }

    /// log-softmax(logits)[id], in Float64 accumulation.
    static func logSoftmax(_ logits: UnsafeBufferPointer<Float>, at id: Int) -> Float {
        var maximum = -Float.infinity
        for x in logits where x > maximum { maximum = x }
        var sum: Double = 0
        for x in logits { sum += Double(expf(x - maximum)) }
        return logits[id] - maximum - Float(log(sum))
    }

    mutating func sample<G: RandomNumberGenerator>(_ logits: UnsafeBufferPointer<Float>, using rng: inout G) -> SampledToken {
        precondition(logits.count == probabilities.count, "Sampler: logits row has \(logits.count) entries, vocabulary is \(probabilities.count)")
        let n = sampleable
        if config.temperature <= 0 {
            var best = 0
            for i in 1..<n where logits[i] > logits[best] { best = i }
            return SampledToken(id: best, samplingLogProb: 0, policyLogProb: Self.logSoftmax(logits, at: best))
        }
        let invT = 1 / config.temperature
        var maximum = -Float.infinity
        for i in 0..<n where logits[i] > maximum { maximum = logits[i] }
        // Candidates: all tokens, or the top k (by a partial sort of the index array).
        var candidates = n
        if config.topK > 0 && config.topK < n {
            candidates = config.topK
            order.withUnsafeMutableBufferPointer { o in
                for i in 0..<n { o[i] = Int32(i) }
                o.sort { logits[Int($0)] > logits[Int($1)] }
            }
        } else if config.topP < 1 {
            order.withUnsafeMutableBufferPointer { o in
                for i in 0..<n { o[i] = Int32(i) }
                o.sort { logits[Int($0)] > logits[Int($1)] }
            }
        } else {
            for i in 0..<n { order[i] = Int32(i) }
        }
        var total: Double = 0
        for r in 0..<candidates {
            let i = Int(order[r])
            let p = expf((logits[i] - maximum) * invT)
            probabilities[r] = p
            total += Double(p)
        }
        if config.topP < 1 {
            // Nucleus: keep the most likely tokens until their mass reaches p (at least one).
            let threshold = Double(config.topP) * total
            var cumulative: Double = 0
            var kept = 0
            while kept < candidates {
                cumulative += Double(probabilities[kept])
                kept += 1
                if cumulative >= threshold { break }
            }
            candidates = kept
            total = cumulative
        }
        // Inverse-CDF draw over the candidates, accumulated in Float64.
        let u = Double(rng.next() >> 11) * (1.0 / 9_007_199_254_740_992.0) * total
        var cumulative: Double = 0
        var chosen = candidates - 1
        for r in 0..<candidates {
            cumulative += Double(probabilities[r])
            if u < cumulative { chosen = r; break }
        }
        let id = Int(order[chosen])
        let samplingLogProb = Float(log(Double(probabilities[chosen]) / total))
        return SampledToken(id: id, samplingLogProb: samplingLogProb, policyLogProb: Self.logSoftmax(logits, at: id))
    }
}
