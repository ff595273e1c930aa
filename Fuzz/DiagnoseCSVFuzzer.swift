import Foundation

/// libFuzzer entry point for `diagnose`'s readers of draws files: any bytes must give chains or a
/// `DrawsFileError`, never a trap. The bytes are read as a CmdStan CSV (`CmdStanCSVReader`) and
/// as a posterior draws CSV (`PosteriorDrawsCSVReader`); what reads is merged as two chains and
/// summarised (R-hat, ESS, quantiles, sampler checks) as `multilevel diagnose` would.
@_cdecl("LLVMFuzzerTestOneInput")
public func diagnoseCSVFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let (chain, warnings) = try? CmdStanCSVReader.readChain(bytes: bytes, file: "fuzz.csv"), chain.drawCount > 0,
       chain.variableNames.count <= 64 {
        let merged = CmdStanCSVReader.merge([chain, chain], warnings: warnings)
        _ = summarize(draws: merged.parameters)
        if merged.samplerStatistics.variableCount > 0 {
            _ = SamplerChecks(statistics: merged.samplerStatistics, maxTreeDepths: [chain.maxTreeDepth, chain.maxTreeDepth])
        }
    }
    if let (draws, _) = try? PosteriorDrawsCSVReader.read(bytes: bytes, file: "fuzz.csv"), draws.variableNames.count <= 64 {
        _ = summarize(draws: draws)
    }
    return 0
}
