import Foundation
import MultilevelMath
import MultilevelSampling
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Counts heap allocations made on the testing thread through the Swift runtime hook
/// `_swift_allocObject` (the entry point of every Swift heap object: array and dictionary buffers,
/// class instances, boxes, escaping closure contexts). The runtime calls through the hook only
/// while `_swift_enableSwizzlingOfAllocationAndRefCountingFunctions_forInstrumentsOnly` is set
/// (the mechanism Instruments uses), so the counting is switched on for the measured block only.
enum SwiftAllocationCounter {
    typealias AllocObject = @convention(c) (UnsafeRawPointer?, Int, Int) -> UnsafeMutableRawPointer?

    nonisolated(unsafe) static var original: AllocObject?
    nonisolated(unsafe) static var count = 0
    nonisolated(unsafe) static var thread: pthread_t = pthread_self()

    /// Allocations made on the calling thread while `body` runs, or nil when the runtime does not
    /// export the hook.
    static func allocations(during body: () throws -> Void) rethrows -> Int? {
        guard let handle = dlopen(nil, RTLD_NOW),
              let hookAddress = dlsym(handle, "_swift_allocObject"),
              let flagAddress = dlsym(handle, "_swift_enableSwizzlingOfAllocationAndRefCountingFunctions_forInstrumentsOnly")
        else { return nil }
        let hook = hookAddress.assumingMemoryBound(to: AllocObject?.self)
        let flag = flagAddress.assumingMemoryBound(to: UInt8.self)
        original = hook.pointee
        count = 0
        thread = pthread_self()
        hook.pointee = { metadata, size, alignment in
            if pthread_equal(pthread_self(), SwiftAllocationCounter.thread) != 0 { SwiftAllocationCounter.count += 1 }
            return SwiftAllocationCounter.original!(metadata, size, alignment)
        }
        flag.pointee = 1
        defer {
            flag.pointee = 0
            hook.pointee = original
        }
        try body()
        return count
    }
}

/// glibc's `mallinfo2()` bytes in use (`uordblks`), or nil where it cannot be called. Glibc's
/// Swift module map leaves out <malloc.h>, so the function is looked up with `dlsym`; it returns
/// a 10-word struct, which the x86-64 System V ABI returns through a hidden pointer passed in the
/// first argument register, so it is called as a function taking that pointer.
func mallocBytesInUse() -> Int? {
    #if arch(x86_64) && os(Linux)
    typealias Mallinfo2 = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallinfo2") else { return nil }
    let function = unsafeBitCast(symbol, to: Mallinfo2.self)
    var fields = [Int](repeating: 0, count: 10)   // arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost
    fields.withUnsafeMutableBytes { _ = function($0.baseAddress!) }
    return fields[7]
    #else
    return nil
    #endif
}

/// No allocation inside a transition (leapfrog steps, tree building, adaptation): every buffer is
/// preallocated in the sampler's workspace. Shown two ways around 500 transitions after 1000
/// adapting ones: (1) the Swift runtime's allocation hook counts zero object allocations on the
/// sampling thread; (2) glibc's `mallinfo2()` reports no growth of the bytes in use in at least
/// one of up to three such blocks (this also covers raw `malloc`, though not an allocation freed
/// again within the block).
final class AllocationTests: XCTestCase {
    func testTransitionsDoNotAllocate() throws {
        var sampler = NUTSSampler(density: EightSchoolsNonCentred(standardErrors: [15, 10, 16, 11, 9, 11, 10, 18],
                                                                  observations: [28, 8, -3, 7, -1, 1, 18, 12]))
        var rng = Xoshiro256PlusPlus(seed: 5)
        try sampler.initialize(settings: SamplerSettings(iterations: 1500, warmup: 1000), chain: 0, rng: &rng)
        var leapfrogs = 0
        for _ in 0..<1000 { _ = try sampler.transition(adapt: true, rng: &rng) }
        _ = sampler.finishWarmup()
        _ = try sampler.transition(adapt: false, rng: &rng)

        // `mallinfo2()` counts every thread's bytes, and a thread left over from another test (a
        // Dispatch worker, XCTest's own) may allocate a few bytes while this block runs. A leak in
        // a transition grows the heap in every block, so of three blocks of 500 transitions one
        // must show no growth at all; the thread-local Swift counter must read zero in every one.
        var growths: [Int] = []
        for _ in 0..<3 {
            let before = mallocBytesInUse()
            let count = try SwiftAllocationCounter.allocations {
                for _ in 0..<500 { leapfrogs += try sampler.transition(adapt: false, rng: &rng).leapfrogSteps }
            }
            let after = mallocBytesInUse()
            if let before, let after { growths.append(after - before) }
            let counted = try XCTUnwrap(count, "the Swift runtime does not export _swift_allocObject")
            XCTAssertEqual(counted, 0, "Swift heap allocations during 500 transitions")
            if growths.last == 0 { break }
        }
        XCTAssertGreaterThan(leapfrogs, 1000)
        if !growths.isEmpty {
            XCTAssertTrue(growths.contains(0), "bytes in use grew in every block of 500 transitions: \(growths)")
        }

        // Warm-up transitions (dual averaging, metric windows, step-size heuristic) allocate nothing
        // either.
        var warm = NUTSSampler(density: IndependentNormal(dimension: 20))
        try warm.initialize(settings: SamplerSettings(iterations: 1500, warmup: 1000), chain: 0, rng: &rng)
        let warmupCount = try SwiftAllocationCounter.allocations {
            for _ in 0..<1000 { _ = try warm.transition(adapt: true, rng: &rng) }
        }
        XCTAssertEqual(warmupCount, 0, "Swift heap allocations during warm-up")
    }

    /// The counter itself works: an array allocation inside the block is seen.
    func testCounterDetectsAllocation() throws {
        var sink = 0
        let count = try XCTUnwrap(SwiftAllocationCounter.allocations {
            let array = [Int](repeating: 1, count: Int.random(in: 10...20))
            sink += array.count
        })
        XCTAssertGreaterThanOrEqual(count, 1)
        XCTAssertGreaterThan(sink, 0)
    }
}
