import ArgumentParser
import EnvironmentKit
import Foundation

/// `turnrl env register DIR`: validate a folder, then make it available by name everywhere.
struct EnvRegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Validate an environment folder and register it by name (kept in the data folder).",
        discussion: "The folder is loaded completely first (manifest, tasks, Python files imported in the sandbox); nothing is registered when that fails.")

    @Argument(help: "The environment folder (holding env.yaml).")
    var folder: String

    @OptionGroup var options: EnvironmentOptions

    func run() async throws {
        let url = URL(fileURLWithPath: folder, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let package = try await EnvironmentPackage.load(folder: url, runtime: try options.runtime())
        await package.shutdown()
        let registry = EnvironmentRegistry.standard()
        let manifest = try registry.addUserRegistration(folder: url)
        print("registered \(manifest.name) \(manifest.version) → \(url.path) (train \(package.tasks.train.count), test \(package.tasks.test.count) tasks)")
    }
}

/// `turnrl env unregister NAME`.
struct EnvUnregisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unregister",
        abstract: "Remove a registered environment (its folder is left alone).")

    @Argument(help: "The registered name.")
    var name: String

    func run() async throws {
        try EnvironmentRegistry.standard().unregister(name: name)
        print("unregistered \(name)")
    }
}
