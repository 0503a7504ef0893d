import EnvironmentKit
import Foundation
import Learners
import Testing

@testable import turnrl

/// `turnrl train`'s configuration: defaults, then a YAML file, then `--set`; typos are errors.
@Suite struct TrainConfigLoaderTests {
    @Test func yamlThenAssignmentsOverrideDefaults() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("train-\(UUID().uuidString).yaml")
        try "algo: bc\nseed: 7\narcher:\n  actorLearningRate: 1e-5\n  batchSize: 4\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var merged = try TrainConfigLoader.dictionary(TrainingConfig())
        try TrainConfigLoader.merge(TrainConfigLoader.yamlMapping(path: file.path), into: &merged, source: file.path)
        try TrainConfigLoader.merge(TrainConfigLoader.assignment("archer.batchSize=32"), into: &merged, source: "--set")
        let config = try TrainConfigLoader.decode(merged)
        #expect(config.algo == .bc && config.seed == 7)
        #expect(config.archer.actorLearningRate == 1e-5 && config.archer.batchSize == 32)
        #expect(config.archer.gamma == 0.95 && config.bc == BCConfig())
        // The stored form reads back to the same configuration.
        let stored = FileManager.default.temporaryDirectory.appendingPathComponent("stored-\(UUID().uuidString).yaml")
        try TrainConfigLoader.yaml(config).write(to: stored, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: stored) }
        var again = try TrainConfigLoader.dictionary(TrainingConfig())
        try TrainConfigLoader.merge(TrainConfigLoader.yamlMapping(path: stored.path), into: &again, source: stored.path)
        #expect(try TrainConfigLoader.decode(again) == config)
    }

    @Test func unknownKeysAndBadAssignmentsAreErrors() throws {
        var merged = try TrainConfigLoader.dictionary(TrainingConfig())
        #expect(throws: TrainConfigLoader.Failure.self) {
            try TrainConfigLoader.merge(TrainConfigLoader.assignment("archer.gama=0.9"), into: &merged, source: "--set")
        }
        #expect(throws: TrainConfigLoader.Failure.self) { try TrainConfigLoader.assignment("noequals") }
        var modes = try TrainConfigLoader.dictionary(TrainingConfig())
        try TrainConfigLoader.merge(TrainConfigLoader.assignment("compaction=truncate"), into: &modes, source: "--set")
        #expect(try TrainConfigLoader.decode(modes).compaction.mode == .truncate)
        try TrainConfigLoader.merge(TrainConfigLoader.assignment("compaction=sometimes"), into: &modes, source: "--set")
        #expect(throws: TrainConfigLoader.Failure.self) { try TrainConfigLoader.decode(modes) }
    }
}
