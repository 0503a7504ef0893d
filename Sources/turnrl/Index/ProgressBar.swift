import Foundation

/// A one-line progress bar on stderr, redrawn in place on a terminal; elsewhere (logs, CI) it
/// prints a line per phase and per 25 % so output stays short.
final class ProgressBar {
    private let label: String
    private let interactive = isatty(STDERR_FILENO) == 1
    private var lastQuarter = -1
    private var drawn = false

    init(label: String) { self.label = label }

    /// A phase message, on its own line.
    func note(_ message: String) {
        clearLine()
        FileHandle.standardError.write(Data("\(message)…\n".utf8))
    }

    func update(done: Int, total: Int) {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        if interactive {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
            drawn = true
        } else {
            let quarter = Int(fraction * 4)
            if quarter != lastQuarter {
                lastQuarter = quarter
                FileHandle.standardError.write(Data("\(label) \(done)/\(total)\n".utf8))
            }
        }
    }

    func finish() { clearLine() }

    private func clearLine() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        drawn = false
    }
}
