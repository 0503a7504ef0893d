import EnvironmentKit
import Foundation
import SearchIndex
import Testing
@testable import Trajectories

@Suite struct JSONLExportTests {
    @Test func exportThenImportIsLossless() throws {
        let path = try temporaryDatabasePath()
        let store = try TrajectoryStore(path: path)
        let run = try store.beginRun(name: "x", configJSON: "{}", seed: 5, codeVersion: "t")
        var rng = SplitMix64(seed: 11)
        var originals: [EpisodeRecordData] = []
        for n in 1...5 {
            var episode = SyntheticEpisodes.episode(turns: n, using: &rng)
            if n == 2 {
                episode.status = .infraError
                episode.infraError = "sandbox worker died"
                episode.turns[0].logProbs[0] = -.infinity
            }
            if n == 3 {
                // A summary turn preceded by the "[summarize]" request, unicode and quotes in text.
                episode.turns[1].isSummary = true
                episode.turns[1].messagesBefore.append(ChatMessage(role: .user, content: "[summarize] Write a summary \"now\" — ünïcödé"))
                episode.turns[1].utterance = "Summary: read to page 3; code word ÆGIR."
            }
            originals.append(episode)
            try store.appendEpisode(episode, run: run.id)
        }
        let file = URL(fileURLWithPath: path + ".jsonl")
        #expect(try JSONLExport.export(run: run.id, from: store, to: file) == 5)

        // The chat-messages form a TRL-style reader expects.
        let firstLine = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")[0]
        let object = try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as! [String: Any]
        let messages = object["messages"] as! [[String: String]]
        #expect(messages.map { $0["role"]! } == ["system", "user", "assistant"])
        #expect((object["reward"] as? NSNumber)?.doubleValue == originals[0].episodeReturn)
        #expect(((object["turns"] as! [[String: Any]])[0]["generated_tokens"] as! [Any]).count == 32)

        let imported = try JSONLExport.importJSONL(from: file, into: store, run: run.id)
        #expect(imported.count == 5)
        for (original, id) in zip(originals, imported) {
            var back = try store.episode(id: id)
            back.id = 0
            #expect(back == original)
            for (a, b) in zip(back.turns, original.turns) {
                #expect(a.logProbs.map(\.bitPattern) == b.logProbs.map(\.bitPattern))
            }
        }
    }

    @Test func malformedLinesAreRejectedWithTheLineNumber() throws {
        #expect(throws: TrajectoryError.self) { try JSONLExport.episode(fromLine: "{not json", lineNumber: 3) }
        var rng = SplitMix64(seed: 2)
        let line = try JSONLExport.line(for: SyntheticEpisodes.episode(turns: 2, using: &rng))
        // A turn pointing at a non-assistant message is refused, not silently misaligned.
        let broken = line.replacingOccurrences(of: "\"assistant_message\":2", with: "\"assistant_message\":1")
        #expect(broken != line)
        #expect(throws: TrajectoryError.self) { try JSONLExport.episode(fromLine: broken) }
    }
}
