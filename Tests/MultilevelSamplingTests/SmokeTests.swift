import XCTest
@testable import MultilevelSampling

final class SamplingSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
