"""DC line limits through the PTDF of a dc network, with a penalised overload slack per line.

Injection at bus b in hour t: inj = Σ_{g at b} (p_min·u + p) + Σ_{r at b} ren + Σ_{s at b} (dis − ch)
+ Σ_{d at b} (dr_dn − dr_up) + shed_b − overgen_b − demand_b. For each monitored branch l:
  −rating_l ≤ Σ_b PTDF[l, b]·inj(t, b) − ov_up(t, l) + ov_dn(t, l) ≤ rating_l
with ov_up, ov_dn ≥ 0 costing overload_cost per MWh (only monitored branches may use them).
Which branches are monitored: all limited ones, or — lazily — only those found violated
(dispatch/uc.py adds them with `add_flow_rows` and re-solves). The row duals give the nodal prices:
LMP(t, b) = price of b's area + Σ_l PTDF[l, b]·dual(t, l).
"""
import numpy as np

from dispatch.formulation.balance import nodes


def add(b, a, opts):
    net = a.network
    if net is None or net.model != "dc":
        return
    T, L = a.T, net.L
    b.add_var("ov_up", (T, L), 0.0, 0.0, net.overload_cost)
    b.add_var("ov_dn", (T, L), 0.0, 0.0, net.overload_cost)
    add_flow_rows(b, a, np.nonzero(net.monitored)[0])


def add_flow_rows(b, a, lines):
    """Add the limit rows of branches `lines` (int array) for every hour and open their overload
    slacks. Rows are named flow_<branch position>."""
    net = a.network
    T, G, R, N = a.T, a.G, a.R, a.storage.N
    if len(lines) == 0:
        return
    B, demand, _, g_node, r_node, s_node = nodes(a)
    u, p, ren, shed, over = (b.var(k) for k in ("u", "p", "ren", "shed", "overgen"))
    ov_up, ov_dn = b.var("ov_up"), b.var("ov_dn")
    b.set_bounds(ov_up[:, lines], 0.0, np.inf)
    b.set_bounds(ov_dn[:, lines], 0.0, np.inf)
    for l in lines:
        h = net.ptdf[l]
        c = demand @ h                                   # (T,) flow of the fixed demand
        rows = np.arange(T)[:, None]
        terms = [(np.broadcast_to(rows, (T, G)), u, (h[g_node] * a.p_min_mw)[None, :]),
                 (np.broadcast_to(rows, (T, G)), p, h[g_node][None, :]),
                 (np.broadcast_to(rows, (T, R)), ren, h[r_node][None, :]),
                 (np.broadcast_to(rows, (T, B)), shed, h[None, :]),
                 (np.broadcast_to(rows, (T, B)), over, -h[None, :]),
                 (ov_up[:, l], -1.0), (ov_dn[:, l], 1.0)]
        if N:
            terms += [(np.broadcast_to(rows, (T, N)), b.var("dis"), h[s_node][None, :]),
                      (np.broadcast_to(rows, (T, N)), b.var("ch"), -h[s_node][None, :])]
        for blocks, weight in ((("dr_dn", "dr_up"), a.demand.weight), (("mg_shed", "mg_over"), a.microgrids.weight),
                               ((None, "ev_ch"), a.ev.weight)):
            n = weight.shape[0]
            if n:
                hw = (weight @ h)[None, :]
                if blocks[0]:
                    terms.append((np.broadcast_to(rows, (T, n)), b.var(blocks[0]), hw))
                terms.append((np.broadcast_to(rows, (T, n)), b.var(blocks[1]), -hw))
        rating = net.rating_mw[l]
        b.add_rows(f"flow_{l}", T, -rating + c, rating + c, *terms)


def flows_from_solution(a, val) -> np.ndarray:
    """(T, L) branch flows of a solution (`val(block)` → values), for the lazy check."""
    net = a.network
    B, demand, _, g_node, r_node, s_node = nodes(a)
    T = a.T
    inj = -demand + np.asarray(val("shed")) - np.asarray(val("overgen"))
    gen = a.p_min_mw[None, :] * np.asarray(val("u")) + np.asarray(val("p"))
    for node, x in ((g_node, gen), (r_node, np.asarray(val("ren")))):
        np.add.at(inj, (slice(None), node), x)
    if a.storage.N:
        np.add.at(inj, (slice(None), s_node), np.asarray(val("dis")) - np.asarray(val("ch")))
    if a.demand.D:
        inj += (np.asarray(val("dr_dn")) - np.asarray(val("dr_up"))) @ a.demand.weight
    if a.microgrids.M:
        inj += (np.asarray(val("mg_shed")) - np.asarray(val("mg_over"))) @ a.microgrids.weight
    if a.ev.E:
        inj -= np.asarray(val("ev_ch")) @ a.ev.weight
    return inj @ net.ptdf.T
