import CBLAS
import CSQLite
import CSeccomp
import Foundation

/// The probes behind `turnrl doctor`; each one really calls the library or the kernel it reports on.
enum SystemProbes {
    static func openBLAS() -> DoctorCheck {
        let coreName = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        let config = openblas_get_config().map { String(cString: $0) } ?? ""
        let threads = Int(openblas_get_num_threads())
        let environment = ProcessInfo.processInfo.environment
        // Both set by `OpenBLASEnvironment` before OpenBLAS loaded, unless the user chose a value.
        let userCore = OpenBLASCoreChoice.userChoice(environment)
        let detectedCore = OpenBLASCoreChoice.overriddenDetection(environment)
        let threadTimeout = environment[PassiveBLASThreads.variable]
        // A 2x2 product proves the library is the real thing, not just present.
        var a: [Float] = [1, 2, 3, 4]
        var b: [Float] = [5, 6, 7, 8]
        var c: [Float] = [0, 0, 0, 0]
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, &a, 2, &b, 2, 0, &c, 2)
        let coreTypeNote = OpenBLASCoreChoice.origin(of: coreName, environment)
        var facts: [String: Fact] = [
            "coreType": .string(coreName), "config": .string(config), "threads": .int(threads),
            "coreTypeFromEnvironment": .bool(userCore != nil),
            "threadTimeout": .string(threadTimeout ?? "unset"),
        ]
        if let detectedCore { facts["detectedCoreType"] = .string(detectedCore) }
        guard c == [19, 22, 43, 50] else {
            return .missing(
                "openblas", "OpenBLAS", "sgemm returned \(c), expected [19, 22, 43, 50]",
                fix: "apt-get install --reinstall libopenblas0-pthread libopenblas-dev", facts: facts)
        }
        return .ok(
            "openblas", "OpenBLAS",
            "\(config.split(separator: " ").prefix(2).joined(separator: " ")), core \(coreName) (\(coreTypeNote)), \(threads) threads, "
                + (threadTimeout.map { "idle threads sleep after 2^\($0) cycles" } ?? "idle threads spin ~0.1 s"),
            facts: facts)
    }

    static func libseccomp() -> DoctorCheck {
        guard let version = seccomp_version() else {
            return .missing("libseccomp", "libseccomp", "seccomp_version() returned nothing",
                            fix: "apt-get install libseccomp-dev")
        }
        let v = "\(version.pointee.major).\(version.pointee.minor).\(version.pointee.micro)"
        // Building (not loading) a filter proves the library works in this process.
        guard let ctx = seccomp_init(UInt32(SCMP_ACT_ALLOW)) else {
            return .missing("libseccomp", "libseccomp", "libseccomp \(v) could not build a filter",
                            fix: "apt-get install --reinstall libseccomp2 libseccomp-dev")
        }
        seccomp_release(ctx)
        return .ok("libseccomp", "libseccomp", "libseccomp \(v)", facts: ["version": .string(v)])
    }

    static func sqliteFTS5() -> DoctorCheck {
        let version = String(cString: sqlite3_libversion())
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        guard sqlite3_open(":memory:", &db) == SQLITE_OK else {
            return .missing("sqlite", "SQLite with FTS5", "cannot open an in-memory SQLite \(version) database",
                            fix: "apt-get install libsqlite3-dev")
        }
        let rc = sqlite3_exec(db, "CREATE VIRTUAL TABLE probe USING fts5(body)", nil, nil, nil)
        guard rc == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(db))
            return .missing("sqlite", "SQLite with FTS5", "SQLite \(version) has no FTS5: \(message)",
                            fix: "install a SQLite built with FTS5 (Debian's libsqlite3-dev is)",
                            facts: ["version": .string(version)])
        }
        return .ok("sqlite", "SQLite with FTS5", "SQLite \(version), FTS5 available",
                   facts: ["version": .string(version)])
    }

    static func python(_ interpreter: PythonInterpreter) -> DoctorCheck {
        let title = "Python for the sandbox"
        let script = "import sys; print(sys.executable); print('.'.join(map(str, sys.version_info[:3])))"
        guard let output = try? Shell.run(interpreter.path, ["-I", "-S", "-c", script]),
              output.status == 0
        else {
            return .missing("python", title, "\(interpreter.path) (\(interpreter.source)) did not run",
                            fix: "apt-get install python3, or point TURNRL_PYTHON at an interpreter")
        }
        let lines = output.stdout.split(separator: "\n").map(String.init)
        let executable = lines.first ?? interpreter.path
        let version = lines.count > 1 ? lines[1] : "unknown"
        let parts = version.split(separator: ".").compactMap { Int($0) }
        let facts: [String: Fact] = [
            "path": .string(executable), "version": .string(version), "source": .string(interpreter.source),
        ]
        guard parts.count >= 2, (parts[0], parts[1]) >= (3, 9) else {
            return .missing("python", title, "\(executable) is Python \(version); the sandbox needs 3.9 or newer",
                            fix: "apt-get install python3, or point TURNRL_PYTHON at Python 3.9+", facts: facts)
        }
        return .ok("python", title, "\(executable) (Python \(version), \(interpreter.source))", facts: facts)
    }

    static func userNamespaces() -> DoctorCheck {
        let title = "User namespaces"
        let limit = readFirstLine("/proc/sys/user/max_user_namespaces").flatMap { Int($0) }
        if limit == 0 {
            return .missing("userNamespaces", title, required: false,
                            "user.max_user_namespaces is 0; the sandbox runs without namespace isolation",
                            fix: "sysctl -w user.max_user_namespaces=15000")
        }
        // The real test: can a process here enter a new user namespace?
        guard let unshare = Shell.which("unshare") else {
            return .missing("userNamespaces", title, required: false,
                            "cannot test: the unshare command is not installed", fix: "apt-get install util-linux")
        }
        let result = try? Shell.run(unshare, ["--user", "--map-root-user", "true"])
        guard result?.status == 0 else {
            return .missing("userNamespaces", title, required: false,
                            "creating a user namespace failed: \(result?.stderr.trimmed ?? "could not start unshare")",
                            fix: "sysctl -w kernel.unprivileged_userns_clone=1 (or run where user namespaces are allowed)")
        }
        return .ok("userNamespaces", title, required: false, "available (max \(limit.map(String.init) ?? "?"))",
                   facts: ["max": .int(limit ?? -1)])
    }

    static func landlock() -> DoctorCheck {
        let abi = turnrl_landlock_abi_version()
        guard abi > 0 else {
            let why = abi == -Int(ENOSYS) ? "the kernel has no Landlock" : "Landlock is disabled (errno \(-abi))"
            return .missing("landlock", "Landlock", required: false,
                            "\(why); writes are confined by the mount namespace and rlimits only",
                            fix: "boot a kernel ≥ 5.13 with lsm=...,landlock")
        }
        return .ok("landlock", "Landlock", required: false, "ABI version \(abi)", facts: ["abi": .int(abi)])
    }

    static func seccomp() -> DoctorCheck {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let fields = Dictionary(
            status.split(separator: "\n").compactMap { line -> (String, String)? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { return nil }
                return (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces))
            }, uniquingKeysWith: { first, _ in first })
        // seccomp_api_get() asks the kernel which filter features it supports (0: none).
        let api = Int(seccomp_api_get())
        guard fields["Seccomp"] != nil, api >= 1 else {
            return .missing("seccomp", "seccomp filters", "the kernel does not offer seccomp filters (API level \(api))",
                            fix: "run on a Linux kernel built with CONFIG_SECCOMP_FILTER")
        }
        let mode = fields["Seccomp"] ?? "?"
        let inherited = mode == "2" ? ", this process already runs under a filter (container)" : ""
        return .ok("seccomp", "seccomp filters", "API level \(api)\(inherited)",
                   facts: ["apiLevel": .int(api), "mode": .string(mode)])
    }

    static func hardware() -> DoctorCheck {
        let info = ProcessInfo.processInfo
        let gib = Double(info.physicalMemory) / 1_073_741_824
        return .ok("hardware", "Cores and memory", required: false,
                   "\(info.activeProcessorCount) cores, \(String(format: "%.1f", gib)) GiB",
                   facts: ["cores": .int(info.activeProcessorCount), "memoryBytes": .int(Int(info.physicalMemory))])
    }

    private static func readFirstLine(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").first.map(String.init)
    }
}
