import Foundation

/// libFuzzer entry point for the model-file parser: any text must give a `ModelSpecification` or a
/// `ModelFileError`, never trap; a file that parses is validated and its formula parsed (as brms'
/// `bf()` when it is one).
@_cdecl("LLVMFuzzerTestOneInput")
public func modelFileFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let specification = try? ModelSpecification.parse(text, fileName: "fuzz.model") else { return 0 }
    try? specification.validate()
    if let formula = specification.formula {
        if DistributionalFormula.isBrmsFormulaCall(formula.value) {
            _ = try? DistributionalFormula.parse(formula.value)
        } else {
            _ = try? Formula.parse(formula.value)
        }
    }
    return 0
}
