import Foundation
import Learners

/// The training progress bar on stderr: phase, a bar of done/total, the latest figures. Redrawn in
/// place on a terminal; elsewhere one line per update so logs stay readable.
final class TrainProgressLine {
    private let interactive = isatty(STDERR_FILENO) == 1
    private var drawn = false

    func note(_ message: String) {
        clear()
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    func update(_ p: TrainingProgress) {
        let fraction = p.total > 0 ? min(1, Double(p.done) / Double(p.total)) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = "\(p.phase.padding(toLength: 6, withPad: " ", startingAt: 0)) [\(bar)] \(p.done)/\(p.total) · \(p.figures)"
        if interactive {
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
            drawn = true
        } else {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        drawn = false
    }
}
