import Foundation

/// The size of a GPT-2 architecture transformer, with the field names of HuggingFace's
/// `config.json` (`n_embd`, `n_layer`, …) so a real checkpoint's config loads unchanged.
public struct GPT2Config: Sendable, Equatable, Codable {
    /// Vocabulary size (GPT-2: 50257).
    public var vocabSize: Int
    /// Context length: the number of learned positions (GPT-2: 1024).
    public var contextLength: Int
    /// Width of the residual stream (GPT-2 small: 768).
    public var dModel: Int
    /// Number of transformer blocks (GPT-2 small: 12).
    public var layers: Int
    /// Attention heads per block; must divide `dModel` (GPT-2 small: 12).
    public var heads: Int
    /// Width of the MLP's hidden layer; HF's `n_inner`, default 4·dModel (Radford et al. 2019).
    public var innerSize: Int
    /// Layer-norm epsilon (HF GPT-2 default 1e-5).
    public var layerNormEpsilon: Float
    /// Whether the output projection shares the token embedding (GPT-2: true).
    public var tieWordEmbeddings: Bool

    public init(vocabSize: Int, contextLength: Int, dModel: Int, layers: Int, heads: Int,
                innerSize: Int? = nil, layerNormEpsilon: Float = 1e-5, tieWordEmbeddings: Bool = true) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.dModel = dModel
        self.layers = layers
        self.heads = heads
        self.innerSize = innerSize ?? 4 * dModel
        self.layerNormEpsilon = layerNormEpsilon
        self.tieWordEmbeddings = tieWordEmbeddings
    }

    /// TurnRL's reference policy (issue 3): 4 layers, d_model 256, 4 heads, context 256,
    /// vocabulary 512 — about 3.4 M parameters, trainable in minutes on 2 cores.
    public static let reference = GPT2Config(vocabSize: 512, contextLength: 256, dModel: 256, layers: 4, heads: 4)

    /// Per-head width.
    public var headSize: Int { dModel / heads }

    /// Throws unless the sizes fit together.
    public func validate() throws(PolicyModelsError) {
        guard vocabSize > 0, contextLength > 0, dModel > 0, layers > 0, heads > 0, innerSize > 0 else {
            throw .invalidConfiguration("every size must be positive (\(self))")
        }
        guard dModel % heads == 0 else {
            throw .invalidConfiguration("n_embd \(dModel) is not divisible by n_head \(heads)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", contextLength = "n_positions", dModel = "n_embd"
        case layers = "n_layer", heads = "n_head", innerSize = "n_inner"
        case layerNormEpsilon = "layer_norm_epsilon", tieWordEmbeddings = "tie_word_embeddings"
        case activation = "activation_function", modelType = "model_type"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        contextLength = try c.decode(Int.self, forKey: .contextLength)
        dModel = try c.decode(Int.self, forKey: .dModel)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        innerSize = try c.decodeIfPresent(Int.self, forKey: .innerSize) ?? 4 * dModel
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-5
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? true
        let activation = try c.decodeIfPresent(String.self, forKey: .activation) ?? "gelu_new"
        // gelu_new, gelu_pytorch_tanh and gelu_fast are the same tanh approximation.
        guard ["gelu_new", "gelu_pytorch_tanh", "gelu_fast"].contains(activation) else {
            throw DecodingError.dataCorruptedError(forKey: .activation, in: c,
                debugDescription: "activation_function '\(activation)' is not supported (TurnRL implements gelu_new)")
        }
        if let type = try c.decodeIfPresent(String.self, forKey: .modelType), type != "gpt2" {
            throw DecodingError.dataCorruptedError(forKey: .modelType, in: c,
                debugDescription: "model_type '\(type)' is not gpt2")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(contextLength, forKey: .contextLength)
        try c.encode(dModel, forKey: .dModel)
        try c.encode(layers, forKey: .layers)
        try c.encode(heads, forKey: .heads)
        try c.encode(innerSize, forKey: .innerSize)
        try c.encode(layerNormEpsilon, forKey: .layerNormEpsilon)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
        try c.encode("gelu_new", forKey: .activation)
        try c.encode("gpt2", forKey: .modelType)
    }

    /// Reads a HuggingFace `config.json`.
    public static func load(from url: URL) throws(PolicyModelsError) -> GPT2Config {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .fileUnreadable(path: url.path, reason: "\(error)")
        }
        let config: GPT2Config
        do { config = try JSONDecoder().decode(GPT2Config.self, from: data) } catch {
            throw .malformedFile(path: url.path, field: "(root)", reason: "is not a GPT-2 config: \(error)")
        }
        try config.validate()
        return config
    }

    /// Writes a `config.json` HuggingFace's `GPT2Config.from_pretrained` reads. `endOfTextID`
    /// becomes its `bos_token_id`/`eos_token_id` (HF otherwise assumes GPT-2's 50256).
    public func write(to url: URL, endOfTextID: Int? = nil) throws(PolicyModelsError) {
        var json: [String: Any] = [
            "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": vocabSize,
            "n_positions": contextLength, "n_embd": dModel, "n_layer": layers, "n_head": heads,
            "n_inner": innerSize, "layer_norm_epsilon": Double(layerNormEpsilon),
            "tie_word_embeddings": tieWordEmbeddings, "activation_function": "gelu_new",
        ]
        json["resid_pdrop"] = 0.0; json["embd_pdrop"] = 0.0; json["attn_pdrop"] = 0.0
        if let endOfTextID { json["bos_token_id"] = endOfTextID; json["eos_token_id"] = endOfTextID }
        do {
            let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: url)
        } catch {
            throw .fileUnwritable(path: url.path, reason: "\(error)")
        }
    }
}
