import Foundation
import Glibc
import Testing

@testable import turnrl

/// `turnrl eval --policy …` choices: an unreachable endpoint gives infrastructure errors, never
/// scores; a GGUF policy with PPO is refused with the reason; a bad --policy is a usage error.
struct EvalCommandTests {
    struct Endpoint: Decodable { var episodes: Int; var infraErrors: Int }

    /// A port on 127.0.0.1 bound (so no one else takes it) but not listening: connections to it
    /// are refused at once. Closed when the test ends.
    final class RefusingPort {
        let fd: Int32
        let port: Int
        init() {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            self.fd = fd
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        deinit { Glibc.close(fd) }
    }

    @Test func anUnreachableEndpointCountsInfrastructureErrorsNotScores() throws {
        let refusing = RefusingPort()
        #expect(refusing.port > 0)
        let result = try Shell.run(turnrlBinary().path, [
            "eval", "--env", TrainCommandTests.arithPython, "--policy", "openai:http://127.0.0.1:\(refusing.port)/v1#stub",
            "--episodes", "2", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try JSONDecoder().decode([String: Endpoint].self, from: Data(result.stdout.utf8))
        #expect(summary["endpoint"]?.infraErrors == 2)
        #expect(summary["endpoint"]?.episodes == 0)
    }

    @Test func ppoWithAGGUFPolicyIsRefusedWithTheReason() throws {
        let gguf = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Llama/tiny.gguf").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ppo-gguf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Shell.run(turnrlBinary().path, ["train", "--env", TrainCommandTests.arithPython, "--algo", "ppo", "--policy", gguf, "--out", folder.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("PPO needs --policy byte-gpt2"), "stderr: \(result.stderr)")
    }

    @Test func anUnknownPolicyIsAUsageError() throws {
        let result = try Shell.run(turnrlBinary().path, ["eval", "--env", TrainCommandTests.arithPython, "--policy", "gpt-5"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--policy must be"), "stderr: \(result.stderr)")
    }
}
