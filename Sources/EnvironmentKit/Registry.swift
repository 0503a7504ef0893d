import Foundation

/// Where an environment in the registry comes from.
public enum RegistrySource: String, Codable, Sendable {
    /// A folder of the repository's `Environments/`.
    case builtin
    /// A folder registered with `turnrl env register`.
    case user
    /// Registered in Swift code.
    case native
}

/// One name in the registry.
public struct RegistryEntry: Sendable {
    public var name: String
    public var source: RegistrySource
    /// The environment folder (nil for Swift-native environments).
    public var folder: URL?
    /// The manifest, when it parsed (nil for native environments or broken manifests).
    public var manifest: EnvironmentManifest?
    /// Why the manifest did not parse (the entry is listed anyway, so the problem is visible).
    public var problem: String?
}

/// Names → environments: built-ins found in the repository's `Environments/`, folders users
/// registered (persisted in `<data folder>/environments.json`), and Swift-native providers
/// registered in code.
///
/// The built-in folder is `$TURNRL_ENVIRONMENTS` if set, else the first `Environments/` found
/// walking up from the running executable (a checkout's `.build/release/turnrl`), else the
/// `Environments/` of the checkout this library was built from.
public struct EnvironmentRegistry: Sendable {
    public typealias Factory = @Sendable (EnvironmentRuntime) async throws -> any EnvironmentProvider

    public let builtinDirectory: URL?
    /// The JSON file of user registrations: `{"environments": {"name": "/abs/folder"}}`.
    public let userFile: URL
    private var natives: [String: Factory] = [:]

    public init(builtinDirectory: URL?, userFile: URL) {
        self.builtinDirectory = builtinDirectory
        self.userFile = userFile
    }

    /// The registry the CLI uses: built-ins located as described above, user registrations in
    /// the data folder.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> EnvironmentRegistry {
        EnvironmentRegistry(
            builtinDirectory: locateBuiltins(environment: environment),
            userFile: EnvironmentRuntime.dataDirectory(environment: environment).appendingPathComponent("environments.json"))
    }

    /// See the type's documentation for the order of the rules.
    public static func locateBuiltins(environment: [String: String] = ProcessInfo.processInfo.environment, executable: URL? = nil) -> URL? {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if let explicit = environment["TURNRL_ENVIRONMENTS"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit).standardizedFileURL
        }
        let exe = executable ?? URL(fileURLWithPath: (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var directory = exe.deletingLastPathComponent().standardizedFileURL
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("Environments")
            if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue,
               fm.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = checkout.appendingPathComponent("Environments")
        if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue { return candidate }
        return nil
    }

    /// Registers a Swift-native environment under `name` (replacing an earlier native one).
    public mutating func register(name: String, make: @escaping Factory) {
        natives[name] = make
    }

    /// Folders with an env.yaml directly under `directory` or one level deeper
    /// (`Environments/examples/<name>`), sorted by path.
    static func environmentFolders(in directory: URL) -> [URL] {
        let fm = FileManager.default
        var found: [URL] = []
        func scan(_ url: URL, depth: Int) {
            guard let children = try? fm.contentsOfDirectory(at: url, includingPropertiesForKeys: nil) else { return }
            for child in children.sorted(by: { $0.path < $1.path }) {
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: child.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                if fm.fileExists(atPath: child.appendingPathComponent(EnvironmentManifest.fileName).path) {
                    found.append(child.standardizedFileURL)
                } else if depth == 0 {
                    scan(child, depth: 1)
                }
            }
        }
        scan(directory, depth: 0)
        return found
    }

    /// The user registrations (name → folder path).
    public func userRegistrations() throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: userFile.path) else { return [:] }
        do {
            let data = try Data(contentsOf: userFile)
            let decoded = try JSONDecoder().decode(UserFile.self, from: data)
            return decoded.environments
        } catch {
            throw EnvironmentError.registry(path: userFile.path, problem: "cannot be read (\(error)); fix or delete the file")
        }
    }

    struct UserFile: Codable {
        var environments: [String: String]
    }

    private func writeUserRegistrations(_ registrations: [String: String]) throws {
        do {
            try FileManager.default.createDirectory(at: userFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(UserFile(environments: registrations)).write(to: userFile, options: .atomic)
        } catch {
            throw EnvironmentError.registry(path: userFile.path, problem: "cannot be written: \(error)")
        }
    }

    /// Every environment, sorted by name. Throws when two sources claim the same name.
    public func entries() throws -> [RegistryEntry] {
        var entries: [RegistryEntry] = []
        func add(folder: URL, source: RegistrySource, registeredName: String? = nil) {
            do {
                let manifest = try ManifestLoader.load(folder: folder)
                entries.append(RegistryEntry(name: manifest.name, source: source, folder: folder, manifest: manifest))
            } catch {
                let name = registeredName ?? folder.lastPathComponent
                entries.append(RegistryEntry(name: name, source: source, folder: folder, manifest: nil, problem: "\(error)"))
            }
        }
        if let builtinDirectory {
            for folder in Self.environmentFolders(in: builtinDirectory) { add(folder: folder, source: .builtin) }
        }
        for (name, path) in try userRegistrations().sorted(by: { $0.key < $1.key }) {
            add(folder: URL(fileURLWithPath: path), source: .user, registeredName: name)
        }
        for name in natives.keys.sorted() {
            entries.append(RegistryEntry(name: name, source: .native, folder: nil, manifest: nil))
        }
        var seen: [String: RegistryEntry] = [:]
        for entry in entries {
            if let first = seen[entry.name], first.folder != entry.folder || first.source == .native || entry.source == .native {
                throw EnvironmentError.duplicate(
                    what: "environment name", name: entry.name,
                    first: first.folder?.path ?? "swift:\(first.name)", second: entry.folder?.path ?? "swift:\(entry.name)")
            }
            seen[entry.name] = entry
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// The entry called `nameOrPath`, or the folder at that path (absolute or relative to the
    /// working directory) if it holds an env.yaml.
    public func resolve(_ nameOrPath: String) throws -> RegistryEntry {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: nameOrPath, relativeTo: URL(fileURLWithPath: fm.currentDirectoryPath)).standardizedFileURL
        if nameOrPath.contains("/") || fm.fileExists(atPath: url.appendingPathComponent(EnvironmentManifest.fileName).path) {
            let manifest = try ManifestLoader.load(folder: url)
            return RegistryEntry(name: manifest.name, source: .user, folder: url, manifest: manifest)
        }
        let all = try entries()
        guard let entry = all.first(where: { $0.name == nameOrPath }) else {
            throw EnvironmentError.unknownEnvironment(name: nameOrPath, known: all.map(\.name))
        }
        if let problem = entry.problem { throw EnvironmentError.registry(path: entry.folder?.path ?? entry.name, problem: problem) }
        return entry
    }

    /// Loads an entry: starts its sandbox, imports its Python, reads its tasks.
    public func load(_ entry: RegistryEntry, runtime: EnvironmentRuntime) async throws -> any EnvironmentProvider {
        if entry.source == .native, let factory = natives[entry.name] { return try await factory(runtime) }
        guard let folder = entry.folder else { throw EnvironmentError.unknownEnvironment(name: entry.name, known: []) }
        return try await EnvironmentPackage.load(folder: folder, runtime: runtime)
    }

    /// Records a validated folder under its manifest's name. Fails when another folder or a
    /// built-in already has that name; registering the same folder again is a no-op.
    @discardableResult
    public func addUserRegistration(folder: URL) throws -> EnvironmentManifest {
        let folder = folder.standardizedFileURL
        let manifest = try ManifestLoader.load(folder: folder)
        if let clash = try entries().first(where: { $0.name == manifest.name }), clash.folder?.path != folder.path {
            throw EnvironmentError.duplicate(what: "environment name", name: manifest.name, first: clash.folder?.path ?? "swift:\(clash.name)", second: folder.path)
        }
        var registrations = try userRegistrations()
        registrations[manifest.name] = folder.path
        try writeUserRegistrations(registrations)
        return manifest
    }

    /// Removes a user registration (built-ins cannot be unregistered).
    public func unregister(name: String) throws {
        var registrations = try userRegistrations()
        guard registrations.removeValue(forKey: name) != nil else {
            let builtin = try entries().contains { $0.name == name && $0.source == .builtin }
            throw EnvironmentError.registry(
                path: userFile.path,
                problem: builtin ? "'\(name)' is a built-in environment (in Environments/); it cannot be unregistered" : "no user registration named '\(name)'")
        }
        try writeUserRegistrations(registrations)
    }
}
