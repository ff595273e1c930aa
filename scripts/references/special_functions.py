#!/usr/bin/env python3
"""Reference values for MultilevelMath's special functions and distributions, computed with
mpmath at 40 significant digits. Writes Tests/MultilevelMathTests/SpecialFunctionReferenceValues.swift.

Run from the repository root: python3 scripts/references/special_functions.py
"""
import sys
import mpmath as mp

mp.mp.dps = 40
out = []

def f(v):
    if isinstance(v, mp.mpc):
        raise ValueError(repr(v) + " in " + CURRENT)
    v = mp.mpf(v)
    if mp.isinf(v):
        return "Double.infinity" if v > 0 else "-Double.infinity"
    return mp.nstr(v, 20, min_fixed=-4, max_fixed=4).replace("e+", "e")

CURRENT = ""
def table(name, fields, rows):
    global CURRENT
    CURRENT = name + repr(rows[:0])
    out.append(f"    /// {name}: ({', '.join(fields)})")
    out.append(f"    static let {name}: [({', '.join(k + ': Double' for k in fields)})] = [")
    for r in rows:
        out.append("        (" + ", ".join(f"{k}: {f(v)}" for k, v in zip(fields, r)) + "),")
    out.append("    ]")

def D(x):  # the double nearest a decimal, as mpmath value
    return mp.mpf(float(x))

# log-gamma
xs = [1e-10, 1e-3, 0.1, 0.5, 0.9999999, 1.0000001, 1.5, 1.9999999, 2.0000001, 2.5, 3.7, 10, 33.3, 170.5,
      1e4, 1e8, 1e15, -0.5, -1.5, -2.3, -10.7]
import sys, time; print("table logGamma", time.process_time(), file=sys.stderr, flush=True)
table("logGamma", ["x", "value"], [(D(x), mp.log(abs(mp.gamma(D(x))))) for x in xs])
xs = [-0.19, -0.1, -1e-3, -1e-9, 1e-12, 1e-6, 1e-3, 0.05, 0.15, 0.19, 0.5, 3]
import sys, time; print("table logGamma1p", time.process_time(), file=sys.stderr, flush=True)
table("logGamma1p", ["x", "value"], [(D(x), mp.log(mp.gamma(1 + D(x)))) for x in xs])
pairs = [(0.5, 0.5), (1e-3, 2), (2, 3), (0.3, 50), (5, 1e4), (12, 13), (100, 1e6), (1e5, 1e5), (1e7, 3),
         (0.5, 1e8), (30, 31.5)]
import sys, time; print("table logBeta", time.process_time(), file=sys.stderr, flush=True)
table("logBeta", ["a", "b", "value"], [(D(a), D(b), mp.log(mp.beta(D(a), D(b)))) for a, b in pairs])
xs = [1e-8, 0.01, 0.3, 1, 1.2617, 1.4, 1.46, 1.4616321449683622, 1.4616322, 1.5, 1.66, 2, 3.5, 9.99, 10, 55.5,
      1e6, 1e12, -0.5, -1.3, -2.75, -10.1]
import sys, time; print("table digamma", time.process_time(), file=sys.stderr, flush=True)
table("digamma", ["x", "value"], [(D(x), mp.digamma(D(x))) for x in xs])
xs = [1e-8, 0.01, 0.3, 1, 1.5, 2, 3.5, 9.99, 10, 55.5, 1e6, 1e12, -0.5, -1.3, -2.75]
import sys, time; print("table trigamma", time.process_time(), file=sys.stderr, flush=True)
table("trigamma", ["x", "value"], [(D(x), mp.psi(1, D(x))) for x in xs])
xs = [-0.99, -0.6, -0.49, -0.1, -1e-3, -1e-9, 1e-9, 1e-4, 0.05, 0.3, 0.49, 0.51, 2, 100]
import sys, time; print("table log1pmx", time.process_time(), file=sys.stderr, flush=True)
table("log1pmx", ["t", "value"], [(D(t), mp.log1p(D(t)) - D(t)) for t in xs])
xs = [-800, -40, -36.9, -5, -1e-3, 0, 1e-3, 2, 17.9, 18.1, 33, 34, 800]
import sys, time; print("table log1pexp", time.process_time(), file=sys.stderr, flush=True)
table("log1pexp", ["x", "value"], [(D(x), mp.log(1 + mp.exp(D(x)))) for x in xs])
xs = [-800, -40, -5, -0.7, -0.69, -1e-3, -1e-12]
import sys, time; print("table log1mexp", time.process_time(), file=sys.stderr, flush=True)
table("log1mexp", ["x", "value"], [(D(x), mp.log(1 - mp.exp(D(x)))) for x in xs])

# Incomplete gamma: log P and log Q. (mpmath's gammainc(a, 0, x) recurses forever for some
# arguments, so P comes from the Kummer series P = x^a e^-x / Gamma(a+1) 1F1(1; a+1; x).)
def gamma_pq(a, x):
    if x < a:
        P = mp.exp(a * mp.log(x) - x - mp.loggamma(a + 1)) * mp.hyp1f1(1, a + 1, x, maxterms=10**7)
        return P, 1 - P
    Q = mp.re(mp.gammainc(a, x, regularized=True))
    return 1 - Q, Q
rows = []
for a in [1e-3, 0.01, 0.1, 0.5, 1, 2.5, 10, 50, 100, 1000, 1e4, 1e5]:
    for m in [1e-3, 0.1, 0.5, 0.9, 0.99, 1, 1.01, 1.1, 2, 5, 10]:
        x = D(a * m) if a >= 1 else D(m * 3)
        for xx in ([x] if a >= 1 else [x, D(m * 1e-3 * a)]):
            P, Q = gamma_pq(D(a), xx)
            if P > 0 and Q > 0 and mp.log(P) > -700 and mp.log(Q) > -700:
                rows.append((D(a), xx, mp.log(P), mp.log(Q)))
    if a >= 10:
        s = mp.sqrt(a)
        for k in [-8, -3, -1, -0.3, 0.3, 1, 3, 8]:
            xx = D(a + k * s)
            if xx <= 0: continue
            P, Q = gamma_pq(D(a), xx)
            rows.append((D(a), xx, mp.log(P), mp.log(Q)))
for r in rows:
    if any(isinstance(v, mp.mpc) for v in r): print("COMPLEX", r)
rows = [tuple(mp.re(v) for v in r) for r in rows]
import sys, time; print("table incompleteGamma", time.process_time(), file=sys.stderr, flush=True)
table("incompleteGamma", ["a", "x", "logP", "logQ"], rows)

# Incomplete beta: log I and log(1 - I), from the Gauss series
# I_x(a, b) = x^a y^b / (a B(a, b)) 2F1(a + b, 1; a + 1; x) (positive terms; no cancellation).
def beta_lower(a, b, x):
    y = 1 - x
    term, total, n = mp.mpf(1), mp.mpf(1), 0
    while term > total * mp.eps / 100:
        term *= (a + b + n) * x / (a + 1 + n)
        total += term
        n += 1
    return mp.exp(a * mp.log(x) + b * mp.log(y) - mp.log(a) - mp.log(mp.beta(a, b))) * total

def series_terms(p, q, z):
    """Terms the Gauss series for I_z(p, q) needs: its growth phase plus a geometric tail."""
    if z >= 1:
        return mp.inf
    return max(0, ((p + q) * z - p - 1) / (1 - z)) + 120 / (1 - z)

def beta_ic(a, b, x):
    # I and 1 - I: the side whose Gauss series is shorter is summed directly (all terms positive;
    # in either tail that is the small side, so tails far below 1e-20 keep every digit), the other
    # is 1 minus it, recomputed with more digits until at least 30 survive the subtraction.
    x = mp.mpf(x)
    y = 1 - x
    lower_first = series_terms(a, b, x) <= series_terms(b, a, y)
    digits = mp.mp.dps
    while True:
        with mp.workdps(digits):
            direct = beta_lower(a, b, x) if lower_first else beta_lower(b, a, y)
            other = 1 - direct
            lost = int(-mp.log10(other)) + 1 if other > 0 else digits
        if digits - lost >= 30:
            break
        if digits > 2000:
            raise ValueError("incomplete beta (%s, %s, %s): complement below 1e-1900" % (a, b, x))
        digits += lost + 10
    return (direct, other) if lower_first else (other, direct)

rows = []
shapes = [0.05, 0.5, 1, 2.5, 10, 100, 1000, 1e5]
for a in shapes:
    for b in shapes:
        m = a / (a + b)
        sd = mp.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        cand = set([1e-3, 0.3, 0.5, 0.97])
        for k in [-6, -2, -0.5, 0.5, 2, 6]:
            v = float(m + k * sd)
            if 0 < v < 1:
                cand.add(v)
        for x in sorted(cand):
            xx = D(x)
            I, C = beta_ic(D(a), D(b), xx)
            if I > 0 and C > 0 and mp.log(I) > -700 and mp.log(C) > -700:
                rows.append((D(a), D(b), xx, mp.log(I), mp.log(C)))
import sys, time; print("table incompleteBeta", time.process_time(), file=sys.stderr, flush=True)
table("incompleteBeta", ["a", "b", "x", "logI", "logComplement"], rows)

# Student-t: cdf via the exact integral (mpmath quad of the density) is slow; use the beta relation
# in high precision, which is exact in mpmath's arithmetic.
def t_cdf(t, nu):
    t = mp.mpf(t); nu = mp.mpf(nu)
    if t == 0:
        return mp.mpf(1) / 2
    if 4 * t * t < nu and nu <= 100:  # 1/2 + t c 2F1(1/2, (nu+1)/2; 3/2; -t^2/nu), no cancellation for |t| < sqrt(nu)/2
        c = mp.exp(mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2)) / mp.sqrt(mp.pi * nu)
        return mp.mpf(1) / 2 + t * c * mp.hyp2f1(mp.mpf(1) / 2, (nu + 1) / 2, mp.mpf(3) / 2, -t * t / nu)
    x = nu / (nu + t * t)
    tail = beta_ic(nu / 2, mp.mpf(1) / 2, x)[0] / 2
    return tail if t < 0 else 1 - tail

rows = []
for nu in [0.3, 1, 2.5, 3, 10, 30.5, 1e3, 1e6]:
    for t in [-1e6, -30, -3, -1, -1e-3, 0, 1e-6, 0.5, 2, 8, 300]:
        c = t_cdf(D(t), D(nu))
        dens = mp.gamma((D(nu) + 1) / 2) / (mp.sqrt(D(nu) * mp.pi) * mp.gamma(D(nu) / 2)) * (1 + D(t) ** 2 / D(nu)) ** (-(D(nu) + 1) / 2)
        s_ = t_cdf(-D(t), D(nu))
        if not (c > mp.mpf(10) ** -300 and s_ > mp.mpf(10) ** -300):
            continue  # beyond the reference's precision loop; covered by the asymptotic tests
        rows.append((D(nu), D(t), mp.log(c), mp.log(s_), mp.log(dens)))
import sys, time; print("table studentT", time.process_time(), file=sys.stderr, flush=True)
table("studentT", ["nu", "t", "logCDF", "logCCDF", "logDensity"], rows)

rows = []
from scipy import stats
for nu in [0.5, 1, 2, 3, 4.5, 10, 29, 1e3, 1e5]:
    for p in [1e-300, 1e-10, 0.001, 0.025, 0.3, 0.5000001, 0.9, 0.975, 0.995]:
        P = mp.mpf(p)
        start = float(stats.t.ppf(p, nu))
        if not abs(start) < 1e300:
            continue
        n = D(nu)
        def dens(t):
            return mp.exp(mp.loggamma((n + 1) / 2) - mp.loggamma(n / 2) - mp.log(n * mp.pi) / 2
                          - (n + 1) / 2 * mp.log(1 + t * t / n))
        t = mp.mpf(start)
        for _ in range(60):  # Newton on log cdf in 40-digit arithmetic
            c = t_cdf(t, n)
            step = (mp.log(c) - mp.log(P)) * c / dens(t)
            t -= step
            if abs(step) < abs(t) * mp.mpf(10) ** -32:
                break
        if not abs(t_cdf(t, n) / P - 1) < mp.mpf(10) ** -25 or not abs(t) < 1e300:
            print("skipped quantile", nu, p, file=sys.stderr)
            continue
        rows.append((n, P, t))
import sys, time; print("table studentTQuantile", time.process_time(), file=sys.stderr, flush=True)
table("studentTQuantile", ["nu", "p", "quantile"], rows)

print("\n".join(out[:3]))
with open("Tests/MultilevelMathTests/SpecialFunctionReferenceValues.swift", "w") as fh:
    fh.write("// Generated by scripts/references/special_functions.py (mpmath %s, 40 digits). Do not edit.\n\n" % mp.__version__)
    fh.write("enum Reference {\n" + "\n".join(out) + "\n}\n")
