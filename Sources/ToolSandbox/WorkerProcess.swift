import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One sandbox worker: the launcher process (spawned, never forked, by Foundation's `Process`)
/// and a socket to the zygote behind it. All methods block; the pool calls them off its actor.
///
/// `@unchecked Sendable`: the pool checks a worker out to exactly one caller at a time, so no two
/// threads use the socket at once; `kill()` is async-signal-safe and may race harmlessly.
final class WorkerProcess: @unchecked Sendable {
    let process: Process
    let socket: Int32
    let directory: URL
    let logFile: URL
    private(set) var hello: WorkerHello!

    /// Starts a worker and waits for the runner's hello (the zygote has imported everything).
    static func start(configuration: SandboxConfiguration, index: Int) throws -> WorkerProcess {
        let directory = configuration.workDirectory.appendingPathComponent(
            "turnrl-sandbox-\(getpid())-w\(index)-\(UInt32.random(in: 0...UInt32.max))")
        let scratch = directory.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let logFile = directory.appendingPathComponent("worker.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)

        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SandboxError.workerStartFailed(reason: "socketpair failed (errno \(errno))", log: "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: configuration.launcher)
        var arguments = ["--python", configuration.python, "--runner", configuration.runner,
                         "--scratch", scratch.path, "--scratch-mb", String(configuration.scratchMB)]
        if !configuration.namespaces { arguments.append("--no-namespaces") }
        if let tools = configuration.toolsFile {
            arguments += ["--", "--tools", URL(fileURLWithPath: tools).standardizedFileURL.path]
        }
        process.arguments = arguments
        process.environment = [:]  // the launcher sets its own minimal environment anyway
        let childEnd = FileHandle(fileDescriptor: fds[1], closeOnDealloc: false)
        process.standardInput = childEnd
        process.standardOutput = childEnd
        let log = try FileHandle(forWritingTo: logFile)
        process.standardError = log
        defer { try? log.close() }
        do {
            try process.run()
        } catch {
            close(fds[0]); close(fds[1])
            throw SandboxError.workerStartFailed(reason: "could not spawn \(configuration.launcher): \(error)", log: "")
        }
        close(fds[1])
        let worker = WorkerProcess(process: process, socket: fds[0], directory: directory, logFile: logFile)
        do {
            let frame = try worker.readFrame(deadline: ContinuousClock.now + .seconds(configuration.startupTimeoutSeconds))
            worker.hello = try JSONDecoder().decode(WorkerHello.self, from: frame)
        } catch {
            worker.kill()
            throw SandboxError.workerStartFailed(reason: "\(error)", log: worker.logTail())
        }
        return worker
    }

    private init(process: Process, socket: Int32, directory: URL, logFile: URL) {
        self.process = process
        self.socket = socket
        self.directory = directory
        self.logFile = logFile
    }

    deinit {
        kill()
        close(socket)
        try? FileManager.default.removeItem(at: directory)
    }

    var pid: Int32 { process.processIdentifier }

    /// Sends one request and waits for its answer until `deadline`; past it, throws `.timedOut`.
    func exchange(_ request: Data, deadline: ContinuousClock.Instant) throws -> Data {
        try send(Framing.encode(request), deadline: deadline)
        return try readFrame(deadline: deadline)
    }

    /// SIGKILL to the launcher; its PID-1 child dies with it (PDEATHSIG), and with that the
    /// whole PID namespace. Safe to call more than once.
    func kill() {
        if process.processIdentifier > 0 { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// The last lines the launcher and runner wrote to stderr, for error messages.
    func logTail(maxBytes: Int = 2000) -> String {
        guard let data = try? Data(contentsOf: logFile) else { return "" }
        return String(decoding: data.suffix(maxBytes), as: UTF8.self)
    }

    enum IOFailure: Error, CustomStringConvertible {
        case timedOut
        case closed
        case system(String, Int32)

        var description: String {
            switch self {
            case .timedOut: return "the worker did not answer in time"
            case .closed: return "the worker closed its connection (it exited)"
            case .system(let call, let code): return "\(call) failed: \(String(cString: strerror(code)))"
            }
        }
    }

    private func wait(for events: Int16, until deadline: ContinuousClock.Instant) throws {
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { throw IOFailure.timedOut }
            let ms = Int32(min(Double(Int32.max), max(1, remaining.seconds * 1000)))
            var pfd = pollfd(fd: socket, events: events, revents: 0)
            let n = poll(&pfd, 1, ms)
            if n > 0 { return }
            if n < 0 && errno != EINTR { throw IOFailure.system("poll", errno) }
        }
    }

    private func send(_ data: Data, deadline: ContinuousClock.Instant) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                try wait(for: Int16(POLLOUT), until: deadline)
                // MSG_NOSIGNAL: a dead worker is an error here, not a SIGPIPE for the whole process.
                let n = Glibc.send(socket, buffer.baseAddress! + offset, buffer.count - offset,
                                   Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                if n > 0 {
                    offset += n
                } else if n < 0 && errno != EAGAIN && errno != EINTR {
                    throw errno == EPIPE || errno == ECONNRESET ? IOFailure.closed : IOFailure.system("send", errno)
                }
            }
        }
    }

    private func readExactly(_ count: Int, deadline: ContinuousClock.Instant) throws -> Data {
        var data = Data(count: count)
        var offset = 0
        try data.withUnsafeMutableBytes { (buffer: UnsafeMutableRawBufferPointer) in
            while offset < count {
                try wait(for: Int16(POLLIN), until: deadline)
                let n = recv(socket, buffer.baseAddress! + offset, count - offset, Int32(MSG_DONTWAIT))
                if n > 0 {
                    offset += n
                } else if n == 0 {
                    throw IOFailure.closed
                } else if errno != EAGAIN && errno != EINTR {
                    throw IOFailure.system("recv", errno)
                }
            }
        }
        return data
    }

    private func readFrame(deadline: ContinuousClock.Instant) throws -> Data {
        let length = try Framing.length(ofHeader: try readExactly(4, deadline: deadline))
        return try readExactly(length, deadline: deadline)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
