import EnvironmentKit
import Testing
@testable import Trajectories

@Suite struct ContextBuilderTests {
    let tokenizer = ByteChatTokenizer()

    func configuration(_ mode: ContextSettings.Compaction, budget: Int = 400, cap: Int = 64) -> ContextBuilderConfiguration {
        var settings = ContextSettings()
        settings.budgetTokens = budget
        settings.compaction = mode
        return ContextBuilderConfiguration(settings: settings, perTurnMaxNewTokens: cap)
    }

    /// Drives a builder with replies of `replyLength` byte tokens and a fixed observation until it
    /// stops or `turns` replies were made; returns every action taken.
    func drive(_ builder: inout ContextBuilder, turns: Int, replyLength: Int = 40) -> [ContextAction] {
        var actions: [ContextAction] = []
        for turn in 0..<turns {
            let action = builder.nextAction()
            actions.append(action)
            guard case let .generate(tokens, _, maxNew, isSummary) = action else { break }
            #expect(tokens.count + maxNew <= builder.configuration.budgetTokens, "turn \(turn) would overflow the window")
            let text = isSummary ? "Summary: fact-\(turn)" : String(repeating: "x", count: min(replyLength, maxNew))
            let generated = text.utf8.map { Int32($0) }
            builder.record(reply: text, generatedTokens: generated,
                           observation: isSummary ? [] : [ChatMessage(role: .tool, content: "<result>obs \(turn)</result>")])
        }
        return actions
    }

    @Test func maxNewTokensIsTheCapOrTheRoomLeft() {
        var builder = ContextBuilder(system: "sys", task: "task", tokenizer: tokenizer, configuration: configuration(.none, budget: 200, cap: 64))
        guard case let .generate(tokens, messages, maxNew, isSummary) = builder.nextAction() else { Issue.record("should generate"); return }
        #expect(messages.map(\.role) == [.system, .user])
        #expect(tokens == tokenizer.tokens(for: messages[0]) + tokenizer.tokens(for: messages[1]) + tokenizer.replyOpening)
        #expect(maxNew == 64 && !isSummary)
        // Fill the window: a reply of 150 tokens leaves less than the cap.
        builder.record(reply: String(repeating: "y", count: 150), generatedTokens: Array(repeating: 121, count: 150), observation: [])
        guard case let .generate(tokens2, _, maxNew2, _) = builder.nextAction() else { Issue.record("should generate"); return }
        #expect(maxNew2 == 200 - tokens2.count && maxNew2 < 64)
    }

    @Test func noneModeStopsAsTruncatedWhenTheBudgetIsHit() {
        var builder = ContextBuilder(system: "sys", task: "task", tokenizer: tokenizer, configuration: configuration(.none))
        let actions = drive(&builder, turns: 50)
        #expect(actions.last == .stop(.budgetExhausted))
        #expect(actions.count < 50)
    }

    @Test func truncateModeDropsTheOldestTurnsButKeepsPromptAndTask() {
        var builder = ContextBuilder(system: "sys", task: "the task", tokenizer: tokenizer, configuration: configuration(.truncate))
        let actions = drive(&builder, turns: 30)
        #expect(actions.allSatisfy { if case .generate = $0 { true } else { false } })
        #expect(builder.droppedTurns > 0)
        #expect(builder.messages.prefix(2).map(\.content) == ["sys", "the task"])
        #expect(!builder.messages.contains { $0.content == "<result>obs 0</result>" })
        #expect(builder.messages.last?.content == "<result>obs 29</result>")
    }

    @Test func truncateModeCompactsWhereSummaryModeWouldAndKeepsASummarysWorthOfTurns() {
        // Turns of ~70 byte tokens against a 128-token cap, so a compaction can keep one turn.
        var truncating = ContextBuilder(system: "sys", task: "the task", tokenizer: tokenizer, configuration: configuration(.truncate, budget: 800, cap: 128))
        let contexts = drive(&truncating, turns: 40).compactMap { action -> [Int32]? in
            if case let .generate(tokens, _, _, _) = action { tokens } else { nil }
        }
        var summarising = ContextBuilder(system: "sys", task: "the task", tokenizer: tokenizer, configuration: configuration(.summary, budget: 800, cap: 128))
        let firstSummary = drive(&summarising, turns: 40).firstIndex { action in
            if case .generate(_, _, _, true) = action { true } else { false }
        }
        // A compaction is a turn whose context does not extend the one before it.
        let compactions = contexts.indices.dropFirst().filter { !contexts[$0].starts(with: contexts[$0 - 1]) }
        #expect(compactions.first == firstSummary)
        // Each drops several turns at once, down to the cap's worth of history after the pinned
        // prompt and task, so the contexts in between extend each other.
        #expect(compactions.count >= 3 && truncating.droppedTurns > 4 * compactions.count)
        let pinnedLength = contexts[0].count
        for turn in compactions { #expect(contexts[turn].count <= pinnedLength + 128) }
        for context in contexts { #expect(context.count <= 600) }
    }

    @Test func summaryModeAsksForASummaryAndCompacts() {
        var builder = ContextBuilder(system: "sys", task: "task", tokenizer: tokenizer, configuration: configuration(.summary))
        let actions = drive(&builder, turns: 30)
        let summaryTurns = actions.compactMap { action -> [ChatMessage]? in
            if case let .generate(_, messages, _, true) = action { return messages } else { return nil }
        }
        #expect(!summaryTurns.isEmpty)
        #expect(summaryTurns.allSatisfy { $0.last?.content.hasPrefix("[summarize]") == true })
        // Every context stayed under the threshold or was a summary request.
        for action in actions {
            if case let .generate(tokens, _, _, false) = action { #expect(tokens.count <= 300) }
        }
        // After a summary: system, task, the summary verbatim as an assistant message, then turns since.
        let messages = builder.messages
        #expect(messages[0].role == .system && messages[1].content == "task")
        #expect(messages[2].role == .assistant && messages[2].content.hasPrefix("Summary: fact-"))
        #expect(builder.summaryCount == summaryTurns.count)
    }

    @Test func summaryCapMasksTheRollout() {
        var config = configuration(.summary)
        config.maxSummaries = 1
        var builder = ContextBuilder(system: "sys", task: "task", tokenizer: tokenizer, configuration: config)
        let actions = drive(&builder, turns: 60)
        #expect(actions.last == .stop(.summaryCapExceeded))
        #expect(builder.summaryCount == 1)
    }

    @Test func repliesEnterLaterContextsAsTheirGeneratedTokens() {
        var builder = ContextBuilder(system: "s", task: "t", tokenizer: tokenizer, configuration: configuration(.none))
        _ = builder.nextAction()
        // Generated ids that are NOT what re-tokenising the text would give.
        let generated: [Int32] = [9_000, 9_001, 9_002]
        builder.record(reply: "abc", generatedTokens: generated, observation: [ChatMessage(role: .tool, content: "r")])
        guard case let .generate(tokens, _, _, _) = builder.nextAction() else { Issue.record("should generate"); return }
        let expected = tokenizer.tokens(for: ChatMessage(role: .system, content: "s"))
            + tokenizer.tokens(for: ChatMessage(role: .user, content: "t"))
            + tokenizer.replyOpening + generated + tokenizer.replyClosing
            + tokenizer.tokens(for: ChatMessage(role: .tool, content: "r")) + tokenizer.replyOpening
        #expect(tokens == expected)
    }

    @Test func extractiveSummarizerKeepsRecentFactsWithinItsBudget() async throws {
        let summarizer = ExtractiveSummarizer(maxTokens: 60, tokenizer: tokenizer)
        let messages = [
            ChatMessage(role: .system, content: "sys"), ChatMessage(role: .user, content: "task"),
            ChatMessage(role: .tool, content: "chatter without facts\nclient: Alice\naccount = 4411"),
            ChatMessage(role: .tool, content: "page 7 of 9\nmore chatter"),
            ChatMessage(role: .user, content: "[summarize] please"),
        ]
        let summary = try await summarizer.summarize(messages)
        #expect(summary.contains("page 7 of 9") && summary.contains("account = 4411"))
        #expect(!summary.contains("chatter") && !summary.contains("[summarize]"))
        #expect(tokenizer.tokens(for: ChatMessage(role: .assistant, content: summary)).count <= 60 + 12)
        let tight = try await ExtractiveSummarizer(maxTokens: 15, tokenizer: tokenizer).summarize(messages)
        #expect(tight.contains("page 7 of 9") && !tight.contains("Alice"))
    }
}
