"""Production cost on a piecewise-linear curve (exact when non-convex), oil support, no-load and
shut-down cost.

p = Σ_k seg_k (output above p_min), 0 ≤ seg_k ≤ width_k·u (the tight, perspective form), cost
Σ_k slope_k·seg_k + cost(p_min)·u. Within a convex stretch of the curve the segments fill in order
at any optimum. Where the marginal cost falls (a concave break after segment k, e.g. the deep-
cycling segment of a retrofitted coal unit that costs more per MWh than the segment above it), a
binary z(t, g, k) orders the fill exactly (likewise where the marginal CO2 falls, for a CO2 cap) — never a convex relaxation that under-costs deep cycling:
  seg_j ≥ width_j·z   (j ≤ k: every segment up to the break is full when z = 1)
  seg_j ≤ width_j·z   (j > k: no segment after the break is used when z = 0)
  z(break k') ≤ z(break k) for k < k' of the same unit.
Oil-assisted combustion: a binary o(t, g) per unit with an oil threshold above p_min,
  p + (below − p_min)·o ≥ (below − p_min)·u,  o ≤ u,
costing oil_cost_per_h per hour. Shut-down cost per w. The checker recomputes every cost on the
true curve at the dispatched output.
"""
import numpy as np


def concave_breaks(a) -> tuple[np.ndarray, np.ndarray]:
    """(unit index, segment index k) of every break where the marginal cost — or the marginal CO2,
    which a CO2 cap prices — falls from segment k to k + 1 (both of positive width). Shapes (M,)."""
    mw = a.curve_mw
    if mw.shape[1] < 3:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    width = np.diff(mw, axis=1)
    drop = np.zeros((mw.shape[0], mw.shape[1] - 2), bool)
    for y in (a.curve_cost_per_h, a.curve_co2_t_per_h):
        slope = np.divide(np.diff(y, axis=1), width, out=np.zeros_like(width), where=width > 0)
        drop |= slope[:, 1:] < slope[:, :-1] - 1e-9 * np.maximum(1.0, np.abs(slope[:, :-1]))
    gg, kk = np.nonzero(drop & (width[:, 1:] > 0) & (width[:, :-1] > 0))
    return gg, kk


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
    _add_order(b, a, seg, width)
    _add_oil(b, a, u, p)


def _add_order(b, a, seg, width):
    """Segment binaries z (T, M) at the concave breaks (see the module docstring)."""
    T = a.T
    gg, kk = concave_breaks(a)
    M = gg.size
    z = b.add_var("zseg", (T, M), 0, 1, integer=True)
    if M == 0:
        return
    K = width.shape[1]
    for j in range(K):
        for below, name, lo, hi in ((j <= kk, "seg_order_full", 0.0, np.inf), (j > kk, "seg_order_empty", -np.inf, 0.0)):
            m = below & (width[gg, j] > 0)
            if not m.any():
                continue
            tt, mm = np.nonzero(np.broadcast_to(m, (T, M)))
            b.add_rows(name, tt.size, lo, hi, (seg[tt, gg[mm], j], 1.0), (z[tt, mm], -width[gg[mm], j]))
    # chain the breaks of one unit: a later break needs the earlier one
    later = np.nonzero((gg[1:] == gg[:-1]))[0]
    if later.size:
        tt, ii = np.nonzero(np.broadcast_to(np.ones(later.size, bool), (T, later.size)))
        b.add_rows("seg_order_chain", tt.size, -np.inf, 0.0, (z[tt, later[ii] + 1], 1.0), (z[tt, later[ii]], -1.0))


def _add_oil(b, a, u, p):
    """Oil-support binaries o (T, G); fixed at 0 for units without oil support."""
    T, G = a.T, a.G
    has = a.has_oil
    o = b.add_var("oil", (T, G), 0, np.broadcast_to(has.astype(float), (T, G)),
                  np.broadcast_to(np.where(has, a.oil_cost_per_h, 0.0), (T, G)), integer=True)
    if not has.any():
        return
    tt, gg = np.nonzero(np.broadcast_to(has, (T, G)))
    depth = a.oil_below_mw[gg] - a.p_min_mw[gg]
    b.add_rows("oil_support", tt.size, 0.0, np.inf, (p[tt, gg], 1.0), (o[tt, gg], depth), (u[tt, gg], -depth))
    b.add_rows("oil_on", tt.size, -np.inf, 0.0, (o[tt, gg], 1.0), (u[tt, gg], -1.0))
