import Foundation
import MultilevelMath

extension NUTSSampler {
    /// Stan's initial step-size heuristic (`base_hmc::init_stepsize`; Hoffman & Gelman 2014,
    /// Algorithm 4): from the current point, with a fresh momentum each time, take one leapfrog
    /// step and compare the energy change ΔH = H₀ − H with log 0.8. The direction is fixed by the
    /// first trial (double ε while ΔH > log 0.8, halve while ΔH < log 0.8); stop at the first trial
    /// that crosses. Run at the start of warm-up and after every metric update. Leaves the
    /// current point unchanged.
    /// Returns nil on success, else why no step size could be found.
    @inlinable
    mutating func initializeStepSize(_ w: NUTSWorkspace, rng: inout Xoshiro256PlusPlus) -> String? {
        if stepSize == 0 || stepSize > 1e7 || stepSize.isNaN { return nil }
        let z = w.current
        let start = w.sample          // scratch: `sample` is rewritten by every transition
        start.assign(from: z)
        defer { z.assign(from: start) }
        let logTarget = log(0.8)
        let direction = stepSizeTrial(w, from: start, rng: &rng) > logTarget ? 1 : -1
        while true {
            let deltaH = stepSizeTrial(w, from: start, rng: &rng)
            if direction == 1 && !(deltaH > logTarget) { return nil }
            if direction == -1 && !(deltaH < logTarget) { return nil }
            stepSize = direction == 1 ? stepSize * 2 : stepSize * 0.5
            if stepSize > 1e7 {
                return "the posterior is improper (step size above 1e7); please check the model"
            }
            if stepSize == 0 {
                return "no acceptably small step size could be found; is the posterior continuous?"
            }
        }
    }

    /// One heuristic trial: fresh momentum at `start`, one leapfrog step of the current step size;
    /// returns ΔH = H₀ − H (−∞ when the step left the support).
    @inlinable
    mutating func stepSizeTrial(_ w: NUTSWorkspace, from start: PhaseSpacePoint,
                                rng: inout Xoshiro256PlusPlus) -> Double {
        let z = w.current
        z.assign(from: start)
        w.hamiltonian.sampleMomentum(z, rng: &rng)
        let H0 = w.hamiltonian.energy(z)
        leapfrog(w, z, stepSize: stepSize)
        return H0 - w.hamiltonian.energy(z)
    }
}
