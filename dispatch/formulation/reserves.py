"""System spinning-reserve requirements with penalised shortfall.

  Σ_g r_up(t) + short_up(t) ≥ reserve_up_mw(t);  Σ_g r_dn(t) + short_dn(t) ≥ reserve_down_mw(t)
(per-unit headroom and ramp limits are in `ramping`).
"""
import numpy as np


def add(b, a, opts):
    T, G = a.T, a.G
    r_up, r_dn = b.var("r_up"), b.var("r_dn")
    s_up = b.add_var("short_up", (T,), 0.0, a.reserve_up_mw, a.reserve_short_cost)
    s_dn = b.add_var("short_dn", (T,), 0.0, a.reserve_down_mw, a.reserve_short_cost)
    rows = np.repeat(np.arange(T), G)
    for name, r, s, req in (("reserve_up", r_up, s_up, a.reserve_up_mw), ("reserve_down", r_dn, s_dn, a.reserve_down_mw)):
        if req.max(initial=0) > 0:
            b.add_rows(name, T, req, np.inf, (rows, r.ravel(), 1.0), (s, 1.0))
