import XCTest
@testable import MultilevelModels

final class ModelsSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
