import Foundation

/// The run settings a CmdStan CSV file records in its comment block (CmdStan 2.21's layout, which
/// ArviZ's `from_cmdstan`, cmdstanr/posterior and rstan's `read_stan_csv` parse).
public struct CmdStanRunSettings: Sendable {
    public var modelName: String
    /// 1-based chain id (`id = …`).
    public var chainID: Int
    public var seed: UInt64
    public var sampleCount: Int
    public var warmupCount: Int
    public var saveWarmup: Bool
    public var thin: Int = 1
    /// `nuts` for NUTS; anything else (e.g. `gibbs`) is recorded as the engine name.
    public var engine: String = "nuts"
    public var maxTreeDepth: Int = 10
    public var adaptDelta: Double = 0.8
    public var adaptGamma: Double = 0.05
    public var adaptKappa: Double = 0.75
    public var adaptT0: Double = 10
    public var initBuffer: Int = 75
    public var termBuffer: Int = 50
    public var window: Int = 25
    public var initialStepSize: Double = 1
    /// Radius of the uniform initial values on the unconstrained scale.
    public var initRadius: Double = 2
    public var dataFile: String? = nil
    /// Further `key = value` lines for the comment block (formula, family, priors, …).
    public var extra: [(key: String, value: String)] = []

    public init(modelName: String, chainID: Int, seed: UInt64, sampleCount: Int, warmupCount: Int,
                saveWarmup: Bool = false) {
        self.modelName = modelName
        self.chainID = chainID
        self.seed = seed
        self.sampleCount = sampleCount
        self.warmupCount = warmupCount
        self.saveWarmup = saveWarmup
    }
}

/// Writes one chain as a CmdStan CSV file, draw by draw, from the chain's own thread (one writer
/// per chain, no sharing). Layout: the comment block (settings, seed, chain id, index names of
/// group-level effects), the header (sampler columns, then the parameters in CmdStan's index form,
/// e.g. `r_Subject.1.1`), warm-up rows if saved, the adaptation block (`# Adaptation terminated`,
/// `# Step size = …`, `# Diagonal elements of inverse mass matrix:` and the values), the draws,
/// and the elapsed times.
///
/// The file is written under a temporary name in the same directory (`.chain-1.csv.partial`) and
/// flushed after every row; `finish` (or `finishInterrupted`) renames it to the final name, so an
/// interrupted run never leaves a half-written file under the final name. Numbers are written in
/// the shortest form that reads back to the same double.
public final class CmdStanCSVWriter {
    /// CmdStan's NUTS sampler columns.
    public static let nutsSamplerColumns = ["lp__", "accept_stat__", "stepsize__", "treedepth__",
                                            "n_leapfrog__", "divergent__", "energy__"]

    public let url: URL
    public let temporaryURL: URL
    /// Every CSV column: sampler columns then parameters.
    public let columns: [String]
    private var file: UnsafeMutablePointer<FILE>?
    private var line: [UInt8] = []

    /// Creates the temporary file and writes the comment block and the header. `parameterNames`
    /// are summary names (DESIGN §3); `samplerColumns` come first in each row.
    public init(url: URL, settings: CmdStanRunSettings, parameterNames: [String],
                samplerColumns: [String] = CmdStanCSVWriter.nutsSamplerColumns) throws {
        self.url = url
        temporaryURL = url.deletingLastPathComponent()
            .appendingPathComponent("." + url.lastPathComponent + ".partial")
        let (parameterColumns, indexNames) = CmdStanColumnNames.columns(for: parameterNames)
        columns = samplerColumns + parameterColumns
        guard let handle = fopen(temporaryURL.path, "w") else {
            throw DrawsFileError.unwritable(file: temporaryURL.path, reason: String(cString: strerror(errno)))
        }
        file = handle
        var header = Self.commentBlock(settings, fileName: url.lastPathComponent)
        for index in indexNames { header += "# " + CmdStanColumnNames.comment(index) + "\n" }
        header += columns.joined(separator: ",") + "\n"
        try write(header)
    }

    deinit {
        if let file { fclose(file) }
    }

    static func commentBlock(_ s: CmdStanRunSettings, fileName: String) -> String {
        let nuts = s.engine == "nuts"
        var lines = [
            "stan_version_major = 2", "stan_version_minor = 21", "stan_version_patch = 0",
            "model = \(CmdStanColumnNames.escapeComment(s.modelName))",
            "method = sample (Default)",
            "  sample",
            "    num_samples = \(s.sampleCount)",
            "    num_warmup = \(s.warmupCount)",
            "    save_warmup = \(s.saveWarmup ? 1 : 0)",
            "    thin = \(s.thin)",
            "    adapt",
            "      engaged = \(nuts ? 1 : 0)",
            "      gamma = \(formatNumber(s.adaptGamma))",
            "      delta = \(formatNumber(s.adaptDelta))",
            "      kappa = \(formatNumber(s.adaptKappa))",
            "      t0 = \(formatNumber(s.adaptT0))",
            "      init_buffer = \(s.initBuffer)",
            "      term_buffer = \(s.termBuffer)",
            "      window = \(s.window)",
            "    algorithm = hmc (Default)",
            "      hmc",
            "        engine = \(s.engine)",
        ]
        if nuts { lines += ["          nuts", "            max_depth = \(s.maxTreeDepth)"] }
        lines += [
            "        metric = diag_e (Default)",
            "        stepsize = \(formatNumber(s.initialStepSize))",
            "        stepsize_jitter = 0",
            "id = \(s.chainID)",
            "data",
            "  file = \(CmdStanColumnNames.escapeComment(s.dataFile ?? ""))",
            "init = \(formatNumber(s.initRadius))",
            "random",
            "  seed = \(s.seed)",
            "output",
            "  file = \(CmdStanColumnNames.escapeComment(fileName))",
            "written_by = multilevel (CmdStan 2.21 CSV layout; no Stan program was run)",
        ]
        lines += s.extra.map { "\($0.key) = \(CmdStanColumnNames.escapeComment($0.value))" }
        return lines.map { "# " + $0 + "\n" }.joined()
    }

    private func write(_ text: String) throws {
        guard let file else { throw DrawsFileError.unwritable(file: temporaryURL.path, reason: "writer already finished") }
        let ok = text.utf8CString.withUnsafeBufferPointer { fputs($0.baseAddress!, file) >= 0 }
        guard ok, fflush(file) == 0 else {
            throw DrawsFileError.unwritable(file: temporaryURL.path, reason: String(cString: strerror(errno)))
        }
    }

    /// Writes one row: the sampler columns then the parameters, `columns.count` values.
    public func append(_ values: UnsafeBufferPointer<Double>) throws {
        precondition(values.count == columns.count, "row has \(values.count) values for \(columns.count) columns")
        var text = ""
        text.reserveCapacity(columns.count * 12)
        for (i, v) in values.enumerated() {
            if i > 0 { text += "," }
            text += formatNumber(v)
        }
        text += "\n"
        try write(text)
    }

    /// Array convenience for `append(_:)`.
    public func append(_ values: [Double]) throws {
        try values.withUnsafeBufferPointer { try append($0) }
    }

    /// Writes the adaptation block; call after the warm-up rows and before the first draw.
    public func writeAdaptation(stepSize: Double, inverseMetricDiagonal: [Double]) throws {
        try write("# Adaptation terminated\n# Step size = \(formatNumber(stepSize))\n"
                  + "# Diagonal elements of inverse mass matrix:\n# "
                  + inverseMetricDiagonal.map(formatNumber).joined(separator: ", ") + "\n")
    }

    /// Writes the elapsed times, closes the file and renames it to its final name.
    public func finish(warmupSeconds: Double, samplingSeconds: Double) throws {
        try write(Self.elapsedBlock(warmupSeconds: warmupSeconds, samplingSeconds: samplingSeconds))
        try close()
    }

    /// Records that the run was interrupted (`reason`), closes the file and renames it to its final
    /// name; readers keep its complete draws and warn.
    public func finishInterrupted(reason: String) throws {
        try write("# \n# Interrupted: \(CmdStanColumnNames.escapeComment(reason))\n")
        try close()
    }

    static func elapsedBlock(warmupSeconds: Double, samplingSeconds: Double) -> String {
        func seconds(_ x: Double) -> String { String(format: "%g", x) }
        return "# \n#  Elapsed Time: \(seconds(warmupSeconds)) seconds (Warm-up)\n"
            + "#                \(seconds(samplingSeconds)) seconds (Sampling)\n"
            + "#                \(seconds(warmupSeconds + samplingSeconds)) seconds (Total)\n# \n"
    }

    private func close() throws {
        guard let handle = file else { return }
        file = nil
        guard fclose(handle) == 0 else {
            throw DrawsFileError.unwritable(file: temporaryURL.path, reason: String(cString: strerror(errno)))
        }
        guard rename(temporaryURL.path, url.path) == 0 else {
            throw DrawsFileError.unwritable(file: url.path, reason: "cannot rename from \(temporaryURL.lastPathComponent): "
                                            + String(cString: strerror(errno)))
        }
    }
}

/// The shortest decimal text that reads back to `x` (integers without a fraction: `3`, not `3.0`);
/// `nan`, `inf`, `-inf` as CmdStan writes them.
public func formatNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
