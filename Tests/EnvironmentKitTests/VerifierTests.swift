import Testing
import ToolSandbox
@testable import EnvironmentKit

@Suite struct VerifierTests {
    func task(_ answer: JSONValue) -> TaskRecord { TaskRecord(id: "t", kind: "k", prompt: "p", answer: answer) }

    @Test func exactMatchNormalises() async throws {
        let verifier = ExactMatchVerifier()
        #expect(try await verifier.verify(task: task(.string("The Lima")), answer: " lima. ", trajectory: []).first?.value == 1)
        #expect(try await verifier.verify(task: task(.array([.string("Lima"), .string("Ciudad de los Reyes")])), answer: "ciudad de los reyes", trajectory: []).first?.value == 1)
        #expect(try await verifier.verify(task: task(.string("Lima")), answer: "Cusco", trajectory: []).first?.value == 0)
    }

    @Test func f1IsSQuADs() async throws {
        #expect(NormalizedF1Verifier.f1("the Spanish language", "Spanish") == 2 * 0.5 * 1 / 1.5)
        #expect(NormalizedF1Verifier.f1("Spanish", "Spanish") == 1)
        #expect(NormalizedF1Verifier.f1("French", "Spanish") == 0)
        let score = try await NormalizedF1Verifier().verify(task: task(.array([.string("Quechua"), .string("Spanish")])), answer: "Spanish", trajectory: [])
        #expect(score == [RewardComponent(name: "f1", value: 1)])
    }

    @Test func numericComparesBigIntegersExactly() async throws {
        let verifier = NumericVerifier()
        let big = "123456789012345678901234567890"
        #expect(try await verifier.verify(task: task(.string(big)), answer: "123,456,789,012,345,678,901,234,567,890", trajectory: []).first?.value == 1)
        #expect(try await verifier.verify(task: task(.string(big)), answer: "123456789012345678901234567891", trajectory: []).first?.value == 0)
        #expect(try await verifier.verify(task: task(.double(0.1)), answer: "0.1000000001", trajectory: []).first?.value == 1)
        #expect(try await verifier.verify(task: task(.int(-7)), answer: "-007", trajectory: []).first?.value == 1)
        #expect(try await verifier.verify(task: task(.int(7)), answer: "seven", trajectory: []).first?.value == 0)
    }

    @Test func verifierResultsAreChecked() throws {
        #expect(try rewardComponents(from: .double(0.5), source: "v") == [RewardComponent(name: "verifier", value: 0.5)])
        #expect(try rewardComponents(from: .object(["a": .int(1), "_success": .int(1)]), source: "v").count == 2)
        #expect(throws: VerifierError.self) { try rewardComponents(from: .string("x"), source: "v") }
        #expect(throws: VerifierError.self) { try rewardComponents(from: .double(1.5), source: "v") }
        #expect(throws: VerifierError.self) { try rewardComponents(from: .object(["a": .string("x")]), source: "v") }
        #expect(rewardTotal([RewardComponent(name: "a", value: 0.5), RewardComponent(name: "_success", value: 1)]) == 0.5)
    }
}
