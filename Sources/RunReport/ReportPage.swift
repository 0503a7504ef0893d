import Foundation

/// The report: one self-contained HTML page (inline CSS and SVG, no scripts, no external assets)
/// with the runs' learning curves overlaid, their final figures and resolved configs side by side.
public struct ReportPage: Sendable {
    public let runs: [RunData]
    public var title: String
    /// Shown in the page's byline, e.g. "turnrl 0.4.0"; nothing when `nil`.
    public var generator: String?
    /// Shown in the page's byline; nothing when `nil` (tests get byte-identical pages).
    public var generatedAt: Date?
    /// The charts, in page order (`ReportCharts.charts(for: runs, smoothing: smoothing)`).
    public let charts: [LineChart]

    /// The smoothing weight of the training curves (0 = raw values only).
    public let smoothing: Double

    public init(runs: [RunData], title: String? = nil, smoothing: Double = 0, generator: String? = nil, generatedAt: Date? = nil) {
        self.runs = runs
        self.title = title ?? "Training report: " + runs.map(\.name).joined(separator: ", ")
        self.smoothing = smoothing
        self.generator = generator
        self.generatedAt = generatedAt
        charts = ReportCharts.charts(for: runs, smoothing: smoothing)
    }

    /// The page's HTML.
    public func html() -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLEscape.text(title))</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            <h1>\(HTMLEscape.text(title))</h1>

            """
        if let byline = byline() { page += "<p class=\"byline\">\(HTMLEscape.text(byline))</p>\n" }
        // Curves right after the run list: they are what a reader opens the page for.
        page += runsSection() + chartsSection() + summarySection() + lastLoggedSection() + configSection()
        page += "</body>\n</html>\n"
        return page
    }

    /// Writes the page to `url` atomically, creating its folder when needed.
    public func write(to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(html().utf8).write(to: url, options: .atomic)
        } catch {
            throw RunReportError.io(path: url.path, reason: "cannot write the report: \(error.localizedDescription)")
        }
    }

    private func byline() -> String? {
        var parts: [String] = []
        if let generator { parts.append("Written by \(generator)") }
        if let generatedAt {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            parts.append("at \(formatter.string(from: generatedAt))")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ") + "."
    }

    // MARK: Sections

    private func runsSection() -> String {
        var rows: [[String]] = []
        for (index, run) in runs.enumerated() {
            let swatch = "<span class=\"swatch\" style=\"background:\(Palette.color(index))\"></span>"
            let episodes = run.metrics.lastValue(MetricsTable.episodesColumn).map(NumberText.value) ?? "—"
            // Training phases in the order they ran; evaluation rows interleave with them.
            var phases: [String] = []
            for case let phase? in run.metrics.phases where phase != "eval" && !phases.contains(phase) { phases.append(phase) }
            var phaseText = phases.joined(separator: " → ")
            if run.metrics.phases.contains("eval") { phaseText += phases.isEmpty ? "eval" : " + eval" }
            var notes: [String] = []
            if run.summary == nil { notes.append("no summary.json (still running or stopped early)") }
            if run.config.isEmpty { notes.append("no config.yaml") }
            if run.metrics.rowCount == 0 { notes.append("metrics.csv has no rows yet") }
            rows.append([
                swatch + "<b>\(HTMLEscape.text(run.name))</b>",
                "<code>\(HTMLEscape.text(run.folder.path))</code>",
                String(run.metrics.rowCount), episodes,
                HTMLEscape.text(phaseText),
                HTMLEscape.text(notes.joined(separator: "; ")),
            ])
        }
        return "<section id=\"runs\">\n<h2>Runs</h2>\n"
            + table(header: ["run", "folder", "rows logged", "episodes", "phases", "notes"], rows: rows)
            + "</section>\n"
    }

    private func summarySection() -> String {
        let summaries = runs.map { $0.summary ?? [] }
        guard summaries.contains(where: { !$0.isEmpty }) else { return "" }
        return "<section id=\"final\">\n<h2>Final figures (summary.json)</h2>\n"
            + sideBySide(summaries, highlightDifferences: false) + "</section>\n"
    }

    /// The last value each run logged for every charted metric: there even for unfinished runs.
    private func lastLoggedSection() -> String {
        let lastLogged = runs.map { run in
            charts.compactMap { chart in run.metrics.lastValue(chart.id).map { KeyValue(key: chart.title, value: NumberText.value($0)) } }
        }
        guard lastLogged.contains(where: { !$0.isEmpty }) else { return "" }
        return "<section id=\"last\">\n<h2>Last logged values (metrics.csv)</h2>\n"
            + sideBySide(lastLogged, highlightDifferences: false) + "</section>\n"
    }

    private func chartsSection() -> String {
        var html = "<section id=\"curves\">\n<h2>Learning curves</h2>\n"
        if charts.isEmpty {
            html += "<p class=\"empty\">No metric has been recorded yet.</p>\n"
        } else {
            var hint = "Hover a curve or a point for its values. Dashed curves are evaluation rows (<code>phase</code> = <code>eval</code>)."
            if smoothing > 0 {
                hint += " Training curves are smoothed (exponential moving average, weight \(NumberText.value(smoothing))); the raw values are drawn faintly beneath."
            }
            html += "<p class=\"hint\">\(hint)</p>\n"
            html += "<div class=\"charts\">\n"
            for chart in charts { html += "<figure>\n\(chart.svg())\n</figure>\n" }
            html += "</div>\n"
        }
        return html + "</section>\n"
    }

    private func configSection() -> String {
        var html = "<section id=\"config\">\n<h2>Configuration</h2>\n"
        if runs.allSatisfy({ $0.config.isEmpty }) {
            return html + "<p class=\"empty\">No run has a config.yaml.</p>\n</section>\n"
        }
        if runs.count > 1 { html += "<p class=\"hint\">Rows where the runs differ are highlighted.</p>\n" }
        return html + sideBySide(runs.map(\.config), highlightDifferences: runs.count > 1) + "</section>\n"
    }

    // MARK: Tables

    /// A table with one row per key (in first-seen order across the runs) and one column per run.
    private func sideBySide(_ entries: [[KeyValue]], highlightDifferences: Bool) -> String {
        var keys: [String] = []
        var seen: Set<String> = []
        for list in entries { for entry in list where seen.insert(entry.key).inserted { keys.append(entry.key) } }
        let lookups = entries.map { list in Dictionary(list.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }) }
        var rows: [[String]] = []
        var classes: [String?] = []
        for key in keys {
            let values = lookups.map { $0[key] }
            rows.append(["<code>\(HTMLEscape.text(key))</code>"] + values.map { value in
                value.map { "<span class=\"value\">\(HTMLEscape.text($0))</span>" } ?? "<span class=\"missing\">—</span>"
            })
            classes.append(highlightDifferences && Set(values.map { $0 ?? "\u{0}" }).count > 1 ? "differs" : nil)
        }
        let header = [""] + runs.enumerated().map { index, run in
            "<span class=\"swatch\" style=\"background:\(Palette.color(index))\"></span>" + HTMLEscape.text(run.name)
        }
        return table(header: header, rows: rows, rowClasses: classes, headerIsHTML: true)
    }

    /// An HTML table; cells are HTML already (callers escape their text).
    private func table(header: [String], rows: [[String]], rowClasses: [String?] = [], headerIsHTML: Bool = false) -> String {
        var html = "<table>\n<thead><tr>"
        for cell in header { html += "<th>\(headerIsHTML ? cell : HTMLEscape.text(cell))</th>" }
        html += "</tr></thead>\n<tbody>\n"
        for (index, row) in rows.enumerated() {
            let rowClass = index < rowClasses.count ? rowClasses[index] : nil
            html += rowClass.map { "<tr class=\"\($0)\">" } ?? "<tr>"
            html += row.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    private static let css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1240px;padding:0 16px;color:#222;background:#fff}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:14px;margin:16px 0 6px;color:#444}
        .byline,.hint,.empty{color:#666;font-size:13px;margin:4px 0 10px}
        table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#f6f6f6;font-weight:600}td .value{white-space:pre-wrap}.missing{color:#aaa}tr.differs td{background:#fff4d6}
        code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
        .swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px}
        figure{margin:0;border:1px solid #e3e3e3;border-radius:6px;padding:6px;background:#fff}
        svg.chart{display:block;width:100%;height:auto;font-family:inherit}
        svg.chart .curve:hover{stroke-width:3.5}svg.chart .pt:hover{fill-opacity:1}
        """
}
