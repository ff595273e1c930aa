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
