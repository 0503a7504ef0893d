import EnvironmentKit
import Foundation
import Logging

/// The server's counts since it started, exposed at `GET /metrics` and logged.
public struct ServerCounts: Codable, Sendable, Equatable {
    /// Sessions open now.
    public var activeSessions = 0
    public var maxSessions = 0
    /// Sessions opened since start.
    public var sessionsOpened = 0
    /// Sessions closed because they were idle past the timeout.
    public var sessionsReclaimed = 0
    /// Connections refused with CAPACITY_REACHED.
    public var capacityRejections = 0
    public var resets = 0
    public var steps = 0
    /// Error replies, over all codes.
    public var errors = 0
    /// Error replies per code (`INVALID_JSON`: 2, …).
    public var errorsByCode: [String: Int] = [:]
}

/// The open sessions: capacity, last activity, idle reclaiming, counts. A session slot is
/// taken by `open` and freed by `close` or by the reaper.
public actor SessionTable {
    struct Entry {
        let session: EnvironmentSession
        var lastActivity: ContinuousClock.Instant
        /// Tells the connection its session was reclaimed (sends an error, closes the socket).
        let onReclaim: @Sendable () async -> Void
    }

    private let provider: any EnvironmentProvider
    private let maxSessions: Int
    private let logger: Logger
    private var entries: [String: Entry] = [:]
    private var counts = ServerCounts()

    public init(provider: any EnvironmentProvider, maxSessions: Int, logger: Logger) {
        self.provider = provider
        self.maxSessions = maxSessions
        self.logger = logger
        counts.maxSessions = maxSessions
    }

    /// A new session with a fresh environment, or `CAPACITY_REACHED` when every slot is taken.
    public func open(onReclaim: @escaping @Sendable () async -> Void = {}) throws(WireError) -> EnvironmentSession {
        guard entries.count < maxSessions else {
            counts.capacityRejections += 1
            record(.capacityReached)
            logger.warning("session refused: capacity reached", metadata: ["active": "\(entries.count)", "max": "\(maxSessions)"])
            throw WireError(.capacityReached, "server at capacity: \(entries.count) of \(maxSessions) sessions in use; retry later or start the server with a larger --max-sessions")
        }
        let session = EnvironmentSession(environment: provider.makeEnvironment())
        entries[session.id] = Entry(session: session, lastActivity: .now, onReclaim: onReclaim)
        counts.sessionsOpened += 1
        counts.activeSessions = entries.count
        logger.info("session opened", metadata: ["session": "\(session.id)", "active": "\(entries.count)"])
        return session
    }

    /// Marks a session as active now (it is not reclaimed for another idle timeout).
    public func touch(_ id: String) {
        entries[id]?.lastActivity = .now
    }

    /// Frees the slot and releases the environment.
    public func close(_ id: String) async {
        guard let entry = entries.removeValue(forKey: id) else { return }
        counts.activeSessions = entries.count
        await entry.session.close()
        logger.info("session closed", metadata: ["session": "\(id)", "active": "\(entries.count)", "steps": "\(counts.steps)"])
    }

    /// Closes every session idle for longer than `timeout`; returns how many.
    @discardableResult
    public func reclaimIdle(olderThan timeout: Duration, now: ContinuousClock.Instant = .now) async -> Int {
        let stale = entries.filter { now - $0.value.lastActivity > timeout }
        for (id, entry) in stale {
            entries.removeValue(forKey: id)
            counts.sessionsReclaimed += 1
            counts.activeSessions = entries.count
            logger.info("session reclaimed after idle timeout", metadata: ["session": "\(id)", "idle": "\(now - entry.lastActivity)"])
            await entry.session.close()
            await entry.onReclaim()
        }
        return stale.count
    }

    /// Counts a reply by kind.
    public func recordReset() { counts.resets += 1 }
    public func recordStep() { counts.steps += 1 }
    public func record(_ code: WireErrorCode) {
        counts.errors += 1
        counts.errorsByCode[code.rawValue, default: 0] += 1
    }

    public var snapshot: ServerCounts { counts }
}
