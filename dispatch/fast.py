"""The fast engine: Lagrangian relaxation with exact per-unit dynamic programs, a primal repair and
a ramp-aware economic dispatch (numba kernels in dispatch/kernels.py and storage/kernels.py).

`solve_window_fast(arrays, opts)` returns the same `Schedule` as the MILP's `solve_window` for one
window of `SystemArrays`:

1. **Dual** — the balance (λ, CNY/MWh), up- and down-reserve (μ, ν ≥ 0) rows are relaxed. Each
   thermal unit then solves an exact DP over its on and off runs (`kernels.units_dp`) with its
   best output per hour (`kernels.hour_values`; ramps and start/stop limits are dropped — a
   relaxation);
   renewables use their output when λ > −curtailment cost; each storage station's profit is
   bounded by its LP relaxation with the reserve terms linearised (`storage.kernels.storage_dual`:
   no schedule is built; the relaxation's optimum gives the station's subgradient terms).
   L(λ, μ, ν) = Σ_t (λ·D + μ·R_up + ν·R_dn) + Σ subproblem minima (`kernels.lagrangian`) is a
   valid lower bound of the window's optimum for any multipliers (λ ∈ [−over-generation penalty,
   VOLL], μ, ν ∈ [0, reserve shortfall penalty] keep the slack terms at 0). Multipliers start from
   a merit-order price and follow a subgradient method with Polyak steps towards the cost of the
   primal schedule (step 2) at the starting multipliers, capped at (1 + TARGET_CAP) × the best
   bound so far (a first schedule paying shortfall penalties would throw the multipliers to their
   limits), the whole loop in one kernel (`kernels.dual_ascent`).
2. **Primal** — the commitment of the DP at the best multipliers, repaired (`kernels.repair`:
   the unit block with the least regret added until every hour's reachable output covers demand
   plus up reserve), improved by local search (`kernels.decommit`: blocks removed, shortened or
   lengthened by 1-3 hours while the cost falls) and dispatched (`kernels.economic_dispatch`:
   hourly merit order in ramp bands with a ramp look-ahead), storage scheduled as a price taker
   (`storage.kernels`) at the multipliers; the cheaper of this schedule and the one built the same
   way at the starting multipliers (the Polyak target) goes on. (A third, from that commitment
   with storage at the dispatch's own marginal prices, won 4 of 365 windows of the year, 0.002 %
   of its cost, for 7 % of its time: dropped.)
3. **Storage against the commitment's cost curves** — the rest of the system's hourly cost of
   serving residual load y (committed units' segments inside their ramp-reachable bands,
   curtailable renewables, the reserve the stations do not hold charged at the shortfall penalty)
   is a convex curve (`_residual_curves`); each station in turn is re-planned against those curves
   by a DP on its SoC grid (`storage.kernels.curve_window`: it sees its own effect on the price,
   which the price taker does not; it keeps the reserve no other source has room for; pumped
   hydro's mode changes are counted along each state's best path),
   then the commitment is searched again under that
   storage schedule; each round continues from the last one's schedule, at most CURVE_ROUNDS,
   until CURVE_PATIENCE rounds in a row find nothing better (`_primal_search`). Last, the best
   schedule's commitment gets swap moves (`kernels.swap_in`: a cheaper unit started in place of
   dearer units' blocks, which the local search cannot do) under its own storage schedule, then the
   local search again; kept if cheaper. Then, only where the schedule is still more than DROP_GAP
   above the dual bound: the dearest start-ups are removed one at a time with the commitment
   repaired and searched again around the gap they leave (`_drop_starts`: several units change in
   one move); swap moves that run the cheaper unit on to the window's end, then, if anything
   changed, the plain swap moves again (`_swap_to_end`); the largest units running through
   surplus hours are stopped before them (and, where off after them, started again), storage
   re-planned, kept if cheaper (`_surplus_stops`); the same units are tried on through their
   breaks the same way (`_bridges`). A schedule that
   still sheds load while a station could help in those hours (discharge from energy to spare or
   moved from its later discharge, or charge less) gets that help (`_storage_for_shed`), kept if
   cheaper.
4. **Polish** (opts `polish`): HiGHS re-optimises storage and dispatch with the commitment fixed
   ("storage": storage unit counts free, "lp": fixed, "none": skipped); the commitment search then
   runs again under the polished storage schedule, up to POLISH_ROUNDS times while the cost falls.
5. The schedule's costs are the checker's (dispatch/check.py); `lower_bound` is the best L and
   `gap` = (objective − lower_bound) / objective.

Supported: thermal units with convex cost curves, start-up categories, min up/down, ramps with
start-up/shut-down limits, must-run and heating-season minimums; renewables; exclusive batteries
and pumped hydro (fixed- or variable-speed pumps) without inflow; reserves; copper plate.
`unsupported(arrays)` lists the rest; the engine refuses such cases (simulate.py).
"""
import copy
import time

import numpy as np

from dispatch import kernels, policy
from dispatch.check import curve_values, objective, startup_category
from dispatch.formulation.costs import concave_breaks
from dispatch.results import Schedule
from dispatch.uc import solve_window
from storage.kernels import station_on_curves, station_window

ITERATIONS = 300          # most subgradient iterations per window (engine.iterations)
STORAGE_LEVELS = 60       # SoC grid of the storage DP
STORAGE_STEPS = 2         # reserve linearisations tried per station and dual evaluation, from the last
                          # evaluation's (kernels.dual_ascent; 5 from cold starts: the same bounds to
                          # 0.008 %, the year 0.001 % dearer, 0.3 s slower)
STALL = 10                # iterations without a better bound before the step factor halves
PATIENCE = 30             # iterations without a 0.001 % better bound before the dual stops
TARGET_CAP = 1.0          # Polyak level at most (1 + TARGET_CAP) × the best bound (kernels.dual_ascent)
SEARCH_PASSES = 2         # most passes of the commitment local search (kernels.decommit)
FIRST_PASSES = 1          # ... for the first schedule, whose cost is only the dual's Polyak target (2:
                          # the year 0.001 % dearer and 0.6 s slower, session 6's 28 windows +0.657 %
                          # against +0.640 %, the pglib rts_gmlc days +1.45 % against +1.56 % on
                          # average — a different dual path per day; 0: the windows +0.72 %)
CURVE_ROUNDS = 3          # storage against the commitment's cost curves ↔ commitment search (rounds 4-10
                          # gained 0.045 % of the year's cost for 13 % of its time)
CURVE_PATIENCE = 2        # curve rounds in a row without a better schedule before they stop
CURVE_SWEEPS = 2          # passes over the stations per curve round (4: the year 0.013 % dearer and
                          # 1.3 s slower, session 6's 28 windows +0.657 % against +0.663 %; 1: the year
                          # 0.011 % dearer, the windows +0.670 %)
DROP_STARTS = 10          # dearest start-ups tried away with the commitment rebuilt (_drop_starts; 6: the
                          # pglib-uc rts_gmlc days +1.07 % against +0.97 %, the 28 windows +0.72 against
                          # +0.69 %, the year 0.013 % dearer; 20: as 10 on pglib, the windows +0.66 %,
                          # the year 0.009 % dearer and 0.6 s slower)
DROP_GAP = 0.01           # ... only in windows whose schedule is this far above the dual bound (the drop
                          # step measured before the repair's keep-on option: 0, every window, made the
                          # year 0.003 % cheaper for 1.4 s more, the pglib-uc rts_gmlc days +1.05 %
                          # against +1.07 %; 0.005: the year 0.001 % cheaper than 0.01, 1.9 s more);
                          # the surplus stops and bridges too (session 10), the swap moves to the
                          # window's end (session 11)
SURPLUS_UNITS = 4         # largest units tried for a stop before surplus hours and through breaks
                          # (_surplus_stops, _bridges; with the gap rule, 6, 8 and 12: the year 0.009,
                          # 0.004 and 0.014 % dearer on its path, the 28 windows +0.62, +0.60, +0.60 %)
POLISH_ROUNDS = 3         # HiGHS polish ↔ commitment search under the polished storage schedule


def unsupported(a, system=None) -> list[tuple[str, str]]:
    """(field, reason) for every element of window arrays `a` (and of `system`: limits over the
    whole run, which window arrays carry only inside a run) the fast engine cannot model."""
    out = []
    if a.network is not None:
        out.append(("network", f"a {a.network.model} network (use network: {{model: copper_plate}})"))
    if a.microgrids.M:
        out.append(("microgrids", "microgrids"))
    if a.demand.D:
        out.append(("demand_response", "demand response"))
    if a.ev.E:
        out.append(("ev_fleets", "EV fleets"))
    if a.policy or (system is not None and policy.active(system)):
        out.append(("policies", "policy limits"))
    if a.has_oil.any():
        out.append(("thermal", "oil-assisted combustion (retrofit oil_assist)"))
    gg, _ = concave_breaks(a)
    if gg.size:
        out.append(("thermal", f"non-convex cost curves ({a.thermal_names[gg[0]]}: a deep-cycling retrofit)"))
    st = a.storage
    bad = [st.names[k] for k in range(st.N)
           if not st.exclusive[k] or st.spill_allowed[k] and (a.storage_inflow_mw[:, k].any() or st.min_release_mw[k] > 0)]
    if bad:
        out.append(("storage", f"storage with inflow, minimum release or ternary operation ({bad[0]})"))
    return out


def _startup_tables(a):
    """(su_by_off (G, K+1), k_off (G,)): start-up cost after k hours off as the checker prices it
    (the largest category whose lag ≤ k, else the first); column k_off holds ≥ k_off hours."""
    G = a.G
    lags = np.where(np.arange(a.startup_lag_h.shape[1])[None, :] < a.n_startup[:, None], a.startup_lag_h, 0)
    k_off = np.maximum(a.min_down_h, lags.max(axis=1)).astype(np.int64)
    k_off = np.maximum(k_off, 1)
    K = int(k_off.max())
    su = np.zeros((G, K + 1))
    k = np.arange(K + 1)
    for g in range(G):
        cat = np.zeros(K + 1, np.int64)
        for s in range(1, int(a.n_startup[g])):
            cat = np.where(a.startup_lag_h[g, s] <= k, s, cat)
        su[g] = a.startup_cost[g, cat]
    return su, k_off


def _forced(a):
    """(T, G) int8: 1 = must be on (must-run, initial minimum up time, an initial output above
    what the unit can ramp down or shut down from), −1 = must stay off (initial minimum down)."""
    T, G = a.T, a.G
    ini = a.initial
    t = np.arange(T)[:, None]
    keep_on = np.where(ini.on, np.ceil(a.min_up_h - ini.hours - 1e-9), 0)
    # ramping down at full speed from the initial output, a stop at t needs q(t−1) ≤ RD and
    # p(t−1) ≤ the shut-down limit (at t = 0 with the reserve held): until then the unit stays on
    q0 = np.where(ini.on, ini.p_mw - a.p_min_mw, 0.0)
    low = np.maximum(q0[None, :] - t * a.ramp_down_mw_per_h[None, :], 0.0)      # least q(t − 1)
    blocked = ini.on[None, :] & ((low > a.ramp_down_mw_per_h[None, :] + 1e-9)
                                 | ((t >= 1) & (a.p_min_mw[None, :] + low > a.shutdown_ramp_mw_per_h[None, :] + 1e-6)))
    blocked[0] |= ini.on & (ini.p_mw + ini.reserve_up_mw > a.shutdown_ramp_mw_per_h + 1e-6)
    keep_on = np.maximum(keep_on, np.where(blocked.all(axis=0), T, np.argmin(blocked, axis=0)))
    keep_off = np.where(~ini.on, np.ceil(a.min_down_h - ini.hours - 1e-9), 0)
    f = np.zeros((T, G), np.int8)
    f[(t < keep_off[None, :])] = -1
    f[(t < keep_on[None, :]) | a.must_run] = 1
    return f


def _merit_price(a, unit_avg):
    """λ (T,): the full-load average cost of the unit that covers the net load (demand −
    renewables available) in merit order; −curtailment cost where the net load is ≤ 0."""
    net = a.net_demand_mw - a.available_mw.sum(axis=1)
    order = np.argsort(unit_avg)
    cum = np.cumsum(a.p_max_mw[order])
    pos = np.clip(np.searchsorted(cum, net), 0, a.G - 1)
    lam = unit_avg[order][pos]
    floor = -a.curtailment_cost.max(initial=0.0)
    return np.where(net <= 0, floor, lam)


class _Window:
    """Static per-window arrays shared by the dual and primal steps."""

    def __init__(self, a):
        self.a = a
        st = a.storage
        self.su_by_off, self.k_off = _startup_tables(a)
        self.forced = _forced(a)
        self.init_h = np.maximum(np.floor(a.initial.hours + 1e-9), 1).astype(np.int64)
        self.q0 = np.where(a.initial.on, a.initial.p_mw - a.p_min_mw, 0.0)
        n = a.n_points
        full = a.curve_cost_per_h[np.arange(a.G), n - 1]
        self.unit_avg = full / np.maximum(a.p_max_mw, 1e-9)
        self.order = np.argsort(self.unit_avg).astype(np.int64)
        width = np.diff(a.curve_mw, axis=1)
        if width.shape[1] == 0:
            width = np.zeros((a.G, 1))
            slope = np.zeros((a.G, 1))
        else:
            slope = np.divide(np.diff(a.curve_cost_per_h, axis=1), width, out=np.zeros_like(width), where=width > 0)
        self.seg_mw, self.seg_slope = width, slope
        self.reserve_ok = a.reserve_eligible & (a.p_max_mw > a.p_min_mw)
        # the hour-independent orders of kernels.offer_curves: eligible segments by slope and by
        # −slope, then all pieces (down, middle, up segments, renewables) by slope (stable)
        elig = np.repeat(self.reserve_ok, slope.shape[1])
        flat = slope.ravel()
        short = a.reserve_short_cost
        pieces = np.concatenate([flat - short, flat, flat + short, -a.curtailment_cost])
        self.offer_orders = tuple(np.argsort(x, kind="stable").astype(np.int64) for x in
                                  (np.where(elig, flat, np.inf), np.where(elig, -flat, np.inf), pieces))
        self.lam_lo = -a.overgen_cost
        self.lam_hi = a.voll
        self.mu_hi = a.reserve_short_cost
        self.soc0 = a.initial.soc_mwh.astype(float)
        self.st = st
        f = lambda x: np.ascontiguousarray(x, dtype=np.float64)  # noqa: E731
        # the arguments of kernels.lagrangian and kernels.dual_ascent after their own
        self.dual_args = (a.curve_mw, a.curve_cost_per_h, a.n_points, a.p_min_mw, a.p_max_mw, self.reserve_ok,
                          a.season_min_mw, float(a.must_run_short_cost), self.su_by_off, self.k_off, a.shutdown_cost,
                          a.min_up_h, a.min_down_h, a.initial.on, self.init_h, self.forced, a.net_demand_mw,
                          a.reserve_up_mw, a.reserve_down_mw, a.available_mw, a.min_output_mw, a.curtailment_cost,
                          f(self.soc0), f(st.soc_min_mwh), f(st.soc_max_mwh), f(st.soc_final_mwh), f(st.charge_mw),
                          f(st.discharge_mw), f(st.eta_charge), f(st.eta_discharge), f(1.0 - st.self_discharge_per_h),
                          f(st.degradation_cost_per_mwh), np.asarray(st.reserve_eligible, bool), STORAGE_STEPS)

    def storage(self, price, mu_up, mu_dn):
        """Every station as a price taker: (Σ bounds on profit, list of per-station results)."""
        out, bound = [], 0.0
        for k in range(self.st.N):
            res = station_window(self.st, k, price, mu_up, mu_dn, self.soc0[k], n_levels=STORAGE_LEVELS)
            bound += res[0]
            out.append(res)
        return bound, out


def _dual(w, lam, mu, nu):
    """L(λ, μ, ν) (kernels.lagrangian), the DP commitment (T, G) and the units' on − off values
    (T, G) that guide the repair, at one set of multipliers (T,)."""
    L, _, _, _, u, regret = kernels.lagrangian(lam, mu, nu, *w.dual_args)
    return L, u, regret


def _storage_reserve(w, res):
    """Up and down reserve (T,) MW the scheduled stations (per-station tuples) can hold: lists
    (`_station_reserve` of each)."""
    pairs = [_station_reserve(w, k, r) for k, r in enumerate(res)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _station_reserve(w, k, r):
    """(up, down) reserve (T,) MW station k can hold under its schedule r (a per-station tuple):
    power room and energy room above soc_min (up) or below soc_max (down); zero if ineligible."""
    st = w.st
    ch, dis, soc = r[2], r[3], r[4]
    if not st.reserve_eligible[k]:
        return np.zeros(w.a.T), np.zeros(w.a.T)
    up = np.maximum(0.0, np.minimum(st.discharge_mw[k] - dis + ch, st.eta_discharge[k] * (soc - st.soc_min_mwh[k])))
    dn = np.maximum(0.0, np.minimum(st.charge_mw[k] - ch + dis, (st.soc_max_mwh[k] - soc) / st.eta_charge[k]))
    return up, dn


def _stations_from(s, N):
    """The storage part of Schedule s as per-station tuples shaped like `station_window` results,
    with the water spilled (a polished pumped-hydro schedule may spill) as an 11th element."""
    return [(0.0, 0.0, s.charge_mw[:, k], s.discharge_mw[:, k], s.soc_mwh[:, k], None, None,
             s.pump_units[:, k], s.gen_units[:, k], True, s.spill_mw[:, k]) for k in range(N)]


def _bounds(w, u):
    """`kernels.output_bounds` of commitment u (T, G): (cap, lo, hi) (T, G) MW above p_min."""
    a = w.a
    return kernels.output_bounds(u.astype(np.int8), a.p_min_mw, a.p_max_mw, a.startup_ramp_mw_per_h,
                                 a.shutdown_ramp_mw_per_h, a.ramp_up_mw_per_h, a.ramp_down_mw_per_h, a.initial.on,
                                 w.q0, a.season_min_mw)


def _residual_curves(w, u, st_up, st_dn, bounds=None):
    """The hourly cost of serving residual load y MW (demand − storage net output) with commitment
    u (T, G) and the renewables, as convex piecewise-linear curves for `storage.kernels.curve_window`:
    (cx, cc (T, P+1) points MW and costs currency/h, cn (T,)). Each committed unit offers its
    cost-curve segments inside its ramp-reachable band (`kernels.output_bounds`); renewables offer
    their curtailable output at −curtailment cost. Reserves the stations do not hold (st_up, st_dn
    (T,) MW) are charged on the reserve-eligible segments: the top of their headroom (up) and the
    bottom (down) cost ± the reserve shortfall penalty, so energy that eats into reserve is dear
    (`kernels.offer_curves`). Ramps between hours are not in the curves (the dispatch meets them).
    bounds: u's `_bounds`, if the caller has them."""
    a = w.a
    u = u.astype(np.int8)
    _, lo, hi = _bounds(w, u) if bounds is None else bounds
    cx, cc = kernels.offer_curves(u, lo, hi, a.p_min_mw, w.seg_mw, w.seg_slope, w.reserve_ok,
                                  a.available_mw, a.min_output_mw, a.curtailment_cost,
                                  np.maximum(a.reserve_down_mw - st_dn, 0.0), np.maximum(a.reserve_up_mw - st_up, 0.0),
                                  float(a.reserve_short_cost), *w.offer_orders)
    return cx, cc, np.full(a.T, cx.shape[1], np.int64)


def _reserve_slack(w, s, cap=None):
    """Up and down reserve (T,) MW the thermal units of schedule s could hold, less the
    requirements: Σ over committed reserve-eligible units of their room above their output (up
    to the hour's cap, `kernels.output_bounds`) and below it (down to p_min), each within the
    ramp left from the hour before (the checker's reserve rules); the stations' reserve is left
    out (the caller adds it). cap: the first of s.commit's `_bounds`, if the caller has them."""
    a = w.a
    if cap is None:
        cap = _bounds(w, s.commit)[0]
    on = s.commit.astype(bool)
    q = np.where(on, s.p_mw - a.p_min_mw[None, :], 0.0)
    prev_q = np.vstack([w.q0[None, :], q[:-1]])
    prev_on = np.vstack([a.initial.on[None, :], on[:-1]])
    up = np.where(prev_on, np.minimum(cap - q, a.ramp_up_mw_per_h[None, :] - (q - prev_q)), cap - q)
    dn = np.where(prev_on, np.minimum(q, a.ramp_down_mw_per_h[None, :] - (prev_q - q)), q)
    elig = on & w.reserve_ok[None, :]
    return (np.where(elig, np.maximum(up, 0.0), 0.0).sum(axis=1) - a.reserve_up_mw,
            np.where(elig, np.maximum(dn, 0.0), 0.0).sum(axis=1) - a.reserve_down_mw)


def _storage_on_curves(w, s, sweeps=CURVE_SWEEPS):
    """Storage of schedule s re-planned against the cost curves of its commitment
    (`_residual_curves`): each station in turn (`sweeps` passes) by `storage.kernels.curve_window`,
    the other stations' schedules fixed; a station whose others have not changed since its last
    program in this call is not solved again (the same curves and others; only its reserve limits,
    which follow its own schedule, could differ). The curves
    hold the stations' reserve fixed, so a station must keep, in each hour, the up and down
    reserve no other source has room for at s (`_reserve_slack`, updated after each station's
    program): its state of charge and power are bounded there. (Without that a battery drained
    at midday left the thermal units the reserve: on the 28 May window the MILP's storage
    re-planned from the MILP's own schedule went from 0.0 % to +2.6 % above it; with the limits
    +0.4 %, with mode changes counted too +0.2 %.)
    Returns per-station tuples like `_stations_from`."""
    a, st = w.a, w.a.storage
    res = _stations_from(s, st.N)
    ups, dns = _storage_reserve(w, res)
    bounds = _bounds(w, s.commit)
    cx, cc, cn = _residual_curves(w, s.commit, sum(ups, np.zeros(a.T)), sum(dns, np.zeros(a.T)), bounds)
    solved, changed, step = [-1] * st.N, [-1] * st.N, 0   # step of each station's last program / change
    slack_up, slack_dn = _reserve_slack(w, s, bounds[0])  # beyond the requirements, stations included
    slack_up += sum(ups, np.zeros(a.T))
    slack_dn += sum(dns, np.zeros(a.T))
    for _ in range(sweeps):
        moved = False
        for k in range(st.N):
            step += 1
            if solved[k] >= 0 and all(changed[j] < solved[k] for j in range(st.N) if j != k):
                continue
            solved[k] = step
            others = sum((r[3] - r[2] for j, r in enumerate(res) if j != k), np.zeros(a.T))
            lim = {}
            if st.reserve_eligible[k]:
                # the reserve only this station holds now (no other source has room for it) is kept:
                # up as energy above soc_min and discharge room, down as room below soc_max and
                # charge room (`_storage_reserve`'s rule)
                keep_up = np.maximum(ups[k] - np.maximum(slack_up, 0.0), 0.0)
                keep_dn = np.maximum(dns[k] - np.maximum(slack_dn, 0.0), 0.0)
                lim = dict(soc_floor=np.where(keep_up > 0, st.soc_min_mwh[k] + keep_up / st.eta_discharge[k], -np.inf),
                           dis_cap=np.where(keep_up > 0, st.discharge_mw[k] - keep_up, np.inf),
                           soc_ceil=np.where(keep_dn > 0, st.soc_max_mwh[k] - keep_dn * st.eta_charge[k], np.inf),
                           ch_cap=np.where(keep_dn > 0, st.charge_mw[k] - keep_dn, np.inf))
            out = station_on_curves(st, k, a.net_demand_mw - others, cx, cc, cn, -a.overgen_cost, a.voll,
                                    w.soc0[k], n_levels=STORAGE_LEVELS, **lim,
                                    units0=(a.initial.pump_units[k], a.initial.gen_units[k]))
            if out[-1]:
                if not (np.array_equal(out[1], res[k][2]) and np.array_equal(out[2], res[k][3])):
                    moved, changed[k] = True, step
                res[k] = (0.0, 0.0, out[1], out[2], out[3], None, None, out[4], out[5], True, np.zeros(a.T))
                up, dn = _station_reserve(w, k, res[k])
                slack_up += up - ups[k]
                slack_dn += dn - dns[k]
                ups[k], dns[k] = up, dn
        if not moved:           # a sweep that changed no station: the next ones would repeat it
            break
    return res


def _storage_for_shed(w, s):
    """Schedule s's storage with more discharge in the hours s sheds load, as per-station tuples
    (like `_stations_from`), or None when s sheds nothing or no station can help. A station helps
    in hour t if it is not charging then and has power to spare, with the energy (a) it holds
    above what every later hour and the window's end need: x MW more at t lowers every later state
    of charge by x/eta_discharge (times the self-discharge decay), which must keep them ≥ soc_min
    and the last ≥ the window's final target; then (b) moved from its own later discharge, hours
    of the lowest marginal price first (s.price, hours that shed excluded): x MW more at t and x
    less at t2 lower the states of charge of hours t..t2−1 only; (c) a station charging in hour t
    (variable speed) charges less, down to its pumps' minimum share, with the energy of (a) (the
    year's one shed hour: 3 kWh beside three charging stations). Shedding beside a battery with
    energy can survive the search (storage re-planned against the curves removes the shed, but
    the commitment search after it may end dearer; a station at its minimum later in the window
    has no energy to spare); this changes only the storage in the shed hours and in (b)'s hours,
    the schedule is then dispatched again and kept only if cheaper."""
    st, T = w.st, w.a.T
    hours = np.flatnonzero(s.shed_mw > 1e-9)
    if not st.N or not hours.size:
        return None
    dis = s.discharge_mw.astype(float).copy()
    soc = s.soc_mwh.astype(float).copy()
    keep = 1.0 - st.self_discharge_per_h
    final = np.maximum(st.soc_min_mwh, np.minimum(st.soc_final_mwh, st.soc_max_mwh))
    ch = s.charge_mw.astype(float).copy()
    moved = False
    for t in hours:
        need = s.shed_mw[t]
        for k in range(st.N):
            if need <= 1e-9:
                break
            decay = keep[k] ** np.arange(T - t)               # an MWh less at t is decay MWh less later
            room = np.min((soc[t:, k] - st.soc_min_mwh[k]) / decay)
            room = min(room, (soc[T - 1, k] - final[k]) / decay[-1])
            if ch[t, k] > 1e-9:
                # (c) a charging station charges less (variable speed, above its pumps' minimum)
                floor = s.pump_units[t, k] * st.pump_min_share[k] * st.charge_mw[k] / st.units[k]
                x = 0.0 if st.fixed_speed[k] else min(need, ch[t, k] - floor, max(room, 0.0) / st.eta_charge[k])
                if x > 1e-6:
                    ch[t, k] -= x
                    soc[t:, k] -= x * st.eta_charge[k] * decay
                    need -= x
                    moved = True
                continue
            eta = st.eta_discharge[k]
            x = min(need, st.discharge_mw[k] - dis[t, k], eta * max(room, 0.0))
            if x > 1e-6:
                dis[t, k] += x
                soc[t:, k] -= x / eta * decay
                need -= x
                moved = True
            for t2 in t + 1 + np.argsort(s.price[t + 1:], kind="stable"):
                if need <= 1e-9:
                    break
                if dis[t2, k] <= 1e-9 or s.shed_mw[t2] > 1e-9:
                    continue
                d = decay[:t2 - t]
                room = np.min((soc[t:t2, k] - st.soc_min_mwh[k]) / d)
                x = min(need, st.discharge_mw[k] - dis[t, k], dis[t2, k], eta * max(room, 0.0))
                # with self-discharge the hours from t2 on end x/eta·(decay from t2 − from t) fuller
                gain = (decay[:T - t2] - decay[t2 - t:]) / eta
                up = gain > 1e-12
                if up.any():
                    x = min(x, np.min((st.soc_max_mwh[k] - soc[t2:, k][up]) / gain[up]))
                if x <= 1e-6:
                    continue
                dis[t, k] += x
                dis[t2, k] -= x
                # x/eta less from t on, x/eta more from t2 on (each decaying from its hour)
                soc[t:, k] -= x / eta * decay
                soc[t2:, k] += x / eta * decay[:T - t2]
                need -= x
                moved = True
    if not moved:
        return None
    u_dis = st.discharge_mw / st.units
    gen = np.ceil(dis / u_dis[None, :] - 1e-9).astype(np.int64)
    return [(0.0, 0.0, ch[:, k], dis[:, k], soc[:, k], None, None, s.pump_units[:, k], gen[:, k], True,
             s.spill_mw[:, k]) for k in range(st.N)]


def _primal(w, u0, regret, price=None, stations=None, swap=False, passes=SEARCH_PASSES, from_start=False,
            beat=np.inf, to_end=False):
    """A primal schedule from commitment u0 under one storage schedule: the stations' own (given
    as `stations`, per-station tuples) or scheduled as price takers at `price` (T,). The
    commitment is repaired for that storage (regret (T, G): on − off values guiding the repair;
    from_start: it may keep units that ran before the window on from the first hour),
    improved by local search (`kernels.decommit`, at most `passes` passes; with `swap`, then by
    `kernels.swap_in` (its to_end moves with `to_end`) and, if that found a cheaper commitment, by
    the local search again) and
    dispatched. Returns (Schedule, objective): the checker's objective, computed from the dispatch
    by `kernels.window_cost` plus the stations' costs (`_storage_cost`; the same number to ~1e-15,
    in a fraction of the time of `check.objective`); the Schedule is None when the objective is not
    below beat − 1e-6 (a candidate the caller would not keep is not built)."""
    a = w.a
    bounds = (a.p_min_mw, a.p_max_mw, a.startup_ramp_mw_per_h, a.shutdown_ramp_mw_per_h, a.ramp_up_mw_per_h,
              a.ramp_down_mw_per_h)
    st_res = stations if stations is not None else w.storage(price, np.zeros(a.T), np.zeros(a.T))[1]
    st_net = sum((r[3] - r[2] for r in st_res), np.zeros(a.T))
    ups, dns = _storage_reserve(w, st_res)
    st_up, st_dn = sum(ups, np.zeros(a.T)), sum(dns, np.zeros(a.T))
    demand = a.net_demand_mw - st_net
    need = np.maximum(demand - a.available_mw.sum(axis=1), 0.0) + np.maximum(a.reserve_up_mw - st_up, 0.0)
    u, _ = kernels.repair(u0, need, regret, w.su_by_off[np.arange(a.G), w.k_off], *bounds, w.q0, a.min_up_h,
                          a.min_down_h, a.initial.on, w.init_h, w.forced, a.season_min_mw, from_start)
    market = (w.seg_mw, w.seg_slope, w.reserve_ok, a.available_mw, a.min_output_mw, a.curtailment_cost, demand,
              a.reserve_up_mw, a.reserve_down_mw, st_up, st_dn)
    search = (w.forced, w.order[::-1].copy(), a.min_up_h, a.min_down_h, *bounds, a.initial.on, w.init_h, w.q0,
              a.season_min_mw, *market, a.curve_mw, a.curve_cost_per_h, a.n_points, w.su_by_off, w.k_off,
              a.shutdown_cost, a.voll, a.overgen_cost, a.reserve_short_cost, a.must_run_short_cost)
    u, cost = kernels.decommit(u, *search, passes)
    if swap:
        u2, cost2, _ = kernels.swap_in(u, cost, *search, to_end)
        if cost2 < cost - 1e-6:
            u, _ = kernels.decommit(u2, *search, passes)
    _, out = kernels.dispatch_lifted(u, *bounds, a.initial.on, w.q0, a.season_min_mw, *market, kernels.LIFT_ROUNDS)
    q, r_up, r_dn, ren, shed, over, s_up, s_dn, st_r_up, st_r_dn, mprice = out
    cost = kernels.window_cost(u, q, ren, shed, over, s_up, s_dn, a.p_min_mw, a.curve_mw, a.curve_cost_per_h,
                               a.n_points, w.su_by_off, w.k_off, a.shutdown_cost, a.initial.on, w.init_h,
                               a.available_mw, a.curtailment_cost, a.season_min_mw, a.voll, a.overgen_cost,
                               a.reserve_short_cost, a.must_run_short_cost) + _storage_cost(w, st_res)
    if cost >= beat - 1e-6:
        return None, cost
    mprice = np.where(shed > 1e-9, a.voll, np.where(over > 1e-9, -a.overgen_cost, mprice))
    s = _schedule(w, u, q, r_up, r_dn, ren, shed, over, s_up, s_dn, st_res, ups, dns, st_r_up, st_r_dn, mprice)
    return s, cost


def _storage_cost(w, st_res):
    """The stations' degradation and mode-change costs (currency) of per-station tuples (like
    `_stations_from`), as the checker prices them."""
    st, ini = w.st, w.a.initial
    total = 0.0
    for k, r in enumerate(st_res):
        total += st.degradation_cost_per_mwh[k] * float(np.sum(r[3]))
        if st.mode_change_cost[k]:
            for y0, y in ((ini.pump_units[k], r[7]), (ini.gen_units[k], r[8])):
                total += st.mode_change_cost[k] * float(np.clip(np.diff(y, prepend=y0), 0, None).sum())
    return total


def _polish(a, s, mode, time_limit_s):
    """Schedule s re-optimised by HiGHS with its commitment fixed: mode "lp" also fixes the storage
    unit counts (an LP), "storage" leaves them free (a small MIP). Returns (Schedule, objective)."""
    fix = {"u": s.commit}
    if mode != "storage" and a.storage.N:
        fix.update(st_pump=s.pump_units, st_gen=s.gen_units)
    pol = solve_window(a, {"mip_gap": 1e-4, "time_limit_s": time_limit_s, "threads": 1, "prices": True, "fix": fix})
    return pol, objective(a, pol)


def _split(total, caps):
    """Share `total` (T,) out over stations in order, each at most caps[k] (T,)."""
    left = total.copy()
    out = []
    for c in caps:
        give = np.minimum(c, left)
        left = left - give
        out.append(give)
    return out


def _schedule(w, u, q, r_up, r_dn, ren, shed, over, s_up, s_dn, st_res, ups, dns, st_r_up, st_r_dn, price):
    a = w.a
    T, G = a.T, a.G
    on = u.astype(np.int8)
    prev = np.vstack([a.initial.on.astype(np.int8)[None, :], on[:-1]])
    p = a.p_min_mw[None, :] * on + q * on
    st_fields = {}
    if a.storage.N:
        col = lambda i: np.column_stack([r[i] for r in st_res])  # noqa: E731
        st_fields = dict(charge_mw=col(2), discharge_mw=col(3), soc_mwh=col(4),
                         storage_reserve_up_mw=np.column_stack(_split(st_r_up, ups)),
                         storage_reserve_down_mw=np.column_stack(_split(st_r_dn, dns)),
                         pump_units=col(7).astype(np.int64), gen_units=col(8).astype(np.int64),
                         spill_mw=np.column_stack([r[10] if len(r) > 10 else np.zeros(T) for r in st_res]))
    return Schedule(
        first_hour=a.first_hour, thermal_names=list(a.thermal_names), renewable_names=list(a.renewable_names),
        commit=on, startup=((on == 1) & (prev == 0)).astype(np.int8), shutdown=((on == 0) & (prev == 1)).astype(np.int8),
        p_mw=p, reserve_up_mw=r_up, reserve_down_mw=r_dn, renewable_mw=ren, curtail_mw=a.available_mw - ren,
        shed_mw=shed, overgen_mw=over, reserve_up_short_mw=s_up, reserve_down_short_mw=s_dn,
        must_run_short_mw=np.where(a.season_min_mw > 0, np.maximum(a.season_min_mw - p, 0.0), 0.0),
        price=price, storage_names=list(a.storage.names), **st_fields)


def hourly_objective(a, s) -> np.ndarray:
    """(T,) the checker's objective split by hour (start-up and shut-down costs in their hour)."""
    u = s.commit.astype(bool)
    prev = np.vstack([a.initial.on[None, :], u[:-1]])
    v, wd = u & ~prev, ~u & prev
    prod = np.where(u, curve_values(a, a.curve_cost_per_h, s.p_mw), 0.0).sum(axis=1)
    cat = startup_category(a, v, wd)
    su = np.where(v, a.startup_cost[np.arange(a.G)[None, :], np.maximum(cat, 0)], 0.0).sum(axis=1)
    st = a.storage
    starts = sum(np.clip(np.diff(np.vstack([y0[None, :], y]), axis=0), 0, None)
                 for y0, y in ((a.initial.pump_units, s.pump_units), (a.initial.gen_units, s.gen_units)))
    return (prod + su + (wd * a.shutdown_cost[None, :]).sum(axis=1)
            + (s.discharge_mw * st.degradation_cost_per_mwh[None, :]).sum(axis=1)
            + (np.asarray(starts, float) * st.mode_change_cost[None, :]).sum(axis=1)
            + a.voll * s.shed_mw + a.overgen_cost * s.overgen_mw
            + (s.curtail_mw * a.curtailment_cost[None, :]).sum(axis=1)
            + a.reserve_short_cost * (s.reserve_up_short_mw + s.reserve_down_short_mw)
            + a.must_run_short_cost * s.must_run_short_mw.sum(axis=1))


def _curve_rounds(w, best_s, best_c, regret):
    """Step 3's rounds from schedule best_s (objective best_c): storage re-planned against the
    commitment's cost curves (`_storage_on_curves`), then the commitment searched again under it
    (`_primal`), each round from the last one's schedule, at most CURVE_ROUNDS, until CURVE_PATIENCE
    rounds in a row find nothing better. Returns the best (Schedule, objective)."""
    cur, misses = best_s, 0
    for _ in range(CURVE_ROUNDS):
        stations = _storage_on_curves(w, cur)
        if all(np.array_equal(r[2], cur.charge_mw[:, k]) and np.array_equal(r[3], cur.discharge_mw[:, k])
               for k, r in enumerate(stations)):
            break               # the stations keep their plan: the round would repeat cur's search
        cur, c = _primal(w, cur.commit, regret, stations=stations)
        if c < best_c - 1e-6:
            best_s, best_c, misses = cur, c, 0
        else:
            misses += 1
            if misses >= CURVE_PATIENCE:
                break
    return best_s, best_c


def _drop_starts(w, best_s, best_c, regret):
    """Dear start-ups removed: for each of the DROP_STARTS started on blocks of best_s with the
    largest start-up cost (> 0; the cost after the unit's longest lag), the block switched off (if
    min up/down allow), the repair left to commit other units where capacity then falls short and
    the commitment searched again (`_primal`, under best_s's storage); kept if cheaper, then, with
    storage, the curve rounds from it. The repair may not put that block back, nor start a unit
    off all window whose start-up costs as much (their hours' regret is +inf: the rebuild goes to
    units cheaper to start and to running units); it may keep a unit that ran before the window on
    from the first hour. Several units' blocks move in one step — what single-unit moves cannot
    do (pglib-uc rts_gmlc 2020-11-25: combined cycles started for the evening, where the MILP keeps
    steam units that ran before the window on; without the bar on equally dear units the repair
    started the next combined cycle: +4.4 % against +1.8 %). Returns the best (Schedule,
    objective)."""
    a = w.a
    u0 = best_s.commit.astype(np.int8)
    prev = np.vstack([a.initial.on.astype(np.int8)[None, :], u0[:-1]])
    hours, units = np.nonzero((u0 == 1) & (prev == 0))
    cost = w.su_by_off[units, w.k_off[units]]
    for i in np.argsort(-cost, kind="stable")[:DROP_STARTS]:
        if cost[i] <= 0.0:
            break                               # free starts: nothing to save
        t, g = int(hours[i]), int(units[i])
        u = best_s.commit.astype(np.int8)
        if not u[t, g] or (t > 0 and u[t - 1, g]):
            continue                            # no longer a start after a kept move
        e = t
        while e + 1 < a.T and u[e + 1, g]:
            e += 1
        u[t:e + 1, g] = 0
        if not kernels.column_ok(u[:, g].copy(), a.min_up_h[g], a.min_down_h[g], a.initial.on[g], w.init_h[g],
                                 w.forced[:, g].copy()):
            continue
        barred = regret.copy()
        barred[t:e + 1, g] = np.inf
        barred[:, (w.su_by_off[np.arange(a.G), w.k_off] >= cost[i]) & ~u.any(axis=0)] = np.inf
        s, c = _primal(w, u, barred, stations=_stations_from(best_s, w.st.N), from_start=True, beat=best_c)
        if c < best_c - 1e-6:
            best_s, best_c = s, c
            if w.st.N:
                best_s, best_c = _curve_rounds(w, best_s, best_c, regret)
    return best_s, best_c


def _swap_to_end(w, best_s, best_c, regret, changed=False):
    """Swap moves that run the cheaper unit to the window's end (`kernels.swap_in` with to_end)
    on best_s's commitment under its own storage schedule, the local search before and after; kept
    if cheaper, then, with storage, the curve rounds from it. Then, if that or the step before it
    (`changed`: the drop step) changed the schedule, the plain swap moves once more the same way.
    On the pglib-uc rts_gmlc days (the benchmark's mean +0.79 % → +0.58 % above the MILP) the moves
    to the end lowered 2020-03-05 from +1.24 to +0.52 %, 2020-01-27 from +2.18 to +1.71 % and
    2020-05-05 from +0.95 to +0.61 %; the plain moves after them 2020-02-09 from +0.97 to +0.31 %
    and 2020-11-25 from +1.82 to +1.42 % (run before the moves to the end instead, 2020-03-05
    stayed 0.6 point higher; run where nothing changed too, 0.35 s a year instead of 0.19 s for the
    same result).
    Returns the best (Schedule, objective)."""
    for to_end in (True, False):
        if not to_end and not changed:
            break
        s, c = _primal(w, best_s.commit, regret, stations=_stations_from(best_s, w.st.N), swap=True, to_end=to_end,
                       beat=best_c)
        if c < best_c - 1e-6:
            best_s, best_c, changed = s, c, True
            if w.st.N:
                best_s, best_c = _curve_rounds(w, best_s, best_c, regret)
    return best_s, best_c


def _largest_units(a, commit):
    """The SURPLUS_UNITS units committed somewhere in commit (T, G), largest minimum output first
    (the candidates of `_surplus_stops` and `_bridges`)."""
    return [g for g in np.argsort(-a.p_min_mw, kind="stable") if commit[:, g].any()][:SURPLUS_UNITS]


def _surplus_stops(w, best_s, best_c, regret):
    """Large units stopped before surplus hours: for each of the SURPLUS_UNITS committed units with
    the largest minimum output, at the start of each curtailment or over-generation period inside
    one of its on blocks, the block cut there (the unit off from that hour to the block's end, if
    min up/down allow), storage re-planned against the new commitment's cost curves and the
    commitment searched again (`_primal`); kept if cheaper, then the curve rounds from it. The
    local search moves block ends by 1-3 hours with storage fixed, and a stop many hours earlier
    pays only with the storage re-planned (22 April: the MILP stops two 1000 MW coal units before
    the midday surplus). Where the block goes on after the surplus period, the unit is also tried
    off only for its min down time (or the whole period, if longer) ending with the period and on
    again after it (29 May: the MILP stops a 1000 MW coal unit four hours before the surplus, back
    for the evening); the cheaper of the two is kept. Then the same units, where off in the first
    hour after a surplus period, started there for the rest of that off period, tried the same way
    (a coal unit stopped for the solar midday and needed again in the evening). Returns the best
    (Schedule, objective)."""
    a = w.a
    surplus = best_s.curtail_mw.sum(axis=1) + best_s.overgen_mw > 1e-6
    starts = np.flatnonzero(surplus & ~np.concatenate([[False], surplus[:-1]]))
    if not starts.size:
        return best_s, best_c
    big = _largest_units(a, best_s.commit)
    # stops: a unit on in the hour before and the first hour of a surplus period, off from there to
    # its block's end; then starts: a unit off in the first hour after a surplus period, on from
    # there to the end of that off period
    ends = np.flatnonzero(~surplus & np.concatenate([[False], surplus[:-1]]))
    for hours, stop in ((starts, True), (ends, False)):
        for g in big:
            for t in hours:
                u0 = best_s.commit.astype(np.int8)
                if u0[t, g] != stop or (stop and t > 0 and not u0[t - 1, g]):
                    continue
                e = t
                while e + 1 < a.T and u0[e + 1, g] == u0[t, g]:
                    e += 1
                cuts = [(t, e)]             # hours [x0, x1] switched
                if stop:
                    # also: off for its min down time (or the surplus period, if longer) ending
                    # with the surplus period, on again after it (where the block goes on)
                    f = t
                    while f < e and surplus[f + 1]:
                        f += 1
                    x = f + 1 - max(int(a.min_down_h[g]), f - t + 1)
                    if f < e and x >= 0 and (x == 0 or u0[x - 1, g]):
                        cuts.append((x, f))
                base, found = best_s, False
                for x0, x1 in cuts:
                    u = u0.copy()
                    u[x0:x1 + 1, g] = 0 if stop else 1
                    if not kernels.column_ok(u[:, g].copy(), a.min_up_h[g], a.min_down_h[g], a.initial.on[g],
                                             w.init_h[g], w.forced[:, g].copy()):
                        continue
                    trial = copy.copy(base)
                    trial.commit = u
                    s, c = _primal(w, u, regret, stations=_storage_on_curves(w, trial), beat=best_c)
                    if c < best_c - 1e-6:
                        best_s, best_c, found = s, c, True
                if found:
                    best_s, best_c = _curve_rounds(w, best_s, best_c, regret)
    return best_s, best_c


def _bridges(w, best_s, best_c, regret):
    """Large units kept on through a break: for each of the SURPLUS_UNITS committed units with the
    largest minimum output, each off period between two of its on blocks is filled (one start
    less), storage re-planned against the new commitment's cost curves and the commitment searched
    again (`_primal`); kept if cheaper, then the curve rounds from it. The local search tries the
    same move with the storage fixed, planned for the break (28 May: the DP stops a 1000 MW coal
    unit for 12 hours and restarts it; the MILP keeps it on and runs the storage around it).
    Returns the best (Schedule, objective)."""
    a = w.a
    big = _largest_units(a, best_s.commit)
    for g in big:
        t = int(np.argmax(best_s.commit[:, g]))     # the first on hour
        while True:
            col = best_s.commit[:, g]
            while t < a.T and col[t]:
                t += 1
            e = t
            while e < a.T and not col[e]:
                e += 1
            if e >= a.T:                            # no break with an on block after it
                break
            u = best_s.commit.astype(np.int8)       # [t, e): the break
            u[t:e, g] = 1
            if kernels.column_ok(u[:, g].copy(), a.min_up_h[g], a.min_down_h[g], a.initial.on[g], w.init_h[g],
                                 w.forced[:, g].copy()):
                trial = copy.copy(best_s)
                trial.commit = u
                s, c = _primal(w, u, regret, stations=_storage_on_curves(w, trial), beat=best_c)
                if c < best_c - 1e-6:
                    best_s, best_c = _curve_rounds(w, s, c, regret)
            t = e
    return best_s, best_c


def _primal_search(w, best_s, best_c, u_dual, lam, regret, bound=-np.inf):
    """Steps 2 and 3 from the dual's results: a primal schedule from the DP commitment u_dual at
    multipliers lam, kept if cheaper than best_s, then, with storage, the curve rounds
    (`_curve_rounds`); last, the best schedule's commitment searched once more with swap moves
    (`kernels.swap_in`) under its own storage schedule, kept if cheaper — and then, with storage,
    the curve rounds again from it (a swap that starts or stops units changes what the stations
    should do: with the storage kept, a swap on 14 January left 3 MWh shed that one more round
    removes); where best_c is more than DROP_GAP above `bound` (the dual's L), the dearest
    start-ups removed with the commitment rebuilt (`_drop_starts`), then swap moves that run the
    cheaper unit to the window's end and, if anything changed, the plain swap moves again
    (`_swap_to_end`); where it still is, stops of
    the largest units before surplus hours (`_surplus_stops`), then the same units kept on through
    their breaks (`_bridges`) (in a year of the default system 18 of the 19 surplus trials kept
    were in such windows, which are about 15 % of them; run everywhere, those steps took about
    0.9 s more);
    if the best schedule still sheds load, the stations discharge more in those hours where they
    can (`_storage_for_shed`), kept if cheaper. Returns the best (Schedule, objective)."""
    s, c = _primal(w, u_dual, regret, price=np.clip(lam, w.lam_lo, w.lam_hi), beat=best_c)
    if c < best_c - 1e-6:
        best_s, best_c = s, c
    if w.st.N:
        best_s, best_c = _curve_rounds(w, best_s, best_c, regret)
    s, c = _primal(w, best_s.commit, regret, stations=_stations_from(best_s, w.st.N), swap=True, beat=best_c)
    if c < best_c - 1e-6:
        best_s, best_c = s, c
        if w.st.N:
            best_s, best_c = _curve_rounds(w, best_s, best_c, regret)
    if best_c - bound > DROP_GAP * abs(best_c):
        before = best_s
        best_s, best_c = _drop_starts(w, best_s, best_c, regret)
        best_s, best_c = _swap_to_end(w, best_s, best_c, regret, best_s is not before)
    if best_c - bound > DROP_GAP * abs(best_c):
        best_s, best_c = _surplus_stops(w, best_s, best_c, regret)
        best_s, best_c = _bridges(w, best_s, best_c, regret)
    stations = _storage_for_shed(w, best_s)
    if stations is not None:
        s, c = _primal(w, best_s.commit, regret, stations=stations, beat=best_c)
        if c < best_c - 1e-6:
            best_s, best_c = s, c
    return best_s, best_c


def solve_window_fast(a, opts: dict) -> Schedule:
    """One window with the fast engine (see the module docstring). opts: `iterations` (most
    subgradient iterations, default ITERATIONS), `polish` ("none" (default), "storage" or "lp"),
    `time_limit_s` (of each polish solve). Returns a Schedule of all a.T hours with lower_bound
    and gap."""
    t0 = time.perf_counter()
    w = _Window(a)
    lam = np.clip(_merit_price(a, w.unit_avg), w.lam_lo, w.lam_hi)
    mu = np.zeros(a.T)
    nu = np.zeros(a.T)
    best_L, best_u, best_regret = _dual(w, lam, mu, nu)
    best_lam, n_iter = lam, 1
    # its cost: the target of the Polyak steps
    best_s, best_c = _primal(w, best_u, best_regret, price=lam, passes=FIRST_PASSES)
    if np.isfinite(best_L):        # else a station or unit with no feasible schedule: no bound
        best_L, best_lam, _, _, best_u, best_regret, n_iter = kernels.dual_ascent(
            lam, mu, nu, w.lam_lo, w.lam_hi, w.mu_hi, best_c, TARGET_CAP,
            int(opts.get("iterations", ITERATIONS)),
            STALL, PATIENCE, *w.dual_args)
    dual_s = time.perf_counter() - t0
    best_s, best_c = _primal_search(w, best_s, best_c, best_u, best_lam, best_regret, best_L)
    polish_s, polished = 0.0, False
    mode = opts.get("polish", "none")
    if mode != "none":
        # the commitment kept, storage and dispatch re-optimised exactly; then the commitment
        # searched again under the polished storage schedule and polished once more
        t1 = time.perf_counter()
        limit = opts.get("time_limit_s", 60)
        for r in range(POLISH_ROUNDS):
            pol, c = _polish(a, best_s, mode, limit)
            if c < best_c - 1e-6:
                best_s, best_c, polished = pol, c, True
            elif r > 0:
                break
            if a.storage.N == 0:
                break
            s, c = _primal(w, best_s.commit, best_regret, stations=_stations_from(best_s, a.storage.N),
                           beat=best_c)
            if c >= best_c - 1e-6:
                break
            best_s, best_c = s, c
        polish_s = time.perf_counter() - t1
    s = best_s
    s.objective = objective(a, s)       # the checker's own number for the chosen schedule
    s.objective_by_hour = hourly_objective(a, s)
    s.lower_bound = best_L
    s.gap = max(0.0, (s.objective - best_L) / max(abs(s.objective), 1e-9)) if np.isfinite(best_L) else np.nan
    s.windows = [{"first_hour": a.first_hour, "hours": a.T, "status": "fast", "objective": s.objective,
                  "bound": best_L, "gap": s.gap, "iterations": n_iter, "dual_s": dual_s,
                  "polish_s": polish_s, "polished": polished,
                  "time_s": time.perf_counter() - t0}]
    return s
