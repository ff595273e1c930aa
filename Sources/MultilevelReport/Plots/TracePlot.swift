import MultilevelSampling

/// Trace plots: one panel per variable, the draws of each chain against iteration in the chain's
/// colour (the post-warm-up draws, as `bayesplot::mcmc_trace`). Long chains are thinned to at most
/// `maxPointsPerChain` points per line to keep the file small.
public struct TracePlot: Sendable {
    public var title: String
    public var draws: Draws
    public var variables: [String]
    public var maxPointsPerChain: Int

    /// Variables default to all of `draws`.
    public init(title: String, draws: Draws, variables: [String]? = nil, maxPointsPerChain: Int = 800) {
        self.title = title
        self.draws = draws
        self.variables = (variables ?? draws.variableNames).filter { draws.index(of: $0) != nil }
        self.maxPointsPerChain = maxPointsPerChain
    }

    public func svg(width: Double = 900, panelHeight: Double = 120) -> String {
        let legend = (0..<draws.chainCount).map { LegendEntry(label: "chain \($0 + 1)", swatch: .line(color: PlotPalette.color($0), dash: nil)) }
        let columns = variables.count > 6 ? 2 : 1
        let rows = (max(1, variables.count) + columns - 1) / columns
        let height = 40 + Legend.height(legend, maxWidth: width - 90) + 16 + Double(rows) * panelHeight + 55
        var canvas = PlotCanvas(width: width, height: height, title: title, legend: legend, margins: (70, 20, 45))
        let layout = LatticeLayout(count: variables.count, area: canvas.content, columns: columns, gap: 12, stripHeight: 16)
        let iterations = draws.drawsPerChain
        let stride = max(1, (iterations + maxPointsPerChain - 1) / max(1, maxPointsPerChain))
        for (k, name) in variables.enumerated() {
            let chains = draws.values(of: name) ?? []
            layout.drawStrip(k, label: name, into: &canvas.document)
            let panel = CartesianPanel(area: layout.panel(k), xRange: 1...Double(max(2, iterations)),
                                       yRange: finiteExtent(chains) ?? 0...1, xTickCount: 5, yTickCount: 4)
            panel.drawFrame(into: &canvas.document)
            let lines = chains.enumerated().map { chain, values -> LineSeries in
                let picked = Swift.stride(from: 0, to: values.count, by: stride).map { $0 }
                return LineSeries(label: "chain \(chain + 1)", x: picked.map { Double($0 + 1) }, y: picked.map { values[$0] },
                                  color: PlotPalette.color(chain), width: 0.7, opacity: 0.8)
            }
            panel.draw(lines: lines, into: &canvas.document)
            panel.drawAxes(into: &canvas.document, xTickLabels: layout.isBottomOfColumn(k), fontSize: 9)
        }
        let area = canvas.content
        canvas.document.text("iteration (after warm-up)", x: area.x + area.width / 2, y: area.bottom + 34, size: 12, anchor: .middle)
        return canvas.document.rendered
    }
}
