import Foundation

/// How numbers read on the page: table cells and tooltips (`value`), axis ticks (`tick`).
enum NumberText {
    /// Integers without decimals, large values to one decimal, tiny ones in scientific
    /// notation, everything else with four significant digits.
    static func value(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "∞" : "−∞") }
        if x == x.rounded(), abs(x) < 1e15 { return String(format: "%.0f", x) }
        if abs(x) >= 1e3, abs(x) < 1e15 { return String(format: "%.1f", x) }
        if abs(x) < 1e-4 { return String(format: "%.3e", x) }
        return String(format: "%.4g", x)
    }

    /// A tick label on an axis whose ticks are `step` apart: as many decimals as the step needs,
    /// and `k` / `M` for large values so labels stay short.
    static func tick(_ x: Double, step: Double) -> String {
        if x == 0 { return "0" }  // also turns -0 into 0
        let magnitude = abs(x)
        if magnitude >= 1e6, step >= 1e5 { return fixed(x / 1e6, decimals: decimals(step / 1e6)) + "M" }
        if magnitude >= 1e4, step >= 100 { return fixed(x / 1e3, decimals: decimals(step / 1e3)) + "k" }
        return fixed(x, decimals: decimals(step))
    }

    private static func decimals(_ step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        return min(8, max(0, Int((-log10(step)).rounded(.up))))
    }

    private static func fixed(_ x: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", x)
    }
}
