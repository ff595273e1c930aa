import MultilevelMath

extension NUTSSampler {
    /// Stan's random initialisation (`stan::services::util::initialize`): draw every unconstrained
    /// coordinate uniformly from (−R, R) and keep the first point whose log density and gradient
    /// are finite, trying at most 100 times (once when R = 0, which starts at the origin). A fixed
    /// `initialPosition` is tried once. Leaves the point, its log density and gradient in the
    /// current state.
    public mutating func findInitialPoint(radius: Double, rng: inout Xoshiro256PlusPlus) throws {
        let maximumAttempts = 100
        let chain = chainIndex
        let fixed = initialPosition
        if let fixed, fixed.count != dimension {
            throw SamplerError(chain: chain, message: "initial values have \(fixed.count) entries, the model has \(dimension) parameters")
        }
        let found: Bool = withWorkspace { sampler, w in
            let z = w.current
            let attempts = fixed != nil || radius == 0 ? 1 : maximumAttempts
            for _ in 0..<attempts {
                for i in 0..<sampler.dimension {
                    if let fixed {
                        z.position[i] = fixed[i]
                    } else {
                        z.position[i] = radius == 0 ? 0 : rng.nextUniform(-radius, radius)
                    }
                }
                if w.hamiltonian.evaluate(z, density: &sampler.density) { return true }
                sampler.rejectedPoints += 1
            }
            return false
        }
        if !found {
            if fixed != nil {
                throw SamplerError(chain: chain, message: "the log density or its gradient is not finite at the given initial values")
            }
            let range = radius == 0 ? "at zero" : "between (-\(radius), \(radius)) after \(maximumAttempts) attempts"
            throw SamplerError(chain: chain, message: "initialization \(range) failed: the log density or its gradient is not finite; try a smaller --init or a reparameterised model")
        }
    }
}
