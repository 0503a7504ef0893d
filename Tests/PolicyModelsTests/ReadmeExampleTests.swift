import Testing
import TensorCore
import PolicyModels

/// The README's Policies example, verbatim apart from the assertions: it must keep compiling.
struct ReadmeExampleTests {
    @Test func policiesExampleRuns() throws {
        var rng = SeededRNG(seed: 7)
        let tokenizer = ByteTokenizer()
        let policy = try GPT2Model(config: .reference, rng: &rng)
        let out = try policy.generate(
            prompts: [tokenizer.encode("Question: 2+2? <answer>")], tokenizer: tokenizer,
            options: GenerationOptions(sampling: SamplingConfig(temperature: 0.8, topP: 0.95,
                                                                maxNewTokens: 32, stopStrings: ["</answer>"])),
            rng: &rng)
        #expect(out.count == 1)
        #expect(out[0].tokens.count == out[0].samplingLogProbs.count)
        #expect(out[0].tokens.count <= 32)
        #expect(out[0].samplingLogProbs.allSatisfy { $0 <= 0 })
        // The model has 512 ids, the byte tokenizer 258: only decodable ids are drawn.
        #expect(out[0].tokens.allSatisfy { $0 < tokenizer.vocabularySize })
        #expect(out[0].text == (try tokenizer.decode(out[0].tokens)))
        #expect(!out[0].text.isEmpty)
    }
}
