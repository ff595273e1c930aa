import Foundation
import MultilevelModels

/// CSV files of `multilevel fit --predict DIR`: `predictions.csv` (one row per posterior draw:
/// chain, iteration, then `y_rep[1]` … `y_rep[n]`, observations in the order of the rows used) and
/// `fitted.csv` (one row per observation: its index, its line in the data file, and brms'
/// `fitted()` columns Estimate, Est.Error, Q2.5, Q97.5 of E(y | θ)). Numbers with 17 significant
/// digits (`%.17g`), integers as integers.
public enum PosteriorPredictiveCSV {
    public static func predictions(_ predictive: PosteriorPredictive) -> String {
        let n = predictive.observationCount
        var out = "chain,iteration," + (1...max(n, 1)).prefix(n).map { "y_rep[\($0)]" }.joined(separator: ",") + "\n"
        out.reserveCapacity(predictive.drawCount * n * 4)
        for s in 0..<predictive.drawCount {
            out += "\(predictive.drawChains[s]),\(predictive.drawIterations[s])"
            for i in 0..<n { out += "," + number(predictive.replicates[s * n + i]) }
            out += "\n"
        }
        return out
    }

    public static func fitted(_ predictive: PosteriorPredictive, sourceLines: [Int]) -> String {
        var out = "observation,line,Estimate,Est.Error,Q2.5,Q97.5\n"
        for i in 0..<predictive.observationCount {
            let line = i < sourceLines.count ? String(sourceLines[i]) : "NA"
            out += "\(i + 1),\(line)," + [predictive.fittedMean[i], predictive.fittedSD[i], predictive.fittedLower[i],
                                           predictive.fittedUpper[i]].map(number).joined(separator: ",") + "\n"
        }
        return out
    }

    static func number(_ x: Double) -> String {
        if x.isNaN { return "NA" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(format: "%.17g", x)
    }
}
