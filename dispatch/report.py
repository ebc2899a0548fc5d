"""KPIs computed from a Schedule and the system arrays (never from the solver's internals).

`summarize` gives the `summary.json` mapping; `unit_table` the per-unit rows; `hourly_system` the
time-series tables. Money in the case currency, energy in MWh, CO2 in t.
"""
import numpy as np

from dispatch.check import Costs


def _tech_energy(names_tech, energy):
    out = {}
    for tech, e in zip(names_tech, energy):
        out[tech] = out.get(tech, 0.0) + float(e)
    return out


def deep_peak_compensation(a, s) -> np.ndarray:
    """(G,) deep-peak-regulation payments (深度调峰): per tier k (thresholds highest first), each MWh
    of depth below threshold_k and above threshold_{k+1} (0 for the last tier) while on is paid
    price_k. A transfer to the unit: not part of any system cost."""
    on = np.asarray(s.commit) >= 0.5
    p = np.asarray(s.p_mw, float)
    thr, price = a.dpr_threshold_mw, a.dpr_price_per_mwh
    out = np.zeros(a.G)
    for k in range(thr.shape[1]):
        floor = thr[:, k + 1] if k + 1 < thr.shape[1] else np.zeros(a.G)
        depth = np.clip(thr[None, :, k] - p, 0.0, (thr[:, k] - floor)[None, :])
        out += price[:, k] * np.where(on, depth, 0.0).sum(axis=0)
    return out


def deep_cycling_hours(a, s) -> np.ndarray:
    """(G,) hours on below the pre-retrofit minimum stable load (only retrofitted units can)."""
    on = np.asarray(s.commit) >= 0.5
    return (on & (np.asarray(s.p_mw, float) < a.deep_below_mw[None, :] - 1e-6)).sum(axis=0).astype(float)


def policy_summary(a, s, costs: Costs) -> dict:
    """Per active policy: run limit, realised total, slack used, shadow price per window and mean
    (weighted by the windows' decided hours). Units: t for the CO2 cap, MWh for the floors;
    shadow prices in currency per t or per MWh (cost of tightening the limit by one unit)."""
    from dispatch.check import POLICY_KINDS, policy_totals
    pol = a.policy or {}
    real = policy_totals(a, s, costs)
    out = {}
    for k, kind in enumerate(POLICY_KINDS):
        limit = pol.get({"co2_cap": "co2_cap_t", "renewable_utilisation": "renewable_min_mwh",
                         "non_fossil_share": "non_fossil_min_mwh"}[kind])
        if limit is None:
            continue
        wins = [w for w in s.windows if kind in w.get("policy_shadow_prices", {})]
        prices = [w["policy_shadow_prices"][kind] for w in wins]
        hours = [w.get("decided_h", w["hours"]) for w in wins]
        out[kind] = {"unit": "t" if kind == "co2_cap" else "MWh", "limit": float(limit), "realised": real[kind],
                     "slack": float(s.policy_slack[:, k].sum()),
                     "shadow_price_by_window": prices,
                     "shadow_price_mean": float(np.average(prices, weights=hours)) if prices else None}
    return out


CONGESTED_SHARE = 0.999   # a branch counts as congested in an hour at >= 99.9 % of its rating


def line_table(a, s) -> dict:
    """Per branch of a dc network: rating, hours congested (|flow| ≥ 99.9 % of the rating), largest
    loading (|flow| / rating), overload MWh, mean |flow|. {column: (L,) array} plus `name`."""
    net = a.network
    flow = np.abs(np.asarray(s.flow_mw, float))
    rating = net.rating_mw
    loading = np.where(np.isfinite(rating), flow / np.where(np.isfinite(rating), rating, 1.0), 0.0)
    return {"name": list(net.branch_names), "from_node": [net.node_names[k] for k in net.from_node],
            "to_node": [net.node_names[k] for k in net.to_node], "rating_mw": rating,
            "congested_hours": (loading >= CONGESTED_SHARE).sum(axis=0).astype(float),
            "max_loading": loading.max(axis=0, initial=0.0), "overload_mwh": np.asarray(s.overload_mw).sum(axis=0),
            "mean_abs_flow_mw": flow.mean(axis=0) if s.T else np.zeros(net.L)}


def network_summary(a, s) -> dict:
    """Congestion and price spread of a networked run (empty on a copper plate)."""
    net = a.network
    if net is None:
        return {}
    price = np.asarray(s.node_price, float)
    spread = np.nanmax(price, axis=1) - np.nanmin(price, axis=1) if price.size and np.isfinite(price).any() \
        else np.zeros(s.T)
    out = {"model": net.model, "nodes": net.B, "price_spread_mean": float(np.nanmean(spread)) if s.T else 0.0,
           "price_spread_max": float(np.nanmax(spread, initial=0.0)),
           "hours_with_price_spread": int((spread > 1e-3).sum())}
    if net.model == "dc":
        lt = line_table(a, s)
        order = np.argsort(-lt["congested_hours"])
        out.update(branches=net.L, branches_monitored=int(max((w.get("lines_monitored", 0) for w in s.windows),
                                                              default=0)),
                   congested_branch_hours=float(lt["congested_hours"].sum()),
                   overload_mwh=float(lt["overload_mwh"].sum()),
                   most_congested={lt["name"][i]: float(lt["congested_hours"][i]) for i in order[:5]
                                   if lt["congested_hours"][i] > 0})
    else:
        tie = np.asarray(s.tie_flow_mw, float)
        out["tie_congested_hours"] = {n: float(((tie[:, k] >= net.tie_cap_mw[k] * CONGESTED_SHARE) |
                                                (-tie[:, k] >= net.tie_rev_mw[k] * CONGESTED_SHARE)).sum())
                                      for k, n in enumerate(net.tie_names)}
    return out


def demand_summary(a, s) -> dict:
    """Per demand-response contract: MWh moved away (shiftable) or cut (interruptible), MWh put
    back, calls and hours called, cost (cost_per_mwh / price_per_mwh × MWh moved away or cut)."""
    d = a.demand
    out = {}
    called = np.asarray(s.dr_called) >= 1
    prev = np.vstack([(a.initial.dr_call_hours > 0)[None, :], called[:-1]]) if d.D else called
    for k, name in enumerate(d.names):
        down = float(np.sum(s.dr_down_mw[:, k]))
        out[name] = {"kind": "shiftable" if d.shiftable[k] else "interruptible", "down_mwh": down,
                     "up_mwh": float(np.sum(s.dr_up_mw[:, k])), "cost": down * float(d.cost_per_mwh[k]),
                     "calls": int((called[:, k] & ~prev[:, k]).sum()), "hours_called": int(called[:, k].sum())}
    return out


def microgrid_summary(a, s, costs: Costs) -> dict:
    """Per microgrid: local demand, import and export through the PCC, local shed and curtailment
    (MWh), self-sufficiency = 1 − import / local use, self-consumption = 1 − export / local supply,
    islanded hours, and local cost = member units' production, start-up and shut-down cost + member
    demand-response cost + local shed at VOLL."""
    from dispatch.check import microgrid_flows
    m = a.microgrids
    if not m.M:
        return {}
    fl = microgrid_flows(a, s)
    pcc = np.asarray(s.mg_pcc_mw, float)
    unit_cost = costs.production + costs.startup + costs.shutdown + costs.oil
    dr_cost = (np.asarray(s.dr_down_mw, float) * a.demand.cost_per_mwh[None, :]).sum(axis=0)
    out = {}
    for i, name in enumerate(m.names):
        use, supply = float(fl["use"][:, i].sum()), float(fl["supply"][:, i].sum())
        imp, exp = float(np.clip(pcc[:, i], 0, None).sum()), float(np.clip(-pcc[:, i], 0, None).sum())
        shed = float(np.sum(s.mg_shed_mw[:, i]))
        out[name] = {"demand_mwh": float(m.demand_mw[:, i].sum()), "import_mwh": imp, "export_mwh": exp,
                     "local_shed_mwh": shed, "local_curtailment_mwh": float(np.asarray(s.curtail_mw)[:, m.ren[i]].sum()),
                     "self_sufficiency": 1.0 - imp / use if use > 0 else 0.0,
                     "self_consumption": 1.0 - exp / supply if supply > 0 else 0.0,
                     "islanded_hours": int(m.islanded[:, i].sum()),
                     "local_cost": float(unit_cost[m.thermal[i]].sum() + dr_cost[m.dr[i]].sum() + a.voll * shed)}
    return out


def summarize(a, s, costs: Costs, violations, extra: dict) -> dict:
    """summary.json contents. `a` = SystemArrays over the run's hours, `s` = Schedule,
    `costs` = check.recompute_costs(a, s), `extra` = run metadata (version, sha, seed, times)."""
    demand = float(a.load_mw.sum())
    avail = float(a.available_mw.sum())
    curtail = float(s.curtail_mw.sum())
    thermal_e = s.p_mw.sum(axis=0)
    ren_e = s.renewable_mw.sum(axis=0)
    gen = float(thermal_e.sum() + ren_e.sum())   # generation; storage only shifts it
    vre = np.array([t in ("wind", "solar") for t in a.renewable_tech], bool)
    vre_avail = float(a.available_mw[:, vre].sum()) if vre.any() else 0.0
    vre_curt = float(s.curtail_mw[:, vre].sum()) if vre.any() else 0.0
    energy = {f"thermal_{k}": v for k, v in _tech_energy(a.thermal_tech, thermal_e).items()}
    energy.update({f"renewable_{k}": v for k, v in _tech_energy(a.renewable_tech, ren_e).items()})
    for tech in sorted(set(a.storage.tech)):
        cols = [k for k, t in enumerate(a.storage.tech) if t == tech]
        energy[f"{tech}_discharge"] = float(s.discharge_mw[:, cols].sum())
        if tech != "hydro_reservoir":
            energy[f"{tech}_charge"] = float(s.charge_mw[:, cols].sum())
    energy["import"] = float(a.import_mw.sum())
    energy["export"] = float(a.export_mw.sum())
    price = s.price[np.isfinite(s.price)]
    summary = {
        "case": a.meta.get("name", ""),
        "currency": a.meta.get("currency", ""),
        "first_hour": int(s.first_hour),
        "hours": int(s.T),
        "objective": costs.objective,
        "total_cost": costs.total_cost,
        "penalty_cost": costs.penalty_cost,
        "solver_objective": float(s.objective),
        "lower_bound": None if not np.isfinite(s.lower_bound) else float(s.lower_bound),
        "gap": None if not np.isfinite(s.gap) else float(s.gap),
        "cost_breakdown": {
            "production": float(costs.production.sum()),
            "startup": float(costs.startup.sum()),
            "shutdown": float(costs.shutdown.sum()),
            "shed_penalty": costs.shed_cost,
            "overgeneration_penalty": costs.overgen_cost,
            "curtailment_penalty": costs.curtail_cost,
            "reserve_shortfall_penalty": costs.reserve_short_cost,
            "storage_degradation": costs.storage_degradation,
            "storage_mode_change": costs.storage_mode_change,
            "oil_support": float(costs.oil.sum()),
            "must_run_shortfall_penalty": costs.must_run_short_cost,
            "policy_penalty": costs.policy_penalty,
            "line_overload_penalty": costs.overload_cost,
            "demand_response": costs.demand_response,
            "ev_shortfall_penalty": costs.ev_shortfall_cost,
        },
        "demand_mwh": demand,
        "peak_load_mw": float(a.load_mw.max(initial=0.0)),
        "renewable_available_mwh": avail,
        "curtailment_mwh": curtail,
        "curtailment_rate": curtail / avail if avail > 0 else 0.0,
        "wind_solar_curtailment_rate": vre_curt / vre_avail if vre_avail > 0 else 0.0,
        "unserved_energy_mwh": float(s.shed_mw.sum()),
        "overgeneration_mwh": float(s.overgen_mw.sum()),
        "reserve_up_shortfall_mwh": float(s.reserve_up_short_mw.sum()),
        "reserve_down_shortfall_mwh": float(s.reserve_down_short_mw.sum()),
        "co2_t": float(costs.co2_t.sum()),
        "co2_intensity_t_per_mwh": float(costs.co2_t.sum()) / gen if gen > 0 else 0.0,
        "renewable_share": float(ren_e.sum()) / gen if gen > 0 else 0.0,
        "starts": int(costs.starts.sum()),
        "deep_cycling_hours": float(deep_cycling_hours(a, s).sum()),
        "deep_peak_compensation": float(deep_peak_compensation(a, s).sum()),
        "oil_support_hours": float(costs.oil_hours.sum()),
        "must_run_shortfall_mwh": float(np.sum(s.must_run_short_mw)),
        "policies": policy_summary(a, s, costs),
        "network": network_summary(a, s),
        "demand_response": demand_summary(a, s),
        "microgrids": microgrid_summary(a, s, costs),
        "ev_fleets": {n: {"charged_mwh": float(np.sum(s.ev_charge_mw[:, k])),
                          "shortfall_mwh": float(np.sum(s.ev_short_mwh[:, k])),
                          "peak_charging_mw": float(np.max(s.ev_charge_mw[:, k], initial=0.0)),
                          "mode": "smart" if a.ev.smart[k] else "unmanaged"} for k, n in enumerate(a.ev.names)},
        "storage_cycles": float(storage_table(a, s)["cycles"].sum()) if s.storage_names else 0.0,
        "energy_mwh": energy,
        "price_mean": float(price.mean()) if price.size else None,
        "price_min": float(price.min()) if price.size else None,
        "price_max": float(price.max()) if price.size else None,
        "windows": len(s.windows),
        "violations": len(violations),
    }
    summary.update(extra)
    return summary


def unit_table(a, s, costs: Costs) -> dict:
    """Per thermal unit: energy, capacity factor, hours on, starts, cost (oil support included),
    revenue at the hourly marginal prices, CO2, oil-support hours and cost, deep-cycling hours and
    deep-peak-regulation compensation (a transfer, not in `revenue` or `margin`). Returns {column: array (G,)} plus `name` and `technology` lists."""
    price = s.price                     # NaN where not priced: revenue and margin are NaN too
    energy = s.p_mw.sum(axis=0)
    cost = costs.production + costs.startup + costs.shutdown + costs.oil
    revenue = (price[:, None] * s.p_mw).sum(axis=0)
    return {
        "name": list(a.thermal_names),
        "technology": list(a.thermal_tech),
        "p_max_mw": a.p_max_mw,
        "energy_mwh": energy,
        "capacity_factor": energy / (a.p_max_mw * s.T),
        "hours_on": s.commit.sum(axis=0).astype(float),
        "starts": costs.starts.astype(float),
        "production_cost": costs.production,
        "startup_cost": costs.startup,
        "shutdown_cost": costs.shutdown,
        "total_cost": cost,
        "revenue": revenue,
        "margin": revenue - cost,
        "co2_t": costs.co2_t,
        "oil_support_hours": costs.oil_hours.sum(axis=0).astype(float),
        "oil_support_cost": costs.oil,
        "deep_cycling_hours": deep_cycling_hours(a, s),
        "deep_peak_compensation": deep_peak_compensation(a, s),
    }


def storage_table(a, s) -> dict:
    """Per storage station: energy charged and discharged (MWh), equivalent full cycles
    (discharged / usable energy), natural inflow and spill, conversion losses, revenue at the
    marginal prices (discharge − charge), and the SoC at the end. {column: (N,) array} plus `name` and `technology` lists."""
    st = a.storage
    price = np.nan_to_num(s.price, nan=0.0)[:, None]
    usable = np.maximum(st.soc_max_mwh - st.soc_min_mwh, 1e-9)
    charged, discharged = s.charge_mw.sum(axis=0), s.discharge_mw.sum(axis=0)
    return {
        "name": list(st.names), "technology": list(st.tech),
        "charged_mwh": charged, "discharged_mwh": discharged, "cycles": discharged / usable,
        "inflow_mwh": a.storage_inflow_mw.sum(axis=0), "spilled_mwh": s.spill_mw.sum(axis=0),
        "losses_mwh": (charged + a.storage_inflow_mw.sum(axis=0) - discharged - s.spill_mw.sum(axis=0)
                       - (s.soc_mwh[-1] - a.initial.soc_mwh)),
        "revenue": (price * (s.discharge_mw - s.charge_mw)).sum(axis=0),
        "degradation_cost": discharged * st.degradation_cost_per_mwh,
        "soc_end_mwh": s.soc_mwh[-1],
    }


POLICY_SLACK_COLUMNS = ("co2_excess_t", "renewable_shortfall_mwh", "non_fossil_shortfall_mwh")  # Schedule.policy_slack


def hourly_system(a, s) -> dict:
    """System-level hourly table: {column: array (T,)}."""
    thermal = s.p_mw.sum(axis=1)
    return {
        "load_mw": a.load_mw, "export_mw": a.export_mw, "import_mw": a.import_mw,
        "thermal_mw": thermal, "renewable_mw": s.renewable_mw.sum(axis=1),
        "storage_discharge_mw": s.discharge_mw.sum(axis=1), "storage_charge_mw": s.charge_mw.sum(axis=1),
        "renewable_available_mw": a.available_mw.sum(axis=1), "curtailment_mw": s.curtail_mw.sum(axis=1),
        "shed_mw": s.shed_mw, "overgen_mw": s.overgen_mw,
        "reserve_up_req_mw": a.reserve_up_mw, "reserve_up_mw": s.reserve_up_mw.sum(axis=1),
        "reserve_up_short_mw": s.reserve_up_short_mw,
        "reserve_down_req_mw": a.reserve_down_mw, "reserve_down_mw": s.reserve_down_mw.sum(axis=1),
        "reserve_down_short_mw": s.reserve_down_short_mw,
        "price": s.price,
        "units_on": s.commit.sum(axis=1).astype(float),
        "must_run_short_mw": s.must_run_short_mw.sum(axis=1),
        **{c: s.policy_slack[:, k] for k, c in enumerate(POLICY_SLACK_COLUMNS)},
    }


def format_summary(sm: dict) -> str:
    """A short human-readable summary for the terminal."""
    cur = sm.get("currency", "")
    lines = [
        f"case {sm['case']}: {sm['hours']} h from hour {sm['first_hour']} ({sm['windows']} windows, "
        f"{sm.get('wall_time_s', 0):.1f} s)",
        f"  objective      {sm['objective']:,.0f} {cur}  (operating {sm['total_cost']:,.0f} + penalties "
        f"{sm['penalty_cost']:,.0f})",
        "  gap            " + ("n/a" if sm["gap"] is None else f"{100 * sm['gap']:.3f} %")
        + ("" if sm["lower_bound"] is None else f"   lower bound {sm['lower_bound']:,.0f}"),
        f"  demand         {sm['demand_mwh']:,.0f} MWh   peak {sm['peak_load_mw']:,.0f} MW",
        f"  renewables     {sm['renewable_available_mwh']:,.0f} MWh available, curtailed "
        f"{sm['curtailment_mwh']:,.0f} MWh ({100 * sm['curtailment_rate']:.1f} %), share of generation "
        f"{100 * sm['renewable_share']:.1f} %",
        f"  unserved       {sm['unserved_energy_mwh']:,.1f} MWh   over-generation {sm['overgeneration_mwh']:,.1f} MWh",
        f"  CO2            {sm['co2_t']:,.0f} t   starts {sm['starts']}",
    ]
    if sm.get("deep_cycling_hours") or sm.get("deep_peak_compensation"):
        lines.append(f"  deep cycling   {sm['deep_cycling_hours']:,.0f} unit-hours below the pre-retrofit minimum; "
                     f"deep peak regulation paid {sm['deep_peak_compensation']:,.0f} {cur}")
    if sm.get("must_run_shortfall_mwh"):
        lines.append(f"  CHP must-run   {sm['must_run_shortfall_mwh']:,.1f} MWh below the heating-season minimum")
    for kind, p in sm.get("policies", {}).items():
        sp = p["shadow_price_mean"]
        lines.append(f"  policy {kind:<16} limit {p['limit']:,.0f} {p['unit']}, realised {p['realised']:,.0f}, "
                     f"slack {p['slack']:,.1f}" + ("" if sp is None else f", shadow price {sp:,.1f} {cur}/{p['unit']}"))
    net = sm.get("network") or {}
    if net.get("model") == "dc":
        lines.append(f"  network        dc, {net['nodes']} buses, {net['branches']} branches ({net['branches_monitored']} "
                     f"limits in the model): {net['congested_branch_hours']:,.0f} congested branch-hours, overload "
                     f"{net['overload_mwh']:,.1f} MWh, nodal price spread mean {net['price_spread_mean']:,.1f} "
                     f"max {net['price_spread_max']:,.1f} {cur}/MWh")
    elif net.get("model") == "zonal":
        lines.append(f"  network        zonal, {net['nodes']} zones: price spread mean {net['price_spread_mean']:,.1f} "
                     f"max {net['price_spread_max']:,.1f} {cur}/MWh")
    for name, mg in (sm.get("microgrids") or {}).items():
        lines.append(f"  microgrid      {name}: import {mg['import_mwh']:,.1f} / export {mg['export_mwh']:,.1f} MWh, "
                     f"self-sufficiency {100 * mg['self_sufficiency']:.0f} %, local shed {mg['local_shed_mwh']:,.1f} MWh "
                     f"({mg['islanded_hours']} h islanded)")
    for name, dr in (sm.get("demand_response") or {}).items():
        what = (f"moved {dr['down_mwh']:,.0f} MWh away and back" if dr["kind"] == "shiftable"
                else f"cut {dr['down_mwh']:,.0f} MWh in {dr['calls']} calls ({dr['hours_called']} h)")
        lines.append(f"  demand resp.   {name}: {what}, cost {dr['cost']:,.0f} {cur}")
    if sm.get("annualized_capex"):
        lines.append(f"  capex          {sm['annualized_capex']:,.0f} {cur}/year annualised")
    if sm.get("price_mean") is not None:
        lines.append(f"  price          mean {sm['price_mean']:,.1f}  min {sm['price_min']:,.1f}  max "
                     f"{sm['price_max']:,.1f} {cur}/MWh")
    lines.append(f"  checker        {sm['violations']} violations")
    return "\n".join(lines)
