import ArgumentParser
import Foundation
import RunReport

/// `turnrl report RUN… [--out FILE.html]`: learning curves of one or several runs on one HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML page with the learning curves of one or more training runs.",
        discussion: """
            Reads run folders written by `turnrl train` (metrics.csv; config.yaml and summary.json when present) and writes one self-contained HTML file: SVG charts of success rate, return, each loss, context length and the other logged statistics, several runs overlaid in distinct colours (evaluation rows dashed), with the final figures and the resolved configs side by side (differences highlighted). No scripts and no external assets, so the file can be archived or mailed as it is. Nothing is opened; the path is printed.

            Examples:
              turnrl report runs/arith        # writes runs/arith/report.html
              turnrl report runs/bc runs/archer --out cmp.html
            """)

    @Argument(help: ArgumentHelp("Run folders (runs/NAME) written by `turnrl train`; several are overlaid.", valueName: "run"))
    var runs: [String] = []

    @Option(name: .long, help: ArgumentHelp("Where to write the page (default: RUN/report.html for one run, ./report.html for several).", valueName: "file.html"))
    var out: String?

    @Option(name: .long, help: "Page title (default: the run names).")
    var title: String?

    @Option(name: .long, help: ArgumentHelp("Smooth training curves with an exponential moving average of this weight, in [0, 1) (TensorBoard's slider; 0.6 suits noisy RL metrics); the raw values stay visible, faintly.", valueName: "weight"))
    var smooth: Double = 0

    @Flag(name: .long, help: "Print one JSON object (report path, runs, charts, curves) instead of the path.")
    var json = false

    func validate() throws {
        if runs.isEmpty { throw ValidationError("Give at least one run folder, e.g. `turnrl report runs/NAME`.") }
        if !(0..<1).contains(smooth) { throw ValidationError("--smooth takes a weight in [0, 1), e.g. 0.6; got \(smooth).") }
    }

    func run() throws {
        let folders = runs.map { URL(fileURLWithPath: $0) }
        let loaded = try RunData.load(folders: folders)
        let page = ReportPage(runs: loaded, title: title, smoothing: smooth, generator: "turnrl \(TurnRLVersion.string)", generatedAt: Date())
        let destination = Self.destination(out: out, runs: folders)
        try page.write(to: destination)

        if json {
            try JSONOutput.print(Result(
                report: destination.path, runs: loaded.map(\.name),
                charts: page.charts.map(\.id), curves: page.charts.reduce(0) { $0 + $1.series.count }))
        } else {
            print(destination.path)
        }
    }

    /// `--out` when given; otherwise inside the run's folder for one run, or in the working
    /// directory for a comparison (which belongs to no single run).
    static func destination(out: String?, runs: [URL]) -> URL {
        if let out { return URL(fileURLWithPath: out).standardizedFileURL }
        if runs.count == 1 { return runs[0].appendingPathComponent("report.html").standardizedFileURL }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("report.html").standardizedFileURL
    }

    /// What `--json` prints.
    struct Result: Encodable {
        let report: String
        let runs: [String]
        let charts: [String]
        let curves: Int
    }
}
