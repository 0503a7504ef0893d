import Foundation
import Testing
@testable import ToolSandbox

/// The escape/abuse suite. Every case is code an agent could write to get out, starve the host,
/// or break the pool; each asserts the specific failure it expects, and after each one the pool
/// must still answer `print(sum(range(10)))` correctly.
///
/// Safety: the cases never run against the bare host. This test starts `turnrl tool
/// escape-suite` inside a throwaway user + PID namespace (`unshare --user --map-root-user --pid
/// --fork --mount-proc`), so even a case that got through could only hit processes of that
/// namespace. The runner keeps ONE pool (one worker, so every case hits the same zygote) alive
/// across all cases.
@Suite("Escape suite (inside a throwaway namespace)")
struct EscapeSuiteTests {
    struct Case {
        let name: String
        let code: String
        var limits: SandboxLimits? = nil
        /// What must be true of the result, in words (printed when it is not).
        let expectation: String
        let check: (SandboxResult) -> Bool
    }

    /// A ctypes preamble: `sc(nr, *args)` does a raw syscall and prints "<result> <errno>".
    static let syscallPrelude = """
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def sc(nr, *args):
            r = libc.syscall(ctypes.c_long(nr), *[a if isinstance(a, (bytes, ctypes.Array)) else ctypes.c_long(a) for a in args])
            print(r, ctypes.get_errno())

        """

    static func denied(_ errno: Int) -> (String, (SandboxResult) -> Bool) {
        ("prints '-1 \(errno)' (the syscall fails with errno \(errno))", { $0.ok && $0.stdout == "-1 \(errno)\n" })
    }

    static var eperm: (String, (SandboxResult) -> Bool) { (
        "PermissionError [Errno 1] (seccomp EPERM)",
        { $0.exitCode == 1 && $0.stderr.contains("PermissionError: [Errno 1] Operation not permitted") }) }

    static var eacces: (String, (SandboxResult) -> Bool) { (
        "PermissionError [Errno 13] (Landlock)",
        { $0.exitCode == 1 && $0.stderr.contains("PermissionError: [Errno 13] Permission denied") }) }

    static var writeRefused: (String, (SandboxResult) -> Bool) { (
        "the write fails with EACCES (Landlock) or EROFS (read-only mounts)",
        { $0.exitCode == 1 && ($0.stderr.contains("[Errno 13] Permission denied") || $0.stderr.contains("[Errno 30] Read-only file system")) }) }

    static func cases(port: Int, secret: String, secretPath: String, outside: String, linkTarget: String,
                      runner: String) -> [Case] {
        let p = syscallPrelude
        func c(_ name: String, _ code: String, limits: SandboxLimits? = nil, _ rule: (String, (SandboxResult) -> Bool)) -> Case {
            Case(name: name, code: code, limits: limits, expectation: rule.0, check: rule.1)
        }
        func secretAbsent(_ rule: (String, (SandboxResult) -> Bool)) -> (String, (SandboxResult) -> Bool) {
            (rule.0 + ", and the secret appears nowhere", { rule.1($0) && !$0.stdout.contains(secret) && !$0.stderr.contains(secret) })
        }
        return [
            // Network
            c("connect to a listener on the host's 127.0.0.1", "import socket\ns = socket.create_connection(('127.0.0.1', \(port)), timeout=2)\nprint('connected')", eperm),
            c("bind a TCP port", "import socket\nsocket.socket().bind(('127.0.0.1', 0))", eperm),
            c("UDP socket", "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM)", eperm),
            c("IPv6 socket", "import socket\nsocket.socket(socket.AF_INET6)", eperm),
            c("raw packet socket via ctypes", p + "sc(41, 17, 3, 0x0300)", denied(1)),
            c("AF_UNIX with junk in the upper 32 bits of the domain", p + "sc(41, (1 << 32) | 1, 1, 0)", denied(1)),
            c("unix datagram socket (could sendto a host daemon's path)", "import socket\nsocket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)", eperm),
            c("unix stream connect to a host socket path", "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('/run/systemd/private')", eperm),
            // Secrets
            c("read /proc/self/environ", "print(open('/proc/self/environ').read())", secretAbsent(eacces)),
            c("read the parent's environ", "import os\nprint(open(f'/proc/{os.getppid()}/environ').read())", secretAbsent(eacces)),
            c("scan every process's environ", "import os\nfor pid in os.listdir('/proc'):\n    print(open(f'/proc/{pid}/environ').read())", secretAbsent(eacces)),
            c("dump os.environ", "import os\nprint(sorted(os.environ))",
              ("runs, and the environment holds only the launcher's fixed variables",
               { $0.ok && !$0.stdout.contains(secret) && !$0.stdout.contains("TURNRL_ESCAPE") && $0.stdout.contains("OPENBLAS_NUM_THREADS") })),
            c("read a planted secret file outside the allowed paths", "print(open('\(secretPath)').read())", secretAbsent(eacces)),
            c("read /etc/shadow", "print(open('/etc/shadow').read())", eacces),
            c("list the root directory", "import os\nprint(os.listdir('/'))", eacces),
            c("hard-link the secret into scratch", "import os\nos.link('\(secretPath)', 'stolen')\nprint(open('stolen').read())",
              secretAbsent(("the link fails (EXDEV, EACCES or EPERM)", { r in r.exitCode == 1 && ["[Errno 18]", "[Errno 13]", "[Errno 1]"].contains { r.stderr.contains($0) } }))),
            // Filesystem writes
            c("write outside scratch", "open('\(outside)', 'w').write('pwned')", writeRefused),
            c("write outside scratch through a symlink", "import os\nos.symlink('\(linkTarget)', 'link')\nopen('link', 'w').write('pwned')", writeRefused),
            c("write next to scratch (../)", "open('../escape.txt', 'w').write('pwned')", writeRefused),
            c("overwrite the runner", "open('\(runner)', 'a').write('pwned')", writeRefused),
            c("exec a shell", "import os\nos.execv('/bin/sh', ['sh', '-c', 'id'])", eacces),
            c("fill the disk with one file (file-size limit)", "f = open('big', 'wb')\nfor _ in range(64):\n    f.write(b'\\0' * (1 << 20))\n    f.flush()",
              limits: SandboxLimits(fileSizeMB: 16),
              ("OSError [Errno 27] File too large", { $0.exitCode == 1 && $0.stderr.contains("[Errno 27] File too large") })),
            c("fill the disk with many files (scratch tmpfs cap)", "for i in range(40):\n    with open(f'part{i}', 'wb') as f:\n        f.write(b'\\0' * (8 << 20))",
              limits: SandboxLimits(fileSizeMB: 16),
              ("OSError [Errno 28] No space left on device", { $0.exitCode == 1 && $0.stderr.contains("[Errno 28] No space left on device") })),
            // Resources
            c("allocate 4 GB", "x = bytearray(4 << 30)", ("MemoryError", { $0.exitCode == 1 && $0.stderr.contains("MemoryError") })),
            c("allocate 4 GB with numpy", "import numpy\nx = numpy.ones(1 << 29)",
              ("numpy's MemoryError", { $0.exitCode == 1 && $0.stderr.contains("Unable to allocate") })),
            c("while True (CPU limit)", "while True:\n    pass", limits: SandboxLimits(timeoutSeconds: 30, cpuSeconds: 1),
              ("killed by SIGXCPU, not by the deadline", { $0.signal == "SIGXCPU" && !$0.timedOut && $0.error?.contains("CPU time limit") == true })),
            c("sleep past the deadline", "import time\ntime.sleep(60)", limits: SandboxLimits(timeoutSeconds: 1),
              ("timed out and killed", { $0.timedOut && $0.signal == "SIGKILL" && $0.durationMs < 5000 })),
            c("endless output", "while True:\n    print('x' * 1000)", limits: SandboxLimits(maxOutputBytes: 100_000),
              ("output truncated at the cap and the code stopped", { $0.outputTruncated && $0.stdout.utf8.count <= 100_000 && $0.stdout.utf8.count > 50_000 && !$0.ok })),
            c("fork bomb", "import os\nwhile True:\n    os.fork()", eperm),
            c("spawn a subprocess", "import subprocess\nsubprocess.run(['id'])",
              ("PermissionError (no new processes)", { $0.exitCode == 1 && $0.stderr.contains("PermissionError") })),
            c("thread bomb", "import threading, time\nn = 0\ntry:\n    while n < 100000:\n        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n        n += 1\nexcept (RuntimeError, MemoryError) as e:\n    print('stopped after', n)",
              ("thread creation stops well short of 100000 (address-space limit)", { $0.ok && $0.stdout.hasPrefix("stopped after") })),
            // Signals
            c("os.kill(-1, 9)", "import os\nos.kill(-1, 9)", eperm),
            c("kill(-1) passed zero-extended through a raw syscall", p + "sc(62, 0xFFFFFFFF, 9)", denied(1)),
            c("os.kill(os.getppid(), 9)", "import os\nos.kill(os.getppid(), 9)", eperm),
            c("kill the zygote (PID 1 of the worker)", "import os\nos.kill(1, 9)", eperm),
            c("killpg another process group", "import os\nos.killpg(1, 9)", eperm),
            c("tgkill the zygote", p + "sc(234, 1, 1, 9)", denied(1)),
            c("pidfd_open the zygote", p + "sc(434, 1, 0)", denied(1)),
            c("prlimit on the zygote", "import resource\nresource.prlimit(1, resource.RLIMIT_CPU, (1, 1))", eperm),
            c("signals within its own process group still work", "import os, signal\nos.killpg(0, signal.SIGTERM)",
              ("ends by its own SIGTERM (the filter is not deny-all)", { $0.signal == "SIGTERM" })),
            // Kernel interfaces
            c("ptrace attach", p + "sc(101, 16, 1, 0, 0)", denied(1)),
            c("process_vm_readv", p + "sc(310, 1, 0, 0, 0, 0, 0)", denied(1)),
            c("mount", "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), ctypes.get_errno())", denied(1)),
            c("unshare a user namespace", "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(libc.unshare(0x10000000), ctypes.get_errno())", denied(1)),
            c("setns", p + "sc(308, 0, 0)", denied(1)),
            c("chroot", p + "sc(161, b'/')", denied(1)),
            c("write /proc/self/mem", "f = open('/proc/self/mem', 'r+b')\nf.seek(0x400000)\nf.write(b'\\xcc')", eacces),
            c("io_uring_setup", p + "params = ctypes.create_string_buffer(120)\nsc(425, 8, params)", denied(1)),
            c("kexec_load", p + "sc(246, 0, 0, 0, 0)", denied(1)),
            c("finit_module", p + "sc(313, 0, b'', 0)", denied(1)),
            c("bpf", p + "sc(321, 0, 0, 0)", denied(1)),
            c("perf_event_open", p + "sc(298, 0, 0, -1, -1, 0)", denied(1)),
            c("userfaultfd", p + "sc(323, 0)", denied(1)),
            c("keyctl", p + "sc(250, 0, 0, 0, 0, 0)", denied(1)),
            c("seccomp (install a listener filter)", p + "sc(317, 1, 8, 0)", denied(1)),
            c("clone3 answers ENOSYS", p + "sc(435, 0, 0)", denied(38)),
            c("raise the CPU rlimit", "import resource\nresource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))",
              ("ValueError: not allowed to raise maximum limit", { $0.exitCode == 1 && $0.stderr.contains("not allowed to raise maximum limit") })),
            c("raise the address-space rlimit", "import resource\nresource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))",
              ("ValueError: not allowed to raise maximum limit", { $0.exitCode == 1 && $0.stderr.contains("not allowed to raise maximum limit") })),
            c("x32 syscall ABI via ctypes", p + "sc(0x40000000 | 39)",
              ("killed by SIGSYS (foreign ABI)", { $0.signal == "SIGSYS" && $0.stdout.isEmpty })),
            c("i386 int 0x80 from executable memory", "import ctypes, mmap\nm = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\nm.write(b'\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3')\nf = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))\nprint(f())",
              ("killed by SIGSYS (foreign ABI)", { $0.signal == "SIGSYS" && $0.stdout.isEmpty })),
            // State between stateless calls (the second case reads what the first left behind)
            c("leave state behind", "import builtins, numpy, sys\nbuiltins.LEAK = 1\nnumpy.LEAK = 2\nsys.modules['json'].LEAK = 3\nopen('left-behind.txt', 'w').write('x')\nprint('left')",
              ("runs", { $0.ok && $0.stdout == "left\n" })),
            c("find state from the previous call", "import builtins, numpy, json, os\nprint(hasattr(builtins, 'LEAK'), hasattr(numpy, 'LEAK'), hasattr(json, 'LEAK'), os.listdir('.'))",
              ("sees nothing of it", { $0.ok && $0.stdout == "False False False []\n" })),
        ]
    }

    @Test("every abuse case fails the way it should, and the pool answers after each")
    func escapeSuite() throws {
        guard let unshare = ["/usr/bin/unshare", "/bin/unshare"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("unshare (util-linux) is required to run the escape suite in a throwaway namespace")
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-escape-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let secret = "turnrl-secret-\(UInt64.random(in: 0...UInt64.max))"
        let secretPath = work.appendingPathComponent("secret.txt").path
        try secret.write(toFile: secretPath, atomically: true, encoding: .utf8)
        chmod(secretPath, 0o600)
        let outside = work.appendingPathComponent("written-outside.txt").path
        let linkTarget = work.appendingPathComponent("written-through-link.txt").path
        let listener = try Listener()
        defer { listener.close() }

        let cases = Self.cases(port: listener.port, secret: secret, secretPath: secretPath, outside: outside,
                               linkTarget: linkTarget, runner: try SandboxLocator.runner())
        #expect(cases.count >= 30)
        struct WireCase: Encodable { let name: String; let code: String; let limits: SandboxLimits? }
        let casesFile = work.appendingPathComponent("cases.json")
        try JSONEncoder().encode(cases.map { WireCase(name: $0.name, code: $0.code, limits: $0.limits) }).write(to: casesFile)

        var environment = ProcessInfo.processInfo.environment
        environment["TURNRL_ESCAPE_SUITE_NAMESPACE"] = "1"
        environment["TURNRL_ESCAPE_SECRET"] = secret  // planted: no case may see it
        environment["TURNRL_PYTHON"] = TestSandbox.python
        let (status, stdout, stderr) = try TestSandbox.runProgram(
            unshare, ["--user", "--map-root-user", "--pid", "--fork", "--mount-proc",
                      TestSandbox.turnrl, "tool", "escape-suite", "--cases", casesFile.path],
            environment: environment)
        #expect(status == 0, "escape-suite exited \(status): \(stderr)")
        struct Outcome: Decodable { let name: String; let result: SandboxResult; let healthy: Bool; let health: SandboxResult }
        struct Report: Decodable { let layers: [String]; let outcomes: [Outcome]; let restarts: Int }
        let report = try JSONDecoder().decode(Report.self, from: stdout)
        #expect(report.layers.contains("seccomp") && report.layers.contains("landlock"), "\(report.layers)")
        #expect(report.outcomes.count == cases.count)
        for (item, outcome) in zip(cases, report.outcomes) {
            #expect(outcome.name == item.name)
            #expect(item.check(outcome.result), "\(item.name): expected \(item.expectation); got \(outcome.result)")
            #expect(outcome.healthy, "\(item.name): the pool did not answer correctly afterwards: \(outcome.health)")
        }
        #expect(report.restarts == 0, "no case may kill a worker")
        #expect(!FileManager.default.fileExists(atPath: outside))
        #expect(!FileManager.default.fileExists(atPath: linkTarget))
        #expect(listener.acceptedConnections() == 0, "nothing reached the host's listener")
    }
}

/// A TCP listener on 127.0.0.1, on a port the kernel picks for this test; closed by the test.
final class Listener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            Glibc.close(fd)
            throw SandboxError.protocolViolation("could not bind a test listener on 127.0.0.1")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Connections waiting to be accepted (accepting them, then closing them).
    func acceptedConnections() -> Int {
        var count = 0
        while case let client = accept(fd, nil, nil), client >= 0 {
            count += 1
            Glibc.close(client)
        }
        return count
    }

    func close() { Glibc.close(fd) }
}
