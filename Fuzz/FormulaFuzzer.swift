import Foundation

/// A small table with numeric, factor, count and missing columns for formulas to refer to.
private let fuzzTable: DataTable? = try? DataTable(csv: """
y,x,z,g,h,n,k,f
1.5,0,2,a,u,5,1,p
2.5,1,NA,a,v,5,2,q
0.5,2,1,b,u,6,3,p
3.5,3,4,b,v,6,6,r
2.0,1,3,c,u,4,0,q
1.0,0,5,c,v,4,4,r
""", fileName: "fuzz.csv")

/// libFuzzer entry point for the formula parser: any text must parse to a `Formula` or throw a
/// `FormulaError`, never trap (brms' `bf()` calls included); a formula that parses is built into a
/// design against `fuzzTable`.
@_cdecl("LLVMFuzzerTestOneInput")
public func formulaFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // brms' bf(y ~ …, dpar ~ …): every formula it holds is built like a plain one.
    if DistributionalFormula.isBrmsFormulaCall(text), let table = fuzzTable {
        if let parsed = try? DistributionalFormula.parse(text) {
            for formula in [parsed.mean] + parsed.parameters.map(\.formula) {
                _ = try? ModelDesign.build(formula: formula, table: table, factors: ["x"])
            }
        }
        return 0
    }
    guard let formula = try? Formula.parse(text), let table = fuzzTable else { return 0 }
    _ = try? ModelDesign.build(formula: formula, table: table, factors: ["x"])
    // Contrasts, a reference level, and X rebuilt for the same rows as new data.
    let options = DesignOptions(factors: ["k"], contrasts: ["g": .sum, "f": .polynomial], defaultContrast: .helmert,
                                references: ["h": "v"])
    if let design = try? ModelDesign.build(formula: formula, table: table, options: options) {
        _ = try? design.recipe?.fixedEffects(newData: table)
        _ = try? design.recipe?.offset(newData: table)
    }
    return 0
}
