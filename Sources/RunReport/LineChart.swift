import Foundation

/// A line chart: curves (series of points), axis labels, optional vertical markers. `svg()`
/// (LineChartSVG.swift) renders it as a self-contained SVG element.
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
    /// `raw`, when not empty, holds the unsmoothed values of a smoothed curve, drawn faintly under it.
    public struct Series: Sendable, Equatable {
        public var label: String
        public var color: String
        public var dashed: Bool
        public var points: [Point]
        public var raw: [Point]
        public init(label: String, color: String, dashed: Bool = false, points: [Point], raw: [Point] = []) {
            self.label = label
            self.color = color
            self.dashed = dashed
            self.points = points
            self.raw = raw
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
}
