// The umbrella module: `import Multilevel` gives the whole library, as swift-numerics' `Numerics`.
@_exported import MultilevelMath
@_exported import MultilevelData
@_exported import MultilevelSampling
@_exported import MultilevelModels
@_exported import MultilevelReport
