"""Capacity with reserves, start-up/shut-down limits and hourly ramps (on output above p_min).

  p + r_up ≤ (Pmax − Pmin)·u − max(Pmax − SU, 0)·v
  p + r_up ≤ (Pmax − Pmin)·u − max(Pmax − SD, 0)·w(t+1)        (t < T−1)
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
    b.add_rows("cap_startup", n, -np.inf, 0.0, (p, 1.0), (r_up, 1.0),
               (u, -np.broadcast_to(span, (T, G))), (v, np.broadcast_to(su, (T, G))))
    if T > 1:
        m = (T - 1) * G
        b.add_rows("cap_shutdown", m, -np.inf, 0.0, (p[:-1], 1.0), (r_up[:-1], 1.0),
                   (u[:-1], -np.broadcast_to(span, (T - 1, G))), (w[1:], np.broadcast_to(sd, (T - 1, G))))
    b.add_rows("floor_down_reserve", n, 0.0, np.inf, (p, 1.0), (r_dn, -1.0))
    q0 = np.where(a.initial.on, a.initial.p_mw - a.p_min_mw, 0.0)
    prev = np.full((T, G), -1)
    prev[1:] = p[:-1]
    up_rhs = np.broadcast_to(a.ramp_up_mw_per_h, (T, G)).copy()
    dn_rhs = np.broadcast_to(a.ramp_down_mw_per_h, (T, G)).copy()
    up_rhs[0] += q0
    dn_rhs[0] -= q0
    b.add_rows("ramp_up", n, -np.inf, up_rhs.ravel(), (p, 1.0), (r_up, 1.0), (prev, -1.0))
    b.add_rows("ramp_down", n, -np.inf, dn_rhs.ravel(), (prev, 1.0), (p, -1.0), (r_dn, 1.0))
