"""Production cost on a convex piecewise-linear curve, plus no-load and shut-down cost.

p = Σ_k seg_k (output above p_min), 0 ≤ seg_k ≤ width_k·u (the tight, perspective form), cost
Σ_k slope_k·seg_k + cost(p_min)·u. Shut-down cost per w. Curves are convex (validated), so the
segments fill in order at any optimum; the checker recomputes cost on the true curve.
"""
import numpy as np


def add(b, a, opts):
    T, G = a.T, a.G
    K = max(a.curve_mw.shape[1] - 1, 1)
    mw, cost = a.curve_mw, a.curve_cost_per_h
    if mw.shape[1] > 1:
        width = np.diff(mw, axis=1)
        slope = np.divide(np.diff(cost, axis=1), width, out=np.zeros_like(width), where=width > 0)
    else:
        width = np.zeros((G, 1))
        slope = np.zeros((G, 1))
    u, w = b.var("u"), b.var("w")
    seg = b.add_var("seg", (T, G, K), 0.0, np.broadcast_to(width[None], (T, G, K)),
                    np.broadcast_to(slope[None], (T, G, K)))
    p = b.add_var("p", (T, G), 0.0, np.broadcast_to(a.p_max_mw - a.p_min_mw, (T, G)))
    # no-load cost (cost at p_min) on u, shut-down cost on w: add to the existing columns' costs
    b.add_cost(u, np.broadcast_to(cost[:, 0], (T, G)))
    b.add_cost(w, np.broadcast_to(a.shutdown_cost, (T, G)))
    n = T * G
    rows = np.repeat(np.arange(n), K)
    b.add_rows("p_segments", n, 0.0, 0.0, (p.ravel(), 1.0), (rows, seg.ravel(), -1.0))
    useg = np.broadcast_to(u[:, :, None], (T, G, K))
    live = np.broadcast_to(width[None] > 0, (T, G, K))
    b.add_rows("seg_on", int(live.sum()), -np.inf, 0.0, (seg[live], 1.0),
               (useg[live], -np.broadcast_to(width[None], (T, G, K))[live]))
