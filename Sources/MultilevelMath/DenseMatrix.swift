/// A dense matrix of `Double` stored column-major (the LAPACK / R layout): element (i, j) lives at
/// `elements[i + j * rows]`.
///
/// The type is a plain value: copies are cheap until written (copy-on-write through `Array`).
/// Hot loops should reach the storage through `withUnsafeBufferPointer` on `elements`.
public struct DenseMatrix: Equatable, Sendable {
    /// Number of rows.
    public var rows: Int
    /// Number of columns.
    public var columns: Int
    /// Column-major storage, `rows * columns` values.
    public var elements: [Double]

    /// A `rows × columns` matrix filled with `value`.
    @inlinable
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.elements = [Double](repeating: value, count: rows * columns)
    }

    /// A matrix over existing column-major storage.
    @inlinable
    public init(rows: Int, columns: Int, columnMajor elements: [Double]) {
        precondition(elements.count == rows * columns, "storage size does not match dimensions")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix from an array of rows (convenient in tests).
    public init(rowMajor rowArrays: [[Double]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        var storage = [Double](repeating: 0, count: r * c)
        for i in 0..<r {
            precondition(rowArrays[i].count == c, "ragged rows")
            for j in 0..<c { storage[i + j * r] = rowArrays[i][j] }
        }
        self.init(rows: r, columns: c, columnMajor: storage)
    }

    /// The `n × n` identity matrix.
    public static func identity(_ n: Int) -> DenseMatrix {
        var m = DenseMatrix(rows: n, columns: n)
        for i in 0..<n { m.elements[i + i * n] = 1 }
        return m
    }

    /// Element (i, j), zero-based.
    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { elements[i + j * rows] }
        set { elements[i + j * rows] = newValue }
    }

    /// Column `j` as a new array.
    public func column(_ j: Int) -> [Double] {
        Array(elements[(j * rows)..<((j + 1) * rows)])
    }
}
