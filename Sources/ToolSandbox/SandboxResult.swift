/// What one sandboxed call produced. Encodes to the CLI contract of `turnrl tool run python
/// --json`: `{"ok","stdout","stderr","exitCode","signal","timedOut","outputTruncated",
/// "durationMs","error"}` (plus `"value"` for a Python tool's return value).
public struct SandboxResult: Codable, Sendable, Equatable {
    public var stdout: String
    public var stderr: String
    /// The process's exit code; nil when a signal ended it (or it never ran).
    public var exitCode: Int?
    /// The signal that ended the process (`"SIGKILL"`, `"SIGXCPU"`, `"SIGSYS"`), if any.
    public var signal: String?
    /// The wall-clock deadline passed and the process group was killed.
    public var timedOut: Bool
    /// stdout + stderr exceeded the cap; what is here is the beginning, and the code was stopped.
    public var outputTruncated: Bool
    /// From the runner receiving the request to the child's result, in milliseconds.
    public var durationMs: Double
    /// Why the call did not succeed, in one line (the Python exception's last line, a limit
    /// that was hit, or a problem of the sandbox itself); nil on success.
    public var error: String?
    /// A Python tool's return value (nil for code runs).
    public var value: JSONValue?
    /// In session mode: the session is over after this call (killed for a limit, or it died).
    public var sessionEnded: Bool

    /// True only when the code ran to completion with exit code 0.
    public var ok: Bool { exitCode == 0 && signal == nil && !timedOut && !outputTruncated && error == nil }

    public init(
        stdout: String = "", stderr: String = "", exitCode: Int? = nil, signal: String? = nil,
        timedOut: Bool = false, outputTruncated: Bool = false, durationMs: Double = 0,
        error: String? = nil, value: JSONValue? = nil, sessionEnded: Bool = false
    ) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.outputTruncated = outputTruncated
        self.durationMs = durationMs
        self.error = error
        self.value = value
        self.sessionEnded = sessionEnded
    }

    /// A call that never reached the code (a sandbox-side failure), explained.
    static func failure(_ message: String, timedOut: Bool = false, sessionEnded: Bool = false) -> SandboxResult {
        SandboxResult(timedOut: timedOut, error: message, sessionEnded: sessionEnded)
    }

    enum CodingKeys: String, CodingKey {
        case ok, stdout, stderr, exitCode, signal, timedOut, outputTruncated, durationMs, error, value
        case sessionEnded
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stdout = try c.decodeIfPresent(String.self, forKey: .stdout) ?? ""
        stderr = try c.decodeIfPresent(String.self, forKey: .stderr) ?? ""
        exitCode = try c.decodeIfPresent(Int.self, forKey: .exitCode)
        signal = try c.decodeIfPresent(String.self, forKey: .signal)
        timedOut = try c.decodeIfPresent(Bool.self, forKey: .timedOut) ?? false
        outputTruncated = try c.decodeIfPresent(Bool.self, forKey: .outputTruncated) ?? false
        durationMs = try c.decodeIfPresent(Double.self, forKey: .durationMs) ?? 0
        error = try c.decodeIfPresent(String.self, forKey: .error)
        value = try c.decodeIfPresent(JSONValue.self, forKey: .value)
        sessionEnded = try c.decodeIfPresent(Bool.self, forKey: .sessionEnded) ?? false
    }

    /// Exactly the CLI contract's keys (null values written as null), plus `value` when present.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(stdout, forKey: .stdout)
        try c.encode(stderr, forKey: .stderr)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(signal, forKey: .signal)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encode(outputTruncated, forKey: .outputTruncated)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(error, forKey: .error)
        try c.encodeIfPresent(value, forKey: .value)
    }
}
