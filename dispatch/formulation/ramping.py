"""Capacity with reserves, start-up/shut-down limits and hourly ramps (on output above p_min).

  p + r_up ≤ (Pmax − Pmin)·u − max(Pmax − SU, 0)·v − max(Pmax − SD, 0)·w(t+1)   (min up ≥ 2 h)
  p + r_up ≤ (Pmax − Pmin)·u − max(Pmax − SU, 0)·v,
  p + r_up ≤ (Pmax − Pmin)·u − max(Pmax − SD, 0)·w(t+1)                          (min up = 1 h)
  p − r_dn ≥ 0
  p(t) + r_up(t) − p(t−1) ≤ RU,  p(t−1) − p(t) + r_dn(t) ≤ RD   (p(−1) = initial output above p_min)
"""
import numpy as np


def add(b, a, opts):
    T, G = a.T, a.G
    u, v, w, p = b.var("u"), b.var("v"), b.var("w"), b.var("p")
    r_up_ub = np.broadcast_to(np.where(a.reserve_eligible, a.p_max_mw - a.p_min_mw, 0.0), (T, G))
    any_up, any_dn = a.reserve_up_mw.max(initial=0) > 0, a.reserve_down_mw.max(initial=0) > 0
    r_up = b.add_var("r_up", (T, G), 0.0, r_up_ub if any_up else 0.0)
    r_dn = b.add_var("r_dn", (T, G), 0.0, r_up_ub if any_dn else 0.0)
    span = a.p_max_mw - a.p_min_mw
    su = np.maximum(a.p_max_mw - a.startup_ramp_mw_per_h, 0.0)
    sd = np.maximum(a.p_max_mw - a.shutdown_ramp_mw_per_h, 0.0)
    n = T * G
    # Units with min up >= 2 h cannot start in t and stop in t+1, so one row bounds both limits
    # (Morales-España et al. 2013, tighter than the two rows of FORMULATION.md); units with
    # min up = 1 h get the two separate rows. The last hour has no w(t+1).
    two = a.min_up_h >= 2
    tt, gg = np.nonzero(np.broadcast_to(two, (T, G)))
    last = tt == T - 1
    nxt = np.where(last, -1, w[np.minimum(tt + 1, T - 1), gg])
    b.add_rows("cap_start_stop", tt.size, -np.inf, 0.0, (p[tt, gg], 1.0), (r_up[tt, gg], 1.0),
               (u[tt, gg], -span[gg]), (v[tt, gg], su[gg]), (nxt, sd[gg]))
    tt, gg = np.nonzero(np.broadcast_to(~two, (T, G)))
    b.add_rows("cap_startup", tt.size, -np.inf, 0.0, (p[tt, gg], 1.0), (r_up[tt, gg], 1.0),
               (u[tt, gg], -span[gg]), (v[tt, gg], su[gg]))
    keep = tt < T - 1
    tt, gg = tt[keep], gg[keep]
    b.add_rows("cap_shutdown", tt.size, -np.inf, 0.0, (p[tt, gg], 1.0), (r_up[tt, gg], 1.0),
               (u[tt, gg], -span[gg]), (w[tt + 1, gg], sd[gg]))
    b.add_rows("floor_down_reserve", n, 0.0, np.inf, (p, 1.0), (r_dn, -1.0))
    # ramp rows only where a ramp limit is below the unit's range (otherwise they are implied)
    q0 = np.where(a.initial.on, a.initial.p_mw - a.p_min_mw, 0.0)
    for name, lim, sign in (("ramp_up", a.ramp_up_mw_per_h, 1.0), ("ramp_down", a.ramp_down_mw_per_h, -1.0)):
        rhs = np.broadcast_to(lim, (T, G)).copy()
        rhs[0] += sign * q0
        tt, gg = np.nonzero(np.broadcast_to(lim < span, (T, G)) | (rhs < span[None, :]))
        prev = np.where(tt > 0, p[np.maximum(tt - 1, 0), gg], -1)
        if sign > 0:   # p(t) + r_up(t) − p(t−1) ≤ RU
            b.add_rows(name, tt.size, -np.inf, rhs[tt, gg], (p[tt, gg], 1.0), (r_up[tt, gg], 1.0), (prev, -1.0))
        else:          # p(t−1) − p(t) + r_dn(t) ≤ RD
            b.add_rows(name, tt.size, -np.inf, rhs[tt, gg], (prev, 1.0), (p[tt, gg], -1.0), (r_dn[tt, gg], 1.0))
