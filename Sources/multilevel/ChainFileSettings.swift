import Multilevel

extension CmdStanRunSettings {
    /// The run settings a chain file's CmdStan header records for chain `chain` (0-based) of a run
    /// with sampler `settings`: identity (model, chain id, seed), draws, warm-up, tree depth,
    /// adaptation target and initialisation radius from the settings, the data file, and the
    /// project's extra key/value lines (formula, family, run id, …).
    init(modelName: String, chain: Int, settings: SamplerSettings, dataFile: String, extra: [(key: String, value: String)]) {
        self.init(modelName: modelName, chainID: chain + 1, seed: settings.seed, sampleCount: settings.samplingIterations,
                  warmupCount: settings.warmup, saveWarmup: settings.saveWarmup)
        maxTreeDepth = settings.maxTreeDepth
        adaptDelta = settings.adaptDelta
        initRadius = settings.initRadius
        self.dataFile = dataFile
        self.extra = extra
    }
}
