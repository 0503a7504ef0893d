import Foundation
import Testing

@testable import RunReport

/// A real headless browser renders the report: the page must paint (a non-blank screenshot of the
/// requested size with the runs' colours in it) and the browser's DOM must hold the expected
/// curves. `.ci/test` installs Debian's chromium (`install_headless_browser` in .ci/lib.sh); the
/// test is skipped, with that said, only when no browser is installed.
@Suite(.enabled(if: HeadlessBrowser.find() != nil, "no headless browser (chromium) found: `bash .ci/test` installs one (apt-get install chromium); set TURNRL_BROWSER to use another Chromium-based browser"))
struct BrowserTests {
    static let width = 1200, height = 900

    @Test func reportRendersInAHeadlessBrowserWithTheExpectedCurves() throws {
        let browser = try #require(HeadlessBrowser.find())
        let root = try SyntheticRuns.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let folders = try [
            SyntheticRuns.write(in: root, name: "archer <seed 0>", offset: 0),
            SyntheticRuns.write(in: root, name: "grpo & seed 1", offset: 0.1),
        ]
        let page = ReportPage(runs: try RunData.load(folders: folders), generator: "RunReportTests")
        let pageURL = root.appendingPathComponent("report.html")
        try page.write(to: pageURL)

        // The DOM after the browser parsed the page: every chart with its curves.
        let dom = try browser.run(["--dump-dom", pageURL.absoluteString], profile: root.appendingPathComponent("profile-dom"))
        #expect(dom.status == 0, "\(dom.stderr.suffix(2000))")
        #expect(dom.stdout.chartMetrics == page.charts.map(\.id))
        for chart in page.charts {
            let svg = try #require(dom.stdout.chartSVG(chart.id), "chart \(chart.id) missing from the DOM")
            #expect(svg.occurrences(of: "<path") == chart.series.count, "curves in \(chart.id)")
        }
        #expect(dom.stdout.chartSVG("successRate")?.occurrences(of: "<path") == 4)  // 2 runs × (training + eval)
        #expect(dom.stdout.contains("archer &lt;seed 0&gt;"))

        // The screenshot: a PNG of the window's size, mostly white page with the runs' colours painted.
        let png = root.appendingPathComponent("shot.png")
        let shot = try browser.run(
            ["--window-size=\(Self.width),\(Self.height)", "--screenshot=\(png.path)", pageURL.absoluteString],
            profile: root.appendingPathComponent("profile-shot"))
        #expect(shot.status == 0, "\(shot.stderr.suffix(2000))")
        let stats = try PNGStats.measure(png, colors: [Palette.color(0), Palette.color(1)])
        #expect(stats.width == Self.width && stats.height == Self.height)
        #expect(stats.nonWhiteFraction > 0.01 && stats.nonWhiteFraction < 0.6, "\(stats)")
        for color in [Palette.color(0), Palette.color(1)] {
            #expect(stats.colorPixels[color, default: 0] > 100, "too few pixels of \(color) in the screenshot: \(stats)")
        }
    }
}

/// A Chromium-family browser run headless against local files.
struct HeadlessBrowser {
    let path: String

    /// `TURNRL_BROWSER`, else the first of the usual Chromium names on `PATH`.
    static func find() -> HeadlessBrowser? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["TURNRL_BROWSER"], FileManager.default.isExecutableFile(atPath: explicit) {
            return HeadlessBrowser(path: explicit)
        }
        let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return HeadlessBrowser(path: "\(directory)/\(name)")
            }
        }
        return nil
    }

    /// Runs the browser headless with its own profile folder; killed after `timeout` seconds.
    /// Output goes through files, so a large DOM cannot fill a pipe and stall the browser.
    func run(_ arguments: [String], profile: URL, timeout: TimeInterval = 60) throws -> (status: Int32, stdout: String, stderr: String) {
        // No sandbox: it needs user namespaces or setuid helpers that containers and root lack,
        // and the page is our own local file.
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                     "--user-data-dir=\(profile.path)"]
        return try ProcessRunner.run(path, flags + arguments, timeout: timeout)
    }
}

/// Runs a program to completion with a time limit, capturing its output.
enum ProcessRunner {
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval) throws -> (status: Int32, stdout: String, stderr: String) {
        let scratch = try SyntheticRuns.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("\(executable) did not finish within \(Int(timeout)) s")
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return (process.terminationStatus,
                String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}

/// Pixel statistics of a PNG, decoded by Python's standard library (zlib), which the project
/// already requires: Foundation on Linux has no PNG or zlib decoder.
struct PNGStats: CustomStringConvertible {
    var width: Int
    var height: Int
    var nonWhiteFraction: Double
    /// Pixels within a small distance of each requested `#rrggbb` colour.
    var colorPixels: [String: Int]

    var description: String { "\(width)×\(height), \(String(format: "%.1f", nonWhiteFraction * 100)) % non-white, colours \(colorPixels)" }

    static func measure(_ png: URL, colors: [String]) throws -> PNGStats {
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, png.path] + colors, timeout: 60)
        guard result.status == 0, let line = result.stdout.split(separator: "\n").last else {
            throw PNGError(message: "python3 could not read \(png.path): \(result.stderr)")
        }
        let fields = line.split(separator: " ").map(String.init)
        guard fields.count == 3 + colors.count, let width = Int(fields[0]), let height = Int(fields[1]), let nonWhite = Int(fields[2]) else {
            throw PNGError(message: "unexpected output from the PNG reader: \(line)")
        }
        var colorPixels: [String: Int] = [:]
        for (index, color) in colors.enumerated() { colorPixels[color] = Int(fields[3 + index]) }
        return PNGStats(width: width, height: height, nonWhiteFraction: Double(nonWhite) / Double(max(1, width * height)), colorPixels: colorPixels)
    }

    struct PNGError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// Decodes an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) and prints
    /// `width height nonWhite count(colour)…`.
    static let script = #"""
        import struct, sys, zlib
        data = open(sys.argv[1], "rb").read()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
        pos, idat = 8, b""
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            if kind == b"IHDR":
                width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            elif kind == b"IDAT":
                idat += body
            pos += 12 + length
        assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
        bpp = 3 if ctype == 2 else 4
        raw, stride = zlib.decompress(idat), width * bpp
        targets = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in sys.argv[2:]]
        counts, non_white, prev = [0] * len(targets), 0, bytearray(stride)
        for y in range(height):
            start = y * (stride + 1)
            ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
            if ftype == 2:  # Up, the common case: one comprehension instead of a loop
                line = bytearray((u + p) & 255 for u, p in zip(line, prev))
            elif ftype in (1, 3, 4):
                for i in range(stride):
                    a = line[i - bpp] if i >= bpp else 0
                    b = prev[i]
                    c = prev[i - bpp] if i >= bpp else 0
                    if ftype == 1: line[i] = (line[i] + a) & 255
                    elif ftype == 3: line[i] = (line[i] + (a + b) // 2) & 255
                    else:
                        p = a + b - c
                        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                        line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            prev = line
            if min(line) >= 245:  # an all-white row (alpha is 255 too)
                continue
            for r, g, b in zip(line[0::bpp], line[1::bpp], line[2::bpp]):
                if r < 245 or g < 245 or b < 245:
                    non_white += 1
                    for k, (tr, tg, tb) in enumerate(targets):
                        if abs(r - tr) <= 12 and abs(g - tg) <= 12 and abs(b - tb) <= 12:
                            counts[k] += 1
        print(width, height, non_white, *counts)
        """#
}
