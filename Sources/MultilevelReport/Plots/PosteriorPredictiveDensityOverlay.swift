/// The density overlay of a posterior predictive check — brms' `pp_check(fit, type =
/// "dens_overlay", ndraws = 50)`, bayesplot's `ppc_dens_overlay` (Gabry, Simpson, Vehtari,
/// Betancourt & Gelman 2019, *Visualization in Bayesian workflow*, JRSS A 182(2), §5): the kernel
/// density of the observed response y as a thick dark line over those of replicated data sets
/// y_rep (one thin light line each). Each density is a Gaussian kernel estimate with its own
/// Silverman bandwidth (R's `density()` default, `KernelDensity`).
public struct PosteriorPredictiveDensityOverlay: Sendable {
    public var title: String
    /// The density of y; nil with fewer than two finite values.
    public var observed: KernelDensity?
    /// The density of each replicated data set, in the order given.
    public var replicated: [KernelDensity]

    /// The overlay of `response` (y) and `replicates` (each a y_rep of the same length).
    public init(title: String, response: [Double], replicates: [[Double]]) {
        self.title = title
        observed = KernelDensity(response)
        replicated = replicates.compactMap { KernelDensity($0) }
    }

    public func svg(width: Double = 760, height: Double = 460) -> String {
        let legend = [LegendEntry(label: "y", swatch: .line(color: "#08306b", dash: nil)),
                      LegendEntry(label: "y_rep (\(replicated.count) draws)", swatch: .line(color: "#9ecae1", dash: nil))]
        var canvas = PlotCanvas(width: width, height: height, title: title, legend: legend, margins: (70, 20, 50))
        let all = replicated + (observed.map { [$0] } ?? [])
        guard let xRange = finiteExtent(all.map(\.x)), let yRange = finiteExtent(all.map(\.density)) else {
            return canvas.document.rendered
        }
        let panel = CartesianPanel(area: canvas.content, xRange: xRange, yRange: 0...yRange.upperBound, xTickCount: 6, yTickCount: 4)
        panel.drawFrame(into: &canvas.document)
        var lines = replicated.map { LineSeries(label: "y_rep", x: $0.x, y: $0.density, color: "#9ecae1", width: 0.8, opacity: 0.7) }
        if let observed {
            lines.append(LineSeries(label: "y", x: observed.x, y: observed.density, color: "#08306b", width: 2.2))
        }
        panel.draw(lines: lines, into: &canvas.document)
        panel.drawAxes(into: &canvas.document, xLabel: "response", yLabel: "density", yTickLabels: false)
        return canvas.document.rendered
    }
}
