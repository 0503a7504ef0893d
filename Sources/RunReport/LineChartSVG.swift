import Foundation

/// Rendering: title, axes with nice ticks and grid lines, axis labels, phase markers, one
/// `<path class="curve">` per series (nothing else in a chart is a `<path>`), hover tooltips
/// through SVG `<title>` elements, and a legend under the plot.
extension LineChart {
    // Margins around the plot: room for the title above, tick labels and the axis labels around.
    private static let left = 64.0, right = 20.0, top = 34.0, bottom = 46.0
    private static let legendRow = 18.0
    /// At most this many hover targets per curve; a long run's tooltips are spread over it evenly.
    private static let maxHoverPoints = 80

    /// Where things go: the axes and the plot rectangle in pixels.
    private struct Frame {
        var xAxis: AxisScale
        var yAxis: AxisScale
        var left: Double, right: Double, top: Double, bottom: Double
        /// The largest x of any point (markers beyond it are not drawn).
        var xMax: Double?

        func px(_ x: Double) -> Double { xAxis.position(x, from: left, to: right) }
        func py(_ y: Double) -> Double { yAxis.position(y, from: bottom, to: top) }
    }

    /// The chart as an `<svg>` element.
    public func svg() -> String {
        // A NaN or infinite value (a diverged loss) cannot be placed on an axis: it is left out.
        let series = self.series.map { item in
            var item = item
            item.points.removeAll { !$0.x.isFinite || !$0.y.isFinite }
            item.raw.removeAll { !$0.x.isFinite || !$0.y.isFinite }
            return item
        }.filter { !$0.points.isEmpty }
        let frame = makeFrame(points: series.flatMap { $0.points + $0.raw })
        let legend = legendMarkup(series, startY: frame.bottom + Self.bottom + 4)
        let height = legend.bottom + 8

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-metric=\"\(HTMLEscape.text(id))\""
        svg += " width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\">\n"
        svg += "<title>\(HTMLEscape.text(title))</title>\n"
        svg += "<text class=\"chart-title\" x=\"\(f(frame.left))\" y=\"20\" font-size=\"14\" font-weight=\"600\">\(HTMLEscape.text(title))</text>\n"
        svg += axesMarkup(frame) + markersMarkup(frame)
        if series.isEmpty {
            svg += "<text x=\"\(f((frame.left + frame.right) / 2))\" y=\"\(f((frame.top + frame.bottom) / 2))\" text-anchor=\"middle\" fill=\"#888\">no data recorded</text>\n"
        }
        // Curves, then their hover targets on top so every tooltip is reachable.
        svg += curvesMarkup(series, frame) + hoverMarkup(series, frame) + legend.markup
        return svg + "</svg>"
    }

    private func makeFrame(points: [Point]) -> Frame {
        let xs = points.map(\.x), ys = points.map(\.y)
        // Episodes and steps count from 0: a non-negative x-axis starts there.
        let xMin = xs.min() ?? 0
        let xAxis = AxisScale(covering: xMin >= 0 ? 0 : xMin, xs.max() ?? 1, targetTicks: 6, tight: true)
        let yAxis: AxisScale
        if let range = yRange, ys.allSatisfy({ range.contains($0) }) {
            yAxis = AxisScale(lower: range.lowerBound, upper: range.upperBound, step: AxisScale.niceStep((range.upperBound - range.lowerBound) / 5))
        } else {
            yAxis = AxisScale(covering: ys.min() ?? 0, ys.max() ?? 1, targetTicks: 5)
        }
        return Frame(xAxis: xAxis, yAxis: yAxis, left: Self.left, right: width - Self.right, top: Self.top, bottom: Self.top + plotHeight, xMax: xs.max())
    }

    /// Grid lines, the two axes, tick labels and axis labels.
    private func axesMarkup(_ frame: Frame) -> String {
        var svg = "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">"
        for tick in frame.yAxis.ticks { svg += line(frame.left, frame.py(tick), frame.right, frame.py(tick)) }
        for tick in frame.xAxis.ticks { svg += line(frame.px(tick), frame.top, frame.px(tick), frame.bottom) }
        svg += "</g>\n<g class=\"axes\" stroke=\"#555\" stroke-width=\"1\">"
        svg += line(frame.left, frame.top, frame.left, frame.bottom) + line(frame.left, frame.bottom, frame.right, frame.bottom)
        svg += "</g>\n<g class=\"tick-labels\" font-size=\"11\" fill=\"#444\">"
        for tick in frame.yAxis.ticks {
            svg += "<text x=\"\(f(frame.left - 6))\" y=\"\(f(frame.py(tick) + 4))\" text-anchor=\"end\">\(NumberText.tick(tick, step: frame.yAxis.step))</text>"
        }
        for tick in frame.xAxis.ticks {
            svg += "<text x=\"\(f(frame.px(tick)))\" y=\"\(f(frame.bottom + 16))\" text-anchor=\"middle\">\(NumberText.tick(tick, step: frame.xAxis.step))</text>"
        }
        svg += "</g>\n"
        svg += "<text class=\"axis-label\" x=\"\(f((frame.left + frame.right) / 2))\" y=\"\(f(frame.bottom + 36))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(HTMLEscape.text(xLabel))</text>\n"
        svg += "<text class=\"axis-label\" transform=\"translate(14 \(f((frame.top + frame.bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(HTMLEscape.text(yLabel))</text>\n"
        return svg
    }

    /// Markers inside the curves' x range; one within a few pixels of the y-axis (a phase that
    /// starts with the run) tells nothing and would cover the axis.
    private func markersMarkup(_ frame: Frame) -> String {
        guard let xMax = frame.xMax else { return "" }
        var svg = "<g class=\"markers\" font-size=\"10\" fill=\"#777\">"
        for marker in markers where marker.x <= xMax && frame.px(marker.x) - frame.left >= 4 {
            let x = frame.px(marker.x)
            svg += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(frame.top))\" y2=\"\(f(frame.bottom))\" stroke=\"#999\" stroke-width=\"1\" stroke-dasharray=\"2 3\"><title>\(HTMLEscape.text(marker.detail))</title></line>"
            svg += "<text x=\"\(f(x + 3))\" y=\"\(f(frame.top + 10))\">\(HTMLEscape.text(marker.label))</text>"
        }
        return svg + "</g>\n"
    }

    /// One `<path class="curve">` per series, its tooltip naming the last value.
    private func curvesMarkup(_ series: [Series], _ frame: Frame) -> String {
        var svg = "<g class=\"curves\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n"
        for item in series {
            if !item.raw.isEmpty {
                // The unsmoothed values, faint, under the smoothed curve (a polyline: only curves are paths).
                let raw = Self.decimated(item.raw, column: { Int(frame.px($0.x)) }).map { "\(f(frame.px($0.x))),\(f(frame.py($0.y)))" }
                svg += "<polyline class=\"raw\" stroke=\"\(HTMLEscape.text(item.color))\" stroke-opacity=\"0.25\" stroke-width=\"1\" points=\"\(raw.joined(separator: " "))\"/>\n"
            }
            let vertices = Self.decimated(item.points, column: { Int(frame.px($0.x)) })
            let d = vertices.enumerated().map { ($0.offset == 0 ? "M" : "L") + "\(f(frame.px($0.element.x))),\(f(frame.py($0.element.y)))" }
            let last = item.points[item.points.count - 1]
            let smoothed = item.raw.isEmpty ? "" : " smoothed"
            let tooltip = "\(item.label): \(title)\(smoothed) \(NumberText.value(last.y)) at \(xLabel) \(NumberText.value(last.x)) (last of \(item.points.count) points)"
            svg += "<path class=\"curve\" data-series=\"\(HTMLEscape.text(item.label))\" stroke=\"\(HTMLEscape.text(item.color))\"\(dash(item))"
            svg += " d=\"\(d.joined(separator: " "))\"><title>\(HTMLEscape.text(tooltip))</title></path>\n"
        }
        return svg + "</g>\n"
    }

    /// Hover targets: invisible until hovered (the page's CSS), each with its values as a tooltip.
    private func hoverMarkup(_ series: [Series], _ frame: Frame) -> String {
        var svg = "<g class=\"points\">\n"
        for item in series {
            // A one-point curve draws no line, so its marker stays visible.
            let opacity = item.points.count == 1 ? "1" : "0"
            // With smoothing, a point's tooltip gives the raw value too (same row, same index).
            let raw = item.raw.count == item.points.count ? item.raw : []
            for (index, point) in Self.hoverIndices(item.points.count).map({ ($0, item.points[$0]) }) {
                var tooltip = "\(item.label)\n\(xLabel): \(NumberText.value(point.x))\n\(title): \(NumberText.value(point.y))"
                if !raw.isEmpty { tooltip += " (smoothed; raw \(NumberText.value(raw[index].y)))" }
                svg += "<circle class=\"pt\" cx=\"\(f(frame.px(point.x)))\" cy=\"\(f(frame.py(point.y)))\" r=\"4\" fill=\"\(HTMLEscape.text(item.color))\" fill-opacity=\"\(opacity)\"><title>\(HTMLEscape.text(tooltip))</title></circle>"
            }
            svg += "\n"
        }
        return svg + "</g>\n"
    }

    /// The legend: one entry per series (a line sample in its colour and dash, then its label),
    /// wrapped into rows under the plot.
    private func legendMarkup(_ series: [Series], startY: Double) -> (markup: String, bottom: Double) {
        guard !series.isEmpty else { return ("", startY) }
        var markup = "<g class=\"legend\" font-size=\"12\" fill=\"#333\">"
        var x = Self.left, y = startY + Self.legendRow / 2
        for item in series {
            // About 6.6 px per character at 12 px: enough to wrap before running off the chart.
            let itemWidth = 28 + Double(item.label.count) * 6.6 + 16
            if x > Self.left, x + itemWidth > width - Self.right {
                x = Self.left
                y += Self.legendRow
            }
            markup += "<line x1=\"\(f(x))\" x2=\"\(f(x + 22))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"\(HTMLEscape.text(item.color))\" stroke-width=\"2.5\"\(dash(item))/>"
            markup += "<text x=\"\(f(x + 28))\" y=\"\(f(y + 4))\">\(HTMLEscape.text(item.label))</text>"
            x += itemWidth
        }
        return (markup + "</g>\n", y + Self.legendRow / 2)
    }

    /// A long curve cut down to what the chart can show: within each run of consecutive points
    /// that land in the same pixel column, the first, lowest, highest and last point, in their
    /// order. The drawn shape (spikes included) is the same as with every point; a 100,000-row
    /// run stays a small page. Curves of up to two points per column are kept whole.
    static func decimated(_ points: [Point], column: (Point) -> Int) -> [Point] {
        guard let first = points.first, points.count > 2 * (column(points[points.count - 1]) - column(first)).magnitude + 8 else {
            return points
        }
        var kept: [Point] = []
        var start = 0
        while start < points.count {
            let bucket = column(points[start])
            var end = start + 1
            while end < points.count && column(points[end]) == bucket { end += 1 }
            var low = start, high = start
            for index in start..<end {
                if points[index].y < points[low].y { low = index }
                if points[index].y > points[high].y { high = index }
            }
            for index in Set([start, low, high, end - 1]).sorted() { kept.append(points[index]) }
            start = end
        }
        return kept
    }

    /// Indices of evenly spread hover targets among `count` points, always including the last.
    private static func hoverIndices(_ count: Int) -> [Int] {
        guard count > maxHoverPoints else { return Array(0..<count) }
        let stride = Double(count - 1) / Double(maxHoverPoints - 1)
        return (0..<maxHoverPoints).map { Int((Double($0) * stride).rounded()) }
    }

    private func dash(_ item: Series) -> String { item.dashed ? " stroke-dasharray=\"6 4\"" : "" }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> String {
        "<line x1=\"\(f(x1))\" x2=\"\(f(x2))\" y1=\"\(f(y1))\" y2=\"\(f(y2))\"/>"
    }

    /// Coordinates with one decimal keep the page small and are finer than a pixel.
    private func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
