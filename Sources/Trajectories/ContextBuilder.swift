import EnvironmentKit

/// Settings of the context builder. Defaults follow the environment contract's `context:` block
/// (docs: /tmp/env-spec.md → EnvironmentKit.ContextSettings).
public struct ContextBuilderConfiguration: Sendable, Equatable {
    /// The policy's context window in tokens (EnvironmentKit.ContextSettings default: 2048).
    public var budgetTokens: Int = 2048
    /// Cap on new tokens per turn; a turn gets min(cap, budget − context) (issue #7).
    public var perTurnMaxNewTokens: Int = 256
    /// Below this many free tokens a turn is not started (a reply needs room for an action tag
    /// and an end token; 16 is TurnRL's choice, no paper value).
    public var minimumNewTokens: Int = 16
    /// When the context is full — none: stop as truncated; truncate: drop the oldest turns down to
    /// a summary's length of history; summary: ask for a summary turn.
    public var compaction: ContextSettings.Compaction = .none
    /// Fraction of the budget past which a summary turn is requested (SUPO-style; contract default 0.75).
    public var summaryThreshold: Double = 0.75
    /// Turns kept verbatim after a summary (contract default 0).
    public var keepLastTurns: Int = 0
    /// Cap on summaries per episode; a rollout that needs more is masked from the update (issue #7;
    /// SUPO caps summarisation rounds too). 32 leaves headroom: long-ledger's expert needed 8–12
    /// per episode in LongLedgerCompactionTests (1,024-token budget); a cap of 4 masked them all.
    public var maxSummaries: Int = 32
    /// The user message that asks for a summary; must start with "[summarize]" (environment contract).
    public var summaryInstruction: String = "[summarize] Write a summary of everything you will still need."
    /// Worked examples pinned between the system prompt and the task (`ContextSettings.examples`).
    public var examples: [ChatMessage] = []

    /// Takes budget, mode, threshold and kept turns from an environment's `context:` settings.
    public init(settings: ContextSettings = ContextSettings(), perTurnMaxNewTokens: Int = 256) {
        budgetTokens = settings.budgetTokens
        compaction = settings.compaction
        summaryThreshold = settings.summaryThreshold
        keepLastTurns = settings.keepLastTurns
        examples = settings.examples
        self.perTurnMaxNewTokens = perTurnMaxNewTokens
    }
}

/// What the rollout should do next.
public enum ContextAction: Sendable, Equatable {
    /// Generate a reply conditioned on exactly `tokens` with at most `maxNewTokens` new tokens.
    /// `isSummary`: the reply is a summary turn (trainable; it compacts the context).
    case generate(tokens: [Int32], messages: [ChatMessage], maxNewTokens: Int, isSummary: Bool)
    /// Stop the episode: it cannot continue within the budget.
    case stop(ContextStopReason)
}

/// Why the builder stopped an episode.
public enum ContextStopReason: String, Sendable, Equatable {
    /// No room left and compaction `none` (or nothing left to drop): the episode ends truncated.
    case budgetExhausted = "budget_exhausted"
    /// More summaries than `maxSummaries` were needed: the rollout is masked from the update.
    case summaryCapExceeded = "summary_cap_exceeded"
}

/// Builds the working context of an episode within a token budget and compacts it when full.
///
/// The working context is system prompt + worked examples + task (always kept) + the latest summary (as an
/// assistant message, kept verbatim) + the turns since. Token counts come from a
/// `ContextTokenizer`; replies enter later contexts as their generated tokens, never re-tokenised.
public struct ContextBuilder: Sendable {
    /// One message with its tokens, tokenised once.
    struct Piece: Sendable {
        var message: ChatMessage
        var tokens: [Int32]
    }

    /// The configuration in force.
    public let configuration: ContextBuilderConfiguration
    private let tokenizer: any ContextTokenizer
    private let pinned: [Piece]
    /// The user message that asks for a summary (summary mode; its size also sets when the
    /// context is full in truncate mode).
    private let summaryRequest: Piece
    private var summary: Piece?
    /// Each turn: the assistant reply and the observation messages after it.
    private var turns: [[Piece]] = []
    private var awaitingSummary = false
    private var keptAtSummary: [[Piece]] = []
    /// Summaries written so far in this episode.
    public private(set) var summaryCount = 0
    /// Turns dropped by `truncate` mode so far.
    public private(set) var droppedTurns = 0

    /// Starts an episode's context from its system prompt and task message.
    public init(system: String, task: String, tokenizer: any ContextTokenizer, configuration: ContextBuilderConfiguration) {
        self.tokenizer = tokenizer
        self.configuration = configuration
        pinned = ([ChatMessage(role: .system, content: system)] + configuration.examples + [ChatMessage(role: .user, content: task)])
            .map { Piece(message: $0, tokens: tokenizer.tokens(for: $0)) }
        let request = ChatMessage(role: .user, content: configuration.summaryInstruction)
        summaryRequest = Piece(message: request, tokens: tokenizer.tokens(for: request))
    }

    /// Decides the next step and, for `.generate`, renders the exact context tokens.
    public mutating func nextAction() -> ContextAction {
        let budget = configuration.budgetTokens
        switch configuration.compaction {
        case .none:
            return generate(render(turns), isSummary: false)
        case .truncate:
            // Compact where summary mode would, keeping as much history as a summary may take
            // (the latest turns verbatim instead of the policy's summary): the two modes then
            // differ only in what they keep. Dropping a block at once, not one turn per turn,
            // also keeps the context's start fixed between compactions, so the policy's turn
            // cache extends it instead of re-reading the whole window every turn.
            let working = render(turns)
            guard contextIsFull(working.tokens.count) else { return generate(working, isSummary: false) }
            while turns.count > 1, historyTokens(turns) > configuration.perTurnMaxNewTokens {
                dropOldestTurn()
            }
            // A latest turn longer than that stays if a full-length reply still fits after it.
            while !turns.isEmpty, render(turns).tokens.count + configuration.perTurnMaxNewTokens > budget {
                dropOldestTurn()
            }
            return generate(render(turns), isSummary: false)
        case .summary:
            let working = render(turns)
            guard contextIsFull(working.tokens.count), !turns.isEmpty else { return generate(working, isSummary: false) }
            guard summaryCount < configuration.maxSummaries else { return .stop(.summaryCapExceeded) }
            // The summary prompt must itself fit: drop the oldest turns from it if it does not.
            var history = turns
            var prompt = render(history, extra: [summaryRequest])
            while !history.isEmpty, budget - prompt.tokens.count < configuration.minimumNewTokens {
                history.removeFirst()
                prompt = render(history, extra: [summaryRequest])
            }
            awaitingSummary = true
            keptAtSummary = Array(turns.suffix(configuration.keepLastTurns))
            return generate(prompt, isSummary: true)
        }
    }

    /// Records the policy's reply (its generated token ids and decoded text) and the observation
    /// messages the environment answered with. After a summary turn pass no observation.
    public mutating func record(reply: String, generatedTokens: [Int32], observation: [ChatMessage]) {
        let replyPiece = Piece(
            message: ChatMessage(role: .assistant, content: reply),
            tokens: tokenizer.replyOpening + generatedTokens + tokenizer.replyClosing)
        let observed = observation.map { Piece(message: $0, tokens: tokenizer.tokens(for: $0)) }
        if awaitingSummary {
            // Compacted context: prompt + task + summary (+ the last k turns), per the contract.
            summary = replyPiece
            turns = keptAtSummary + (observed.isEmpty ? [] : [observed])
            keptAtSummary = []
            awaitingSummary = false
            summaryCount += 1
        } else {
            turns.append([replyPiece] + observed)
        }
    }

    /// Whether a working context of `length` tokens is due for compaction: past the summary
    /// threshold, or so close to the budget that one more turn (estimated by the size of the last
    /// one) could leave too little room for a full-length summary (a summary cut short loses facts).
    private func contextIsFull(_ length: Int) -> Bool {
        let budget = configuration.budgetTokens
        let threshold = Int((Double(budget) * configuration.summaryThreshold).rounded(.down))
        let lastTurn = turns.last.map { historyTokens([$0]) } ?? 0
        let summaryWouldNotFit = length + lastTurn + summaryRequest.tokens.count
            + configuration.perTurnMaxNewTokens > budget
        return length > threshold || summaryWouldNotFit
    }

    private func historyTokens(_ history: [[Piece]]) -> Int {
        history.reduce(0) { $0 + $1.reduce(0) { $0 + $1.tokens.count } }
    }

    private mutating func dropOldestTurn() {
        turns.removeFirst()
        droppedTurns += 1
    }

    /// The working context's messages (what the policy would see now, without a summary request).
    public var messages: [ChatMessage] { render(turns).messages }

    private func render(_ history: [[Piece]], extra: [Piece] = []) -> (tokens: [Int32], messages: [ChatMessage]) {
        let pieces = pinned + (summary.map { [$0] } ?? []) + history.flatMap { $0 } + extra
        return (pieces.flatMap(\.tokens) + tokenizer.replyOpening, pieces.map(\.message))
    }

    private func generate(_ context: (tokens: [Int32], messages: [ChatMessage]), isSummary: Bool) -> ContextAction {
        let room = configuration.budgetTokens - context.tokens.count
        guard room >= configuration.minimumNewTokens else { return .stop(.budgetExhausted) }
        return .generate(
            tokens: context.tokens, messages: context.messages,
            maxNewTokens: min(configuration.perTurnMaxNewTokens, room), isSummary: isSummary)
    }
}
