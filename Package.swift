// swift-tools-version:6.0
import PackageDescription

/// `MultilevelAVX2` holds only kernels compiled for AVX2 and FMA, which the math and models
/// modules call after checking the processor (`VectorKernels`); on other architectures it is
/// compiled plainly and never called.
#if arch(x86_64)
let avx2Settings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"])]
#else
let avx2Settings: [SwiftSetting] = []
#endif

/// Multilevel: Bayesian (NUTS / Gibbs) and frequentist (REML / ML / Laplace) multilevel models
/// from the command line. No third-party dependencies: Foundation, Dispatch and the toolchain's
/// test libraries only. Module dependencies point one way, as in DESIGN.md §1:
/// Math ← Data ← Sampling ← Models ← Report ← Multilevel (umbrella) ← multilevel (CLI).
let package = Package(
    name: "Multilevel",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Multilevel", targets: ["Multilevel"]),
        .executable(name: "multilevel", targets: ["multilevel"]),
    ],
    targets: [
        .target(name: "MultilevelAVX2", swiftSettings: avx2Settings),
        .target(name: "MultilevelMath", dependencies: ["MultilevelAVX2"]),
        .target(name: "MultilevelData", dependencies: ["MultilevelMath"]),
        .target(name: "MultilevelSampling", dependencies: ["MultilevelMath", "MultilevelData"]),
        .target(name: "MultilevelModels",
                dependencies: ["MultilevelMath", "MultilevelData", "MultilevelSampling", "MultilevelAVX2"]),
        .target(name: "MultilevelReport",
                dependencies: ["MultilevelMath", "MultilevelData", "MultilevelSampling", "MultilevelModels"]),
        .target(name: "Multilevel",
                dependencies: ["MultilevelMath", "MultilevelData", "MultilevelSampling",
                               "MultilevelModels", "MultilevelReport"]),
        .executableTarget(name: "multilevel", dependencies: ["Multilevel"]),
        .executableTarget(name: "multilevel-bench", dependencies: ["Multilevel"],
                          path: "Benchmarks/MultilevelBench"),
        .testTarget(name: "MultilevelMathTests", dependencies: ["MultilevelMath"]),
        .testTarget(name: "MultilevelDataTests", dependencies: ["MultilevelData"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "MultilevelSamplingTests", dependencies: ["MultilevelSampling"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "MultilevelModelsTests", dependencies: ["MultilevelModels", "MultilevelData", "MultilevelAVX2", "Multilevel"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "MultilevelCLITests", dependencies: ["MultilevelData", "MultilevelMath"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "MultilevelReportTests", dependencies: ["MultilevelReport"],
                    resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v5]
)
