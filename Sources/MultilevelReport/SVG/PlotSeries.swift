/// A line through (x, y) points in data units (a fitted line, a chain's trace, a density).
public struct LineSeries: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    public var color: String
    public var width: Double
    public var dash: [Double]?
    public var opacity: Double?

    public init(label: String, x: [Double], y: [Double], color: String, width: Double = 1.8, dash: [Double]? = nil,
                opacity: Double? = nil) {
        self.label = label
        self.x = x
        self.y = y
        self.color = color
        self.width = width
        self.dash = dash
        self.opacity = opacity
    }
}

/// A filled band between two curves over x (a confidence or credible band).
public struct BandSeries: Sendable {
    public var label: String
    public var x: [Double]
    public var lower: [Double]
    public var upper: [Double]
    public var color: String
    public var opacity: Double

    public init(label: String, x: [Double], lower: [Double], upper: [Double], color: String, opacity: Double = 0.2) {
        self.label = label
        self.x = x
        self.lower = lower
        self.upper = upper
        self.color = color
        self.opacity = opacity
    }
}

/// Points (data, estimates), each with an optional radius of its own (point size by group size).
public struct PointSeries: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    public var color: String
    public var radius: Double
    /// Per-point radii; when set, overrides `radius`.
    public var radii: [Double]?
    public var opacity: Double?
    /// Hollow circles (stroke only) instead of filled ones.
    public var hollow: Bool

    public init(label: String, x: [Double], y: [Double], color: String, radius: Double = 2.5, radii: [Double]? = nil,
                opacity: Double? = nil, hollow: Bool = false) {
        self.label = label
        self.x = x
        self.y = y
        self.color = color
        self.radius = radius
        self.radii = radii
        self.opacity = opacity
        self.hollow = hollow
    }
}

/// Colours of the plots: one per estimation method, so that a method looks the same in every plot,
/// and a qualitative palette for chains (ColorBrewer "Dark2", Harrower & Brewer 2003).
public enum PlotPalette {
    public static let data = "#555555"
    public static let completePooling = "#7f7f7f"
    public static let noPooling = "#d95f02"
    public static let partialPooling = "#1b9e77"
    public static let bootstrap = "#e6ab02"
    public static let bayesian = "#7570b3"
    public static let population = "#e7298a"
    public static let qualitative = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]

    /// The k-th colour of the qualitative palette (cycling).
    public static func color(_ k: Int) -> String { qualitative[((k % qualitative.count) + qualitative.count) % qualitative.count] }
}
