import Foundation

/// Which implementation of the vectorised kernels runs — the Bernoulli and Poisson row passes of
/// the posterior and the Cholesky trailing update of the REML engine: the portable one (SSE2, two
/// doubles at a time, on every x86-64 and arm64 processor) or the AVX2 + FMA one of
/// `MultilevelAVX2` (four at a time), chosen once per process from what the processor and
/// operating system support.
///
/// The two agree to a few units in the last place, not bit for bit, so chains drawn with the same
/// seed on processors with and without AVX2 differ in their last digits (as they already do
/// through glibc's own choice of FMA or SSE2 code for `exp` and `log`), and an optimiser may take
/// a different number of steps to the same optimum. Setting the environment variable
/// `MULTILEVEL_KERNELS=portable` forces the portable kernels, for byte-identical results across
/// such machines.
public enum VectorKernels: String, Sendable {
    case portable
    case avx2

    /// The implementation this process uses.
    public static let selected: VectorKernels = {
        if ProcessInfo.processInfo.environment["MULTILEVEL_KERNELS"] == "portable" { return .portable }
        return processorSupportsAVX2 ? .avx2 : .portable
    }()

    /// Whether the processor has AVX2 and FMA and the operating system saves the 256-bit
    /// registers: on Linux the "flags" line of /proc/cpuinfo (the kernel drops avx2 from it
    /// when it does not enable the AVX state), on macOS the `hw.optional` sysctls.
    public static let processorSupportsAVX2: Bool = {
        #if arch(x86_64)
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }))
        return flags.contains("avx2") && flags.contains("fma")
        #elseif os(macOS)
        func sysctlFlag(_ name: String) -> Bool {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            return sysctlbyname(name, &value, &size, nil, 0) == 0 && value != 0
        }
        return sysctlFlag("hw.optional.avx2_0") && sysctlFlag("hw.optional.fma")
        #else
        return false
        #endif
        #else
        return false
        #endif
    }()
}
