import Foundation

/// Why a chat endpoint gave no reply. Every case is an infrastructure failure — the endpoint,
/// not the policy, failed — so callers must mark the episode as such and never score it 0.
public enum RemotePolicyError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No complete response within the timeout, on every attempt.
    case timeout(endpoint: String, seconds: Double, attempts: Int)
    /// The server answered with an HTTP error status (the last attempt's status and body).
    case httpStatus(endpoint: String, status: Int, body: String, attempts: Int)
    /// The connection failed (refused, reset, DNS), on every attempt.
    case connection(endpoint: String, detail: String, attempts: Int)
    /// The server answered 200 with a body that is not a chat completion.
    case malformedResponse(endpoint: String, detail: String, body: String)
    /// The policy spec or configuration cannot work (bad URL, no model).
    case configuration(String)

    /// Always true: kept explicit so callers can write `if error.isInfrastructure`.
    public var isInfrastructure: Bool { true }

    public var description: String {
        switch self {
        case .timeout(let endpoint, let seconds, let attempts):
            return "infrastructure: \(endpoint) did not answer within \(Self.seconds(seconds)) (\(Self.tries(attempts))). Is the server up and the model loaded? Raise the timeout for slow CPU servers."
        case .httpStatus(let endpoint, let status, let body, let attempts):
            return "infrastructure: \(endpoint) answered HTTP \(status) (\(Self.tries(attempts))): \(body.prefix(300))"
        case .connection(let endpoint, let detail, let attempts):
            return "infrastructure: cannot reach \(endpoint) (\(Self.tries(attempts))): \(detail). Check the URL and that the server is running."
        case .malformedResponse(let endpoint, let detail, let body):
            return "infrastructure: \(endpoint) sent a response that is not a chat completion (\(detail)): \(body.prefix(200))"
        case .configuration(let detail):
            return "infrastructure: \(detail)"
        }
    }

    static func tries(_ attempts: Int) -> String { attempts == 1 ? "1 attempt" : "\(attempts) attempts" }
    static func seconds(_ value: Double) -> String { value == value.rounded() ? "\(Int(value)) s" : "\(value) s" }
}
