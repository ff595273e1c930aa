import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

// Thin, inlinable wrappers over the C library so that code in other modules and generic hot loops
// can call them without importing Foundation.

@inlinable public func _logMath(_ x: Double) -> Double { log(x) }
@inlinable public func _cosMath(_ x: Double) -> Double { cos(x) }

/// log(1 + t) − t, accurate also for small |t| where the difference cancels.
///
/// For |t| < 0.5 it uses v = t/(2 + t): log(1 + t) − t = −t·v + 2v Σ_{j≥1} v²ʲ/(2j + 1)
/// (the series of Loader's `bd0`, 2000, *Fast and accurate computation of binomial
/// probabilities*), whose leading term carries no cancellation; elsewhere the direct formula.
/// Returns NaN for t < −1 and −∞ at t = −1.
public func log1pmx(_ t: Double) -> Double {
    guard abs(t) < 0.5 else { return log1p(t) - t }
    let v = t / (2 + t)
    let v2 = v * v
    var power = v2
    var sum = 0.0
    var j = 1.0
    while true {
        let term = power / (2 * j + 1)
        sum += term
        if term <= sum * 1e-17 { break }
        power *= v2
        j += 1
    }
    return -t * v + 2 * v * sum
}
