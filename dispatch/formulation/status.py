"""Three-binary status (u, v, w), initial conditions, must-run, minimum up/down (Rajan–Takriti).

Rows per unit g and hour t (0-based):
  u(t) − u(t−1) − v(t) + w(t) = 0            (u(−1) = initial.on)
  Σ_{i=t−UT+1..t} v(i) ≤ u(t)                (min up; i ≥ 0; UT capped at T)
  Σ_{i=t−DT+1..t} w(i) + u(t) ≤ 1            (min down)
Initial conditions fix u on for the first UT − hours_on hours (or off for DT − hours_off);
must-run fixes u = 1; a unit whose last output plus reserve exceeds its shut-down limit cannot
stop at t = 0 (the same rule as `ramping.cap_shutdown` inside a window).
"""
import numpy as np


def add(b, a, opts):
    T, G = a.T, a.G
    ini = a.initial
    lb = a.must_run.astype(float)
    ub = np.ones((T, G))
    t = np.arange(T)[:, None]
    keep_on = np.where(ini.on, np.clip(np.ceil(a.min_up_h - ini.hours - 1e-9), 0, T), 0)
    keep_off = np.where(~ini.on, np.clip(np.ceil(a.min_down_h - ini.hours - 1e-9), 0, T), 0)
    lb = np.maximum(lb, (t < keep_on[None, :]).astype(float))
    ub = np.minimum(ub, 1.0 - (t < keep_off[None, :]))
    u = b.add_var("u", (T, G), lb, ub, integer=True)
    v = b.add_var("v", (T, G), 0, 1, integer=True)
    w_ub = np.ones((T, G))
    # the hour before a shut-down must respect the shut-down limit, with the reserve it held
    w_ub[0] = np.where(ini.on & (ini.p_mw + ini.reserve_up_mw > a.shutdown_ramp_mw_per_h + 1e-6), 0.0, 1.0)
    w = b.add_var("w", (T, G), 0, w_ub, integer=True)

    prev = np.full((T, G), -1)
    prev[1:] = u[:-1]
    rhs = np.zeros((T, G))
    rhs[0] = ini.on.astype(float)
    b.add_rows("logic", T * G, rhs.ravel(), rhs.ravel(), (u, 1.0), (prev, -1.0), (v, -1.0), (w, 1.0))

    n = T * G
    rows = np.arange(n).reshape(T, G)
    for name, var, window, sign_u in (("min_up", v, a.min_up_h, -1.0), ("min_down", w, a.min_down_h, 1.0)):
        window = np.minimum(window, T)
        terms = [(u, sign_u)]
        for k in range(int(window.max(initial=0))):
            ok = (k < window)[None, :] & (t - k >= 0)
            cols = np.where(ok, var[np.clip(t - k, 0, None), np.arange(G)[None, :]], -1)
            terms.append((rows, cols, 1.0))
        hi = 0.0 if sign_u < 0 else 1.0
        b.add_rows(name, n, -np.inf, hi, *terms)
