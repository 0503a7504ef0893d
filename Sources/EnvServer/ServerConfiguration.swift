/// How an `EnvServer` listens and what it allows. Defaults suit one trainer on one machine.
public struct ServerConfiguration: Sendable, Equatable {
    /// Address to bind. 127.0.0.1 by default: serving to other machines is a deliberate choice.
    public var host: String
    /// TCP port; 0 lets the system pick a free one (`EnvServer.port` tells which).
    public var port: Int
    /// Concurrent WebSocket sessions; one more is answered `CAPACITY_REACHED`.
    public var maxSessions: Int
    /// A session with no message for this long is closed and its slot freed (OpenEnv's
    /// `session_timeout`). nil: never.
    public var idleTimeout: Duration?
    /// Largest WebSocket message (and HTTP body) accepted, in bytes; a larger one is answered
    /// `VALIDATION_ERROR` and the connection stays usable. 1 MiB: a long utterance is ~10 KiB.
    public var maxMessageBytes: Int
    /// Largest frame the WebSocket layer reads at all before closing the connection with 1009
    /// (message too big); above `maxMessageBytes` so an oversized message can still be answered.
    public var frameCeilingBytes: Int { max(maxMessageBytes * 4, maxMessageBytes + 65_536) }

    public init(
        host: String = "127.0.0.1", port: Int = 8000, maxSessions: Int = 64,
        idleTimeout: Duration? = .seconds(600), maxMessageBytes: Int = 1 << 20
    ) {
        self.host = host
        self.port = port
        self.maxSessions = max(1, maxSessions)
        self.idleTimeout = idleTimeout
        self.maxMessageBytes = max(1024, maxMessageBytes)
    }
}
