/// Line colours for runs, one per run in command-line order: the Tableau 10 colours, chosen to be
/// told apart by most readers (also with the common colour-vision deficiencies) and on white.
/// A report with more than ten runs reuses them, with the legend and tooltips still naming each curve.
public enum Palette {
    public static let colors = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    /// The colour of the run at `index`.
    public static func color(_ index: Int) -> String { colors[index % colors.count] }
}
