import ArgumentParser
import Logging

/// Options every subcommand accepts.
struct GlobalOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Log debug detail to stderr.")
    var verbose = false

    /// A logger writing to stderr, at debug level with `--verbose` and warnings otherwise.
    ///
    /// Built per call instead of through `LoggingSystem.bootstrap`, so no global state is set.
    func logger(_ label: String) -> Logger {
        let level: Logger.Level = verbose ? .debug : .warning
        return Logger(label: label) { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
