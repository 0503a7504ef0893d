import Foundation
import Testing
@testable import EnvironmentKit

@Suite struct RegistryTests {
    /// A built-ins folder with one environment at top level and one under examples/.
    func builtins() throws -> URL {
        let root = try Fixtures.temporaryFolder("builtins")
        for (path, name) in [("one", "env-one"), ("examples/two", "env-two")] {
            let folder = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try ManifestTests.good.replacingOccurrences(of: "name: demo", with: "name: \(name)")
                .write(to: folder.appendingPathComponent("env.yaml"), atomically: true, encoding: .utf8)
            try ManifestTests.train.write(to: folder.appendingPathComponent("train.jsonl"), atomically: true, encoding: .utf8)
            try ManifestTests.test.write(to: folder.appendingPathComponent("test.jsonl"), atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func findsBuiltinsRegistersAndUnregisters() throws {
        let data = try Fixtures.temporaryFolder("data")
        var registry = EnvironmentRegistry(builtinDirectory: try builtins(), userFile: data.appendingPathComponent("environments.json"))
        #expect(try registry.entries().map(\.name) == ["env-one", "env-two"])
        let user = try Fixtures.folder(["env.yaml": ManifestTests.good.replacingOccurrences(of: "name: demo", with: "name: mine"), "train.jsonl": ManifestTests.train, "test.jsonl": ManifestTests.test])
        try registry.addUserRegistration(folder: user)
        // A second registry reading the same file (another process, any working directory) sees it.
        let again = EnvironmentRegistry(builtinDirectory: registry.builtinDirectory, userFile: registry.userFile)
        let entry = try again.resolve("mine")
        #expect(entry.source == .user && entry.folder?.path == user.standardizedFileURL.path)
        // Same name from another folder: refused.
        let clash = try Fixtures.folder(["env.yaml": ManifestTests.good.replacingOccurrences(of: "name: demo", with: "name: env-one"), "train.jsonl": ManifestTests.train, "test.jsonl": ManifestTests.test])
        #expect(throws: EnvironmentError.self) { try registry.addUserRegistration(folder: clash) }
        #expect(throws: EnvironmentError.self) { try registry.unregister(name: "env-one") }  // a built-in
        try registry.unregister(name: "mine")
        #expect(throws: EnvironmentError.self) { try again.resolve("mine") }
        // Swift-native registration, and a duplicate of a folder's name.
        registry.register(name: "native-words") { _ in nativeProvider() }
        #expect(try registry.entries().contains { $0.name == "native-words" && $0.source == .native })
        registry.register(name: "env-two") { _ in nativeProvider() }
        #expect(throws: EnvironmentError.self) { try registry.entries() }
    }

    @Test func resolvesFolderPathsAndReportsBrokenManifests() throws {
        let root = try builtins()
        let broken = root.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try "name: broken\n".write(to: broken.appendingPathComponent("env.yaml"), atomically: true, encoding: .utf8)
        let registry = EnvironmentRegistry(builtinDirectory: root, userFile: try Fixtures.temporaryFolder().appendingPathComponent("r.json"))
        let entries = try registry.entries()
        #expect(entries.first { $0.name == "broken" }?.problem?.contains("field 'version'") == true)
        #expect(try registry.resolve(root.appendingPathComponent("one").path).name == "env-one")
        #expect(throws: EnvironmentError.self) { try registry.resolve("nowhere") }
    }

    @Test func locatesBuiltinsByVariableThenExecutable() throws {
        #expect(EnvironmentRegistry.locateBuiltins(environment: ["TURNRL_ENVIRONMENTS": "/x/y"])?.path == "/x/y")
        let checkout = try Fixtures.temporaryFolder("checkout")
        try FileManager.default.createDirectory(at: checkout.appendingPathComponent("Environments"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: checkout.appendingPathComponent(".build/release"), withIntermediateDirectories: true)
        try "// package".write(to: checkout.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        let found = EnvironmentRegistry.locateBuiltins(environment: [:], executable: checkout.appendingPathComponent(".build/release/turnrl"))
        #expect(found?.path == checkout.appendingPathComponent("Environments").standardizedFileURL.path)
    }
}
