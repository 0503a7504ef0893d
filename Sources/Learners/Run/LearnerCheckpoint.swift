import Foundation
import TensorCore

/// What a learner keeps in a checkpoint folder next to the policy's weights, so `--resume`
/// continues exactly where an uninterrupted run would be: optimizer moments, critics, and
/// generators that live across updates. (What is rebuilt from run.sqlite instead — ArCHer's
/// replay buffer, filtered BC's episode pool, the warm start's demonstrations — is not saved.)
///
/// Files (docs/ARCHITECTURE.md, "Checkpoints"):
/// - `optimizer.safetensors`: AdamW state of the policy's optimizer (every learner);
/// - `critic_optimizer.safetensors`: AdamW state of the critic's optimizer (ArCHer, PPO);
/// - `critic.safetensors`, `target_critic.safetensors`: ArCHer's critics;
/// - `value_critic.safetensors`: PPO's token-level critic (trunk and value head);
/// - `learner_rng.json`: the minibatch-shuffling generator (GRPO, PPO).
protocol LearnerCheckpoint: AnyObject {
    /// Writes the learner's state into `folder` (which exists).
    func saveState(to folder: URL) throws
    /// Restores what `saveState(to:)` wrote into this learner (built with the same configuration).
    func restoreState(from folder: URL) throws
}

enum LearnerFiles {
    static let optimizer = "optimizer.safetensors"
    static let criticOptimizer = "critic_optimizer.safetensors"
    /// ArCHer's token-level baseline and its optimizer.
    static let tokenBaseline = "token_baseline.safetensors"
    static let tokenBaselineOptimizer = "token_baseline_optimizer.safetensors"
    static let rng = "learner_rng.json"

    static func saveOptimizer(_ optimizer: AdamW, _ file: String, names: [(name: String, tensor: Tensor)], in folder: URL) throws {
        try optimizer.saveState(path: folder.appendingPathComponent(file).path, names: names)
    }

    static func loadOptimizer(_ optimizer: AdamW, _ file: String, names: [(name: String, tensor: Tensor)], from folder: URL) throws {
        try optimizer.loadState(path: folder.appendingPathComponent(file).path, names: names)
    }

    static func saveRNG(_ rng: SeededRNG, in folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same state gives the same bytes
        try encoder.encode(rng).write(to: folder.appendingPathComponent(Self.rng), options: .atomic)
    }

    static func loadRNG(from folder: URL) throws -> SeededRNG {
        try JSONDecoder().decode(SeededRNG.self, from: Data(contentsOf: folder.appendingPathComponent(Self.rng)))
    }
}

extension BehaviourCloning: LearnerCheckpoint {
    func saveState(to folder: URL) throws {
        try LearnerFiles.saveOptimizer(optimizer, LearnerFiles.optimizer, names: policy.namedParameters, in: folder)
    }

    func restoreState(from folder: URL) throws {
        try LearnerFiles.loadOptimizer(optimizer, LearnerFiles.optimizer, names: policy.namedParameters, from: folder)
    }
}

extension ArcherTrainer: LearnerCheckpoint {
    func saveState(to folder: URL) throws {
        try saveCritics(to: folder)
        try LearnerFiles.saveOptimizer(actorOptimizer, LearnerFiles.optimizer, names: policy.namedParameters, in: folder)
        try LearnerFiles.saveOptimizer(criticOptimizer, LearnerFiles.criticOptimizer, names: critic.namedParameters, in: folder)
        if let tokenBaseline, let baselineOptimizer {
            try tokenBaseline.save(to: folder, fileName: LearnerFiles.tokenBaseline)
            try LearnerFiles.saveOptimizer(baselineOptimizer, LearnerFiles.tokenBaselineOptimizer, names: tokenBaseline.network.namedParameters, in: folder)
        }
    }

    func restoreState(from folder: URL) throws {
        try loadCritics(from: folder)
        try LearnerFiles.loadOptimizer(actorOptimizer, LearnerFiles.optimizer, names: policy.namedParameters, from: folder)
        try LearnerFiles.loadOptimizer(criticOptimizer, LearnerFiles.criticOptimizer, names: critic.namedParameters, from: folder)
        if let tokenBaseline, let baselineOptimizer {
            try tokenBaseline.load(from: folder, fileName: LearnerFiles.tokenBaseline)
            try LearnerFiles.loadOptimizer(baselineOptimizer, LearnerFiles.tokenBaselineOptimizer, names: tokenBaseline.network.namedParameters, from: folder)
        }
    }
}

extension GRPOLearner: LearnerCheckpoint {
    func saveState(to folder: URL) throws {
        try LearnerFiles.saveOptimizer(optimizer, LearnerFiles.optimizer, names: policy.namedParameters, in: folder)
        try LearnerFiles.saveRNG(rng, in: folder)
    }

    func restoreState(from folder: URL) throws {
        try LearnerFiles.loadOptimizer(optimizer, LearnerFiles.optimizer, names: policy.namedParameters, from: folder)
        rng = try LearnerFiles.loadRNG(from: folder)
    }
}

extension PPOLearner: LearnerCheckpoint {
    func saveState(to folder: URL) throws {
        try critic.save(to: folder)
        try LearnerFiles.saveOptimizer(policyOptimizer, LearnerFiles.optimizer, names: policy.namedParameters, in: folder)
        try LearnerFiles.saveOptimizer(criticOptimizer, LearnerFiles.criticOptimizer, names: critic.network.namedParameters, in: folder)
        try LearnerFiles.saveRNG(rng, in: folder)
    }

    func restoreState(from folder: URL) throws {
        try critic.load(from: folder)
        try LearnerFiles.loadOptimizer(policyOptimizer, LearnerFiles.optimizer, names: policy.namedParameters, from: folder)
        try LearnerFiles.loadOptimizer(criticOptimizer, LearnerFiles.criticOptimizer, names: critic.network.namedParameters, from: folder)
        rng = try LearnerFiles.loadRNG(from: folder)
    }
}
