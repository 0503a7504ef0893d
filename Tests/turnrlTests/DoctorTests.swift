import Foundation
import Testing

@testable import turnrl

/// The built `turnrl` binary sits beside the test bundle in SwiftPM's products directory.
func turnrlBinary() -> URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("turnrl")
}

@Test func doctorJSONIsOneObjectAScriptCanRead() throws {
    let output = try Shell.run(turnrlBinary().path, ["doctor", "--json"])
    let report = try JSONDecoder().decode(DoctorReport.self, from: Data(output.stdout.utf8))
    #expect(report.version == TurnRLVersion.string)
    #expect(Set(report.order) == Set(report.checks.keys))
    for name in ["openblas", "libseccomp", "sqlite", "python", "userNamespaces", "landlock", "seccomp", "hardware"] {
        let check = try #require(report.checks[name], "doctor has no \(name) check")
        #expect(check.status == "ok" || check.status == "missing")
        #expect(check.ok || check.fix != nil, "\(name) is missing but gives no fix")
    }
    #expect(report.checks["hardware"]?.facts["cores"] == .int(ProcessInfo.processInfo.activeProcessorCount))
    // turnrl re-executed itself with OpenBLAS's shortest spin unless the caller chose a value.
    let timeout = ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] ?? "4"
    #expect(report.checks["openblas"]?.facts["threadTimeout"] == .string(timeout))
    // Exit status follows the required checks.
    #expect((output.status == 0) == report.ok)
}

/// OpenBLAS kernels follow the CPU's features when OpenBLAS's model table does not know the CPU.
@Test func openBLASCoreTypeFollowsTheCPUFeatures() {
    let avx512: Set = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
    #expect(OpenBLASCoreChoice.coreType(detected: "Prescott", cpuFlags: avx512) == "SkylakeX")
    #expect(OpenBLASCoreChoice.coreType(detected: "Haswell", cpuFlags: avx512) == "SkylakeX")
    #expect(OpenBLASCoreChoice.coreType(detected: "Cooperlake", cpuFlags: avx512) == nil)
    #expect(OpenBLASCoreChoice.coreType(detected: "Prescott", cpuFlags: ["sse3", "avx", "avx2", "fma"]) == "Haswell")
    #expect(OpenBLASCoreChoice.coreType(detected: "Zen", cpuFlags: ["sse3", "avx", "avx2", "fma"]) == nil)
    // AVX-512 without BW/VL (Knights Landing) is not what SkylakeX kernels need.
    #expect(OpenBLASCoreChoice.coreType(detected: "Prescott", cpuFlags: ["avx2", "fma", "avx512f", "avx512cd"]) == "Haswell")
    #expect(OpenBLASCoreChoice.coreType(detected: "Prescott", cpuFlags: ["sse3", "ssse3"]) == nil)
    #expect(OpenBLASCoreChoice.coreType(detected: "Prescott", cpuFlags: []) == nil)

    let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu sse3 avx2 fma\nbugs\t\t: spectre_v1\n"
    #expect(OpenBLASCoreChoice.cpuFlags(cpuinfo: cpuinfo) == ["fpu", "sse3", "avx2", "fma"])
    #expect(OpenBLASCoreChoice.cpuFlags(cpuinfo: nil).isEmpty)
}

/// `turnrl` itself runs the kernels this machine's CPU can run (re-executing itself with
/// OPENBLAS_CORETYPE when OpenBLAS's detection fell short), unless the caller chose a core type.
@Test(.enabled(if: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, "the caller chose OPENBLAS_CORETYPE"))
func doctorReportsKernelsThatUseTheCPUFeatures() throws {
    let output = try Shell.run(turnrlBinary().path, ["doctor", "--json"])
    let report = try JSONDecoder().decode(DoctorReport.self, from: Data(output.stdout.utf8))
    guard case .string(let core)? = report.checks["openblas"]?.facts["coreType"] else {
        Issue.record("doctor reports no OpenBLAS core type"); return
    }
    #expect(OpenBLASCoreChoice.coreType(detected: core, cpuFlags: OpenBLASCoreChoice.cpuFlags()) == nil, "core \(core)")
}

@Test func pythonFromEnvironmentWins() {
    let chosen = PythonInterpreter.resolve(environment: ["TURNRL_PYTHON": "/opt/py/bin/python3", "PATH": "/usr/bin"])
    #expect(chosen.path == "/opt/py/bin/python3")
    #expect(chosen.source == "TURNRL_PYTHON")
}

@Test func dataDirectoryFollowsTurnRLHomeThenXDG() {
    #expect(DataDirectory.url(environment: ["TURNRL_HOME": "/data/t"]).path == "/data/t")
    #expect(DataDirectory.url(environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]).path == "/x/turnrl")
    #expect(DataDirectory.url(environment: ["HOME": "/h"]).path == "/h/.local/share/turnrl")
}

@Test func missingPythonIsReportedWithAFix() {
    let check = SystemProbes.python(PythonInterpreter(path: "/nonexistent/python3", source: "test"))
    #expect(check.status == "missing")
    #expect(check.fix?.contains("TURNRL_PYTHON") == true)
}

@Test func unknownSubcommandFailsWithUsage() throws {
    let output = try Shell.run(turnrlBinary().path, ["no-such-command"])
    #expect(output.status != 0)
    #expect(output.stderr.contains("Unexpected argument"))
}
