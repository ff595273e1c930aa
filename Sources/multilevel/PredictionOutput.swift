import Foundation
import Multilevel

/// `multilevel fit --predict DIR`: writes DIR/predictions.csv (posterior predictive draws y_rep,
/// one row per draw) and DIR/fitted.csv (E(y | θ) per observation with 95% intervals). The
/// replicates use their own generator stream derived from the run's seed, so the same seed gives
/// the same files. Existing files are replaced only with --force.
func writePosteriorPredictions(draws: Draws, design: ModelDesign, family: Family, seed: UInt64,
                               directory path: String, force: Bool) throws -> URL {
    try writePosteriorPredictions(seed: seed, sourceLines: design.sourceLines, directory: path, force: force) { stream in
        try PosteriorPredictive(draws: draws, design: design, family: family, seed: stream)
    }
}

/// `writePosteriorPredictions` with the predictive draws made by `predictive` from the stream's
/// seed (a distributional fit's: each row with its own predicted dpars).
func writePosteriorPredictions(seed: UInt64, sourceLines: [Int], directory path: String, force: Bool,
                               predictive makePredictive: (UInt64) throws -> PosteriorPredictive) throws -> URL {
    let directory = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw UsageError("option --predict: '\(path)' exists and is not a directory") }
    } else {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw UsageError("option --predict: cannot create directory '\(path)': \(error.localizedDescription)")
        }
    }
    let files = ["predictions.csv", "fitted.csv"].map { directory.appendingPathComponent($0) }
    if !force, let existing = files.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
        throw UsageError("option --predict: '\(existing.path)' already exists; give --force to replace it")
    }
    // A stream of its own: the golden-ratio increment keeps it apart from the chains' streams.
    let predictive = try makePredictive(seed &+ 0x9E37_79B9_7F4A_7C15)
    try writeFileAtomically(Data(PosteriorPredictiveCSV.predictions(predictive).utf8), to: files[0])
    try writeFileAtomically(Data(PosteriorPredictiveCSV.fitted(predictive, sourceLines: sourceLines).utf8), to: files[1])
    return directory
}
