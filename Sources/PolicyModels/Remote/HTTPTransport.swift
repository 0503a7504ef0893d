import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange with a hard deadline: URLSession's own timeout is an idle timeout on some
/// platforms, so a timer also ends the exchange (and cancels the data task) when it fires first.
struct HTTPTransport: Sendable {
    struct Response: Sendable {
        var status: Int
        var body: Data
        /// `Retry-After` in seconds, when the server sent one.
        var retryAfter: Double?
    }

    enum Failure: Error {
        case timeout
        case connection(String)
    }

    let session: URLSession

    init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    func send(_ request: URLRequest, timeoutSeconds: Double) async throws(Failure) -> Response {
        var timed = request
        // Only a backstop: swift-corelibs-foundation truncates this to whole seconds (0.4 s → an
        // immediate timeout), so the timer below is what enforces `timeoutSeconds`.
        timed.timeoutInterval = (timeoutSeconds + 1).rounded(.up)
        let exchange = Exchange()
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                    let task = session.dataTask(with: timed) { data, response, error in
                        if let error {
                            exchange.finish(.failure(error))
                        } else if let http = response as? HTTPURLResponse {
                            let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                            exchange.finish(.success(Response(status: http.statusCode, body: data ?? Data(), retryAfter: retryAfter)))
                        } else {
                            exchange.finish(.failure(Failure.connection("no HTTP response")))
                        }
                    }
                    exchange.start(continuation, task: task)
                    DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) { exchange.finish(.failure(Failure.timeout)) }
                }
            } onCancel: {
                exchange.finish(.failure(CancellationError()))
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as URLError where error.code == .timedOut {
            throw .timeout
        } catch {
            throw .connection(Self.describe(error))
        }
    }

    /// One request's outcome, decided once: by the response, the timer or cancellation, whichever
    /// comes first; the losers are ignored and a still-running data task is cancelled.
    final class Exchange: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Response, any Error>?
            var task: URLSessionDataTask?
            var outcome: Result<Response, any Error>?
        }

        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<Response, any Error>, task: URLSessionDataTask) {
            let early = state.withLock { state -> Result<Response, any Error>? in
                if let outcome = state.outcome { return outcome }  // cancelled before it started
                state.continuation = continuation
                state.task = task
                return nil
            }
            if let early { continuation.resume(with: early) } else { task.resume() }
        }

        func finish(_ result: Result<Response, any Error>) {
            let (continuation, task) = state.withLock { state -> (CheckedContinuation<Response, any Error>?, URLSessionDataTask?) in
                guard state.outcome == nil else { return (nil, nil) }
                state.outcome = result
                defer { state.continuation = nil; state.task = nil }
                return (state.continuation, state.task)
            }
            if case .failure = result { task?.cancel() }
            continuation?.resume(with: result)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? URLError {
            switch error.code {
            case .cannotConnectToHost: return "connection refused"
            case .cannotFindHost: return "unknown host"
            case .networkConnectionLost: return "the connection was closed before the response was complete"
            default: return error.localizedDescription
            }
        }
        return "\(error)"
    }
}
