import Foundation
import Testing
@testable import ToolSandbox

@Suite("Session mode")
struct SessionTests {
    @Test("variables, imports and scratch files survive between calls of one session")
    func persists() async throws {
        let pool = try await TestSandbox.sharedPool()
        let session = try await pool.openSession()
        let first = try await session.run(code: "import numpy as np\nx = np.arange(4)\nopen('notes.txt', 'w').write('kept')\nprint('set')")
        #expect(first.ok && first.stdout == "set\n", "\(first)")
        let second = try await session.run(code: "print(int(x.sum()), open('notes.txt').read())")
        #expect(second.ok && second.stdout == "6 kept\n", "\(second)")
        let error = try await session.run(code: "undefined_name")
        #expect(error.exitCode == 1 && error.error?.contains("NameError") == true && !error.sessionEnded)
        let third = try await session.run(code: "x = x * 2\nprint(x.tolist())")
        #expect(third.stdout == "[0, 2, 4, 6]\n", "an exception does not end the session")
        // A stateless call on the same pool sees none of it.
        let stateless = try await pool.run(code: "print('x' in globals())")
        #expect(stateless.stdout == "False\n")
        await session.close()
        #expect(!(await session.isOpen))
        await #expect(throws: SandboxError.self) { _ = try await session.run(code: "print(x)") }
    }

    @Test("two sessions are separate")
    func separate() async throws {
        let pool = try await TestSandbox.sharedPool()
        let a = try await pool.openSession()
        let b = try await pool.openSession()
        _ = try await a.run(code: "v = 'a'")
        _ = try await b.run(code: "v = 'b'")
        #expect(try await a.run(code: "print(v)").stdout == "a\n")
        #expect(try await b.run(code: "print(v)").stdout == "b\n")
        await a.close()
        await b.close()
    }

    @Test("a session call past its deadline ends the session with a clear result")
    func deadlineEndsSession() async throws {
        let pool = try await TestSandbox.sharedPool()
        let session = try await pool.openSession(limits: SandboxLimits(timeoutSeconds: 0.5))
        #expect(try await session.run(code: "y = 5").ok)
        let slow = try await session.run(code: "import time; time.sleep(20)")
        #expect(slow.timedOut && slow.sessionEnded && !slow.ok)
        await #expect(throws: SandboxError.self) { _ = try await session.run(code: "print(y)") }
        #expect(try await pool.run(code: "print('pool fine')").stdout == "pool fine\n")
    }
}
