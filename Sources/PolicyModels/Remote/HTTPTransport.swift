import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange with a hard deadline: URLSession's own timeout is an idle timeout on some
/// platforms, so the request also races a timer and is cancelled when the timer wins.
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
        timed.timeoutInterval = timeoutSeconds
        let request = timed
        do {
            return try await withThrowingTaskGroup(of: Response.self) { group in
                group.addTask { try await perform(request) }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeoutSeconds))
                    throw Failure.timeout
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as URLError where error.code == .timedOut {
            throw .timeout
        } catch {
            throw .connection(Self.describe(error))
        }
    }

    /// The data task as an async call that cancels the task when the caller is cancelled.
    private func perform(_ request: URLRequest) async throws -> Response {
        let running = Mutex<URLSessionDataTask?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let http = response as? HTTPURLResponse {
                        let retryAfter = (http.value(forHTTPHeaderField: "Retry-After")).flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                        continuation.resume(returning: Response(status: http.statusCode, body: data ?? Data(), retryAfter: retryAfter))
                    } else {
                        continuation.resume(throwing: Failure.connection("no HTTP response"))
                    }
                }
                running.withLock { $0 = task }
                task.resume()
            }
        } onCancel: {
            running.withLock { $0?.cancel() }
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
