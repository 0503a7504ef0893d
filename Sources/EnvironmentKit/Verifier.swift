import Foundation
import ToolSandbox

/// Scores a final answer. Returns named components (summed into the reward); throws when the
/// verifier itself is broken, which the environment reports as `infraError`, never as 0.
public protocol Verifier: Sendable {
    var name: String { get }
    func verify(task: TaskRecord, answer: String, trajectory: [ChatMessage]) async throws -> [RewardComponent]
}

/// A verifier broke (raised, returned a non-number, or a value outside [-1, 1]).
public struct VerifierError: Error, CustomStringConvertible, Sendable {
    public var verifier: String
    public var detail: String

    public init(verifier: String, detail: String) {
        self.verifier = verifier
        self.detail = detail
    }

    public var description: String { "verifier \(verifier) failed: \(detail)" }
}

/// The built-in verifiers a manifest can name.
public enum BuiltinVerifier: String, Sendable, CaseIterable {
    case exactMatch = "exact_match"
    case normalizedF1 = "normalized_f1"
    case numeric

    public var verifier: any Verifier {
        switch self {
        case .exactMatch: return ExactMatchVerifier()
        case .normalizedF1: return NormalizedF1Verifier()
        case .numeric: return NumericVerifier()
        }
    }
}

/// The reference answers of a task: a string, a number, or an array of acceptable answers.
func referenceAnswers(_ answer: JSONValue) -> [String] {
    switch answer {
    case .array(let values): return values.flatMap(referenceAnswers)
    case .string(let text): return [text]
    case .int(let value): return [String(value)]
    case .double(let value): return [String(value)]
    case .bool(let value): return [String(value)]
    case .null, .object: return []
    }
}

/// SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces.
public func normalizeAnswer(_ text: String) -> String {
    let lowered = text.lowercased()
    let noPunctuation = String(lowered.unicodeScalars.map { CharacterSet.punctuationCharacters.contains($0) || CharacterSet.symbols.contains($0) ? " " : Character($0) })
    let words = noPunctuation.split(whereSeparator: { $0.isWhitespace }).filter { !["a", "an", "the"].contains($0) }
    return words.joined(separator: " ")
}

/// 1 when the normalised answer equals a normalised reference answer, else 0.
public struct ExactMatchVerifier: Verifier {
    public var name: String { "exact_match" }
    public init() {}

    public func verify(task: TaskRecord, answer: String, trajectory: [ChatMessage]) async throws -> [RewardComponent] {
        let given = normalizeAnswer(answer)
        let hit = referenceAnswers(task.answer).contains { normalizeAnswer($0) == given }
        return [RewardComponent(name: "exact_match", value: hit ? 1 : 0)]
    }
}

/// SQuAD token F1 between the normalised answer and the best reference answer, in [0, 1].
public struct NormalizedF1Verifier: Verifier {
    public var name: String { "normalized_f1" }
    public init() {}

    public func verify(task: TaskRecord, answer: String, trajectory: [ChatMessage]) async throws -> [RewardComponent] {
        let best = referenceAnswers(task.answer).map { Self.f1(answer, $0) }.max() ?? 0
        return [RewardComponent(name: "f1", value: best)]
    }

    public static func f1(_ prediction: String, _ reference: String) -> Double {
        let predicted = normalizeAnswer(prediction).split(separator: " ")
        let expected = normalizeAnswer(reference).split(separator: " ")
        if predicted.isEmpty || expected.isEmpty { return predicted == expected ? 1 : 0 }
        var counts: [Substring: Int] = [:]
        for token in expected { counts[token, default: 0] += 1 }
        var common = 0
        for token in predicted where (counts[token] ?? 0) > 0 {
            common += 1
            counts[token]! -= 1
        }
        if common == 0 { return 0 }
        let precision = Double(common) / Double(predicted.count), recall = Double(common) / Double(expected.count)
        return 2 * precision * recall / (precision + recall)
    }
}

/// 1 when the answer's number equals the reference number: integers exactly (big integers
/// compared as digit strings), decimals within a relative 1e-6. Commas and spaces inside the
/// number are ignored.
public struct NumericVerifier: Verifier {
    public var name: String { "numeric" }
    public init() {}

    public func verify(task: TaskRecord, answer: String, trajectory: [ChatMessage]) async throws -> [RewardComponent] {
        let given = Self.clean(answer)
        let hit = referenceAnswers(task.answer).contains { Self.equal(given, Self.clean($0)) }
        return [RewardComponent(name: "numeric", value: hit ? 1 : 0)]
    }

    static func clean(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).filter { $0 != "," && $0 != " " && $0 != "_" }
    }

    static func isInteger(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }

    static func canonicalInteger(_ text: String) -> String {
        let negative = text.hasPrefix("-")
        let digits = (text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)).drop { $0 == "0" }
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + digits
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        if isInteger(a), isInteger(b) { return canonicalInteger(a) == canonicalInteger(b) }
        guard let x = Double(a), let y = Double(b), x.isFinite, y.isFinite else { return false }
        return abs(x - y) <= 1e-6 * max(1, abs(y))
    }
}

/// Checks a verifier's JSON result: a number in [-1, 1], or an object of named numbers whose
/// sum is in [-1, 1]. `source` names the verifier in errors.
func rewardComponents(from value: JSONValue, source: String) throws -> [RewardComponent] {
    var components: [RewardComponent]
    switch value {
    case .int, .double:
        components = [RewardComponent(name: "verifier", value: value.numberValue!)]
    case .object(let parts):
        guard !parts.isEmpty else { throw VerifierError(verifier: source, detail: "returned an empty dict; return a float in [-1, 1] or a dict of named floats") }
        components = []
        for key in parts.keys.sorted() {
            guard let number = parts[key]!.numberValue else {
                throw VerifierError(verifier: source, detail: "component '\(key)' is \(parts[key]!), not a number")
            }
            components.append(RewardComponent(name: key, value: number))
        }
    default:
        throw VerifierError(verifier: source, detail: "returned \(value), not a number; return a float in [-1, 1] or a dict[str, float]")
    }
    let total = rewardTotal(components)
    guard total.isFinite, total >= -1 - 1e-9, total <= 1 + 1e-9 else {
        throw VerifierError(verifier: source, detail: "returned a reward of \(total), outside [-1, 1]")
    }
    return components
}

/// The reward of some components: their sum, leaving out metrics (names starting with `_`,
/// such as `_success`), which are reported but not rewarded.
public func rewardTotal(_ components: [RewardComponent]) -> Double {
    components.reduce(0) { $1.name.hasPrefix("_") ? $0 : $0 + $1.value }
}
