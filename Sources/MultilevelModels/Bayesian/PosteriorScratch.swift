/// Scratch memory of a log-density evaluation, owned by one chain: `GLMMPosterior` is a value
/// type and each chain works on its own copy, which clones the buffer on its first evaluation
/// (`isKnownUniquelyReferenced`); after that an evaluation neither allocates nor retains.
final class PosteriorScratch {
    let pointer: UnsafeMutablePointer<Double>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    deinit {
        pointer.deinitialize(count: max(1, count))
        pointer.deallocate()
    }

    /// A fresh buffer of the same size.
    func clone() -> PosteriorScratch { PosteriorScratch(count: count) }
}
