import MultilevelMath
import XCTest

/// The CmdStan CSV header names the row pass that ran (`vector_kernels`), and
/// `MULTILEVEL_KERNELS=portable` selects the portable one, on a model of the shape that has an
/// AVX2 pass (`y ~ x + (1 | g)`, bernoulli).
final class VectorKernelsCLITests: XCTestCase {
    func testHeaderNamesTheKernelsAndTheEnvironmentForcesThePortableOnes() throws {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "kernels")
        var csv = "y,x,g\n"
        var state: UInt64 = 12_345
        for i in 0..<400 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let x = Double(state >> 11) / Double(1 << 53) * 4 - 2
            csv += "\((state >> 7) % 3 == 0 ? 1 : 0),\(x),g\(i % 20)\n"
        }
        let data = directory.appendingPathComponent("bernoulli.csv")
        try csv.write(to: data, atomically: true, encoding: .utf8)
        let native = VectorKernels.processorSupportsAVX2 ? "avx2" : "portable"
        // Empty (not "portable") for the processor's own choice, whatever this process's environment says.
        for (run, (environment, expected)) in [(["MULTILEVEL_KERNELS": ""], native),
                                                (["MULTILEVEL_KERNELS": "portable"], "portable")].enumerated() {
            let output = directory.appendingPathComponent("draws-\(run)").path
            let fit = try CommandLineRunner.run(["fit", "--data", data.path, "--formula", "y ~ x + (1 | g)",
                                                 "--family", "bernoulli", "--chains", "1", "--iter", "100",
                                                 "--seed", "4", "--output", output], environment: environment)
            XCTAssertEqual(fit.status, 0, fit.err)
            let text = try String(contentsOfFile: output + "/chain-1.csv", encoding: .utf8)
            XCTAssertTrue(text.contains("\n# vector_kernels = \(expected)\n"), "\(environment)")
        }
    }
}
