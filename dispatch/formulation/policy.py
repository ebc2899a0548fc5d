"""Policy limits over a window (the window's share of the run's limit, see dispatch/policy.py):

  Σ CO2 − Σ_t slack_co2(t) ≤ co2_cap_t                   (CO2: curve at the output, start-up, oil)
  Σ_t Σ_{wind, solar} ren + Σ_t slack_ren(t) ≥ renewable_min_mwh
  Σ_t (Σ_r ren + Σ_{nuclear, biomass} output + Σ_{reservoirs} discharge) + Σ_t slack_nf(t) ≥ non_fossil_min_mwh

Sums run over the window's hours inside the simulated run (`policy["rows_hours"]`; look-ahead
hours past the run's end are free). Slacks (block `pol_slack` (T, 3): CO2 t, renewable MWh,
non-fossil MWh) are allowed only in the decided hours (`policy["slack_hours"]`) and cost the
policy penalties; rows are named
policy_co2 / policy_renewable / policy_non_fossil, and their duals in the fixed-commitment LP are
the shadow prices.
"""
import numpy as np

SLACK_COLUMNS = ("co2_cap", "renewable_utilisation", "non_fossil_share")


def _slopes(mw, y):
    width = np.diff(mw, axis=1)
    return np.divide(np.diff(y, axis=1), width, out=np.zeros_like(width), where=width > 0)


def add(b, a, opts):
    T, G = a.T, a.G
    pol = a.policy or {}
    limits = (pol.get("co2_cap_t"), pol.get("renewable_min_mwh"), pol.get("non_fossil_min_mwh"))
    active = np.array([x is not None for x in limits])
    hours = np.arange(T) < pol.get("slack_hours", T)
    ub = np.where(hours[:, None] & active[None, :], np.inf, 0.0)
    price = np.array([pol.get("co2_excess_per_t", 0.0), pol.get("energy_shortfall_per_mwh", 0.0),
                      pol.get("energy_shortfall_per_mwh", 0.0)])
    slack = b.add_var("pol_slack", (T, 3), 0.0, ub, np.broadcast_to(price, (T, 3)))
    if not active.any():
        return
    H = int(pol.get("rows_hours", T))          # rows cover hours 0..H-1
    u, p, ren = b.var("u")[:H], b.var("p")[:H], b.var("ren")[:H]
    slack = slack[:H]
    T = H
    if limits[0] is not None:
        co2 = a.curve_co2_t_per_h
        terms = [(np.zeros(u.size, np.int64), u.ravel(), np.broadcast_to(co2[:, 0], (T, G)).ravel())]
        if co2.shape[1] > 1:
            seg = b.var("seg")[:H]
            terms.append((np.zeros(seg.size, np.int64), seg.ravel(),
                          np.broadcast_to(_slopes(a.curve_mw, co2)[None], seg.shape).ravel()))
        delta = b.var("delta")[:H]
        terms.append((np.zeros(delta.size, np.int64), delta.ravel(),
                      np.broadcast_to(a.startup_co2_t[None], delta.shape).ravel()))
        oil = b.var("oil")[:H]
        terms.append((np.zeros(oil.size, np.int64), oil.ravel(), np.broadcast_to(a.oil_co2_t_per_h, (T, G)).ravel()))
        terms.append((np.zeros(T, np.int64), slack[:, 0], -1.0))
        b.add_rows("policy_co2", 1, -np.inf, limits[0], *terms)
    if limits[1] is not None:
        vre = np.array([t in ("wind", "solar") for t in a.renewable_tech], bool)
        cols = ren[:, vre].ravel()
        b.add_rows("policy_renewable", 1, limits[1], np.inf, (np.zeros(cols.size, np.int64), cols, 1.0),
                   (np.zeros(T, np.int64), slack[:, 1], 1.0))
    if limits[2] is not None:
        nf = np.broadcast_to(a.non_fossil, (T, G))
        terms = [(np.zeros(ren.size, np.int64), ren.ravel(), 1.0),
                 (np.zeros(int(nf.sum()), np.int64), u[nf], a.p_min_mw[np.nonzero(nf)[1]]),
                 (np.zeros(int(nf.sum()), np.int64), p[nf], 1.0),
                 (np.zeros(T, np.int64), slack[:, 2], 1.0)]
        res = np.array([t == "hydro_reservoir" for t in a.storage.tech], bool)
        if res.any():
            dis = b.var("dis")[:H, res]
            terms.append((np.zeros(dis.size, np.int64), dis.ravel(), 1.0))
        b.add_rows("policy_non_fossil", 1, limits[2], np.inf, *terms)
