import XCTest
@testable import MultilevelModels

/// The tail selection of PSIS gives the same indices, in the same order, as the last entries of a
/// stable ascending sort of the indices by value — ties, infinities and tiny inputs included — so
/// smoothing by selection is the smoothing of a full sort.
final class ParetoTailSelectionTests: XCTestCase {
    private func reference(_ count: Int, _ values: [Double]) -> [Int] {
        Array(values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }.suffix(count))
    }

    func testSelectionEqualsStableSortTail() {
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<300 {
            let n = 1 + trial % 97 * 7
            let ties = trial % 3 == 0
            var values = (0..<n).map { _ -> Double in
                ties ? Double(Int.random(in: 0..<5, using: &generator)) : Double.random(in: -50...0, using: &generator)
            }
            if trial % 5 == 0 && n > 2 { values[0] = -.infinity; values[n - 1] = 0 }
            for count in Set([1, min(n, 6), max(1, n / 5), n]) {
                XCTAssertEqual(ParetoSmoothedImportanceSampling.largest(count, of: values), reference(count, values),
                               "n = \(n), count = \(count)")
            }
        }
    }
}
