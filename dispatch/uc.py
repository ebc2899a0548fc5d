"""The MILP engine: one window of unit commitment and dispatch on HiGHS.

`solve_window(arrays, opts)` builds the model from the formulation pieces, solves it, optionally
re-solves the LP with commitment fixed for hourly marginal prices, and returns a `Schedule` of
all T hours of the window.
"""
import time

import numpy as np

from dispatch.formulation import build_model
from dispatch.formulation.balance import nodes
from dispatch.formulation.network import add_flow_rows, flows_from_solution
from dispatch.results import Schedule


class SolveError(RuntimeError):
    """A window ended without any feasible solution (time limit before an incumbent, or a solver
    failure). The message names the window."""


def solve_window(a, opts: dict) -> Schedule:
    """Solve hours [a.first_hour, a.first_hour + a.T) of `a` (SystemArrays).

    opts: mip_gap (fraction), time_limit_s, threads, prices (bool), highs (dict of extra HiGHS
    options; `prices: false` reports NaN prices), fix ({variable block: values} fixed in the MIP,
    e.g. {"u": commitment} for the fast engine's polish). Returns a Schedule whose `objective` is the
    engine's objective (the dispatch LP's, at most the MIP incumbent's) and whose `windows` holds
    one dict with status, gap (to the MIP's proven bound), bound and times.
    """
    t0 = time.perf_counter()
    b = build_model(a, opts)
    build_s = time.perf_counter() - t0
    res, lazy = _solve_lazily(b, a, opts)
    lines_in_mip = int(lazy["monitored"].sum())
    val = lambda name: res.x[b.var(name)]  # noqa: E731
    u = np.rint(val("u")).astype(np.int8)
    v = np.rint(val("v")).astype(np.int8)
    w = np.rint(val("w")).astype(np.int8)
    # Economic dispatch with every integer fixed: an LP whose primal is the best dispatch of this
    # commitment (an incumbent within the MIP gap may leave money on the table, even shed a
    # little) and whose balance-row duals are the hourly marginal prices.
    t1 = time.perf_counter()
    fix = {"u": u, "v": v, "w": w, "delta": np.rint(val("delta")), "zseg": np.rint(val("zseg")),
           "oil": np.rint(val("oil")), "dr_on": np.rint(val("dr_on")), "dr_start": np.rint(val("dr_start"))}
    if a.storage.N:
        fix.update(st_pump=np.rint(val("st_pump")), st_gen=np.rint(val("st_gen")))
    lp = b.solve(relax_integers=True, threads=opts.get("threads", 1), time_limit_s=opts.get("time_limit_s"),
                 fix=fix)
    net = a.network
    while lp.has_solution and net is not None and net.model == "dc" and net.lazy:
        # the dispatch LP may move flow onto a branch whose limit is not in the model yet: add it
        flows = flows_from_solution(a, lambda name: lp.x[b.var(name)])
        bad = (np.abs(flows) > net.rating_mw[None, :] + 1e-4).any(axis=0) & ~lazy["monitored"] \
            & np.isfinite(net.rating_mw)
        if not bad.any():
            break
        add_flow_rows(b, a, np.nonzero(bad)[0])
        lazy["monitored"] |= bad
        lazy["lines_monitored"] = int(lazy["monitored"].sum())
        lp = b.solve(relax_integers=True, threads=opts.get("threads", 1), time_limit_s=opts.get("time_limit_s"),
                     fix=fix)
    price_s = time.perf_counter() - t1
    x, objective = res.x, res.objective
    if lp.has_solution and (lp.objective <= res.objective or lazy["monitored"].sum() > lines_in_mip):
        x, objective = lp.x, lp.objective
    val = lambda name: x[b.var(name)]  # noqa: E731
    p_above = np.clip(val("p"), 0.0, None) * u
    B, demand, area, *_ = nodes(a)
    node_price = np.full((a.T, B), np.nan)
    if opts.get("prices", True) and lp.row_dual is not None:
        node_price = lp.row_dual[b.row_blocks["balance"]].reshape(a.T, -1)[:, area]
        net = a.network
        if net is not None and net.model == "dc":
            for l in np.nonzero(lazy["monitored"])[0]:
                node_price += lp.row_dual[b.row_blocks[f"flow_{l}"]][:, None] * net.ptdf[l][None, :]
    weight = np.maximum(demand, 0.0)
    price = np.where(weight.sum(axis=1) > 0, (node_price * weight).sum(axis=1) / np.maximum(weight.sum(axis=1), 1e-12),
                     node_price.mean(axis=1))
    duals = {}
    if lp.row_dual is not None:   # shadow prices: cost of tightening each policy limit by one unit
        for kind, row, sign in (("co2_cap", "policy_co2", -1.0), ("renewable_utilisation", "policy_renewable", 1.0),
                                ("non_fossil_share", "policy_non_fossil", 1.0)):
            if row in b.row_blocks:
                duals[kind] = sign * float(lp.row_dual[b.row_blocks[row][0]])
    gap = max(0.0, (objective - res.bound) / max(abs(objective), 1e-9)) if np.isfinite(res.bound) else res.gap
    ren = np.clip(val("ren"), a.min_output_mw, a.available_mw)
    info = {"first_hour": a.first_hour, "hours": a.T, "status": res.status, "objective": objective,
            "bound": res.bound, "gap": gap, "build_s": build_s,
            "price_s": price_s, "n_cols": b.n_col, "n_rows": b.n_row, "policy_shadow_prices": duals,
            "policy_limits": dict(a.policy) if a.policy else {}, **lazy}
    return Schedule(
        first_hour=a.first_hour, thermal_names=list(a.thermal_names), renewable_names=list(a.renewable_names),
        commit=u, startup=v, shutdown=w,
        p_mw=(a.p_min_mw[None, :] * u + p_above),
        reserve_up_mw=np.clip(val("r_up"), 0.0, None) * u, reserve_down_mw=np.clip(val("r_dn"), 0.0, None) * u,
        renewable_mw=ren, curtail_mw=a.available_mw - ren,
        shed_mw=np.clip(val("shed"), 0.0, None).sum(axis=1) + np.clip(val("mg_shed"), 0.0, None).sum(axis=1),
        overgen_mw=np.clip(val("overgen"), 0.0, None).sum(axis=1) + np.clip(val("mg_over"), 0.0, None).sum(axis=1),
        reserve_up_short_mw=np.clip(val("short_up"), 0.0, None),
        reserve_down_short_mw=np.clip(val("short_dn"), 0.0, None),
        oil_assist=(np.rint(val("oil")).astype(np.int8) * u), must_run_short_mw=np.clip(val("hs_short"), 0.0, None),
        policy_slack=np.clip(val("pol_slack"), 0.0, None),
        **_network_fields(a, val, node_price),
        dr_names=list(a.demand.names), dr_down_mw=np.clip(val("dr_dn"), 0.0, None),
        dr_up_mw=np.clip(val("dr_up"), 0.0, None), dr_called=np.rint(val("dr_on")).astype(np.int8),
        dr_reserve_mw=np.clip(val("dr_r"), 0.0, None), dr_owed_mwh=val("dr_owed"),
        mg_names=list(a.microgrids.names), mg_pcc_mw=val("mg_pcc"), mg_shed_mw=np.clip(val("mg_shed"), 0.0, None),
        mg_overgen_mw=np.clip(val("mg_over"), 0.0, None),
        ev_names=list(a.ev.names), ev_charge_mw=np.clip(val("ev_ch"), 0.0, None), ev_energy_mwh=val("ev_s"),
        ev_short_mwh=np.clip(val("ev_short"), 0.0, None),
        storage_names=list(a.storage.names), **_storage_fields(a, val),
        price=price, objective=objective, objective_by_hour=b.objective_by_hour(x, a.T), lower_bound=res.bound,
        gap=gap, windows=[info],
    )


def _solve_lazily(b, a, opts):
    """Solve the MILP; with a lazy dc network, add the limits of violated branches and re-solve
    (at most lazy_rounds times, then every limit). Returns (SolveResult, info dict with `monitored`
    (L,) bool, `lazy_rounds_used`, `lines_monitored`, `solve_s` = MIP time of all rounds)."""
    net = a.network
    dc = net is not None and net.model == "dc"
    monitored = net.monitored.copy() if dc else np.zeros(0, bool)
    limited = np.isfinite(net.rating_mw) if dc else monitored
    rounds, mip_s = 0, 0.0
    while True:
        res = b.solve(mip_gap=opts.get("mip_gap", 0.005), time_limit_s=opts.get("time_limit_s"),
                      threads=opts.get("threads", 1), options=opts.get("highs"), fix=opts.get("fix"))
        mip_s += res.time_s
        if not res.has_solution:
            raise SolveError(f"window starting at hour {a.first_hour} ({a.T} h): no feasible solution "
                             f"(HiGHS status: {res.status}, {res.time_s:.1f} s)")
        if not (dc and net.lazy):
            break
        flows = flows_from_solution(a, lambda name: res.x[b.var(name)])
        bad = (np.abs(flows) > net.rating_mw[None, :] + 1e-4).any(axis=0) & limited & ~monitored
        if not bad.any():
            break
        if rounds >= net.lazy_rounds:     # give up on laziness: every remaining limit
            bad = limited & ~monitored
        add_flow_rows(b, a, np.nonzero(bad)[0])
        monitored |= bad
        rounds += 1
    return res, {"monitored": monitored, "lazy_rounds_used": rounds, "lines_monitored": int(monitored.sum()),
                 "solve_s": mip_s}


def _network_fields(a, val, node_price) -> dict:
    """Network part of the Schedule: node prices, node shed/over-generation, branch flows and
    overloads (dc), tie flows (zonal)."""
    net = a.network
    if net is None:
        return {}
    mg = a.microgrids
    out = {"node_names": list(net.node_names), "node_price": node_price,
           "node_shed_mw": np.clip(val("shed"), 0.0, None) + np.clip(val("mg_shed"), 0.0, None) @ mg.weight,
           "node_overgen_mw": np.clip(val("overgen"), 0.0, None) + np.clip(val("mg_over"), 0.0, None) @ mg.weight}
    if net.model == "dc":
        out.update(branch_names=list(net.branch_names), flow_mw=flows_from_solution(a, val),
                   overload_mw=np.clip(val("ov_up"), 0.0, None) + np.clip(val("ov_dn"), 0.0, None))
    else:
        out.update(tie_names=list(net.tie_names), tie_flow_mw=val("tie") if net.K else np.zeros((a.T, 0)))
    return out


def _storage_fields(a, val) -> dict:
    """Storage part of the Schedule from the solution (values clipped to their bounds)."""
    st = a.storage
    if st.N == 0:
        return {}
    ch, dis = np.clip(val("ch"), 0.0, None), np.clip(val("dis"), 0.0, None)
    need = st.needs_units[None, :]
    pump = np.where(need, np.rint(val("st_pump")), ch > 1e-6).astype(np.int64)
    gen = np.where(need, np.rint(val("st_gen")), dis > 1e-6).astype(np.int64)
    return {"charge_mw": ch, "discharge_mw": dis, "soc_mwh": val("soc"),
            "storage_reserve_up_mw": np.clip(val("st_r_up"), 0.0, None),
            "storage_reserve_down_mw": np.clip(val("st_r_dn"), 0.0, None), "pump_units": pump, "gen_units": gen,
            "spill_mw": np.clip(val("spill"), 0.0, None)}
