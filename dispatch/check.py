"""Independent solution checker: feasibility rules and costs recomputed from a `Schedule`.

Reads only the problem (`SystemArrays`) and the answer (`Schedule`), never a solver model, so it
catches formulation bugs as well as solver tolerance drift. Shapes: T hours, G thermal units,
R renewables. Power in MW (hourly averages, so numerically MWh per hour), money in the case
currency, CO2 in t. Row t of a schedule is data hour `first_hour + t`.

Status is read from `commit` (on where commit ≥ 0.5); start-ups and shut-downs used for costs and
for the time rules are derived from it, and the schedule's own `startup` / `shutdown` flags are
only compared against them ("status_logic").
"""
from dataclasses import dataclass

import numpy as np

from dispatch.compile import SystemArrays
from dispatch.results import Schedule

RULES = ("balance", "renewable", "slack_sign", "thermal_limits", "status_logic", "must_run",
         "min_up", "min_down", "ramp", "startup_ramp", "shutdown_ramp", "reserve", "objective",
         "storage_soc", "storage_limits", "storage_exclusive", "storage_fixed_speed", "storage_reserve",
         "oil_assist", "heating_must_run", "policy", "network_balance", "line_limits", "tie_limits",
         "demand_response", "microgrid", "ev")
POLICY_KINDS = ("co2_cap", "renewable_utilisation", "non_fossil_share")   # columns of Schedule.policy_slack
_FLAG_TOL = 1e-6  # tolerance on 0/1 values (commit, start-up and shut-down flags)


@dataclass
class Violation:
    """One broken rule at one hour for one element."""
    rule: str        # one of RULES
    hour: int        # data hour index (schedule.first_hour + t), or -1 if not hour-specific
    element: str     # unit or renewable name, or "system"
    amount: float    # size of the violation (MW, h, currency, or a flag difference)
    message: str     # one human-readable line


@dataclass
class Costs:
    """Costs recomputed from a schedule (never taken from the solver). Money in the case currency."""
    production: np.ndarray        # (G,) Σ_t cost curve at the dispatched output, on hours only
    startup: np.ndarray           # (G,) Σ start-up cost by category
    shutdown: np.ndarray          # (G,) shutdown_cost × number of shut-downs
    co2_t: np.ndarray             # (G,) t, curve CO2 on on-hours + start-up CO2
    fuel: np.ndarray              # (G,) fuel units, curve fuel only (start-up fuel is not in the arrays)
    starts: np.ndarray            # (G,) int, number of start-ups
    startup_category: np.ndarray  # (T, G) int, -1 where no start, else the category index by hours off
    shed_cost: float              # voll × Σ shed MWh
    overgen_cost: float           # overgen_cost × Σ over-generation MWh
    curtail_cost: float           # Σ_r curtailment_cost[r] × Σ_t curtail MWh
    reserve_short_cost: float     # reserve_short_cost × Σ (up + down shortfall) MWh
    storage_degradation: float    # Σ_s degradation_cost_per_mwh × discharged MWh
    storage_mode_change: float    # Σ_s mode_change_cost × unit starts of pumping and of generating
    oil: np.ndarray               # (G,) oil-support cost (carbon included); its CO2 is in co2_t
    oil_hours: np.ndarray         # (T, G) bool, hours with oil support (reported, or output below the threshold)
    must_run_short_cost: float    # must_run_short_cost × Σ heating-season shortfall MWh
    policy_penalty: float         # Σ policy slack × its penalty (CO2 excess, energy shortfalls)
    overload_cost: float          # overload_cost × Σ line overload MWh (dc networks)
    demand_response: float        # Σ demand moved away (shiftable) or cut (interruptible) × its cost
    ev_shortfall_cost: float      # voll × Σ EV energy not delivered by departure
    total_cost: float             # Σ_g production + startup + shutdown + oil + storage + demand-response costs
    penalty_cost: float           # shed + overgen + curtail + reserve shortfall + must-run + policy + overload
    objective: float              # total_cost + penalty_cost


def _require_match(a: SystemArrays, s: Schedule):
    """Raise ValueError unless `a` and `s` describe the same hours and elements."""
    if a.T != s.T or a.first_hour != s.first_hour:
        raise ValueError(f"arrays cover hours {a.first_hour}+{a.T}, schedule {s.first_hour}+{s.T}")
    if list(a.thermal_names) != list(s.thermal_names) or list(a.renewable_names) != list(s.renewable_names):
        raise ValueError("arrays and schedule name different units or renewables")


def _status(a: SystemArrays, s: Schedule):
    """Status from `commit`: u, u_prev, start v, shut-down w, all (T, G) bool (u_prev(0) = initial.on)."""
    u = np.asarray(s.commit) >= 0.5
    u_prev = np.concatenate([a.initial.on.astype(bool)[None, :], u], axis=0)[:-1]
    return u, u_prev, u & ~u_prev, ~u & u_prev


def curve_values(a: SystemArrays, curve: np.ndarray, p: np.ndarray) -> np.ndarray:
    """(T, G) each unit's curve (G, L), values at the points a.curve_mw, linearly interpolated at
    p (T, G) MW clipped into [p_min, p_max] (flat outside the points): the first value plus each
    segment's slope times the part of it below p (padding points repeat the last: width 0)."""
    x = np.clip(p, a.p_min_mw[None, :], a.p_max_mw[None, :])
    out = np.broadcast_to(curve[:, 0], x.shape).copy()
    for j in range(a.curve_mw.shape[1] - 1):
        width = a.curve_mw[:, j + 1] - a.curve_mw[:, j]
        slope = np.divide(curve[:, j + 1] - curve[:, j], width, out=np.zeros(a.G), where=width > 0)
        out += slope[None, :] * np.clip(x - a.curve_mw[None, :, j], 0.0, width[None, :])
    return out


def _curve_total(a: SystemArrays, curve: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Σ over on hours of curve (G, L) interpolated at p (T, G), clipped into [p_min, p_max]; (G,)."""
    return np.where(u, curve_values(a, curve, p), 0.0).sum(axis=0)


def startup_category(a: SystemArrays, v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(T, G) int: start-up category at each start v, -1 elsewhere.

    Hours off at a start in hour t = t − τ, τ the last shut-down (first off hour) before t; the
    initial off period counts as a shut-down at τ = −initial.hours. The category is the largest
    s < n_startup with startup_lag_h[g, s] ≤ hours off (0 if none).
    """
    t = np.arange(v.shape[0], dtype=float)[:, None]
    tau0 = np.where(a.initial.on, -np.inf, -a.initial.hours.astype(float))
    tau = np.maximum(np.maximum.accumulate(np.where(w, t, -np.inf), axis=0), tau0[None, :])
    off_h = t - tau
    cat = np.zeros(v.shape, np.int64)
    for k in range(1, a.startup_lag_h.shape[1]):
        ok = (k < a.n_startup)[None, :] & (a.startup_lag_h[:, k][None, :] <= off_h)
        cat = np.where(ok, k, cat)
    return np.where(v, cat, -1)


def oil_support_hours(a: SystemArrays, s: Schedule, u: np.ndarray, p: np.ndarray) -> np.ndarray:
    """(T, G) bool: on hours of units with oil support where the schedule reports oil support or
    the output is below the oil threshold (by more than 1e-6 MW)."""
    below = p < a.oil_below_mw[None, :] - 1e-6
    return u & a.has_oil[None, :] & (below | (np.asarray(s.oil_assist) >= 0.5))


def policy_totals(a: SystemArrays, s: Schedule, costs: "Costs") -> dict:
    """Realised quantities the policy limits apply to: {co2_cap: t, renewable_utilisation: MWh of wind
    and solar used, non_fossil_share: MWh of renewables + nuclear/biomass + hydro-reservoir output}."""
    vre = np.array([t in ("wind", "solar") for t in a.renewable_tech], bool)
    ren = np.asarray(s.renewable_mw, float)
    res = np.array([t == "hydro_reservoir" for t in a.storage.tech], bool)
    nf = ren.sum() + np.asarray(s.p_mw, float)[:, a.non_fossil].sum() + np.asarray(s.discharge_mw, float)[:, res].sum()
    return {"co2_cap": float(costs.co2_t.sum()), "renewable_utilisation": float(ren[:, vre].sum()),
            "non_fossil_share": float(nf)}


def _money(a: SystemArrays, s: Schedule, u, v, w, p, cat) -> dict:
    """The money fields of `Costs` (all but co2_t, fuel, starts, startup_category) of schedule s
    with status u, starts v, shut-downs w (T, G) bool, output p (T, G) MW and start-up categories
    cat (T, G)."""
    startup = np.where(v, a.startup_cost[np.arange(a.G)[None, :], np.maximum(cat, 0)], 0.0).sum(axis=0)
    production = _curve_total(a, a.curve_cost_per_h, p, u)
    shutdown = a.shutdown_cost * w.sum(axis=0)
    shed = float(a.voll * np.sum(s.shed_mw))
    over = float(a.overgen_cost * np.sum(s.overgen_mw))
    curt = float((np.asarray(s.curtail_mw, float) * a.curtailment_cost[None, :]).sum())
    short = float(a.reserve_short_cost * (np.sum(s.reserve_up_short_mw) + np.sum(s.reserve_down_short_mw)))
    st = a.storage
    degradation = float((np.asarray(s.discharge_mw, float) * st.degradation_cost_per_mwh[None, :]).sum())
    starts_st = sum(np.clip(np.diff(np.vstack([y0[None, :], y]), axis=0), 0, None)
                    for y0, y in ((a.initial.pump_units, s.pump_units), (a.initial.gen_units, s.gen_units)))
    mode_change = float((np.asarray(starts_st, float) * st.mode_change_cost[None, :]).sum())
    oil_hours = oil_support_hours(a, s, u, p)
    oil = (oil_hours * a.oil_cost_per_h[None, :]).sum(axis=0)
    hs_short = float(a.must_run_short_cost * np.sum(s.must_run_short_mw))
    pol = a.policy or {}
    slack = np.asarray(s.policy_slack, float).sum(axis=0)
    policy_penalty = float(slack[0] * pol.get("co2_excess_per_t", 0.0)
                           + (slack[1] + slack[2]) * pol.get("energy_shortfall_per_mwh", 0.0))
    overload = float(a.network.overload_cost * np.sum(s.overload_mw)) if a.network is not None else 0.0
    ev_short = float(a.voll * np.sum(s.ev_short_mwh))
    dr_cost = float((np.asarray(s.dr_down_mw, float) * a.demand.cost_per_mwh[None, :]).sum())
    total = float(production.sum() + startup.sum() + shutdown.sum() + oil.sum()) + degradation + mode_change + dr_cost
    penalty = shed + over + curt + short + hs_short + policy_penalty + overload + ev_short
    return dict(production=production, startup=startup, shutdown=shutdown, shed_cost=shed, overgen_cost=over,
                curtail_cost=curt, reserve_short_cost=short, storage_degradation=degradation,
                storage_mode_change=mode_change, oil=oil, oil_hours=oil_hours, must_run_short_cost=hs_short,
                policy_penalty=policy_penalty, overload_cost=overload, demand_response=dr_cost,
                ev_shortfall_cost=ev_short, total_cost=total, penalty_cost=penalty, objective=total + penalty)


def recompute_costs(arrays: SystemArrays, s: Schedule) -> Costs:
    """All costs, CO2 and fuel of schedule `s` on the problem `arrays` (same hours)."""
    a = arrays
    _require_match(a, s)
    u, _, v, w = _status(a, s)
    p = np.asarray(s.p_mw, float)
    cat = startup_category(a, v, w)
    money = _money(a, s, u, v, w, p, cat)
    su_co2 = np.where(v, a.startup_co2_t[np.arange(a.G)[None, :], np.maximum(cat, 0)], 0.0).sum(axis=0)
    oil_co2 = (money["oil_hours"] * a.oil_co2_t_per_h[None, :]).sum(axis=0)
    return Costs(co2_t=_curve_total(a, a.curve_co2_t_per_h, p, u) + su_co2 + oil_co2,
                 fuel=_curve_total(a, a.curve_fuel_per_h, p, u), starts=v.sum(axis=0).astype(np.int64),
                 startup_category=cat, **money)


def objective(arrays: SystemArrays, s: Schedule) -> float:
    """recompute_costs(arrays, s).objective without the CO2 and fuel sums (for comparing many
    candidate schedules)."""
    a = arrays
    _require_match(a, s)
    u, _, v, w = _status(a, s)
    return _money(a, s, u, v, w, np.asarray(s.p_mw, float), startup_category(a, v, w))["objective"]


def _tol(tol_mw: float, scale) -> np.ndarray:
    """Absolute MW tolerance, widened for large magnitudes: tol_mw · max(1, |scale|·1e-7)."""
    return tol_mw * np.maximum(1.0, np.abs(scale) * 1e-7)


def _emit(out: list, rule: str, excess: np.ndarray, tol, first_hour: int, names, what: str,
          unit: str = "MW", hours: np.ndarray | None = None):
    """Append a Violation wherever excess > tol (NaN counts as violated).

    excess: (T,) for system rules (element "system") or (T, n) per element named by `names`;
    row t is reported as hour first_hour + t, or first_hour + hours[t, j] when `hours` is given.
    """
    bad = ~(excess <= tol)
    idx = np.nonzero(bad)
    rows = idx[0] if hours is None else hours[bad]
    for k, amount in enumerate(excess[bad]):
        element = "system" if excess.ndim == 1 else str(names[idx[1][k]])
        hour = first_hour + int(rows[k])
        out.append(Violation(rule, hour, element, float(amount),
                             f"{rule}: {element}, hour {hour}: {what} ({float(amount):.6g}{' ' + unit if unit else ''})"))


def _min_time_short(run: np.ndarray, begins: np.ndarray, run0: np.ndarray, hours0: np.ndarray,
                    min_h: np.ndarray):
    """Hours short of a minimum duration for runs of `run` (T, G) bool (on for min-up, off for min-down).

    begins (T, G): hours where a run starts inside the schedule; run0 (G,): a run is in progress
    before hour 0, already hours0 (G,) long. A run starting at t must last min(min_h, T − t) hours;
    the run in progress must last ceil(min_h − hours0) more hours (capped at T).
    Returns (short (T, G), end (T, G)): short > 0 at the run's first row (row 0 for the run in
    progress), end = the hour index where that run ends (first hour ≥ t outside the run, or T).
    """
    T = run.shape[0]
    t = np.arange(T)[:, None]
    end = np.minimum.accumulate(np.where(run, T, t)[::-1], axis=0)[::-1]
    short = np.where(begins, np.minimum(min_h[None, :], T - t) - (end - t), 0)
    need0 = np.where(run0, np.clip(np.ceil(min_h - hours0), 0, T), 0)
    short[0] = np.where(run0, need0 - end[0], short[0])
    return short, end


def check(arrays: SystemArrays, s: Schedule, tol_mw: float = 1e-4) -> tuple[list[Violation], Costs]:
    """Check schedule `s` against every rule in RULES; return (violations, recomputed costs).

    `arrays` must cover exactly the schedule's hours; `arrays.initial` is the state before hour 0.
    tol_mw: absolute MW tolerance (widened by 1e-7 relative on large magnitudes).
    """
    a = arrays
    costs = recompute_costs(a, s)
    out: list[Violation] = []
    if s.T == 0:
        return out, costs
    h0, tn, rn = s.first_hour, a.thermal_names, a.renewable_names
    u, u_prev, v, w = _status(a, s)
    commit = np.asarray(s.commit, float)
    p, r, rd = (np.asarray(x, float) for x in (s.p_mw, s.reserve_up_mw, s.reserve_down_mw))
    ren, curt = np.asarray(s.renewable_mw, float), np.asarray(s.curtail_mw, float)
    pmin, pmax = a.p_min_mw[None, :], a.p_max_mw[None, :]
    tol_g = _tol(tol_mw, pmax)

    # 1. energy balance
    ch, dis = np.asarray(s.charge_mw, float), np.asarray(s.discharge_mw, float)
    dr_net = (np.asarray(s.dr_down_mw, float) - np.asarray(s.dr_up_mw, float)).sum(axis=1) \
        - np.asarray(s.ev_charge_mw, float).sum(axis=1)
    supply = (p.sum(axis=1) + ren.sum(axis=1) + dis.sum(axis=1) - ch.sum(axis=1) + a.import_mw + s.shed_mw
              - s.overgen_mw + dr_net)
    demand = a.load_mw + a.export_mw
    _emit(out, "balance", np.abs(supply - demand), _tol(tol_mw, demand + a.import_mw), h0, None,
          "generation + renewables + storage (discharge − charge) + demand response (down − up) − EV charging "
          "+ import + shed − overgen ≠ load + export")

    # 2. renewables
    tol_r = _tol(tol_mw, a.available_mw)
    _emit(out, "renewable", a.min_output_mw - ren, tol_r, h0, rn, "output below min_output_mw")
    _emit(out, "renewable", ren - a.available_mw, tol_r, h0, rn, "output above available_mw")
    _emit(out, "renewable", np.abs(curt - (a.available_mw - ren)), tol_r, h0, rn,
          "curtail_mw ≠ available_mw − renewable_mw")

    # 3. signs of slacks, outputs and reserves
    for name, x in (("shed_mw", s.shed_mw), ("overgen_mw", s.overgen_mw),
                    ("reserve_up_short_mw", s.reserve_up_short_mw),
                    ("reserve_down_short_mw", s.reserve_down_short_mw)):
        _emit(out, "slack_sign", -np.asarray(x, float), tol_mw, h0, None, f"{name} negative")
    for name, x in (("p_mw", p), ("reserve_up_mw", r), ("reserve_down_mw", rd)):
        _emit(out, "slack_sign", -x, tol_mw, h0, tn, f"{name} negative")

    # 4. unit limits
    _emit(out, "thermal_limits", np.abs(commit - u), _FLAG_TOL, h0, tn, "commit is not 0/1", "")
    off_use = np.where(u, 0.0, np.maximum(np.abs(p), np.maximum(np.abs(r), np.abs(rd))))
    _emit(out, "thermal_limits", off_use, tol_g, h0, tn, "output or reserve while off")
    _emit(out, "thermal_limits", np.where(u, pmin - p, 0.0), tol_g, h0, tn, "output below p_min")
    _emit(out, "thermal_limits", np.where(u, p + r - pmax, 0.0), tol_g, h0, tn, "output + reserve up above p_max")
    _emit(out, "thermal_limits", np.where(u, pmin - (p - rd), 0.0), tol_g, h0, tn,
          "output − reserve down below p_min")

    # 5. start-up / shut-down flags
    _emit(out, "status_logic", np.abs(np.asarray(s.startup, float) - v), _FLAG_TOL, h0, tn,
          "startup ≠ u(t)·(1 − u(t−1))", "")
    _emit(out, "status_logic", np.abs(np.asarray(s.shutdown, float) - w), _FLAG_TOL, h0, tn,
          "shutdown ≠ (1 − u(t))·u(t−1)", "")

    # 6. must-run
    _emit(out, "must_run", (a.must_run & ~u).astype(float), 0.0, h0, tn, "must-run unit off", "h")

    # 7. minimum up / down times (reported at the hour the run ended too early)
    ini = a.initial
    for rule, run, begins, run0, min_h, what in (
            ("min_up", u, v, ini.on, a.min_up_h, "shut down before its minimum up time"),
            ("min_down", ~u, w, ~ini.on, a.min_down_h, "started before its minimum down time")):
        short, end = _min_time_short(run, begins, run0, ini.hours, min_h)
        _emit(out, rule, short.astype(float), 0.0, h0, tn, what, "h", hours=end)

    # 8. ramps on output above p_min, start-up and shut-down limits
    q = p - pmin * u
    q0 = np.where(ini.on, ini.p_mw - a.p_min_mw, 0.0)
    q_prev = np.concatenate([q0[None, :], q[:-1]], axis=0)
    _emit(out, "ramp", q + r - q_prev - a.ramp_up_mw_per_h[None, :], tol_g, h0, tn,
          "q(t) + reserve up − q(t−1) above ramp_up_mw_per_h")
    _emit(out, "ramp", q_prev - q + rd - a.ramp_down_mw_per_h[None, :], tol_g, h0, tn,
          "q(t−1) − q(t) + reserve down above ramp_down_mw_per_h")
    su_cap = np.minimum(a.p_max_mw, a.startup_ramp_mw_per_h)[None, :]
    _emit(out, "startup_ramp", np.where(v, p + r - su_cap, 0.0), tol_g, h0, tn,
          "output + reserve up in a start-up hour above min(p_max, startup_ramp_mw_per_h)")
    sd_cap = np.minimum(a.p_max_mw, a.shutdown_ramp_mw_per_h)[None, :]
    w_next = np.concatenate([w[1:], np.zeros((1, a.G), bool)], axis=0)
    _emit(out, "shutdown_ramp", np.where(w_next, p + r - sd_cap, 0.0), tol_g, h0, tn,
          "output + reserve up before a shut-down above min(p_max, shutdown_ramp_mw_per_h)")
    _emit(out, "shutdown_ramp", np.where(w[0], ini.p_mw - a.shutdown_ramp_mw_per_h, 0.0)[None, :],
          tol_g, h0, tn, "initial output above shutdown_ramp_mw_per_h for a shut-down at the first hour")

    # 9. system reserves (ineligible units must offer none)
    elig = a.reserve_eligible[None, :]
    st_el = a.storage.reserve_eligible[None, :]
    for name, x, xs, short, req in (("up", r, s.storage_reserve_up_mw, s.reserve_up_short_mw, a.reserve_up_mw),
                                    ("down", rd, s.storage_reserve_down_mw, s.reserve_down_short_mw,
                                     a.reserve_down_mw)):
        offered = np.where(elig, x, 0.0).sum(axis=1) + np.where(st_el, np.asarray(xs, float), 0.0).sum(axis=1)
        if name == "up":   # uncalled interruptible load of reserve contracts (bounded in _check_demand)
            offered = offered + np.asarray(s.dr_reserve_mw, float).sum(axis=1)
        _emit(out, "reserve", req - offered - short, _tol(tol_mw, req), h0, None,
              f"eligible reserve {name} + shortfall below the requirement")
        _emit(out, "reserve", np.where(elig, 0.0, x), tol_g, h0, tn, f"reserve {name} on an ineligible unit")

    # 10. storage
    if a.storage.N:
        _check_storage(out, a, s, tol_mw)

    # 11. oil support: below the threshold an on unit burns oil (and pays for it)
    oil_flag = np.asarray(s.oil_assist) >= 0.5
    _emit(out, "oil_assist", np.where(u & a.has_oil[None, :] & ~oil_flag, a.oil_below_mw[None, :] - p, 0.0),
          np.maximum(tol_g, 1e-6), h0, tn, "output below the oil-support threshold without oil support")
    _emit(out, "oil_assist", np.where(oil_flag & ~(u & a.has_oil[None, :]), 1.0, 0.0), _FLAG_TOL, h0, tn,
          "oil support reported for a unit that is off or has none", "")

    # 12. heating-season must-run: output + reported shortfall reaches the season minimum
    hs = np.asarray(s.must_run_short_mw, float)
    _emit(out, "heating_must_run", a.season_min_mw - p - hs, tol_g, h0, tn,
          "output + must_run_short_mw below the heating-season minimum")
    _emit(out, "slack_sign", -hs, tol_mw, h0, tn, "must_run_short_mw negative")

    # 13. policy limits over these hours (realised totals, with the reported slacks)
    _check_policy(out, a, s, costs, tol_mw)

    # 14. demand response: shift limits and energy conservation, call limits, reserve headroom
    if a.demand.D:
        _check_demand(out, a, s, tol_mw)

    # 14b. EV fleets: energy delivered follows charging and departures, within need and chargers
    if a.ev.E:
        _check_ev(out, a, s, tol_mw)

    # 15. microgrids: PCC exchange recomputed from the members, within its limits (0 while islanded)
    if a.microgrids.M:
        _check_microgrids(out, a, s, tol_mw)

    # 15b. network: balance per area (island or zone), line flows from the PTDF, tie limits
    if a.network is not None:
        _check_network(out, a, s, tol_mw)

    # 16. the engine's objective may not undercut the recomputed one
    if np.isfinite(s.objective):
        gap = costs.objective - s.objective
        if gap > 1e-6 * abs(costs.objective) + 1e-3:
            out.append(Violation("objective", -1, "system", float(gap),
                                 f"objective: reported {s.objective:.10g} is {gap:.6g} below the "
                                 f"recomputed {costs.objective:.10g}"))
    return out, costs


def _check_storage(out: list, a: SystemArrays, s: Schedule, tol_mw: float):
    """Storage rules: SoC recursion and bounds, power and unit limits, exclusivity, fixed-speed
    pumping, reserve within power and energy headroom. All (T, N)."""
    st, h0, names = a.storage, s.first_hour, a.storage.names
    ch, dis, soc = (np.asarray(x, float) for x in (s.charge_mw, s.discharge_mw, s.soc_mwh))
    pump, gen = np.asarray(s.pump_units, float), np.asarray(s.gen_units, float)
    r_up, r_dn = np.asarray(s.storage_reserve_up_mw, float), np.asarray(s.storage_reserve_down_mw, float)
    tol_e = _tol(tol_mw, st.energy_mwh)[None, :]
    tol_p = _tol(tol_mw, np.maximum(st.charge_mw, st.discharge_mw))[None, :]
    spill = np.asarray(s.spill_mw, float)
    prev = np.vstack([a.initial.soc_mwh[None, :], soc[:-1]])
    expect = ((1 - st.self_discharge_per_h) * prev + st.eta_charge * ch - dis / st.eta_discharge
              + a.storage_inflow_mw - spill)
    _emit(out, "storage_soc", np.abs(soc - expect), tol_e, h0, names,
          "soc ≠ (1 − loss)·previous soc + η_c·charge − discharge/η_d + inflow − spill", "MWh")
    _emit(out, "storage_limits", np.where(st.spill_allowed, -spill, np.abs(spill)), tol_p, h0, names,
          "spill negative, or spill where none is possible (a battery)")
    _emit(out, "storage_limits", st.min_release_mw - dis - spill, tol_p, h0, names,
          "generation + spill below min_release_mw")
    _emit(out, "storage_limits", st.soc_min_mwh - soc, tol_e, h0, names, "soc below soc_min", "MWh")
    _emit(out, "storage_limits", soc - st.soc_max_mwh, tol_e, h0, names, "soc above soc_max", "MWh")
    for name, x in (("charge_mw", ch), ("discharge_mw", dis), ("storage reserve up", r_up),
                    ("storage reserve down", r_dn)):
        _emit(out, "slack_sign", -x, tol_p, h0, names, f"{name} negative")
    unit_ch, unit_dis = st.charge_mw / st.units, st.discharge_mw / st.units
    need = st.needs_units[None, :]
    _emit(out, "storage_limits", ch - np.where(need, pump * unit_ch, st.charge_mw), tol_p, h0, names,
          "charge above the rating of the units pumping")
    _emit(out, "storage_limits", dis - np.where(need, gen * unit_dis, st.discharge_mw), tol_p, h0, names,
          "discharge above the rating of the units generating")
    _emit(out, "storage_limits", np.where(need, st.pump_min_share * unit_ch * pump - ch, 0.0), tol_p, h0, names,
          "pumping below pump_min_share of the units pumping")
    for y, what in ((pump, "pumping"), (gen, "generating")):
        _emit(out, "storage_limits", np.maximum(y - st.units, -y) + np.abs(y - np.rint(y)), 1e-6, h0, names,
              f"units {what} not a whole number in [0, units]", "units")
    _emit(out, "storage_exclusive", np.where(st.exclusive[None, :], pump + gen - st.units, 0.0), 1e-6, h0, names,
          "more units pumping + generating than the station has", "units")
    _emit(out, "storage_exclusive", np.where(st.exclusive[None, :] & (st.units == 1)[None, :],
                                             np.minimum(ch, dis), 0.0), tol_p, h0, names,
          "charging and discharging in the same hour")
    _emit(out, "storage_fixed_speed", np.where(st.fixed_speed[None, :], np.abs(ch - pump * unit_ch), 0.0), tol_p,
          h0, names, "fixed-speed pumps draw other than their rated power")
    _emit(out, "storage_reserve", r_up - (st.discharge_mw - dis + ch), tol_p, h0, names,
          "reserve up above the discharge headroom")
    _emit(out, "storage_reserve", r_up - st.eta_discharge * (soc - st.soc_min_mwh), tol_p, h0, names,
          "reserve up above the energy left above soc_min")
    _emit(out, "storage_reserve", r_dn - (st.charge_mw - ch + dis), tol_p, h0, names,
          "reserve down above the charge headroom")
    _emit(out, "storage_reserve", r_dn - (st.soc_max_mwh - soc) / st.eta_charge, tol_p, h0, names,
          "reserve down above the room left below soc_max")


def node_injection(a: SystemArrays, s: Schedule) -> np.ndarray:
    """(T, B) net injection at each network node: generation + renewables + storage (discharge −
    charge) + shed − over-generation − (load + export − import)."""
    net = a.network
    inj = -net.demand_mw + np.asarray(s.node_shed_mw, float) - np.asarray(s.node_overgen_mw, float)
    for node, x in ((net.thermal_node, s.p_mw), (net.ren_node, s.renewable_mw),
                    (net.storage_node, np.asarray(s.discharge_mw, float) - np.asarray(s.charge_mw, float))):
        np.add.at(inj, (slice(None), node), np.asarray(x, float))
    if a.demand.D:
        inj += (np.asarray(s.dr_down_mw, float) - np.asarray(s.dr_up_mw, float)) @ a.demand.weight
    if a.ev.E:
        inj -= np.asarray(s.ev_charge_mw, float) @ a.ev.weight
    return inj


def _check_network(out: list, a: SystemArrays, s: Schedule, tol_mw: float):
    """Per-area balance (with tie flows), node slacks that add up to the system ones, branch flows
    recomputed from the PTDF against rating + reported overload, tie flows within their limits."""
    net, h0 = a.network, s.first_hour
    inj = node_injection(a, s)
    T, A = s.T, net.A
    area_sum = np.zeros((T, A))
    np.add.at(area_sum, (slice(None), net.area_of_node), inj)
    if net.model == "zonal" and net.K:
        tie = np.asarray(s.tie_flow_mw, float)
        np.add.at(area_sum, (slice(None), net.tie_to), tie)
        np.add.at(area_sum, (slice(None), net.tie_from), -tie)
        _emit(out, "tie_limits", tie - net.tie_cap_mw[None, :], tol_mw, h0, net.tie_names, "tie flow above capacity_mw")
        _emit(out, "tie_limits", -tie - net.tie_rev_mw[None, :], tol_mw, h0, net.tie_names,
              "reverse tie flow above reverse_capacity_mw")
    names = [f"area {k}" for k in range(A)] if net.model == "dc" else net.node_names
    _emit(out, "network_balance", np.abs(area_sum), _tol(tol_mw, np.abs(net.demand_mw).sum(axis=1, keepdims=True)),
          h0, names, "injections (+ tie flows) of the area do not add up to zero")
    for what, node, total in (("node_shed_mw", s.node_shed_mw, s.shed_mw), ("node_overgen_mw", s.node_overgen_mw,
                                                                              s.overgen_mw)):
        _emit(out, "network_balance", np.abs(np.asarray(node, float).sum(axis=1) - np.asarray(total, float)),
              _tol(tol_mw, np.asarray(total, float)), h0, None, f"{what} does not add up to the system total")
        _emit(out, "slack_sign", -np.asarray(node, float), tol_mw, h0, net.node_names, f"{what} negative")
    _emit(out, "network_balance", np.asarray(s.node_shed_mw, float) - np.maximum(net.demand_mw, 0.0), tol_mw, h0,
          net.node_names, "shed above the node's demand")
    if net.model == "dc":
        flow = inj @ net.ptdf.T
        over = np.asarray(s.overload_mw, float)
        _emit(out, "line_limits", np.abs(flow) - net.rating_mw[None, :] - over, _tol(tol_mw, flow), h0,
              net.branch_names, "|flow| above rating + reported overload")
        _emit(out, "line_limits", np.abs(flow - np.asarray(s.flow_mw, float)), _tol(tol_mw, flow), h0,
              net.branch_names, "reported flow differs from the PTDF flow of the injections")


def _check_demand(out: list, a: SystemArrays, s: Schedule, tol_mw: float):
    """Demand response (T, D): shiftable moves within share·load and max_shift, owed energy follows
    the moves and is back to 0 at every block end; interruptible cuts only while called, within
    capacity and load, calls no longer than max_hours_per_call, calls and hours within the budget
    of these hours; reserve within the uncalled capacity of reserve contracts."""
    d, h0, names = a.demand, s.first_hour, a.demand.names
    dn, up, owed = (np.asarray(x, float) for x in (s.dr_down_mw, s.dr_up_mw, s.dr_owed_mwh))
    called = np.asarray(s.dr_called) >= 1
    r = np.asarray(s.dr_reserve_mw, float)
    sh = d.shiftable[None, :]
    tol = _tol(tol_mw, d.load_mw)
    for name, x in (("dr_down_mw", dn), ("dr_up_mw", up), ("dr_reserve_mw", r)):
        _emit(out, "slack_sign", -x, tol_mw, h0, names, f"{name} negative")
    _emit(out, "demand_response", np.where(sh, dn - np.minimum(d.share * d.load_mw, d.max_shift_mw[None, :]), 0.0),
          tol, h0, names, "shifted away more than share × load or max_shift_mw")
    _emit(out, "demand_response", np.where(sh, up - d.max_shift_mw[None, :], np.abs(up)), tol, h0, names,
          "put back more than max_shift_mw (or by an interruptible contract)")
    prev = np.vstack([a.initial.dr_owed_mwh[None, :], owed[:-1]])
    _emit(out, "demand_response", np.where(sh, np.abs(owed - (prev + dn - up)), 0.0), tol, h0, names,
          "owed energy ≠ previous + moved away − put back", "MWh")
    _emit(out, "demand_response", np.where(sh & d.block_end, np.abs(owed), 0.0), tol, h0, names,
          "shifted energy not put back by the end of its block", "MWh")
    cap = np.minimum(d.capacity_mw[None, :], d.load_mw)
    _emit(out, "demand_response", np.where(~sh, dn - np.where(called, cap, 0.0), 0.0), tol, h0, names,
          "cut above capacity and load, or while not called")
    _emit(out, "demand_response", np.where(sh, np.abs(called.astype(float)), 0.0), _FLAG_TOL, h0, names,
          "a shiftable load reported as called", "")
    _emit(out, "demand_response", r - np.where(d.reserve[None, :] & ~sh, cap - dn, 0.0), tol, h0,
          names, "reserve above the uncalled capacity within the load (or from a contract without reserve)")
    for li in np.unique(d.load_index):
        ks = np.nonzero(d.load_index == li)[0]
        if ks.size > 1:
            _emit(out, "demand_response", dn[:, ks].sum(axis=1) - d.load_mw[:, ks[0]], tol[:, ks[0]], h0, None,
                  f"contracts on load {li} take away more than the load")
    T = s.T
    for k in np.nonzero(~d.shiftable)[0]:
        c, pos = called[:, k], np.arange(T)
        last_off = np.maximum.accumulate(np.where(c, -1, pos))      # last uncalled hour up to t (−1: none)
        run = np.where(c, pos - last_off + np.where(last_off < 0, int(a.initial.dr_call_hours[k]), 0), 0)
        _emit(out, "demand_response", (run - d.max_hours_per_call[k]).astype(float)[:, None], 0.0, h0, [names[k]],
              "call longer than max_hours_per_call", "h")
        prev_on = np.concatenate([[a.initial.dr_call_hours[k] > 0], called[:-1, k]])
        calls = int((called[:, k] & ~prev_on).sum())
        if calls > d.calls_left[k] + 1e-9 or called[:, k].sum() > d.hours_left[k] + 1e-9:
            out.append(Violation("demand_response", -1, names[k], float(calls),
                                 f"demand_response: {names[k]}: {calls} calls, {int(called[:, k].sum())} h called; "
                                 f"allowed {d.calls_left[k]:g} calls and {d.hours_left[k]:g} h in these hours"))


def _check_ev(out: list, a: SystemArrays, s: Schedule, tol_mw: float):
    """EV (T, E): energy delivered = previous + charge − departing energy + shortfall, within
    [0, need]; charging within the plugged-in chargers, and equal to the unmanaged profile for
    unmanaged fleets."""
    ev, h0, names = a.ev, s.first_hour, a.ev.names
    ch, e, short = (np.asarray(x, float) for x in (s.ev_charge_mw, s.ev_energy_mwh, s.ev_short_mwh))
    tol = _tol(tol_mw, ev.need_mwh)
    prev = np.vstack([a.initial.ev_energy_mwh[None, :], e[:-1]])
    _emit(out, "ev", np.abs(e - (prev + ch - ev.depart_mwh + short)), tol, h0, names,
          "delivered energy ≠ previous + charging − departing energy + shortfall", "MWh")
    _emit(out, "ev", np.maximum(-e, e - ev.need_mwh), tol, h0, names,
          "delivered energy outside [0, the plugged-in vehicles' need]", "MWh")
    _emit(out, "ev", ch - ev.charger_mw, tol, h0, names, "charging above the plugged-in chargers")
    _emit(out, "ev", np.where(~ev.smart[None, :], np.abs(ch - ev.unmanaged_mw), 0.0), tol, h0, names,
          "unmanaged charging differs from full power until full")
    for what, x in (("ev_charge_mw", ch), ("ev_short_mwh", short)):
        _emit(out, "slack_sign", -x, tol_mw, h0, names, f"{what} negative")


def microgrid_flows(a: SystemArrays, s: Schedule) -> dict:
    """Per microgrid (T, M): local supply (thermal + renewables + storage discharge + demand moved
    away or cut), local use (member loads + storage charge + demand put back), and the PCC
    exchange they imply with the reported local slacks: import = use − supply − shed + over."""
    m = a.microgrids
    f = lambda mask, x: np.asarray(x, float) @ mask.T.astype(float)  # noqa: E731
    supply = f(m.thermal, s.p_mw) + f(m.ren, s.renewable_mw) + f(m.storage, s.discharge_mw) + f(m.dr, s.dr_down_mw)
    use = m.demand_mw + f(m.storage, s.charge_mw) + f(m.dr, s.dr_up_mw) + f(m.ev, s.ev_charge_mw)
    pcc = use - supply - np.asarray(s.mg_shed_mw, float) + np.asarray(s.mg_overgen_mw, float)
    return {"supply": supply, "use": use, "pcc": pcc}


def _check_microgrids(out: list, a: SystemArrays, s: Schedule, tol_mw: float):
    m, h0, names = a.microgrids, s.first_hour, a.microgrids.names
    pcc = microgrid_flows(a, s)["pcc"]
    tol = _tol(tol_mw, m.demand_mw)
    _emit(out, "microgrid", np.abs(pcc - np.asarray(s.mg_pcc_mw, float)), tol, h0, names,
          "reported PCC exchange ≠ member loads − member supply − local shed + local over-generation")
    _emit(out, "microgrid", pcc - m.import_mw, tol, h0, names, "import above the PCC limit (0 while islanded)")
    _emit(out, "microgrid", -pcc - m.export_mw, tol, h0, names, "export above the PCC limit (0 while islanded)")
    _emit(out, "microgrid", np.asarray(s.mg_shed_mw, float) - m.demand_mw, tol, h0, names,
          "local shed above the microgrid's load")
    for what, x in (("mg_shed_mw", s.mg_shed_mw), ("mg_overgen_mw", s.mg_overgen_mw)):
        _emit(out, "slack_sign", -np.asarray(x, float), tol_mw, h0, names, f"{what} negative")
    held = sum(np.abs(np.asarray(x, float)) @ mask.T.astype(float) for x, mask in (
        (s.reserve_up_mw, m.thermal), (s.reserve_down_mw, m.thermal), (s.storage_reserve_up_mw, m.storage),
        (s.storage_reserve_down_mw, m.storage), (s.dr_reserve_mw, m.dr)))
    _emit(out, "microgrid", np.where(m.islanded, held, 0.0), tol, h0, names,
          "members hold reserve for the main grid while islanded")


def _check_policy(out: list, a: SystemArrays, s: Schedule, costs: Costs, tol_mw: float):
    """Realised CO2 ≤ cap + reported excess; renewable and non-fossil energy ≥ floor − reported shortfall."""
    slack = np.asarray(s.policy_slack, float)
    _emit(out, "slack_sign", -slack, tol_mw, s.first_hour, POLICY_KINDS, "policy slack negative", "")
    pol = a.policy
    if not pol:
        return
    real = policy_totals(a, s, costs)
    tot = slack.sum(axis=0)
    checks = (("co2_cap", pol.get("co2_cap_t"), 1.0, "t", "CO2 above the cap + reported excess"),
              ("renewable_utilisation", pol.get("renewable_min_mwh"), -1.0, "MWh",
               "wind + solar used below the utilisation floor − reported shortfall"),
              ("non_fossil_share", pol.get("non_fossil_min_mwh"), -1.0, "MWh",
               "non-fossil generation below the floor − reported shortfall"))
    for k, (kind, limit, sign, unit, what) in enumerate(checks):
        if limit is None:
            continue
        excess = sign * (real[kind] - limit) - tot[k]
        if excess > _tol(tol_mw * max(1, s.T), limit):
            out.append(Violation("policy", -1, kind, float(excess),
                                 f"policy: {kind}: {what} ({excess:.6g} {unit}; realised {real[kind]:.6g}, "
                                 f"limit {limit:.6g})"))
