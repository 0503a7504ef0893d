import Foundation
import SearchIndex
import Testing
@testable import Trajectories

/// SIGKILLs a writer child (the `turnrl-traj-crash-writer` helper, a separate executable: the
/// Swift test process itself never forks) at random points and checks that every episode whose
/// commit was reported survived intact and that the database passes `PRAGMA integrity_check`.
@Suite struct CrashSafetyTests {
    static let kills = 24

    @Test func sigkilledWriterLosesNoCommittedEpisode() throws {
        let path = try temporaryDatabasePath()
        let writer = Self.writerURL()
        #expect(FileManager.default.isExecutableFile(atPath: writer.path), "build turnrl-traj-crash-writer first")
        var rng = SplitMix64(seed: 20_261_121)
        var reported: [(id: Int64, seed: UInt64, turns: Int)] = []
        var killsAfterACommit = 0
        for round in 0..<Self.kills {
            let log = URL(fileURLWithPath: path + ".out\(round)")
            #expect(FileManager.default.createFile(atPath: log.path, contents: nil))
            let process = Process()
            process.executableURL = writer
            process.arguments = [path, String(round + 1)]
            // stdout to a file, not a pipe: nothing the child wrote before dying can be lost or block it.
            process.standardOutput = try FileHandle(forWritingTo: log)
            try process.run()
            // Random kill point: every sixth round anywhere from start-up on (open/migrate
            // included); the others after the first reported commit, in the middle of appends.
            // Waiting for that commit instead of a fixed delay keeps the test meaningful when a
            // loaded machine starts the child slowly.
            if round % 6 != 0 { Self.waitForFirstCommit(log) }
            usleep(UInt32.random(in: (round % 6 == 0 ? 1_000 : 0)...200_000, using: &rng))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): writer exited on its own (status \(process.terminationStatus))")
            let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
            let committed = lines.compactMap { line -> (Int64, UInt64, Int)? in
                let parts = line.split(separator: " ")
                guard parts.count == 4, parts[0] == "committed", let id = Int64(parts[1]), let seed = UInt64(parts[2]),
                    let turns = Int(parts[3]) else { return nil }
                return (id, seed, turns)
            }
            if !committed.isEmpty { killsAfterACommit += 1 }
            reported += committed.map { (id: $0.0, seed: $0.1, turns: $0.2) }
        }
        // The test means something only if most kills hit a writer that was committing.
        #expect(killsAfterACommit >= 20, "only \(killsAfterACommit) kills happened after a commit")

        let store = try TrajectoryStore(path: path)
        #expect(try store.integrityCheck() == ["ok"])
        for entry in reported {
            var generator = SplitMix64(seed: entry.seed)
            let turns = Int.random(in: 1...8, using: &generator)
            #expect(turns == entry.turns)
            var expected = SyntheticEpisodes.episode(turns: turns, promptTokens: 256, using: &generator)
            expected.id = entry.id
            #expect(try store.episode(id: entry.id) == expected, "episode \(entry.id) lost or altered")
        }
        // Episodes committed but not yet reported when the kill came must be whole too.
        let stored = try store.runs().flatMap { try store.episodeIDs(run: $0.id) }
        #expect(stored.count >= reported.count)
        for id in stored {
            let episode = try store.episode(id: id)
            #expect(episode.length >= 1)  // store.episode also checks the stored length against the turns
        }
        print("crash safety: \(Self.kills) SIGKILLs, \(reported.count) reported commits all intact, \(stored.count) episodes stored")
    }

    /// Polls the child's log until it holds a line (at most 30 s).
    static func waitForFirstCommit(_ log: URL) {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let data = try? Data(contentsOf: log), data.contains(UInt8(ascii: "\n")) { return }
            usleep(2_000)
        }
    }

    static func writerURL() -> URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("turnrl-traj-crash-writer").path), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return url.appendingPathComponent("turnrl-traj-crash-writer")
    }
}
