import EnvironmentKit
import Testing
@testable import Trajectories

@Suite struct SUPOSegmentsTests {
    /// Plays `turns` turns through a summary-mode ContextBuilder (byte tokens, budget 400) with
    /// scripted replies and returns the stored form of the episode: exact contexts, summary turns
    /// marked, log-probs distinct per token so misalignment would show.
    static func summaryEpisode(turns: Int, status: EpisodeStatus = .terminated) -> EpisodeRecordData {
        let tokenizer = ByteChatTokenizer()
        var settings = ContextSettings()
        settings.budgetTokens = 400
        settings.compaction = .summary
        var builder = ContextBuilder(
            system: "sys", task: "remember the facts", tokenizer: tokenizer,
            configuration: ContextBuilderConfiguration(settings: settings, perTurnMaxNewTokens: 64))
        var records: [TurnRecord] = []
        for turn in 0..<turns {
            guard case let .generate(tokens, _, maxNew, isSummary) = builder.nextAction() else { break }
            let text = String((isSummary ? "Summary: facts up to \(turn)" : "fact \(turn): value \(turn * 7) ....").prefix(maxNew))
            let generated = text.utf8.map { Int32($0) }
            let logProbs = generated.indices.map { -Float(records.count * 100 + $0) }
            records.append(TurnRecord(
                contextTokens: tokens, generatedTokens: generated, logProbs: logProbs, reward: isSummary ? 0 : 0.5,
                isSummary: isSummary, utterance: text))
            builder.record(reply: text, generatedTokens: generated,
                           observation: isSummary ? [] : [ChatMessage(role: .tool, content: "<result>ok \(turn)</result>")])
        }
        return EpisodeRecordData(
            id: 42, environment: "test", taskID: "t", split: "train", seed: 0,
            episodeReturn: records.reduce(0) { $0 + $1.reward }, status: status, turns: records)
    }

    /// An episode of `turns` plain turns with summary turns at `summaries`.
    static func marked(turns: Int, summaries: Set<Int>, status: EpisodeStatus = .terminated) -> EpisodeRecordData {
        let records = (0..<turns).map { i in
            TurnRecord(contextTokens: [Int32(i)], generatedTokens: [1, 2], logProbs: [-1, -2], reward: 0,
                       isSummary: summaries.contains(i), utterance: "t\(i)")
        }
        return EpisodeRecordData(environment: "test", taskID: "t", split: "train", seed: 0, episodeReturn: 1, status: status, turns: records)
    }

    @Test func segmentsEndAtSummaryTurns() {
        let rollout = SegmentedRollout(Self.marked(turns: 10, summaries: [3, 7]))
        #expect(rollout.segments == [0..<4, 4..<8, 8..<10])
        #expect(rollout.summaryCount == 2 && !rollout.isMasked)
        let samples = rollout.samples(advantage: 0.75)
        #expect(samples.map(\.turn) == Array(0..<10))
        #expect(samples.map(\.segment) == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
        #expect(samples.allSatisfy { $0.advantage == 0.75 }, "every segment shares the rollout's advantage")
        #expect(samples.filter(\.isSummary).map(\.turn) == [3, 7], "summary turns are trainable samples")
        #expect(rollout.trainableTokenCount == 20)

        // A summary as the last turn leaves no empty segment; no summary is one segment; no turns, none.
        #expect(SegmentedRollout(Self.marked(turns: 4, summaries: [1, 3])).segments == [0..<2, 2..<4])
        #expect(SegmentedRollout(Self.marked(turns: 3, summaries: [])).segments == [0..<3])
        #expect(SegmentedRollout(Self.marked(turns: 0, summaries: [])).segments.isEmpty)
    }

    @Test func rolloutsOverTheSummaryCapAreMasked() {
        let episode = Self.marked(turns: 9, summaries: [2, 5, 8])
        let atCap = SegmentedRollout(episode, maxSummaries: 3)
        #expect(!atCap.isMasked && atCap.samples(advantage: 1).count == 9)
        let over = SegmentedRollout(episode, maxSummaries: 2)
        #expect(over.maskReason == .summaryCapExceeded)
        #expect(over.samples(advantage: 1).isEmpty && over.trainableTokenCount == 0)
        #expect(over.segments.count == 3, "a masked rollout is still segmented for inspection")
        // The builder stopped the rollout at its cap: stored as masked, masked whatever the cap here.
        #expect(SegmentedRollout(Self.marked(turns: 3, summaries: [1], status: .masked)).maskReason == .summaryCapExceeded)
        #expect(SegmentedRollout(Self.marked(turns: 3, summaries: [], status: .infraError)).maskReason == .infraError)
        #expect(!SegmentedRollout(Self.marked(turns: 3, summaries: [], status: .truncated)).isMasked)
    }

    @Test func builderEpisodeSegmentsPackIntoOneSequenceEach() throws {
        let episode = Self.summaryEpisode(turns: 30)
        let rollout = SegmentedRollout(episode)
        #expect(rollout.summaryCount >= 2, "the 400-token budget forces several summaries in 30 turns")
        #expect(rollout.segments.count == rollout.summaryCount + (episode.turns.last!.isSummary ? 0 : 1))
        for (s, range) in rollout.segments.enumerated() {
            let packed = try #require(rollout.packedSegment(s))
            let turns = episode.turns[range]
            #expect(packed.tokens == turns.last!.contextTokens + turns.last!.generatedTokens)
            #expect(packed.generatedMask.count == packed.tokens.count && packed.behaviourLogProbs.count == packed.tokens.count)
            // The masked positions are exactly each turn's generation, with its log-probs, in order.
            let generatedPositions = packed.generatedMask.indices.filter { packed.generatedMask[$0] }
            #expect(generatedPositions.map { packed.tokens[$0] } == turns.flatMap(\.generatedTokens))
            #expect(generatedPositions.map { packed.behaviourLogProbs[$0] } == turns.flatMap(\.logProbs))
            #expect(packed.behaviourLogProbs.enumerated().allSatisfy { packed.generatedMask[$0.offset] || $0.element == 0 })
            if s > 0 {
                // A later segment starts from prompt + task + the previous summary, not the old turns.
                let summary = episode.turns[rollout.segments[s - 1].last!]
                #expect(summary.isSummary)
                let first = episode.turns[range.first!].contextTokens
                #expect(first.count < episode.turns[rollout.segments[s - 1].last!].contextTokens.count + summary.generatedTokens.count)
                #expect(contains(first, summary.generatedTokens))
            }
        }
    }

    @Test func aContextThatDoesNotExtendTheLastOneIsNotPacked() {
        var episode = Self.summaryEpisode(turns: 4)
        #expect(SegmentedRollout(episode).packedSegment(0) != nil)
        episode.turns[2].contextTokens[0] += 1
        #expect(SegmentedRollout(episode).packedSegment(0) == nil)
        #expect(SegmentedRollout(episode).samples(advantage: 1).count == 4, "per-turn samples remain")
    }

    private func contains(_ haystack: [Int32], _ needle: [Int32]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
