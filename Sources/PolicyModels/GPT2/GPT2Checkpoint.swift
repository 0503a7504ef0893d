import Foundation
import TensorCore

/// A policy as stored on disk: a HuggingFace-style folder with `config.json`,
/// `model.safetensors` and (for BPE vocabularies) `tokenizer.json`.
public struct GPT2Checkpoint: Sendable {
    public let model: GPT2Model
    /// The folder's BPE tokenizer, or nil when it has no tokenizer.json (byte-level models).
    public let tokenizer: BPETokenizer?

    /// Loads a GPT-2 checkpoint folder, e.g. one written by `save_pretrained` of HF
    /// `GPT2LMHeadModel` (names with or without the `transformer.` prefix; the causal-mask
    /// buffers `attn.bias`/`attn.masked_bias` of old exports are ignored).
    public static func load(folder: URL) throws(PolicyModelsError) -> GPT2Checkpoint {
        let config = try GPT2Config.load(from: folder.appendingPathComponent("config.json"))
        var rng = SeededRNG(seed: 0)  // every parameter is overwritten below
        let model = try GPT2Model(config: config, rng: &rng)
        let weightsPath = folder.appendingPathComponent("model.safetensors").path
        let file: SafeTensors.File
        do { file = try SafeTensors.load(path: weightsPath) } catch {
            throw .fileUnreadable(path: weightsPath, reason: error.description)
        }
        try model.loadWeights(file.tensors, path: weightsPath)
        let tokenizerURL = folder.appendingPathComponent("tokenizer.json")
        var tokenizer: BPETokenizer?
        if FileManager.default.fileExists(atPath: tokenizerURL.path) {
            let loaded = try BPETokenizer(contentsOf: tokenizerURL)
            guard loaded.vocabularySize <= config.vocabSize else {
                throw .malformedFile(path: tokenizerURL.path, field: "model.vocab",
                                     reason: "has \(loaded.vocabularySize) ids but config.json's vocab_size is \(config.vocabSize)")
            }
            tokenizer = loaded
        }
        return GPT2Checkpoint(model: model, tokenizer: tokenizer)
    }

    /// Writes `config.json`, `model.safetensors` (HF names, readable by `transformers` and the
    /// Python `safetensors` library) and, if there is a BPE tokenizer, `tokenizer.json`.
    /// Checked by hand against transformers 5.23: `GPT2LMHeadModel.from_pretrained` loads the
    /// folder (tied and untied) and its logits equal TurnRL's to 1e-7.
    public static func save(_ model: GPT2Model, tokenizer: BPETokenizer? = nil, to folder: URL) throws(PolicyModelsError) {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw .fileUnwritable(path: folder.path, reason: "\(error)")
        }
        try model.config.write(to: folder.appendingPathComponent("config.json"), endOfTextID: tokenizer?.endOfTextID)
        var tensors: [String: Tensor] = [:]
        for (name, t) in model.namedParameters { tensors[name] = t }
        let weightsPath = folder.appendingPathComponent("model.safetensors").path
        do { try SafeTensors.save(tensors, metadata: ["format": "pt"], path: weightsPath) } catch {
            throw .fileUnwritable(path: weightsPath, reason: error.description)
        }
        if let tokenizer {
            let url = folder.appendingPathComponent("tokenizer.json")
            do { try tokenizer.json.write(to: url) } catch {
                throw .fileUnwritable(path: url.path, reason: "\(error)")
            }
        }
    }
}

extension GPT2Model {
    /// Copies weights by HF name into this model's parameters, checking every shape. A name is
    /// looked up as written and without its `transformer.` prefix (the original GPT-2 exports).
    public func loadWeights(_ tensors: [String: Tensor], path: String = "checkpoint") throws(PolicyModelsError) {
        for (name, parameter) in namedParameters {
            let bare = name.hasPrefix("transformer.") ? String(name.dropFirst("transformer.".count)) : name
            guard let source = tensors[name] ?? tensors[bare] else {
                throw .parameterMismatch(name: name, expected: parameter.shape, found: nil)
            }
            guard source.shape == parameter.shape else {
                throw .parameterMismatch(name: name, expected: parameter.shape, found: source.shape)
            }
            parameter.copyValues(from: source)
        }
    }
}
