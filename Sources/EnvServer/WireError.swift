/// OpenEnv's WebSocket error codes (`openenv.core.env_server.types.WSErrorCode`), sent as
/// `{"type":"error","data":{"message":…,"code":…}}`.
public enum WireErrorCode: String, Sendable, CaseIterable, Codable {
    /// The frame was not JSON (or not a JSON object).
    case invalidJSON = "INVALID_JSON"
    /// `type` is none of reset, step, state, close, mcp.
    case unknownType = "UNKNOWN_TYPE"
    /// The message's fields are wrong: a missing or non-string `message`, an unknown action
    /// field, a negative seed, an unknown task, or a message above the size limit.
    case validationError = "VALIDATION_ERROR"
    /// The environment failed to carry out a valid request (reset threw).
    case executionError = "EXECUTION_ERROR"
    /// Every session slot is taken; the connection is closed after this error.
    case capacityReached = "CAPACITY_REACHED"
    /// The session's state does not allow the request: a step before the first reset, a step
    /// after the episode ended, or a session reclaimed after its idle timeout.
    case sessionError = "SESSION_ERROR"
}

/// A request the server answers with an error message instead of an observation.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: WireErrorCode
    public var message: String

    public init(_ code: WireErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
