import Foundation
import SearchIndex
import Testing
@testable import Trajectories

/// A transition whose reward is its insertion number, so tests can tell transitions apart.
private func numbered(_ i: Int) -> Transition {
    Transition(context: [Int32(i)], utterance: [1], reward: Float(i), nextContext: [], done: true)
}

@Suite struct ReplayBufferTests {
    @Test func capacityBoundsAndRingOverwritesOldest() {
        var buffer = ReplayBuffer(capacity: 5)
        #expect(buffer.count == 0)
        var rng = SplitMix64(seed: 1)
        #expect(buffer.sample(4, using: &rng).isEmpty)
        buffer.append(contentsOf: (0..<3).map(numbered))
        #expect(buffer.count == 3)
        #expect(buffer[age: 0].reward == 2 && buffer[age: 2].reward == 0)
        buffer.append(contentsOf: (3..<12).map(numbered))
        #expect(buffer.count == 5)
        // The five newest (7...11) remain, newest first by age.
        #expect((0..<5).map { buffer[age: $0].reward } == [11, 10, 9, 8, 7])
        let drawn = Set(buffer.sample(500, using: &rng).map(\.reward))
        #expect(drawn == [7, 8, 9, 10, 11])
    }

    @Test func uniformSamplingIsUnbiased() {
        let n = 50
        var buffer = ReplayBuffer(capacity: n)
        buffer.append(contentsOf: (0..<(2 * n)).map(numbered))  // wrapped once: slots are not in age order
        var rng = SplitMix64(seed: 2)
        let draws = 200_000
        var counts = [Int: Int]()
        for t in buffer.sample(draws, using: &rng) { counts[Int(t.reward), default: 0] += 1 }
        #expect(counts.keys.sorted() == Array(n..<(2 * n)))
        // Each count is Binomial(draws, 1/n): mean 4000, sd ≈ 62.6; 5 sd is far outside chance.
        let mean = Double(draws) / Double(n)
        let sd = (mean * (1 - 1 / Double(n))).squareRoot()
        for (_, c) in counts { #expect(abs(Double(c) - mean) < 5 * sd) }
        // Pearson chi-square with n − 1 = 49 degrees of freedom: the 99.9 % quantile is 85.4.
        let chi2 = counts.values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) / mean }
        #expect(chi2 < 85.4)
    }

    @Test func recencyFavoursNewerAsDocumented() {
        let n = 400
        var buffer = ReplayBuffer(capacity: n, sampling: .recency)
        buffer.append(contentsOf: (0..<(n + 123)).map(numbered))
        var rng = SplitMix64(seed: 3)
        let draws = 200_000
        var byAge = [Int](repeating: 0, count: n)
        let newestReward = Float(n + 122)
        for t in buffer.sample(draws, using: &rng) { byAge[Int(newestReward - t.reward)] += 1 }
        // Documented rule: P(age) ∝ 2^(−age / (n/4)), so the newest quarter gets 0.5 / (1 − 2⁻⁴).
        let newestQuarter = Double(byAge[0..<(n / 4)].reduce(0, +)) / Double(draws)
        let expected = 0.5 / (1 - 1.0 / 16)
        #expect(abs(newestQuarter - expected) < 0.01)
        // Each quarter gets half of the previous one's share (within sampling noise).
        let quarters = (0..<4).map { q in Double(byAge[(q * n / 4)..<((q + 1) * n / 4)].reduce(0, +)) }
        for q in 1..<4 { #expect(abs(quarters[q] / quarters[q - 1] - 0.5) < 0.05) }
        #expect(byAge[n - 1] > 0, "the oldest transition is still drawn")
        // The closed form the sampler inverts sums to 1.
        let draw = RecencyDraw(count: n, halfLife: Double(n) / 4)
        #expect(abs((0..<n).reduce(0.0) { $0 + draw.probability(ofAge: $1) } - 1) < 1e-9)
    }

    @Test(arguments: ReplaySampling.allCases)
    func samplingIsDeterministicBySeed(_ sampling: ReplaySampling) {
        var buffer = ReplayBuffer(capacity: 1000, sampling: sampling)
        buffer.append(contentsOf: (0..<1500).map(numbered))
        var a = SplitMix64(seed: 99)
        var b = SplitMix64(seed: 99)
        var c = SplitMix64(seed: 100)
        let first = buffer.sample(256, using: &a)
        #expect(first == buffer.sample(256, using: &b))
        #expect(first != buffer.sample(256, using: &c))
        #expect(first.count == 256)
    }

    @Test func transitionsOfAnEpisodeChainContexts() {
        var rng = SplitMix64(seed: 4)
        var episode = SyntheticEpisodes.episode(turns: 4, using: &rng)
        episode.id = 17
        let transitions = Transition.transitions(of: episode)
        #expect(transitions.count == 4)
        for (i, t) in transitions.enumerated() {
            #expect(t.context == episode.turns[i].contextTokens)
            #expect(t.utterance == episode.turns[i].generatedTokens)
            #expect(t.reward == Float(episode.turns[i].reward))
            #expect(t.episodeID == 17)
            #expect(t.done == (i == 3))
            #expect(t.nextContext == (i == 3 ? [] : episode.turns[i + 1].contextTokens))
        }
    }

    @Test func loaderPullsOnlyNewTrainableEpisodes() throws {
        let store = try TrajectoryStore(path: try temporaryDatabasePath(), durability: .normal)
        let run = try store.beginRun(name: "replay", configJSON: "{}", seed: 1, codeVersion: "test")
        let other = try store.beginRun(name: "other", configJSON: "{}", seed: 2, codeVersion: "test")
        var rng = SplitMix64(seed: 5)
        func add(_ turns: Int, status: EpisodeStatus = .terminated, to runID: Int64) throws -> EpisodeRecordData {
            var episode = SyntheticEpisodes.episode(turns: turns, using: &rng)
            episode.status = status
            episode.id = try store.appendEpisode(episode, run: runID)
            return episode
        }
        let e1 = try add(3, to: run.id)
        _ = try add(2, status: .infraError, to: run.id)
        _ = try add(5, to: other.id)
        let e3 = try add(2, status: .truncated, to: run.id)
        _ = try add(2, status: .masked, to: run.id)

        var loader = ReplayLoader(store: store, run: run.id)
        var buffer = ReplayBuffer(capacity: 100)
        #expect(try loader.refresh(into: &buffer) == 5)
        #expect((0..<5).map { buffer[age: 4 - $0] } == Transition.transitions(of: e1) + Transition.transitions(of: e3))
        #expect(try loader.refresh(into: &buffer) == 0, "nothing new")
        let e5 = try add(4, to: run.id)
        #expect(try loader.refresh(into: &buffer) == 4)
        #expect(buffer[age: 0] == Transition.transitions(of: e5).last)
        #expect(buffer.count == 9)
    }

    @Test func loaderReadsOnlyWhatTheBufferHoldsOnResume() throws {
        let store = try TrajectoryStore(path: try temporaryDatabasePath(), durability: .normal)
        let run = try store.beginRun(name: "resume", configJSON: "{}", seed: 1, codeVersion: "test")
        var rng = SplitMix64(seed: 6)
        var episodes: [EpisodeRecordData] = []
        for _ in 0..<10 {
            var episode = SyntheticEpisodes.episode(turns: 3, using: &rng)
            episode.id = try store.appendEpisode(episode, run: run.id)
            episodes.append(episode)
        }
        var loader = ReplayLoader(store: store, run: run.id)
        let loaded = try loader.newTransitions(limit: 7)
        // The three newest episodes (9 transitions ≥ 7), oldest first.
        #expect(loaded == episodes.suffix(3).flatMap(Transition.transitions(of:)))
        #expect(loader.lastEpisodeID == episodes.last!.id)
    }
}
