import Foundation
import PolicyModels

/// The frozen base of a `LlamaPolicy`: a Llama-family model with its tokenizer and chat
/// template, and the names it is known by.
public struct LlamaBase: Sendable {
    /// How TurnRL names the base (`smollm2-135m` or the GGUF path), recorded in checkpoints.
    public var name: String
    /// The HuggingFace repository the base corresponds to (PEFT's `base_model_name_or_path`).
    public var huggingFaceID: String
    public var model: LlamaModel
    public var tokenizer: any Tokenizer
    public var template: ChatTemplate

    public init(name: String, huggingFaceID: String, model: LlamaModel, tokenizer: any Tokenizer, template: ChatTemplate) {
        self.name = name
        self.huggingFaceID = huggingFaceID
        self.model = model
        self.tokenizer = tokenizer
        self.template = template
    }

    /// Loads a GGUF file: weights (frozen; the linear weights also kept quantised for
    /// decoding), its byte-level BPE tokenizer and its chat template.
    public static func load(gguf url: URL, name: String, huggingFaceID: String? = nil) throws -> LlamaBase {
        let file = try GGUFFile(path: url.path)
        let model = try LlamaModel(gguf: file)
        let id = huggingFaceID ?? [file.metadata["general.organization"]?.stringValue, file.metadata["general.basename"]?.stringValue]
            .compactMap { $0 }.joined(separator: "/")
        return LlamaBase(name: name, huggingFaceID: id.isEmpty ? url.lastPathComponent : id, model: model,
                         tokenizer: try GGUFTokenizer(gguf: file), template: try ChatTemplate(gguf: file))
    }
}

/// Finds a base model by the name a config or checkpoint gives (`smollm2-135m`, a GGUF path).
/// The command line resolves catalog names (`turnrl model fetch`); `LlamaBase.ggufPath` takes
/// names as file paths.
public typealias LlamaBaseResolver = @Sendable (_ name: String) throws -> LlamaBase

extension LlamaBase {
    /// Resolves a name as the path of a GGUF file.
    public static let ggufPath: LlamaBaseResolver = { name in
        guard FileManager.default.fileExists(atPath: name) else {
            throw PolicyModelsError.invalidConfiguration("'\(name)' is not a GGUF file (model names such as smollm2-135m are resolved by the turnrl command)")
        }
        return try load(gguf: URL(fileURLWithPath: name), name: name)
    }
}
