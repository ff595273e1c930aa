#!/usr/bin/env python3
"""PSIS-LOO and WAIC reference values from ArviZ (an implementation independent of ours and of
R's loo, following the same papers) for a fixed pointwise log-likelihood matrix.

Writes Tests/MultilevelModelsTests/Fixtures/psis_loo_arviz.json. Run from the repository root:
    python3 scripts/references/psis_loo_arviz.py
"""
import json
import numpy as np
import arviz as az

rng = np.random.default_rng(20240611)
S, n = 1000, 8
# Normal model draws around the data, one observation an outlier (large Pareto k), r_eff = 1.
y = np.array([0.3, -1.2, 0.8, 2.1, -0.4, 1.5, 0.0, 9.0])
mu = rng.normal(0.9, 0.45, size=S)
sigma = np.exp(rng.normal(np.log(1.8), 0.2, size=S))
ll = -0.5 * np.log(2 * np.pi) - np.log(sigma)[:, None] - 0.5 * ((y[None, :] - mu[:, None]) / sigma[:, None]) ** 2

idata = az.from_dict(posterior={"mu": mu[None, :]}, log_likelihood={"y": ll[None, :, :]})
loo = az.loo(idata, pointwise=True, reff=1.0)
waic = az.waic(idata, pointwise=True)
_, k = az.psislw(-ll.T.copy(), reff=1.0)

out = {
    "arviz_version": az.__version__,
    "draws": S, "observations": n,
    "log_likelihood_column_major": ll.T.reshape(-1).tolist(),
    "elpd_loo": float(loo.elpd_loo), "elpd_loo_se": float(loo.se), "p_loo": float(loo.p_loo),
    "pointwise_elpd_loo": [float(v) for v in loo.loo_i.values],
    "pareto_k": [float(v) for v in np.asarray(k)],
    "elpd_waic": float(waic.elpd_waic), "elpd_waic_se": float(waic.se), "p_waic": float(waic.p_waic),
    "pointwise_elpd_waic": [float(v) for v in waic.waic_i.values],
}
with open("Tests/MultilevelModelsTests/Fixtures/psis_loo_arviz.json", "w") as fh:
    json.dump(out, fh, indent=1)
print(out["elpd_loo"], out["p_loo"], out["pareto_k"], out["elpd_waic"], out["p_waic"])
