"""Start-up categories by hours off (hot / warm / cold), after Morales-España et al. 2013.

delta(t, g, s) = 1 when unit g starts in hour t with category s (hottest first); v = Σ_s delta.
Category s < S_g − 1 needs the last shut-down between lag_s and lag_{s+1} − 1 hours ago:
  delta_s(t) ≤ Σ_{i=lag_s..lag_{s+1}−1} w(t − i)
where the initial off period counts as a shut-down at hour −hours_off (so the rule is exact across
window borders); the coldest category has no such row. Cost: startup_cost per delta.
"""
import numpy as np


def add(b, a, opts):
    T, G = a.T, a.G
    S = a.startup_lag_h.shape[1]
    ub = np.broadcast_to((np.arange(S)[None, :] < a.n_startup[:, None])[None], (T, G, S)).astype(float)
    delta = b.add_var("delta", (T, G, S), 0, ub, np.broadcast_to(a.startup_cost[None], (T, G, S)), integer=True)
    v, w = b.var("v"), b.var("w")
    dterms = [(np.repeat(np.arange(T * G), S), delta.ravel(), -1.0)]
    b.add_rows("startup_sum", T * G, 0.0, 0.0, (v.ravel(), 1.0), *dterms)

    t = np.arange(T)[:, None]
    ini = a.initial
    off0 = np.where(ini.on, -10 ** 9, ini.hours)    # virtual shut-down at hour −hours_off
    for s in range(S - 1):
        active = s < a.n_startup - 1                 # (G,) units with a colder category after s
        if not active.any():
            continue
        lo_lag, hi_lag = a.startup_lag_h[:, s], a.startup_lag_h[:, s + 1]
        virtual = (t + off0[None, :] >= lo_lag[None, :]) & (t + off0[None, :] <= hi_lag[None, :] - 1)
        need = active[None, :] & ~virtual             # rows where the category needs a shut-down in-window
        tt, gg = np.nonzero(need)
        m = tt.size
        if m == 0:
            continue
        terms = [(delta[tt, gg, s], 1.0)]
        rows = np.arange(m)
        span = int(min(np.max(hi_lag[gg]) - 1, T - 1))
        for i in range(int(lo_lag[gg].min()), span + 1):
            ok = (i >= lo_lag[gg]) & (i <= hi_lag[gg] - 1) & (tt - i >= 0)
            cols = np.where(ok, w[np.clip(tt - i, 0, None), gg], -1)
            terms.append((rows, cols, -1.0))
        b.add_rows(f"startup_cat{s}", m, -np.inf, 0.0, *terms)
