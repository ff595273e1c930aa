extension Reference {
    /// Incomplete-beta and Student-t reference rows whose two tails both exceed e^floor are used.
    /// The current reference file formed the smaller tail by subtraction at 40 digits where it
    /// could not sum it directly, so tails below ~1e-20 are not trustworthy there (see
    /// scripts/references/special_functions.py, whose fixed version sums each tail directly).
    static let trustedLogFloor = -40.0
}
