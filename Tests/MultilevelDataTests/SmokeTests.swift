import XCTest
@testable import MultilevelData

final class DataSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
