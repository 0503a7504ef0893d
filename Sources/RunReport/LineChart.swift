import Foundation

/// A line chart rendered as self-contained SVG: title, axes with nice ticks and grid lines, axis
/// labels, one `<path class="curve">` per series (nothing else in the chart is a `<path>`), hover
/// tooltips through SVG `<title>` elements, and a legend under the plot.
public struct LineChart: Sendable, Equatable {
    /// One point of a curve.
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// One curve: its legend text, colour (any CSS colour), dash style and points in drawing order.
    public struct Series: Sendable, Equatable {
        public var label: String
        public var color: String
        public var dashed: Bool
        public var points: [Point]
        public init(label: String, color: String, dashed: Bool = false, points: [Point]) {
            self.label = label
            self.color = color
            self.dashed = dashed
            self.points = points
        }
    }

    /// A labelled vertical line, e.g. where a run's training phase changes from `bc` to `rl`.
    public struct Marker: Sendable, Equatable {
        public var x: Double
        public var label: String
        /// The hover text.
        public var detail: String
        public init(x: Double, label: String, detail: String) {
            self.x = x
            self.label = label
            self.detail = detail
        }
    }

    /// A stable identifier (the metric column), written as the SVG's `data-metric` attribute.
    public var id: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// A fixed y-axis range (e.g. 0…1 for a success rate), used when every point lies inside it.
    public var yRange: ClosedRange<Double>?
    /// Vertical markers; those outside the curves' x range are not drawn.
    public var markers: [Marker] = []
    /// Total width of the SVG in pixels; the height follows from the plot and the legend.
    public var width: Double = 560
    /// Height of the plotting area in pixels.
    public var plotHeight: Double = 220

    public init(
        id: String, title: String, xLabel: String, yLabel: String, series: [Series], yRange: ClosedRange<Double>? = nil,
        markers: [Marker] = []
    ) {
        self.id = id
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yRange = yRange
        self.markers = markers
    }

    // Margins around the plot: room for the title above, tick labels and the axis labels around.
    private static let left = 64.0, right = 20.0, top = 34.0, bottom = 46.0
    private static let legendRow = 18.0
    /// At most this many hover targets per curve; a long run's tooltips are spread over it evenly.
    private static let maxHoverPoints = 80

    /// The chart as an `<svg>` element.
    public func svg() -> String {
        // A NaN or infinite value (a diverged loss) cannot be placed on an axis: it is left out.
        let series = self.series.map { item in
            var item = item
            item.points.removeAll { !$0.x.isFinite || !$0.y.isFinite }
            return item
        }
        let points = series.flatMap(\.points)
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

        let plotLeft = Self.left, plotRight = width - Self.right
        let plotTop = Self.top, plotBottom = Self.top + plotHeight
        let legend = legendLayout(startY: plotBottom + Self.bottom + 4)
        let height = legend.bottom + 8
        func px(_ x: Double) -> Double { xAxis.position(x, from: plotLeft, to: plotRight) }
        func py(_ y: Double) -> Double { yAxis.position(y, from: plotBottom, to: plotTop) }

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-metric=\"\(HTMLEscape.text(id))\""
        svg += " width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\">\n"
        svg += "<title>\(HTMLEscape.text(title))</title>\n"
        svg += "<text class=\"chart-title\" x=\"\(f(plotLeft))\" y=\"20\" font-size=\"14\" font-weight=\"600\">\(HTMLEscape.text(title))</text>\n"

        // Grid and ticks.
        svg += "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">"
        for tick in yAxis.ticks { svg += "<line x1=\"\(f(plotLeft))\" x2=\"\(f(plotRight))\" y1=\"\(f(py(tick)))\" y2=\"\(f(py(tick)))\"/>" }
        for tick in xAxis.ticks { svg += "<line x1=\"\(f(px(tick)))\" x2=\"\(f(px(tick)))\" y1=\"\(f(plotTop))\" y2=\"\(f(plotBottom))\"/>" }
        svg += "</g>\n"
        svg += "<g class=\"axes\" stroke=\"#555\" stroke-width=\"1\">"
        svg += "<line x1=\"\(f(plotLeft))\" x2=\"\(f(plotLeft))\" y1=\"\(f(plotTop))\" y2=\"\(f(plotBottom))\"/>"
        svg += "<line x1=\"\(f(plotLeft))\" x2=\"\(f(plotRight))\" y1=\"\(f(plotBottom))\" y2=\"\(f(plotBottom))\"/>"
        svg += "</g>\n"
        svg += "<g class=\"tick-labels\" font-size=\"11\" fill=\"#444\">"
        for tick in yAxis.ticks {
            svg += "<text x=\"\(f(plotLeft - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(NumberText.tick(tick, step: yAxis.step))</text>"
        }
        for tick in xAxis.ticks {
            svg += "<text x=\"\(f(px(tick)))\" y=\"\(f(plotBottom + 16))\" text-anchor=\"middle\">\(NumberText.tick(tick, step: xAxis.step))</text>"
        }
        svg += "</g>\n"
        svg += "<text class=\"axis-label\" x=\"\(f((plotLeft + plotRight) / 2))\" y=\"\(f(plotBottom + 36))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(HTMLEscape.text(xLabel))</text>\n"
        svg += "<text class=\"axis-label\" transform=\"translate(14 \(f((plotTop + plotBottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(HTMLEscape.text(yLabel))</text>\n"

        // Markers strictly inside the curves' x range (one at the left edge tells nothing).
        if let xMax = xs.max() {
            svg += "<g class=\"markers\" font-size=\"10\" fill=\"#777\">"
            for marker in markers where marker.x > xAxis.lower && marker.x <= xMax {
                let x = f(px(marker.x))
                svg += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(f(plotTop))\" y2=\"\(f(plotBottom))\" stroke=\"#999\" stroke-width=\"1\" stroke-dasharray=\"2 3\"><title>\(HTMLEscape.text(marker.detail))</title></line>"
                svg += "<text x=\"\(f(px(marker.x) + 3))\" y=\"\(f(plotTop + 10))\">\(HTMLEscape.text(marker.label))</text>"
            }
            svg += "</g>\n"
        }

        if points.isEmpty {
            svg += "<text x=\"\(f((plotLeft + plotRight) / 2))\" y=\"\(f((plotTop + plotBottom) / 2))\" text-anchor=\"middle\" fill=\"#888\">no data recorded</text>\n"
        }

        // Curves, then their hover targets on top so every tooltip is reachable.
        svg += "<g class=\"curves\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n"
        for item in series where !item.points.isEmpty {
            let d = Self.decimated(item.points, column: { Int(px($0.x)) }).enumerated().map { ($0.offset == 0 ? "M" : "L") + "\(f(px($0.element.x))),\(f(py($0.element.y)))" }.joined(separator: " ")
            let dash = item.dashed ? " stroke-dasharray=\"6 4\"" : ""
            let last = item.points[item.points.count - 1]
            let tooltip = "\(item.label): \(title) \(NumberText.value(last.y)) at \(xLabel) \(NumberText.value(last.x)) (last of \(item.points.count) points)"
            svg += "<path class=\"curve\" data-series=\"\(HTMLEscape.text(item.label))\" stroke=\"\(HTMLEscape.text(item.color))\"\(dash) d=\"\(d)\"><title>\(HTMLEscape.text(tooltip))</title></path>\n"
        }
        svg += "</g>\n<g class=\"points\">\n"
        for item in series where !item.points.isEmpty {
            // A one-point curve draws no line, so its marker stays visible.
            let opacity = item.points.count == 1 ? "1" : "0"
            for point in hoverPoints(item.points) {
                let tooltip = "\(item.label)\n\(xLabel): \(NumberText.value(point.x))\n\(title): \(NumberText.value(point.y))"
                svg += "<circle class=\"pt\" cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"4\" fill=\"\(HTMLEscape.text(item.color))\" fill-opacity=\"\(opacity)\"><title>\(HTMLEscape.text(tooltip))</title></circle>"
            }
            svg += "\n"
        }
        svg += "</g>\n"
        svg += legend.markup
        svg += "</svg>"
        return svg
    }

    /// The legend: one entry per series (a line sample in its colour and dash, then its label),
    /// wrapped into rows under the plot.
    private func legendLayout(startY: Double) -> (markup: String, bottom: Double) {
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
            let dash = item.dashed ? " stroke-dasharray=\"6 4\"" : ""
            markup += "<line x1=\"\(f(x))\" x2=\"\(f(x + 22))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"\(HTMLEscape.text(item.color))\" stroke-width=\"2.5\"\(dash)/>"
            markup += "<text x=\"\(f(x + 28))\" y=\"\(f(y + 4))\">\(HTMLEscape.text(item.label))</text>"
            x += itemWidth
        }
        markup += "</g>\n"
        return (markup, y + Self.legendRow / 2)
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

    /// Evenly spread hover targets, always including the last point.
    private func hoverPoints(_ points: [Point]) -> [Point] {
        guard points.count > Self.maxHoverPoints else { return points }
        let stride = Double(points.count - 1) / Double(Self.maxHoverPoints - 1)
        return (0..<Self.maxHoverPoints).map { points[Int((Double($0) * stride).rounded())] }
    }

    /// Coordinates with one decimal keep the page small and are finer than a pixel.
    private func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
