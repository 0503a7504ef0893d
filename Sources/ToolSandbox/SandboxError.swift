import Foundation

/// What can go wrong around the sandbox (not inside the code it runs: that is a `SandboxResult`).
public enum SandboxError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A file the sandbox needs is missing; `what` names it, `fix` says how to get it.
    case missingComponent(what: String, path: String, fix: String)
    /// The launcher or the Python runner could not be started or died before saying hello.
    case workerStartFailed(reason: String, log: String)
    /// seccomp could not be applied on this machine and unsandboxed running was not allowed.
    case seccompUnavailable(detail: String)
    /// The runner answered something that is not the protocol.
    case protocolViolation(String)
    /// A session was used after it ended (closed, killed for a limit, or its worker restarted).
    case sessionEnded(id: String)
    /// The pool was shut down.
    case poolClosed

    public var description: String {
        switch self {
        case .missingComponent(let what, let path, let fix):
            return "sandbox: \(what) not found at \(path); \(fix)"
        case .workerStartFailed(let reason, let log):
            let tail = log.isEmpty ? "" : "\nlauncher/runner said:\n\(log)"
            return "sandbox: a worker did not start: \(reason). Run `turnrl tool doctor` to see which isolation layers this machine offers.\(tail)"
        case .seccompUnavailable(let detail):
            return "sandbox: seccomp cannot be applied on this machine (\(detail)); refusing to run untrusted code. Pass --allow-unsandboxed (SandboxConfiguration.allowUnsandboxed) to run without it, knowing the code is then not confined."
        case .protocolViolation(let detail):
            return "sandbox: the runner broke the protocol: \(detail). This is a bug in Sandbox/runner; the worker is restarted."
        case .sessionEnded(let id):
            return "sandbox: session \(id) has ended (closed, killed for exceeding a limit, or its worker restarted); open a new session"
        case .poolClosed:
            return "sandbox: the pool was shut down; create a new SandboxPool"
        }
    }
}
