import MultilevelSampling

/// Posterior densities: one panel per variable with the kernel density estimate of all chains'
/// draws pooled (filled), each chain's own estimate as a thin line in its colour (chains that
/// disagree show up as separated curves), and the median as a vertical line.
public struct DensityPlot: Sendable {
    public var title: String
    public var draws: Draws
    public var variables: [String]

    public init(title: String, draws: Draws, variables: [String]? = nil) {
        self.title = title
        self.draws = draws
        self.variables = (variables ?? draws.variableNames).filter { draws.index(of: $0) != nil }
    }

    public func svg(width: Double = 900, panelHeight: Double = 150) -> String {
        let legend = [LegendEntry(label: "all chains", swatch: .band(color: PlotPalette.bayesian)),
                      LegendEntry(label: "median", swatch: .line(color: "#333333", dash: [4, 3]))]
            + (0..<draws.chainCount).map { LegendEntry(label: "chain \($0 + 1)", swatch: .line(color: PlotPalette.color($0), dash: nil)) }
        let columns = variables.count > 3 ? 2 : 1
        let rows = (max(1, variables.count) + columns - 1) / columns
        let height = 40 + Legend.height(legend, maxWidth: width - 90) + 16 + Double(rows) * panelHeight + 40
        var canvas = PlotCanvas(width: width, height: height, title: title, legend: legend, margins: (70, 20, 30))
        let layout = LatticeLayout(count: variables.count, area: canvas.content, columns: columns, gap: 30, stripHeight: 16)
        for (k, name) in variables.enumerated() {
            let chains = draws.values(of: name) ?? []
            let pooled = chains.flatMap { $0 }
            layout.drawStrip(k, label: name, into: &canvas.document)
            guard let density = KernelDensity(pooled) else { continue }
            let perChain = chains.compactMap { KernelDensity($0, bandwidth: density.bandwidth) }
            let top = finiteExtent([density.density] + perChain.map(\.density))?.upperBound ?? 1
            let panel = CartesianPanel(area: layout.panel(k), xRange: density.x.first!...density.x.last!, yRange: 0...top,
                                       xTickCount: 5, yTickCount: 3)
            panel.drawFrame(into: &canvas.document)
            let median = quantiles(pooled, probabilities: [0.5])[0]
            let band = BandSeries(label: name, x: density.x, lower: density.x.map { _ in 0 }, upper: density.density,
                                  color: PlotPalette.bayesian, opacity: 0.3)
            var lines = perChain.enumerated().map { chain, estimate in
                LineSeries(label: "chain \(chain + 1)", x: estimate.x, y: estimate.density, color: PlotPalette.color(chain),
                           width: 1, opacity: 0.9)
            }
            lines.append(LineSeries(label: "median", x: [median, median], y: [0, top], color: "#333333", width: 1.2, dash: [4, 3]))
            panel.draw(bands: [band], lines: lines, into: &canvas.document)
            panel.drawAxes(into: &canvas.document, yTickLabels: false, fontSize: 9)
        }
        return canvas.document.rendered
    }
}
