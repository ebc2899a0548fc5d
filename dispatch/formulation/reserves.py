"""System spinning-reserve requirements with penalised shortfall.

  Σ_g r_up(t) + Σ_s st_r_up(t) + Σ_d dr_r(t) + short_up(t) ≥ reserve_up_mw(t)   (and the same
  downward, without demand response)
(per-unit headroom and ramp limits are in `ramping`, storage headroom in storage/formulation.py).
"""
import numpy as np


def add(b, a, opts):
    T, G = a.T, a.G
    r_up, r_dn = b.var("r_up"), b.var("r_dn")
    s_up = b.add_var("short_up", (T,), 0.0, a.reserve_up_mw, a.reserve_short_cost)
    s_dn = b.add_var("short_dn", (T,), 0.0, a.reserve_down_mw, a.reserve_short_cost)
    rows = np.repeat(np.arange(T), G)
    N = a.storage.N
    rows_st = np.repeat(np.arange(T), N)
    blocks = (("reserve_up", r_up, "st_r_up", s_up, a.reserve_up_mw),
              ("reserve_down", r_dn, "st_r_dn", s_dn, a.reserve_down_mw))
    for name, r, st_name, s, req in blocks:
        if req.max(initial=0) > 0:
            st_terms = [(rows_st, b.var(st_name).ravel(), 1.0)] if N else []
            D = a.demand.D
            if name == "reserve_up" and D:     # uncalled interruptible load (formulation/demand.py)
                st_terms.append((np.repeat(np.arange(T), D), b.var("dr_r").ravel(), 1.0))
            b.add_rows(name, T, req, np.inf, (rows, r.ravel(), 1.0), (s, 1.0), *st_terms)
