import EnvironmentKit
import Foundation
import Trajectories

/// `turnrl env check`'s last section: the expert played through the context builder under the
/// manifest's budget and compaction mode (byte tokens, as the reference policy sees them). The
/// checker's own expert run sees the whole history; this is the success a cloned policy can reach.
enum BudgetedExpertCheck {
    struct KindRow {
        var episodes = 0
        var successes = 0
        var stopped = 0
        var summaryTurns = 0
    }

    /// Plays `seeds` (8 at a time, one environment each) and prints the success per task kind.
    static func run(_ provider: any EnvironmentProvider, seeds: Range<UInt64>, split: Split) async throws {
        guard let expert = provider.expert, !seeds.isEmpty else { return }
        let settings = provider.spec.context
        let outcomes = try await BudgetedExpert.playMany(
            provider, expert: expert, configuration: ContextBuilderConfiguration(settings: settings, perTurnMaxNewTokens: 192),
            seeds: Array(seeds), options: ResetOptions(split: split))
        var kinds: [String: KindRow] = [:]
        for outcome in outcomes {
            var row = kinds[outcome.task.kind, default: KindRow()]
            row.episodes += 1
            row.successes += outcome.success ? 1 : 0
            row.stopped += outcome.stop == nil ? 0 : 1
            row.summaryTurns += outcome.turns.filter(\.isSummary).count
            kinds[outcome.task.kind] = row
        }
        let successes = outcomes.filter(\.success).count
        print(String(
            format: "\nexpert under the context budget (%d byte tokens, compaction %@) on %d %@ episodes: success %.0f%%",
            settings.budgetTokens, settings.compaction.rawValue, outcomes.count, split.rawValue,
            Double(successes) * 100 / Double(outcomes.count)))
        printTable(
            ["KIND", "EPISODES", "SUCCESS", "STOPPED BY BUDGET", "SUMMARY TURNS"],
            kinds.keys.sorted().map { kind in
                let row = kinds[kind]!
                return [kind, String(row.episodes), String(format: "%.0f%% (%d)", Double(row.successes) * 100 / Double(row.episodes), row.successes),
                        String(row.stopped), String(format: "%.1f", Double(row.summaryTurns) / Double(row.episodes))]
            })
    }
}
