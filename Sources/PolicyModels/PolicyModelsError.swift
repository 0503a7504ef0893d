/// Errors of the PolicyModels module. Each case says what went wrong, where, and what to do.
public enum PolicyModelsError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read.
    case fileUnreadable(path: String, reason: String)
    /// A file could not be written.
    case fileUnwritable(path: String, reason: String)
    /// A tokenizer.json or config.json is not in the form expected.
    case malformedFile(path: String, field: String, reason: String)
    /// A feature of a HuggingFace file that this implementation does not support.
    case unsupported(path: String, field: String, value: String)
    /// A token id outside the vocabulary.
    case tokenOutOfRange(id: Int, vocabularySize: Int)
    /// A checkpoint lacks a parameter or has it with the wrong shape.
    case parameterMismatch(name: String, expected: [Int], found: [Int]?)
    /// A model configuration that cannot work.
    case invalidConfiguration(String)
    /// A sequence longer than the model's context.
    case contextOverflow(length: Int, maximum: Int)

    public var description: String {
        switch self {
        case let .fileUnreadable(path, reason):
            return "cannot read \(path): \(reason). Check that the file exists and is readable."
        case let .fileUnwritable(path, reason):
            return "cannot write \(path): \(reason). Check that the folder exists and is writable."
        case let .malformedFile(path, field, reason):
            return "\(path): field '\(field)' \(reason). The file should be a HuggingFace export (tokenizer.json / config.json)."
        case let .unsupported(path, field, value):
            return "\(path): '\(field)' = \(value) is not supported by TurnRL's loader; use a GPT-2 style byte-level BPE tokenizer / GPT-2 checkpoint."
        case let .tokenOutOfRange(id, size):
            return "token id \(id) is outside the vocabulary 0..<\(size); the ids do not belong to this tokenizer/model."
        case let .parameterMismatch(name, expected, found):
            if let found {
                return "parameter '\(name)' has shape \(found) but the configuration expects \(expected); the checkpoint and config.json disagree."
            }
            return "parameter '\(name)' (shape \(expected)) is missing from the checkpoint; is it a GPT-2 model.safetensors?"
        case let .invalidConfiguration(reason):
            return "invalid model configuration: \(reason)."
        case let .contextOverflow(length, maximum):
            return "sequence of \(length) tokens exceeds the model context of \(maximum); shorten the prompt or lower max new tokens."
        }
    }
}
