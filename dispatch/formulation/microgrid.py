"""Microgrids: the point of common coupling (PCC) of each microgrid m and hour t (blocks (T, M)):

  Σ_{g∈m} (p_min·u + p) + Σ_{r∈m} ren + Σ_{s∈m} (dis − ch) + Σ_{d∈m} (dr_dn − dr_up) − Σ_{e∈m} ev_ch
      + mg_pcc + mg_shed − mg_over = demand_m        (Σ of the member loads)
  −export_mw ≤ mg_pcc ≤ import_mw                    (both 0 in islanded hours)

mg_shed (≤ demand_m, at VOLL) and mg_over (at the over-generation penalty) are the microgrid's own
slacks: while islanded it can only balance with them, and its members hold no reserve for the
main grid. They also enter the system balance (and
line flows) at the member loads' nodes, so the main grid sees the microgrid as its net exchange.
"""
import numpy as np

from dispatch.formulation.balance import area_terms


def add(b, a, opts):
    m, T = a.microgrids, a.T
    M = m.M
    b.add_var("mg_shed", (T, M), 0.0, m.demand_mw, a.voll)
    b.add_var("mg_over", (T, M), 0.0, np.inf, a.overgen_cost)
    pcc = b.add_var("mg_pcc", (T, M), -m.export_mw, m.import_mw)
    if M == 0:
        return
    t = np.arange(T)[:, None]
    terms = [(pcc, 1.0), (b.var("mg_shed"), 1.0), (b.var("mg_over"), -1.0)]

    def members(mask, block, coef):
        mm, ee = np.nonzero(mask)                    # (microgrid, element) pairs
        if mm.size:
            terms.append(((t * M + mm[None, :]).ravel(), b.var(block)[:, ee].ravel(),
                          np.broadcast_to(np.asarray(coef, float)[ee] if np.ndim(coef) else coef, (T, mm.size)).ravel()))

    members(m.thermal, "u", a.p_min_mw)
    members(m.thermal, "p", 1.0)
    members(m.ren, "ren", 1.0)
    if a.storage.N:
        members(m.storage, "dis", 1.0)
        members(m.storage, "ch", -1.0)
    if a.demand.D:
        members(m.dr, "dr_dn", 1.0)
        members(m.dr, "dr_up", -1.0)
    if a.ev.E:
        members(m.ev, "ev_ch", -1.0)
    direct = [(blk.ravel(), c) for blk, c in terms[:3]]
    b.add_rows("mg_pcc", T * M, m.demand_mw.ravel(), m.demand_mw.ravel(), *direct, *terms[3:])
    # an islanded microgrid cannot hold reserve for the main grid
    for mask, blocks in ((m.thermal, ("r_up", "r_dn")), (m.storage, ("st_r_up", "st_r_dn")), (m.dr, ("dr_r",))):
        for blk in blocks:
            if blk not in b.blocks:
                continue
            for i in range(M):
                cols = b.var(blk)[m.islanded[:, i]][:, mask[i]]
                if cols.size:
                    b.set_bounds(cols, 0.0, 0.0)
    # the local slacks also enter the system (area) balance at the member loads' nodes
    area = a.network.area_of_node if a.network is not None else np.zeros(1, np.int64)
    mm, rows, share = area_terms(m.weight, area, T)
    for name, sign in (("mg_shed", 1.0), ("mg_over", -1.0)):
        b.add_terms(b.row_blocks["balance"][rows], b.var(name)[:, mm], sign * share[None, :])
