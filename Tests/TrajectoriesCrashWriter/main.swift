// Writer child for TrajectoriesTests' crash-safety test: appends synthetic episodes to the store
// forever and prints "committed <episode id> <generator seed> <turns>" after each commit returns.
// The test SIGKILLs it at random points and then checks every reported episode is intact.
import Foundation
import SearchIndex
import Trajectories

let arguments = CommandLine.arguments
guard arguments.count == 3, let baseSeed = UInt64(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: turnrl-traj-crash-writer DB_PATH SEED\n".utf8))
    exit(2)
}
do {
    let store = try TrajectoryStore(path: arguments[1])
    let run = try store.beginRun(name: "crash-\(baseSeed)", configJSON: "{}", seed: baseSeed, codeVersion: "test")
    var index: UInt64 = 0
    while true {
        let seed = baseSeed &* 1_000_003 &+ index
        var rng = SplitMix64(seed: seed)
        let turns = Int.random(in: 1...8, using: &rng)
        let episode = SyntheticEpisodes.episode(turns: turns, promptTokens: 256, using: &rng)
        let id = try store.appendEpisode(episode, run: run.id)
        // One write(2) per line, unbuffered: the parent sees exactly the commits that returned.
        FileHandle.standardOutput.write(Data("committed \(id) \(seed) \(turns)\n".utf8))
        index += 1
    }
} catch {
    FileHandle.standardError.write(Data("crash writer: \(error)\n".utf8))
    exit(1)
}
