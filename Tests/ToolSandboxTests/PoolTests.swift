import Foundation
import Testing
@testable import ToolSandbox

/// Benign code only: anything that attacks the sandbox lives in EscapeSuiteTests, which runs
/// inside a throwaway namespace.
@Suite("Sandbox pool")
struct PoolTests {
    @Test("runs code with numpy and sympy preloaded, and reports the layers it runs under")
    func basics() async throws {
        let pool = try await TestSandbox.sharedPool()
        let result = try await pool.run(code: "import numpy, sympy\nprint(int(numpy.arange(5).sum()), sympy.factor(sympy.Symbol('x')**2 - 1))")
        #expect(result.ok)
        #expect(result.stdout == "10 (x - 1)*(x + 1)\n")
        #expect(result.exitCode == 0 && result.signal == nil && result.error == nil)
        let layers = await pool.layers
        #expect(layers.contains("seccomp"))
        #expect(layers.contains("nonewprivs"))
        #expect(await pool.hello.preloaded.contains("numpy"))
    }

    @Test("exit codes, SystemExit and exceptions come back as a script would give them")
    func exitCodes() async throws {
        let pool = try await TestSandbox.sharedPool()
        let exit3 = try await pool.run(code: "import sys; print('bye'); sys.exit(3)")
        #expect(exit3.exitCode == 3 && !exit3.ok && exit3.stdout == "bye\n")
        let clean = try await pool.run(code: "raise SystemExit")
        #expect(clean.ok)
        let error = try await pool.run(code: "print('before', flush=True)\n1/0")
        #expect(error.exitCode == 1)
        #expect(error.stdout == "before\n")
        #expect(error.stderr.contains("ZeroDivisionError: division by zero"))
        #expect(error.error == "ZeroDivisionError: division by zero")
        #expect(!error.stderr.contains("turnrl_child"), "the traceback starts in the caller's code")
    }

    @Test("bad input: empty, 10 MB, invalid UTF-8, NUL bytes, syntax error — each a clear result")
    func badInput() async throws {
        let pool = try await TestSandbox.sharedPool()
        let empty = try await pool.run(code: "")
        #expect(empty.ok && empty.stdout.isEmpty)

        // 10 MB: a comment line repeated, then one statement that must still run.
        let line = "# " + String(repeating: "x", count: 97) + "\n"
        let big = String(repeating: line, count: 10 * 1024 * 1024 / line.utf8.count) + "print('big ok')\n"
        #expect(big.utf8.count >= 10_000_000)
        let bigResult = try await pool.run(code: big)
        #expect(bigResult.ok, "\(bigResult.error ?? "")")
        #expect(bigResult.stdout == "big ok\n")

        let invalid = try await pool.run(codeBytes: Array("print('a')\nx = '".utf8) + [0xFF, 0xFE] + Array("'\n".utf8))
        #expect(!invalid.ok && invalid.exitCode == 1)
        #expect(invalid.stderr.contains("SyntaxError"), "\(invalid.stderr)")
        #expect(invalid.stderr.contains("utf-8"))

        let nul = try await pool.run(codeBytes: Array("print(1)\u{0}\n".utf8))
        #expect(!nul.ok && nul.exitCode == 1)
        #expect(nul.stderr.contains("null bytes"), "\(nul.stderr)")

        let syntax = try await pool.run(code: "def f(:\n  pass")
        #expect(!syntax.ok && syntax.exitCode == 1)
        #expect(syntax.error?.hasPrefix("SyntaxError") == true, "\(syntax.error ?? "nil")")

        let after = try await pool.run(code: "print('still here')")
        #expect(after.stdout == "still here\n")
    }

    @Test("code over the size limit is refused before it is sent")
    func oversized() async throws {
        var configuration = try TestSandbox.configuration(workers: 1)
        configuration.maxCodeBytes = 1000
        let pool = try await SandboxPool(configuration: configuration)
        let result = try await pool.run(code: String(repeating: "#", count: 1001))
        #expect(!result.ok && result.exitCode == nil)
        #expect(result.error?.contains("over the 1000-byte limit") == true)
        await pool.shutdown()
    }

    @Test("200 calls from 16 concurrent tasks all return their own right result")
    func concurrency() async throws {
        let pool = try await TestSandbox.sharedPool()
        let results = try await withThrowingTaskGroup(of: [(Int, SandboxResult)].self) { group in
            for task in 0..<16 {
                group.addTask {
                    var local: [(Int, SandboxResult)] = []
                    for call in stride(from: task, to: 200, by: 16) {
                        local.append((call, try await pool.run(code: "print(\(call) * \(call) + 7)")))
                    }
                    return local
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(results.count == 200)
        for (call, result) in results {
            #expect(result.ok && result.stdout == "\(call * call + 7)\n", "call \(call): \(result)")
        }
    }

    @Test("the wall-clock deadline stops a sleeping call and the pool answers right after")
    func deadline() async throws {
        let pool = try await TestSandbox.sharedPool()
        let result = try await pool.run(code: "import time\nprint('start', flush=True)\ntime.sleep(30)",
                                        limits: SandboxLimits(timeoutSeconds: 0.5))
        #expect(result.timedOut && !result.ok)
        #expect(result.signal == "SIGKILL")
        #expect(result.stdout == "start\n", "output before the deadline is kept")
        #expect(result.durationMs < 5000)
        #expect(try await pool.run(code: "print(2)").stdout == "2\n")
    }

    @Test("stateless: nothing from one call is visible to the next")
    func stateless() async throws {
        var configuration = try TestSandbox.configuration(workers: 1)  // same zygote for both calls
        configuration.workers = 1
        let pool = try await SandboxPool(configuration: configuration)
        let first = try await pool.run(code: "import builtins, numpy, os\nbuiltins.LEAK = 1\nnumpy.LEAK = 2\nX = 3\nopen('left.txt', 'w').write('x')\nprint(os.getcwd())")
        #expect(first.ok)
        let second = try await pool.run(code: "import builtins, numpy, os\nprint(hasattr(builtins, 'LEAK'), hasattr(numpy, 'LEAK'), 'X' in globals(), os.listdir('.'), os.getcwd() == \(first.stdout.trimmingCharacters(in: .whitespacesAndNewlines).debugDescription))")
        #expect(second.stdout == "False False False [] False\n", "\(second)")
        await pool.shutdown()
    }

    @Test("a worker killed from outside is restarted and the pool keeps answering")
    func respawn() async throws {
        let pool = try await SandboxPool(configuration: TestSandbox.configuration(workers: 1))
        let pid = await pool.workerProcessIDs()[0]
        #expect(pid > 0)
        kill(pid, SIGKILL)  // our own child: the launcher process this pool spawned
        // The zygote dies a moment later (PDEATHSIG); a call in that window may still succeed.
        var failure: SandboxResult?
        for _ in 0..<200 where failure == nil {
            let result = try await pool.run(code: "print('x')")
            if !result.ok { failure = result } else { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(failure?.error?.contains("restarted") == true, "\(String(describing: failure))")
        let after = try await pool.run(code: "print('back')")
        #expect(after.ok && after.stdout == "back\n", "\(after)")
        #expect(await pool.restartCount == 1)
        #expect(await pool.workerProcessIDs()[0] != pid)
        await pool.shutdown()
    }

    @Test("without seccomp the pool refuses, unless unsandboxed running is allowed")
    func refusesWithoutSeccomp() async throws {
        var configuration = try TestSandbox.configuration(workers: 1)
        // A stand-in launcher that starts the runner with no seccomp filter (and nothing else).
        configuration.launcher = TestSandbox.fixtures.appendingPathComponent("launcher-without-seccomp.sh").path
        await #expect(throws: SandboxError.self) { _ = try await SandboxPool(configuration: configuration) }
        do {
            _ = try await SandboxPool(configuration: configuration)
        } catch let error as SandboxError {
            #expect(error.description.contains("--allow-unsandboxed"))
        }
        configuration.allowUnsandboxed = true
        let pool = try await SandboxPool(configuration: configuration)
        #expect(!(await pool.layers.contains("seccomp")))
        #expect(try await pool.run(code: "print(6 * 7)").stdout == "42\n")
        await pool.shutdown()
    }
}
