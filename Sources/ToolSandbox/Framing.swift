import Foundation

/// The wire format between the pool and a worker's runner: a 4-byte big-endian length, then
/// that many bytes of UTF-8 JSON (Sandbox/runner/turnrl_protocol.py is the other end).
enum Framing {
    /// Frames larger than this are refused on both sides (the runner's `MAX_FRAME`).
    static let maxFrameBytes = 64 << 20

    static func encode(_ body: Data) -> Data {
        var length = UInt32(body.count).bigEndian
        var frame = Data(bytes: &length, count: 4)
        frame.append(body)
        return frame
    }

    /// The body length a 4-byte header announces.
    static func length(ofHeader header: Data) throws -> Int {
        guard header.count == 4 else { throw SandboxError.protocolViolation("short frame header (\(header.count) bytes)") }
        let length = header.reduce(0) { ($0 << 8) | Int($1) }
        guard length <= maxFrameBytes else {
            throw SandboxError.protocolViolation("frame of \(length) bytes exceeds \(maxFrameBytes)")
        }
        return length
    }
}

/// A request to the runner (one JSON object per frame).
struct WireRequest: Encodable, Sendable {
    var id: Int
    var op: String
    /// Code, base64-encoded: invalid UTF-8 and NUL bytes reach Python's compiler unchanged.
    var code: String?
    var limits: WireLimits?
    var session: String?
    var name: String?
    var arguments: [String: JSONValue]?
}

/// The runner's first frame: what the worker is and which isolation layers it got.
public struct WorkerHello: Decodable, Sendable, Equatable {
    /// Python version of the interpreter (`3.11.7`).
    public var python: String
    public var executable: String
    /// Active isolation layers (`userns`, `pidns`, `seccomp`, `landlock`, ...; see `IsolationLayer`).
    public var layers: [String]
    public var landlockABI: Int
    /// Modules imported once in the zygote.
    public var preloaded: [String]
    /// JSON schemas of the environment's Python tools.
    public var tools: [JSONValue]
    /// Why the startup probe call failed (nil when it succeeded).
    public var probe: String?
    /// Bytes of the warm heap backed by 2 MB pages (cheaper fork; 0 when the kernel cannot).
    public var hugePageBytes: Int?
}
