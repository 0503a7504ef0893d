import Foundation
import Learners
import Yams

/// Resolves a run's hyperparameters: defaults (`TrainingConfig()`), then a YAML file, then
/// command-line overrides; every key is checked against the defaults so a typo is an error.
enum TrainConfigLoader {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The configuration as a JSON-compatible dictionary.
    static func dictionary(_ config: TrainingConfig) throws -> [String: Any] {
        let data = try JSONEncoder().encode(config)
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// Reads a YAML mapping from `path`.
    static func yamlMapping(path: String) throws -> [String: Any] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Failure(description: "cannot read config file \(path): \(error.localizedDescription)")
        }
        guard let loaded = try Yams.load(yaml: text) else { return [:] }
        guard let mapping = loaded as? [String: Any] else { throw Failure(description: "\(path) must hold a YAML mapping (key: value lines)") }
        return mapping
    }

    /// Writes `overlay` onto `base`, recursively; keys must already exist in `base`.
    static func merge(_ overlay: [String: Any], into base: inout [String: Any], path: String = "", source: String) throws {
        for (key, value) in overlay {
            let full = path.isEmpty ? key : "\(path).\(key)"
            guard let existing = base[key] else {
                throw Failure(description: "unknown setting '\(full)' in \(source); known here: \(base.keys.sorted().joined(separator: ", "))")
            }
            if var nested = existing as? [String: Any] {
                guard let inner = value as? [String: Any] else { throw Failure(description: "'\(full)' in \(source) must be a mapping") }
                try merge(inner, into: &nested, path: full, source: source)
                base[key] = nested
            } else {
                base[key] = value
            }
        }
    }

    /// `a.b.c=value` → a nested mapping; the value is parsed as a YAML scalar (numbers, booleans, text).
    static func assignment(_ text: String) throws -> [String: Any] {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw Failure(description: "--set expects KEY=VALUE (e.g. archer.actorLearningRate=3e-5), got '\(text)'")
        }
        let keys = text[..<eq].split(separator: ".").map(String.init)
        let raw = String(text[text.index(after: eq)...])
        var value: Any = (try? Yams.load(yaml: raw)).flatMap { $0 } ?? raw
        for key in keys.reversed() { value = [key: value] }
        return value as! [String: Any]
    }

    /// Decodes a merged dictionary into the typed configuration.
    static func decode(_ dictionary: [String: Any]) throws -> TrainingConfig {
        let data = try JSONSerialization.data(withJSONObject: dictionary)
        do { return try JSONDecoder().decode(TrainingConfig.self, from: data) } catch let DecodingError.typeMismatch(_, context),
            let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw Failure(description: "setting '\(key)' has the wrong type: \(context.debugDescription)")
        }
    }

    /// The resolved configuration as YAML (the run's config.yaml).
    static func yaml(_ config: TrainingConfig) throws -> String {
        try YAMLEncoder().encode(config)
    }

    /// The resolved configuration as compact JSON (stored with the run in run.sqlite).
    static func json(_ config: TrainingConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }
}
