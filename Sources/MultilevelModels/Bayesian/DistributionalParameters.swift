#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelData

extension DistributionalPosterior {
    /// The constrained quantities of a draw in brms' order, with brms' names:
    ///
    ///     b_Intercept, b_sigma_Intercept, b_Days, b_sigma_Days,
    ///     sd_Subject__Intercept, …, sd_Subject__sigma_Intercept, cor_Subject__Intercept__Days, …,
    ///     (constant auxiliary parameters: nu, …),
    ///     r_Subject[308,Intercept], …, r_Subject__sigma[308,Intercept], …
    ///
    /// and their CmdStan column names (`r_Subject__sigma.1.1`: level, then coefficient within the
    /// group and dpar, as brms' Stan code indexes `r_<group>__<dpar>`).
    public var parameterNames: (names: [String], cmdStanNames: [String]) {
        var names: [String] = [], cmdStan: [String] = []
        func add(_ name: String, _ cmdStanName: String? = nil) {
            names.append(name)
            cmdStan.append(cmdStanName ?? name)
        }
        for predictor in predictors where predictor.hasIntercept { add("b_\(predictor.namePrefix)Intercept") }
        for predictor in predictors {
            for name in predictor.coefficientNames { add("b_\(predictor.namePrefix)\(name)") }
        }
        for predictor in predictors {
            for term in predictor.terms {
                for name in term.columnNames { add("sd_\(term.groupName)__\(predictor.namePrefix)\(name)") }
            }
        }
        // A block joined by |ID| across parts: `cor_Subject__Intercept__sigma_Intercept`.
        for block in blocks where block.columnCount > 1 {
            let c = block.columnNames
            for j in 1..<c.count {
                for i in 0..<j { add("cor_\(block.groupName)__\(c[i])__\(c[j])") }
            }
        }
        for (a, parameter) in auxiliaryParameters.enumerated() where auxiliaryOffset[a] >= 0 { add(parameter.rawValue) }
        for predictor in predictors {
            let suffix = predictor.parameter.map { "__" + $0.rawValue } ?? ""
            var used: [String: Int] = [:]
            for term in predictor.terms {
                let start = used[term.groupName, default: 0]
                used[term.groupName] = start + term.columnCount
                for (k, coefficient) in term.columnNames.enumerated() {
                    for (j, level) in term.levelNames.enumerated() {
                        add("r_\(term.groupName)\(suffix)[\(level),\(coefficient)]",
                            "r_\(term.groupName)\(suffix).\(j + 1).\(start + k + 1)")
                    }
                }
            }
        }
        return (names, cmdStan)
    }

    /// The constrained values of the unconstrained point `x`, in `parameterNames` order:
    /// b_Intercept = Intercept − x̄·b per predictor, sd = e^y, cor from L Lᵀ, constant auxiliary
    /// parameters through their transforms, r = diag(sd) L z.
    public func constrained(_ x: [Double]) -> [Double] {
        var out: [Double] = []
        for predictor in predictors where predictor.hasIntercept {
            var value = x[predictor.interceptOffset]
            for k in 0..<predictor.coefficientCount { value -= predictor.columnMeans[k] * x[predictor.coefficientOffset + k] }
            out.append(value)
        }
        for predictor in predictors {
            for k in 0..<predictor.coefficientCount { out.append(x[predictor.coefficientOffset + k]) }
        }
        for predictor in predictors {
            for term in predictor.terms {
                for k in 0..<term.columnCount { out.append(exp(x[term.sdOffset + k])) }
            }
        }
        let factors = blocks.map { block -> [Double] in
            let q = block.columnCount
            var factor = [Double](repeating: 0, count: q * q)
            if q > 1 {
                x.withUnsafeBufferPointer { xp in
                    factor.withUnsafeMutableBufferPointer { f in
                        _ = CholeskyCorrelationTransform.constrain(xp.baseAddress! + block.correlationOffset, dimension: q,
                                                                   into: f.baseAddress!)
                    }
                }
            } else {
                factor[0] = 1
            }
            return factor
        }
        for (b, block) in blocks.enumerated() where block.columnCount > 1 {
            let q = block.columnCount, factor = factors[b]
            for j in 1..<q {
                for i in 0..<j {
                    var value = 0.0
                    for l in 0...i { value += factor[i * q + l] * factor[j * q + l] }
                    out.append(value)
                }
            }
        }
        for (a, parameter) in auxiliaryParameters.enumerated() where auxiliaryOffset[a] >= 0 {
            let y = x[auxiliaryOffset[a]]
            if parameter.isUnbounded {
                out.append(y)
            } else if parameter.isProbability {
                out.append(1 / (1 + exp(-y)))
            } else {
                out.append(parameter.lowerBound + exp(y))
            }
        }
        for predictor in predictors {
            for term in predictor.terms {
                // The term's columns K … K + q − 1 of its block: r = sd · (L z)[K + k].
                let q = term.columnCount, block = blocks[term.block], factor = factors[term.block]
                let width = block.columnCount, first = term.blockColumn
                var effects = [Double](repeating: 0, count: term.levelCount * q)
                for j in 0..<term.levelCount {
                    for k in 0..<q {
                        let c = first + k
                        var w = 0.0
                        for l in 0...c { w += factor[c * width + l] * x[block.zOffset + j * width + l] }
                        effects[j * q + k] = exp(x[term.sdOffset + k]) * w
                    }
                }
                for k in 0..<q {
                    for j in 0..<term.levelCount { out.append(effects[j * q + k]) }
                }
            }
        }
        return out
    }
}
