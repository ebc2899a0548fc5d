"""Energy balance per area with renewables, curtailment and slacks.

Areas are the whole system (copper plate), the islands of a dc network, or the zones of a zonal
network. Per hour t and area A (nodes b ∈ A: buses or zones; one node on a copper plate):
  Σ_{g∈A} (p_min·u + p) + Σ_{r∈A} ren + Σ_{s∈A} (dis − ch) + Σ_{b∈A} (shed_b − overgen_b)
      + Σ_{d∈A} (dr_dn − dr_up) − Σ_{e∈A} ev_ch + Σ_{m∈A} (mg_shed − mg_over)  [the last added by
      formulation/microgrid.py]
      + Σ_{ties into A} tie − Σ_{ties out of A} tie = Σ_{b∈A} demand_b
with demand = load + export − import. ren ∈ [min_output, available]; curtailment (available − ren)
costs curtailment_cost per MWh (a constant offset plus −cost on ren); shed (T, B) costs VOLL,
over-generation (T, B) its penalty; ties (T, K) lie in [−reverse capacity, capacity]. The dual of
an area's row is its marginal price (a zone's price in zonal mode).
"""
import numpy as np


def nodes(a):
    """(B, demand (T, B), area (B,), thermal (G,), renewable (R,), storage (N,) node positions)."""
    net = a.network
    if net is None:
        z = lambda n: np.zeros(n, np.int64)  # noqa: E731
        return 1, a.net_demand_mw[:, None], z(1), z(a.G), z(a.R), z(a.storage.N)
    return net.B, net.demand_mw, net.area_of_node, net.thermal_node, net.ren_node, net.storage_node


def area_terms(weight, area, T: int):
    """Where elements spread over nodes (weight (n, B)) enter the balance rows (A per hour):
    (element index (k,), balance row (T, k), share (k,)) for each element's share in each area."""
    A = int(area.max(initial=0)) + 1
    share = np.zeros((weight.shape[0], A))
    np.add.at(share, (slice(None), area), weight)
    ee, aa = np.nonzero(share > 0)
    return ee, np.arange(T)[:, None] * A + aa[None, :], share[ee, aa]


def add(b, a, opts):
    T, G, R, N = a.T, a.G, a.R, a.storage.N
    B, demand, area, g_node, r_node, s_node = nodes(a)
    A = int(area.max(initial=0)) + 1
    u, p = b.var("u"), b.var("p")
    ren = b.add_var("ren", (T, R), a.min_output_mw, a.available_mw, -np.broadcast_to(a.curtailment_cost, (T, R)))
    b.add_offset((a.available_mw * a.curtailment_cost[None, :]).sum(axis=1))
    shed = b.add_var("shed", (T, B), 0.0, np.maximum(demand, 0.0), a.voll)
    over = b.add_var("overgen", (T, B), 0.0, np.inf, a.overgen_cost)
    t = np.arange(T)[:, None]
    row = lambda node: (t * A + area[node][None, :])  # noqa: E731  (T, n) balance row of each element
    rhs = np.zeros((T, A))
    np.add.at(rhs, (np.repeat(np.arange(T), B), np.tile(area, T)), demand.ravel())
    terms = [(row(g_node).ravel(), u.ravel(), np.broadcast_to(a.p_min_mw, (T, G)).ravel()),
             (row(g_node).ravel(), p.ravel(), 1.0), (row(r_node).ravel(), ren.ravel(), 1.0),
             (row(np.arange(B)).ravel(), shed.ravel(), 1.0), (row(np.arange(B)).ravel(), over.ravel(), -1.0)]
    if N:
        terms += [(row(s_node).ravel(), b.var("dis").ravel(), 1.0), (row(s_node).ravel(), b.var("ch").ravel(), -1.0)]
    for weight, blocks in ((a.demand.weight, (("dr_dn", 1.0), ("dr_up", -1.0))), (a.ev.weight, (("ev_ch", -1.0),))):
        if weight.shape[0] == 0:
            continue
        dd, rows_d, share = area_terms(weight, area, T)    # a load spread over islands may split
        for name, sign in blocks:
            terms.append((rows_d.ravel(), b.var(name)[:, dd].ravel(), np.tile(sign * share, T)))
    net = a.network
    if net is not None and net.model == "zonal" and net.K:
        K = net.K
        tie = b.add_var("tie", (T, K), np.broadcast_to(-net.tie_rev_mw, (T, K)), np.broadcast_to(net.tie_cap_mw, (T, K)))
        terms += [(row(net.tie_to).ravel(), tie.ravel(), 1.0), (row(net.tie_from).ravel(), tie.ravel(), -1.0)]
    b.add_rows("balance", T * A, rhs.ravel(), rhs.ravel(), *terms)
