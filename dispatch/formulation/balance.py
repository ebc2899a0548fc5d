"""Copper-plate energy balance with renewables, curtailment and slacks.

  Σ_g (p_min·u + p) + Σ_r ren + Σ_s (dis − ch) + shed − overgen = load + export − import
ren ∈ [min_output, available]; curtailment (available − ren) costs curtailment_cost per MWh
(a constant offset plus −cost on ren); shed costs VOLL, over-generation its penalty.
"""
import numpy as np


def add(b, a, opts):
    T, G, R = a.T, a.G, a.R
    u, p = b.var("u"), b.var("p")
    ren = b.add_var("ren", (T, R), a.min_output_mw, a.available_mw, -np.broadcast_to(a.curtailment_cost, (T, R)))
    b.add_offset((a.available_mw * a.curtailment_cost[None, :]).sum(axis=1))
    need = a.net_demand_mw
    shed = b.add_var("shed", (T,), 0.0, np.maximum(need, 0.0), a.voll)
    over = b.add_var("overgen", (T,), 0.0, np.inf, a.overgen_cost)
    rows_g = np.repeat(np.arange(T), G)
    rows_r = np.repeat(np.arange(T), R)
    N = a.storage.N
    rows_s = np.repeat(np.arange(T), N)
    st_terms = [(rows_s, b.var("dis").ravel(), 1.0), (rows_s, b.var("ch").ravel(), -1.0)] if N else []
    b.add_rows("balance", T, need, need,
               (rows_g, u.ravel(), np.broadcast_to(a.p_min_mw, (T, G)).ravel()),
               (rows_g, p.ravel(), 1.0), (rows_r, ren.ravel(), 1.0), (shed, 1.0), (over, -1.0), *st_terms)
