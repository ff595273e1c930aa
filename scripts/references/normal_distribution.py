"""Reference values (at the exact double values of the arguments) for Tests/MultilevelMathTests/NormalDistributionTests.swift: the standard
normal quantile, distribution function, log distribution function and density at 50-digit
precision (mpmath), printed as Swift array literals."""
import mpmath

mpmath.mp.dps = 50
ps = ["1e-300", "1e-100", "1e-20", "1e-10", "1e-5", "0.001", "0.02425", "0.05", "0.075", "0.1586553",
      "0.25", "0.4", "0.5", "0.6", "0.75", "0.8413447", "0.925", "0.95", "0.975", "0.999", "0.99999",
      "0.9999999999"]
xs = ["-40", "-38", "-30", "-10", "-5", "-2.5", "-1", "-0.3", "0", "0.3", "1", "2.5", "5", "8.3", "10"]


def phi_inv(p):
    # Solve log Φ(x) = log p from scipy's double-precision answer.
    from scipy.stats import norm
    start = mpmath.mpf(float(norm.ppf(float(p))))
    if p > 0.5:
        return -phi_inv(1 - p)
    return mpmath.findroot(lambda x: mpmath.log(mpmath.ncdf(x)) - mpmath.log(p), start)


def cdf(x):
    return mpmath.ncdf(x)


print("let quantileReference: [(Double, Double)] = [")
for p in ps:
    print(f"    ({p}, {mpmath.nstr(phi_inv(mpmath.mpf(float(p))), 20)}),")
print("]")
print("let cdfReference: [(x: Double, cdf: Double, logCDF: Double, density: Double)] = [")
for x in xs:
    X = mpmath.mpf(float(x))
    # Values below the double range are printed as 0 (the tests skip them; log Φ is checked).
    def small(v):
        return "0" if v < mpmath.mpf("1e-300") else mpmath.nstr(v, 20)
    print(f"    ({x}, {small(cdf(X))}, {mpmath.nstr(mpmath.log(cdf(X)), 20)}, {small(mpmath.npdf(X))}),")
print("]")
