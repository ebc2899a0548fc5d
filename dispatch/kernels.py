"""numba kernels of the fast engine (dispatch/fast.py): thermal units under hourly prices,
commitment repair, a ramp-aware economic dispatch and the Lagrangian dual (`lagrangian`, the
subgradient loop `dual_ascent`; storage terms from storage.kernels.storage_dual).

Kernel rules (DESIGN.md): `@njit(cache=True)`, plain arrays and scalars in and out, shapes
time-first — T hours, G units, L curve points, R renewables, K off-state cap. Output of a thermal
unit is split as p_min·u + q with q ≥ 0 the output above p_min (as in the MILP). Money in the
case currency, power MW, energy MWh.

Every kernel here and in storage/kernels.py is compiled with error_model="numpy": numba then
divides without a zero-divisor check (a Python error model check on every division keeps loops
from being optimised); the results are the same to the bit (no kernel divides by zero on valid
input: the wrappers and the case loader check their inputs), the station programs against the
cost curves run 12 % faster and a year of the default system about 3 %.
"""
import numpy as np

import grid.jit  # noqa: F401  (numba cache folder fallback, before numba compiles anything)
from numba import njit
# numba's cache does not see edits in another file: after changing storage/kernels.py (_dual_bound),
# touch this file
from storage.kernels import _dual_bound, _dual_space

BIG = 1e30
LIFT_ROUNDS = 10    # re-dispatches of `dispatch_lifted`


@njit(cache=True, error_model="numpy")
def _curve_at(mw, cost, n, x):
    """Piecewise-linear curve (points mw[:n], values cost[:n]) at x (clipped to its range)."""
    if x <= mw[0]:
        return cost[0]
    for k in range(1, n):
        if x <= mw[k]:
            w = mw[k] - mw[k - 1]
            if w <= 0.0:
                return cost[k]
            return cost[k - 1] + (cost[k] - cost[k - 1]) * (x - mw[k - 1]) / w
    return cost[n - 1]


@njit(cache=True, error_model="numpy")
def hour_values(curve_mw, curve_cost, n_points, p_min, p_max, reserve_ok, season_min, short_cost,
                lam, mu_up, mu_dn):
    """Best value of each unit in each hour, on and off, under hourly multipliers.

    On: min over output P in [p_min, p_max] of cost(P) − lam·P − mu_up·(p_max − P) − mu_dn·(P − p_min)
    (reserve terms only for reserve_ok units) + short_cost·max(0, season_min − P). The function is
    piecewise linear in P, so the minimum lies at a curve point or at season_min: exact.
    Off: short_cost·season_min (heating-season shortfall of a unit that is off).

    curve_mw, curve_cost (G, L); n_points (G,) int; p_min, p_max (G,); reserve_ok (G,) bool;
    season_min (T, G) MW; lam, mu_up, mu_dn (T,). Returns on_value, off_value, p_best (T, G).
    """
    T = lam.shape[0]
    G = p_min.shape[0]
    on_value = np.empty((T, G))
    p_best = np.empty((T, G))
    pt_cost, sm_cost = _point_costs(curve_mw, curve_cost, n_points, p_min, p_max, season_min)
    _on_values(curve_mw, n_points, p_min, p_max, reserve_ok, season_min, short_cost, pt_cost, sm_cost, lam, mu_up,
               mu_dn, on_value, p_best)
    return on_value, short_cost * season_min, p_best


@njit(cache=True, error_model="numpy")
def _point_costs(curve_mw, curve_cost, n_points, p_min, p_max, season_min):
    """The multiplier-free part of `hour_values`: each unit's cost (currency/h) at its curve points,
    pt_cost (G, L) (columns ≥ n_points[g] unused), and at its heating-season minimum, sm_cost (T, G)
    (where season_min is a candidate: not outside (p_min, p_max); else 0, unused). Arguments as there."""
    T, G = season_min.shape
    pt_cost = np.zeros(curve_mw.shape)
    sm_cost = np.zeros((T, G))
    for g in range(G):
        n = n_points[g]
        for k in range(n):
            pt_cost[g, k] = _curve_at(curve_mw[g], curve_cost[g], n, curve_mw[g, k])
        for t in range(T):
            sm = season_min[t, g]
            if not (sm <= p_min[g] or sm >= p_max[g]):
                sm_cost[t, g] = _curve_at(curve_mw[g], curve_cost[g], n, sm)
    return pt_cost, sm_cost


@njit(cache=True, error_model="numpy")
def _on_values(curve_mw, n_points, p_min, p_max, reserve_ok, season_min, short_cost, pt_cost, sm_cost, lam, mu_up,
               mu_dn, on_value, p_best):
    """`hour_values`' on values and best outputs written into on_value, p_best (T, G), from the
    costs at the candidate outputs pt_cost (G, L), sm_cost (T, G) (`_point_costs`); other
    arguments as `hour_values`."""
    T = lam.shape[0]
    G = p_min.shape[0]
    for g in range(G):
        n = n_points[g]
        res = reserve_ok[g]
        for t in range(T):
            best = BIG
            arg = p_min[g]
            sm = season_min[t, g]
            for k in range(n + 1):          # the curve points, then season_min if inside (p_min, p_max)
                if k < n:
                    x = curve_mw[g, k]
                    c = pt_cost[g, k] - lam[t] * x
                elif not (sm <= p_min[g] or sm >= p_max[g]):
                    x = sm
                    c = sm_cost[t, g] - lam[t] * x
                else:
                    break
                if res:
                    c -= mu_up[t] * (p_max[g] - x) + mu_dn[t] * (x - p_min[g])
                if sm > x:
                    c += short_cost * (sm - x)
                if c < best:
                    best = c
                    arg = x
            on_value[t, g] = best
            p_best[t, g] = arg


@njit(cache=True, error_model="numpy")
def _unit_dp(on_value, off_value, g, su_by_off, k_off, sd_cost, up_h, down_h, init_on, init_h, forced, fw, iw, u):
    """Exact commitment of unit g by dynamic programming over its on and off runs.

    A run of on hours [s, t] costs Σ on_value, a run of off hours Σ off_value (prefix sums). Per
    hour t: Free[t], the best cost through t with the unit on for ≥ up_h hours (from Free[t − 1],
    or a start at t − up_h + 1 and its run); Stop[t] = Free[t − 1] + sd_cost (off at t); Start[t],
    the best cost before t with a start at t: the least Stop[s] + off run [s, t − 1] +
    su_by_off[min(t − s, k_off)] over stops s at least down_h hours before. su_by_off is constant
    on a few intervals of hours off (hot, warm, cold): each finite interval keeps its candidates in
    a monotone queue, the last one (≥ some hours) a running minimum, so an hour costs O(intervals),
    not O(up_h + k_off) states. The initial state is a run that began before the window (init_h
    hours on or off). Runs touching the window's end may be shorter than up_h. Forced hours
    (forced (T, G) int8: 1 on, −1 off) end the runs that would cross them. Of equal values, the
    state with fewer hours in it wins (on before off at the end), except that with up_h = 1 a run
    that continues wins over a new start (as the DP over hours-in-state it replaced).

    on_value, off_value (T, G) (column g used); su_by_off (k_off + 1,) start-up cost by hours off
    (the last for ≥ k_off); up_h, down_h, init_h ≥ 1. Work arrays from `_dp_space`: fw, iw. Writes
    column g of u (T, G) int8; returns the value — BIG if no commitment meets the forced hours and
    the initial state (then u is on exactly where forced on).
    (It replaced a DP over up_h + k_off states per hour: the same values, 65 → 22 µs for the
    default system's 41 units over 36 hours.)"""
    T = on_value.shape[0]
    pa, pb, free, start, stop, key = fw[0], fw[1], fw[2], fw[3], fw[4], fw[5]
    last_off, last_on, free_src, start_src = iw[0], iw[1], iw[2], iw[3]
    cat = iw[4]                                  # first hours off of each interval of su_by_off
    # prefix sums and, per hour t, the last forced-off / forced-on hour ≤ t (−1: none)
    pa[0] = 0.0
    pb[0] = 0.0
    lo_f, ln_f = -1, -1
    for t in range(T):
        pa[t + 1] = pa[t] + on_value[t, g]
        pb[t + 1] = pb[t] + off_value[t, g]
        if forced[t, g] < 0:
            lo_f = t
        elif forced[t, g] > 0:
            ln_f = t
        last_off[t] = lo_f
        last_on[t] = ln_f
    n_cat = 1                                    # intervals [cat[c], cat[c + 1] − 1], the last open
    cat[0] = down_h
    for d in range(down_h + 1, k_off + 1):
        if su_by_off[d] != su_by_off[d - 1]:
            cat[n_cat] = d
            n_cat += 1
    # a monotone queue per finite interval (stops by increasing key): row 5 + c of iw, its head
    # and tail in iw[4] after the intervals' first hours
    heads = iw[4, n_cat:2 * n_cat]
    tails = iw[4, 2 * n_cat:3 * n_cat]
    for c in range(n_cat):
        heads[c] = 0
        tails[c] = 0
    cold_min, cold_arg = BIG, -1
    free_prev = 0.0 if init_on and init_h >= up_h else BIG     # Free[t − 1]
    for t in range(T):
        # Stop[t]: on through t − 1 for ≥ up_h hours, off at t
        stop[t] = free_prev + sd_cost if free_prev < BIG else BIG
        key[t] = stop[t] - pb[t] if stop[t] < BIG else BIG
        # Start[t]: a stop s with t − s ≥ down_h and no forced-on hour in [s, t − 1]
        best, arg = BIG, -1
        if t > 0:
            valid = last_on[t - 1] + 1                # the earliest stop with an all-off run to t − 1
            for c in range(n_cat):
                d_a = cat[c]
                s_new = t - d_a
                q = 5 + c
                if c < n_cat - 1:
                    d_b = cat[c + 1] - 1
                    if s_new >= 0 and key[s_new] < BIG:
                        while tails[c] > heads[c] and key[iw[q, tails[c] - 1]] >= key[s_new]:
                            tails[c] -= 1
                        iw[q, tails[c]] = s_new
                        tails[c] += 1
                    first = max(t - d_b, valid)
                    while tails[c] > heads[c] and iw[q, heads[c]] < first:
                        heads[c] += 1
                    if tails[c] > heads[c]:
                        s = iw[q, heads[c]]
                        v = key[s] + su_by_off[d_a]
                        if v < best:
                            best, arg = v, s
                else:
                    if s_new >= 0 and key[s_new] <= cold_min:
                        cold_min, cold_arg = key[s_new], s_new
                    if cold_arg >= 0 and cold_arg < valid:
                        cold_min, cold_arg = BIG, -1
                        # an older stop after the forced hour may remain: rescan the valid ones
                        for s in range(valid, s_new + 1):
                            if key[s] <= cold_min and key[s] < BIG:
                                cold_min, cold_arg = key[s], s
                    if cold_arg >= 0:
                        v = cold_min + su_by_off[k_off]
                        if v < best:
                            best, arg = v, cold_arg
        if not init_on and init_h + t >= down_h and (t == 0 or last_on[t - 1] < 0):
            v = su_by_off[min(init_h + t, k_off)]
            if v < best:
                best, arg = v, -2
        start[t] = best + pb[t] if best < BIG else BIG
        start_src[t] = arg
        # Free[t]
        f = BIG
        src = -1
        if last_off[t] != t:
            cont = free_prev + on_value[t, g] if free_prev < BIG else BIG
            s = t - up_h + 1
            run = BIG
            if s >= 0:
                if start[s] < BIG and last_off[t] < s:
                    run = start[s] + pa[t + 1] - pa[s]
            elif init_on and init_h < up_h and s == -init_h and last_off[t] < 0:
                run = pa[t + 1]
                s = -2
            if up_h == 1:
                f, src = cont, -1
                if run < f:
                    f, src = run, s
            else:
                f, src = run, s
                if cont < f:
                    f, src = cont, -1
        free[t] = f
        free_src[t] = src
        free_prev = f
    # the end: a short on run, the free state, an off run (fewer hours first)
    best, kind, at = BIG, 1, 0
    for s in range(T - 1, max(T - up_h, -1), -1):        # on for T − s < up_h hours
        if start[s] < BIG and last_off[T - 1] < s:
            v = start[s] + pa[T] - pa[s]
            if v < best:
                best, kind, at = v, 1, s
    if init_on and init_h + T < up_h and last_off[T - 1] < 0 and pa[T] < best:
        best, kind, at = pa[T], 1, -2
    if free[T - 1] < best:
        best, kind, at = free[T - 1], 0, 0
    for s in range(T - 1, -1, -1):                        # off for T − s hours
        if stop[s] < BIG and last_on[T - 1] < s:
            v = stop[s] + pb[T] - pb[s]
            if v < best:
                best, kind, at = v, 2, s
    if not init_on and last_on[T - 1] < 0 and pb[T] < best:
        best, kind, at = pb[T], 2, -2
    if best >= BIG:                       # no commitment meets the forced hours: on where forced on
        for t in range(T):
            u[t, g] = 1 if forced[t, g] > 0 else 0
        return BIG
    # back along the runs: kind 0 free at t, 1 on from `at` to t, 2 off from `at` to t (−2: a run
    # that began before the window)
    t = T - 1
    while t >= 0:
        if kind == 0:
            if free_src[t] == -1:
                u[t, g] = 1
                t -= 1
                continue
            kind, at = 1, free_src[t]
        s0 = max(at, 0)
        for k in range(s0, t + 1):
            u[k, g] = 1 if kind == 1 else 0
        if at == -2:
            break
        t = at - 1
        if kind == 1:
            kind, at = 2, start_src[at]
        else:
            kind = 0
    return best


@njit(cache=True, error_model="numpy")
def _dp_space(T, down_h, k_off):
    """Work arrays of `_unit_dp` for units with down_h, k_off (G,) over T hours: fw (6, T + 1)
    float (prefix sums of on and off values, Free, Start, Stop, the stops' queue keys), iw (5 + S,
    max(T + 1, 3S)) int (last forced hours, back pointers, the intervals of hours off and their
    queues; S the most intervals a unit can have)."""
    S = int(np.max(k_off - np.minimum(np.maximum(down_h, 1), k_off))) + 1
    return np.empty((6, T + 1)), np.empty((5 + S, max(T + 1, 3 * S)), np.int64)


@njit(cache=True, error_model="numpy")
def _units_dp_into(on_value, off_value, su_by_off, k_off, sd_cost, up_h, down_h, init_on, init_h, forced, fw, iw, u,
                   value):
    """`units_dp` writing u (T, G) int8 and value (G,); fw, iw from `_dp_space`. A unit that is on
    (off) before the window, is never forced off (on) and whose on value is below (above) its off
    value in every hour stays on (off): each hour at its better value and no start or stop, the
    one optimum; its value is the sum of those values in hour order, as `_unit_dp` adds them."""
    T = on_value.shape[0]
    for g in range(on_value.shape[1]):
        stay = True
        for t in range(T):
            if (on_value[t, g] >= off_value[t, g] or forced[t, g] < 0) if init_on[g] else \
                    (on_value[t, g] <= off_value[t, g] or forced[t, g] > 0):
                stay = False
                break
        if stay:
            v = 0.0
            for t in range(T):
                u[t, g] = 1 if init_on[g] else 0
                v += on_value[t, g] if init_on[g] else off_value[t, g]
            value[g] = v
            continue
        value[g] = _unit_dp(on_value, off_value, g, su_by_off[g], k_off[g], sd_cost[g], max(up_h[g], 1),
                            max(down_h[g], 1), init_on[g], max(init_h[g], 1), forced, fw, iw, u)


@njit(cache=True, error_model="numpy")
def units_dp(on_value, off_value, su_by_off, k_off, sd_cost, up_h, down_h, init_on, init_h, forced):
    """`_unit_dp` for every unit. on_value, off_value, forced (T, G); su_by_off (G, K + 1) start-up
    cost by hours off (column k = k hours, column k_off[g] for ≥ k_off[g]); k_off, up_h, down_h,
    init_h (G,) int; sd_cost (G,); init_on (G,) bool. Returns u (T, G) int8 and value (G,)."""
    T, G = on_value.shape
    u = np.zeros((T, G), np.int8)
    value = np.empty(G)
    fw, iw = _dp_space(T, down_h, k_off)
    _units_dp_into(on_value, off_value, su_by_off, k_off, sd_cost, up_h, down_h, init_on, init_h, forced, fw, iw, u,
                   value)
    return u, value


@njit(cache=True, error_model="numpy")
def output_bounds(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, season_min):
    """Reachable output above p_min of each committed unit, ramps and start/stop limits included.

    cap (T, G): the static upper limit (p_max, start-up limit in a start hour, shut-down limit in
    the hour before a stop; 0 when off). lo, hi (T, G): the band of outputs that lie on some
    ramp-feasible path from the initial output q0 (G,) (above p_min; init_on (G,) bool) to the
    window's end — so from any q in [lo, hi] at hour t the next hour's band is reachable. lo holds
    the heating-season minimum where it is reachable (it is a soft limit).
    """
    T, G = u.shape
    cap = np.empty((T, G))
    lo = np.empty((T, G))
    hi = np.empty((T, G))
    for g in range(G):
        _bounds_col(g, u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, season_min, cap, lo, hi)
    return cap, lo, hi


@njit(cache=True, error_model="numpy", inline='always')
def _bounds_col(g, u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, season_min, cap, lo, hi):
    """`output_bounds` of unit g alone: overwrites column g of cap, lo, hi (T, G) (every hour)."""
    T = u.shape[0]
    span = p_max[g] - p_min[g]
    for t in range(T):
        if u[t, g] == 0:
            cap[t, g] = 0.0
            lo[t, g] = 0.0
            continue
        c = span
        prev_on = u[t - 1, g] == 1 if t > 0 else init_on[g]
        if not prev_on:
            c = min(c, su_mw[g] - p_min[g])
        if t < T - 1 and u[t + 1, g] == 0:
            c = min(c, sd_mw[g] - p_min[g])
        cap[t, g] = max(c, 0.0)
        lo[t, g] = min(max(season_min[t, g] - p_min[g], 0.0), cap[t, g])
    # backward: from hour t the next hour's band must be reachable
    hi[T - 1, g] = cap[T - 1, g]
    for t in range(T - 2, -1, -1):
        hi[t, g] = min(cap[t, g], hi[t + 1, g] + ramp_dn[g])
        lo[t, g] = min(max(lo[t, g], lo[t + 1, g] - ramp_up[g]), hi[t, g])
    # forward: what the initial output allows
    rl = q0[g] if init_on[g] else 0.0
    rh = rl
    for t in range(T):
        nl = max(lo[t, g], rl - ramp_dn[g])
        nh = min(hi[t, g], rh + ramp_up[g])
        if nl > nh:                 # a soft minimum out of reach (or an impossible stop): clamp
            nl = nh
        lo[t, g] = nl
        hi[t, g] = nh
        rl = nl
        rh = nh


@njit(cache=True, error_model="numpy")
def _run_around(col, t):
    """(first, last) hour of the run of equal status in col (T,) that contains hour t."""
    s = t
    while s > 0 and col[s - 1] == col[t]:
        s -= 1
    e = t
    while e < col.shape[0] - 1 and col[e + 1] == col[t]:
        e += 1
    return s, e


@njit(cache=True, error_model="numpy")
def repair(u, need_mw, regret, start_cost, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, q0, up_h, down_h,
           init_on, init_h, forced, season_min, from_start):
    """Commit more units until every hour's reachable thermal output (`output_bounds` hi + p_min)
    covers need_mw (T,). Each addition is an on block of at least up_h hours (a short break
    before it is bridged, a short one after it filled) that leaves every off period ≥ down_h; with
    from_start, a unit on before the window and off from its first hour may instead be kept on
    from the first hour (no start). Among the possible blocks the one with the least regret is
    taken: start_cost (G,) (if it is a new start) + Σ regret (T, G) over the block's hours (the
    unit's value on minus off under the final multipliers, `hour_values`). Returns the new u
    (T, G) int8 and the hours still short (T,)."""
    T, G = u.shape
    u = u.copy()
    short = np.zeros(T, np.bool_)
    cap, lo, hi = output_bounds(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, season_min)
    for t in range(T):
        for _ in range(G):
            have = 0.0
            for g in range(G):
                if u[t, g]:
                    have += p_min[g] + hi[t, g]
            if have >= need_mw[t] - 1e-6:
                break
            pick, pa, pb, pcost = -1, 0, 0, BIG
            for g in range(G):
                if u[t, g] or forced[t, g] < 0:
                    continue
                s, e = _run_around(u[:, g], t)
                if s == 0 and not init_on[g]:
                    if init_h[g] + t < down_h[g]:
                        continue                # still inside its initial minimum down time
                    a = t
                elif t - s < down_h[g]:
                    a = s                       # too short a break before t: stay on through it
                else:
                    a = t
                fresh = not (a < t or (s == 0 and init_on[g] and t == 0))
                b = min(T - 1, t + up_h[g] - 1) if fresh else t
                if e < T - 1 and b < e and e - b < down_h[g]:
                    b = e                       # too short a break before the next on block
                for alt in range(2):
                    if alt == 1:
                        # a unit on before the window and off from its first hour: also kept on
                        # from the first hour (no start)
                        if not (from_start and fresh and s == 0 and init_on[g] and t > 0):
                            break
                        a, b, fresh = 0, t, False
                        if e < T - 1 and b < e and e - b < down_h[g]:
                            b = e
                    ok = True
                    cost = start_cost[g] if fresh else 0.0
                    for k in range(a, b + 1):
                        if forced[k, g] < 0:
                            ok = False
                        if u[k, g] == 0:
                            cost += regret[k, g]
                    if ok and cost < pcost:
                        pick, pa, pb, pcost = g, a, b, cost
            if pick < 0:
                short[t] = True
                break
            for k in range(pa, pb + 1):
                u[k, pick] = 1
            _bounds_col(pick, u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, season_min, cap, lo, hi)
    return u, short


@njit(cache=True, error_model="numpy", inline='always')
def _shift_to_thermal(t, amount, which, u, q, top, ren, min_out, idx, blocks, reserve_ok, G, K):
    """Raise thermal output in hour t by up to `amount` MW — cheapest segment first, within each
    unit's `top` (G,); which = 1: units still on in hour t + 1, 2: reserve-eligible units — and
    curtail renewables (least valuable first, down to min_out) by as much; no more than the
    renewables can give. blocks, idx (merit order of G·K segments + R renewables) from `_merit_order`."""
    T = u.shape[0]
    R = ren.shape[1]
    spare = 0.0
    for r in range(R):
        spare += ren[t, r] - min_out[t, r]
    move = min(amount, spare)
    if move <= 1e-12:
        return
    moved = move
    for ii in range(idx.shape[0]):
        if move <= 1e-12:
            break
        i = idx[ii]
        if i >= G * K or blocks[0, i] >= BIG:
            continue
        g = i // K
        if (which == 1 and t < T - 1 and u[t + 1, g] == 0) or (which == 2 and not reserve_ok[g]):
            continue
        add = min(top[g] - q[t, g], move)
        if add > 0.0:
            q[t, g] += add
            move -= add
    moved -= move
    for ii in range(idx.shape[0] - 1, -1, -1):
        if moved <= 1e-12:
            break
        i = idx[ii]
        if i < G * K:
            continue
        r = i - G * K
        cut = min(ren[t, r] - min_out[t, r], moved)
        ren[t, r] -= cut
        moved -= cut


@njit(cache=True, error_model="numpy")
def economic_dispatch(u, p_min, cap, lo, hi, ramp_up, ramp_dn, q0, seg_mw, seg_slope, reserve_ok,
                      avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn):
    """Hour-by-hour ramp-aware merit-order dispatch with commitment fixed.

    Each hour: every unit's output above p_min lies in its band (`output_bounds` lo, hi) and within
    its ramp from the previous hour; renewables in [min_out, avail] are used first (their value is
    their curtailment cost), then unit segments in order of marginal cost, until demand (T,) (net of
    storage) is met; the remainder is shed, or over-generation if must-take output exceeds demand.
    If down reserve is short, eligible units are raised (cheapest first) while renewables are
    curtailed by as much. Reserve is then allocated: storage first (st_up, st_dn (T,) MW it can
    hold), thermal units for the rest (at most their headroom), shortfall reported.

    seg_mw, seg_slope (G, L−1): segment widths above p_min and marginal costs (a convex curve:
    increasing slopes). avail, min_out (T, R); curt_cost (R,). Returns q, r_up, r_dn (T, G), ren
    (T, R), shed, overgen, short_up, short_dn, st_r_up, st_r_dn, price (T,).
    """
    T, G = u.shape
    R = avail.shape[1]
    q = np.empty((T, G))
    r_up = np.empty((T, G))
    r_dn = np.empty((T, G))
    ren = np.empty((T, R))
    hourly = np.empty((7, T))     # shed, over, short_up, short_dn, st_r_up, st_r_dn, price
    blocks, idx = _merit_order(seg_mw, seg_slope, curt_cost)
    price0 = -curt_cost.max() if R > 0 else 0.0
    ahead = np.empty(T)
    for t in range(T - 1, -1, -1):
        ahead[t] = _ahead_at(t, u, p_min, lo, hi, ramp_up, avail, demand, res_up, st_up, ahead)
    prev = q0.copy()
    low = np.empty(G)
    top = np.empty(G)
    for t in range(T):
        _dispatch_hour(t, u, p_min, cap, lo, hi, ramp_up, ramp_dn, seg_mw, reserve_ok, avail, min_out, price0, demand,
                       res_up, res_dn, st_up, st_dn, blocks, idx, ahead, prev, low, top, q, r_up, r_dn, ren, hourly)
    return q, r_up, r_dn, ren, hourly[0], hourly[1], hourly[2], hourly[3], hourly[4], hourly[5], hourly[6]


@njit(cache=True, error_model="numpy")
def offer_curves(u, lo, hi, p_min, seg_mw, seg_slope, reserve_ok, avail, min_out, curt_cost, need_dn, need_up,
                 short_cost, order_dn, order_up, order_all):
    """The hourly cost of serving residual load y MW with commitment u (T, G) int8 and the
    renewables, as convex piecewise-linear curves (dispatch/fast.py `_residual_curves`): points cx
    (T, P + 1) MW and costs cc (T, P + 1) currency/h, P = 3·G·S + R.

    Each committed unit offers its cost-curve segments (seg_mw, seg_slope (G, S) MW, currency/MWh)
    inside its band [lo, hi] (T, G) MW above p_min (G,) (`output_bounds`); renewables offer
    avail − min_out (T, R) MW at −curt_cost (R,). Reserve not held elsewhere, need_dn and need_up
    (T,) MW, is charged on the segments of reserve_ok (G,) units: the cheapest need_dn MW of them
    (down) cost slope − short_cost, the dearest need_up MW (up, at most what down left) slope +
    short_cost, so energy that eats into reserve is dear. The orders do not depend on the hour:
    order_dn, order_up (G·S,) int the segments (index g·S + k) by slope and by −slope, eligible ones
    first; order_all (P,) int the pieces (down, middle, up segments, then renewables) by slope."""
    T, G = u.shape
    S = seg_mw.shape[1]
    R = avail.shape[1]
    n = G * S
    P = 3 * n + R
    cx = np.empty((T, P + 1))
    cc = np.empty((T, P + 1))
    slope = np.empty(P)
    start = np.empty(n)
    for g in range(G):
        acc = 0.0
        for k in range(S):
            j = g * S + k
            start[j] = acc
            acc += seg_mw[g, k]
            slope[j] = seg_slope[g, k] - short_cost
            slope[n + j] = seg_slope[g, k]
            slope[2 * n + j] = seg_slope[g, k] + short_cost
    for r in range(R):
        slope[3 * n + r] = -curt_cost[r]
    width = np.empty(P)
    for t in range(T):
        base = 0.0
        for g in range(G):
            if u[t, g]:
                base += p_min[g] + lo[t, g]
        for r in range(R):
            base += min_out[t, r]
        for g in range(G):
            for k in range(S):
                j = g * S + k
                w = min(start[j] + seg_mw[g, k], hi[t, g]) - max(start[j], lo[t, g])
                width[n + j] = w if (u[t, g] and w > 0.0) else 0.0
        for half in range(2):                   # the down zone, then the up zone
            order = order_dn if half == 0 else order_up
            need = need_dn[t] if half == 0 else need_up[t]
            cum = 0.0
            for i in range(n):
                j = order[i]
                wo = width[n + j] if reserve_ok[j // S] else 0.0
                cum += wo
                part = min(max(need - (cum - wo), 0.0), wo)
                if half == 0:
                    width[j] = part
                else:
                    width[2 * n + j] = min(part, width[n + j] - width[j])
        for j in range(n):
            width[n + j] = width[n + j] - width[j] - width[2 * n + j]
        for r in range(R):
            width[3 * n + r] = avail[t, r] - min_out[t, r]
        x, c = 0.0, 0.0
        cx[t, 0] = base
        cc[t, 0] = 0.0
        for i in range(P):
            j = order_all[i]
            x += width[j]
            c += width[j] * slope[j]
            cx[t, i + 1] = base + x
            cc[t, i + 1] = c
    return cx, cc


@njit(cache=True, error_model="numpy")
def _merit_order(seg_mw, seg_slope, curt_cost):
    """The blocks of `economic_dispatch`'s merit order: unit segments (block g·K + k, K = L − 1), then
    renewables (block G·K + r, valued at −curtailment cost). seg_mw, seg_slope (G, K); curt_cost
    (R,). Returns blocks (3, G·K + R): the blocks' marginal costs, then MW above p_min where a
    segment block starts and ends (0 for renewables); idx (G·K + R,) the blocks by cost (argsort)."""
    G, K = seg_mw.shape
    nb = G * K + curt_cost.shape[0]
    blocks = np.zeros((3, nb))    # off units' blocks stay in the order: they have no room
    for i in range(nb):
        blocks[0, i] = seg_slope[i // K, i % K] if i < G * K else -curt_cost[i - G * K]
    idx = np.argsort(blocks[0])
    for i in range(G * K):
        g = i // K
        k = i % K
        start = 0.0
        for kk in range(k):
            start += seg_mw[g, kk]
        blocks[1, i] = start
        blocks[2, i] = start + seg_mw[g, k]
    return blocks, idx


@njit(cache=True, error_model="numpy", inline='always')
def _ahead_at(t, u, p_min, lo, hi, ramp_up, avail, demand, res_up, st_up, ahead):
    """`economic_dispatch`'s look-ahead at hour t (MW above p_min), from ahead[t + 1] (T,): the least
    total output above p_min hour t must have so that hour t + 1 can still ramp to its own least
    output plus the up reserve its ramps must leave room for (all renewables used; over the
    committed units' ramp-up room — units starting in t + 1 add their whole band instead), at most
    what the committed units reach. u (T, G) int8; lo, hi (T, G) `output_bounds`."""
    T, G = u.shape
    need = demand[t]
    for r in range(avail.shape[1]):
        need -= avail[t, r]
    for g in range(G):
        if u[t, g]:
            need -= p_min[g]
    if t < T - 1:
        room = 0.0
        for g in range(G):
            if u[t + 1, g]:
                room += min(ramp_up[g], hi[t + 1, g] - lo[t, g]) if u[t, g] else hi[t + 1, g]
        need = max(need, ahead[t + 1] + max(res_up[t + 1] - st_up[t + 1], 0.0) - room)
    top_t = 0.0
    for g in range(G):
        if u[t, g]:
            top_t += hi[t, g]
    return min(need, top_t)


@njit(cache=True, error_model="numpy", inline='always')
def _dispatch_hour(t, u, p_min, cap, lo, hi, ramp_up, ramp_dn, seg_mw, reserve_ok, avail, min_out, price0, demand,
                   res_up, res_dn, st_up, st_dn, blocks, idx, ahead, prev, low, top, q, r_up, r_dn, ren, hourly):
    """Hour t of `economic_dispatch` (arguments as there; blocks, idx from `_merit_order`; price0 the
    price when renewables are curtailed (−their largest curtailment cost); ahead (T,) from
    `_ahead_at`): from the previous hour's outputs prev (G,) MW above p_min (updated to hour t's, 0
    for off units) writes row t of q, r_up, r_dn (T, G), ren (T, R) and column t of hourly (7, T)
    (shed, over, short_up, short_dn, st_r_up, st_r_dn, price). low, top (G,) work arrays. Inlined:
    it is called once an hour, and a call passing this many arrays costs as much as the hour."""
    G = u.shape[1]
    R = avail.shape[1]
    K = seg_mw.shape[1]
    base = 0.0
    for g in range(G):
        if u[t, g]:
            low[g] = max(lo[t, g], prev[g] - ramp_dn[g])
            top[g] = min(hi[t, g], prev[g] + ramp_up[g])
            if low[g] > top[g]:
                low[g] = top[g]
            q[t, g] = low[g]
            base += p_min[g] + low[g]
        else:
            low[g] = 0.0
            top[g] = 0.0
            q[t, g] = 0.0
    for r in range(R):
        ren[t, r] = min_out[t, r]
        base += min_out[t, r]
    rest = demand[t] - base
    hourly[6, t] = price0
    hourly[1, t] = 0.0
    if rest < 0.0:
        hourly[1, t] = -rest
        rest = 0.0
    # merit order: renewables at −curtailment cost, then segments (blocks indexed g·K + k)
    for ii in range(idx.shape[0]):
        if rest <= 0.0:
            break
        i = idx[ii]
        if blocks[0, i] >= BIG:
            break
        if i >= G * K:
            r = i - G * K
            take = min(avail[t, r] - ren[t, r], rest)
            if take > 0.0:
                ren[t, r] += take
                rest -= take
                hourly[6, t] = blocks[0, i]
            continue
        g = i // K
        a = max(blocks[1, i], q[t, g])
        b = min(blocks[2, i], top[g])
        if b > a:
            take = min(b - a, rest)
            q[t, g] += take
            rest -= take
            hourly[6, t] = blocks[0, i]
    hourly[0, t] = 0.0
    if rest > 1e-9:
        hourly[0, t] = rest
        hourly[6, t] = BIG
    # pre-ramp for later hours: raise units that stay on, curtail renewables by as much
    total = 0.0
    for g in range(G):
        total += q[t, g]
    _shift_to_thermal(t, max(ahead[t] - total, 0.0), 1, u, q, top, ren, min_out, idx, blocks, reserve_ok, G, K)
    # down reserve: raise eligible units, curtail renewables by as much
    have_dn = st_dn[t]
    for g in range(G):
        if u[t, g] and reserve_ok[g]:
            have_dn += max(0.0, min(q[t, g], ramp_dn[g] - prev[g] + q[t, g]))
    _shift_to_thermal(t, max(res_dn[t] - have_dn, 0.0), 2, u, q, top, ren, min_out, idx, blocks, reserve_ok, G, K)
    # reserves: storage first, then thermal headroom
    need_up = res_up[t]
    need_dn = res_dn[t]
    hourly[4, t] = min(st_up[t], max(need_up, 0.0))
    hourly[5, t] = min(st_dn[t], max(need_dn, 0.0))
    need_up -= hourly[4, t]
    need_dn -= hourly[5, t]
    for g in range(G):
        r_up[t, g] = 0.0
        r_dn[t, g] = 0.0
        if u[t, g] and reserve_ok[g]:
            head = max(0.0, min(cap[t, g] - q[t, g], prev[g] + ramp_up[g] - q[t, g]))
            give = min(head, max(need_up, 0.0))
            r_up[t, g] = give
            need_up -= give
            room = max(0.0, min(q[t, g], ramp_dn[g] - prev[g] + q[t, g]))
            give = min(room, max(need_dn, 0.0))
            r_dn[t, g] = give
            need_dn -= give
    hourly[2, t] = max(need_up, 0.0)
    hourly[3, t] = max(need_dn, 0.0)
    for g in range(G):
        prev[g] = q[t, g] if u[t, g] else 0.0


@njit(cache=True, error_model="numpy")
def window_cost(u, q, ren, shed, over, short_up, short_dn, p_min, curve_mw, curve_cost, n_points, su_by_off,
                k_off, sd_cost, init_on, init_h, avail, curt_cost, season_min, voll, over_cost, short_cost,
                heat_short_cost):
    """The checker's objective of a dispatched commitment, storage excluded (for comparing
    commitments under one storage schedule). u (T, G) int8, q (T, G) MW above p_min; ren, avail
    (T, R); shed, over, short_up, short_dn (T,); season_min (T, G). Start-up cost by hours off
    (su_by_off (G, K+1), hours capped at k_off (G,)); sd_cost (G,) per stop."""
    T, G = u.shape
    total = 0.0
    for g in range(G):
        total = _unit_cost(g, u, q, p_min, curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, init_on, init_h,
                           season_min, heat_short_cost, total)
    for t in range(T):
        total = _hour_cost(t, ren, shed, over, short_up, short_dn, avail, curt_cost, voll, over_cost, short_cost, total)
    return total


@njit(cache=True, error_model="numpy", inline='always')
def _unit_cost(g, u, q, p_min, curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, init_on, init_h, season_min,
               heat_short_cost, total):
    """total plus unit g's part of `window_cost` (arguments as there), added hour by hour."""
    on_before = init_on[g]
    off_h = 0 if init_on[g] else init_h[g]
    for t in range(u.shape[0]):
        p = 0.0
        if u[t, g]:
            p = p_min[g] + q[t, g]
            total += _curve_at(curve_mw[g], curve_cost[g], n_points[g], p)
            if not on_before:
                total += su_by_off[g, min(max(off_h, 0), k_off[g])]
            on_before = True
            off_h = 0
        else:
            if on_before:
                total += sd_cost[g]
            on_before = False
            off_h += 1
        if season_min[t, g] > p:
            total += heat_short_cost * (season_min[t, g] - p)
    return total


@njit(cache=True, error_model="numpy", inline='always')
def _hour_cost(t, ren, shed, over, short_up, short_dn, avail, curt_cost, voll, over_cost, short_cost, total):
    """total plus hour t's system part of `window_cost` (arguments as there): shedding,
    over-generation, reserve shortfall and curtailment."""
    total += voll * shed[t] + over_cost * over[t] + short_cost * (short_up[t] + short_dn[t])
    for r in range(avail.shape[1]):
        total += curt_cost[r] * (avail[t, r] - ren[t, r])
    return total


@njit(cache=True, error_model="numpy", inline='always')
def _on_cost(t, g, q, p_min, curve_mw, curve_cost, n_points, season_min, heat_short_cost):
    """Unit g's fuel and heating-season shortfall cost in hour t when on at q[t, g] MW above p_min
    (its start-up and shut-down costs aside)."""
    p = p_min[g] + q[t, g]
    c = _curve_at(curve_mw[g], curve_cost[g], n_points[g], p)
    if season_min[t, g] > p:
        c += heat_short_cost * (season_min[t, g] - p)
    return c


@njit(cache=True, error_model="numpy")
def dispatch_lifted(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, season_min, seg_mw, seg_slope,
                    reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn, rounds):
    """`output_bounds` + `economic_dispatch`, repeated: where an hour ends short (shed or up
    reserve), the units that could not ramp to it are lifted in the hour before (a floor on their
    output, carried back by the ramp bands: `_lift`) and the window is dispatched again, up to
    `rounds` times. The hourly merit order cannot see that a ramp-limited unit must climb early; the
    floors tell it. Returns cap (T, G) and the `economic_dispatch` results."""
    G = u.shape[1]
    floor = season_min.copy()
    cap, lo, hi = output_bounds(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, floor)
    out = economic_dispatch(u, p_min, cap, lo, hi, ramp_up, ramp_dn, q0, seg_mw, seg_slope, reserve_ok, avail,
                            min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn)
    mark = np.empty(G, np.bool_)
    for _ in range(rounds):
        mark[:] = False
        if not _lift(u, p_min, cap, hi, out[0], out[4], out[6], ramp_up, reserve_ok, floor, mark):
            break
        for g in range(G):              # only the lifted units' bands change
            if mark[g]:
                _bounds_col(g, u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, floor, cap, lo, hi)
        new = economic_dispatch(u, p_min, cap, lo, hi, ramp_up, ramp_dn, q0, seg_mw, seg_slope, reserve_ok, avail,
                                min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn)
        if new[4].sum() + new[6].sum() >= out[4].sum() + out[6].sum() - 1e-6:
            break
        out = new
    return cap, out


@njit(cache=True, error_model="numpy")
def _lift(u, p_min, cap, hi, q, shed, short_up, ramp_up, reserve_ok, floor, mark):
    """One lifting step of `dispatch_lifted`: for each hour t ≥ 1 short by shed + short_up (T,) MW,
    raise floor[t − 1] (T, G) MW of the units whose ramp from q[t − 1] (T, G) fell short of their
    cap (only reserve-eligible ones for a reserve shortfall), by what hour t lacked, within
    hi[t − 1]. Sets mark[g] (G,) bool for each lifted unit; returns whether any was lifted."""
    T, G = u.shape
    lifted = False
    for t in range(1, T):
        deficit = shed[t] + short_up[t]
        if deficit <= 1e-6:
            continue
        for g in range(G):
            if deficit <= 1e-6:
                break
            if u[t, g] == 0 or u[t - 1, g] == 0:
                continue
            # what a unit can reach at t is min(cap, q(t−1) + ramp): only ramp-bound units
            # gain from more output in t − 1 (reserve needs eligible ones)
            room = cap[t, g] - q[t - 1, g] - ramp_up[g]
            if room <= 1e-6 or (shed[t] <= 1e-6 and not reserve_ok[g]):
                continue
            up = min(room, deficit, hi[t - 1, g] - q[t - 1, g])
            if up > 1e-6:
                floor[t - 1, g] = max(floor[t - 1, g], p_min[g] + q[t - 1, g] + up)
                deficit -= up
                lifted = True
                mark[g] = True
    return lifted


@njit(cache=True, error_model="numpy")
def evaluate(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0, season_min, seg_mw, seg_slope,
             reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn, curve_mw, curve_cost,
             n_points, su_by_off, k_off, sd_cost, voll, over_cost, short_cost, heat_short_cost):
    """Dispatch commitment u (`dispatch_lifted`) and price it (`window_cost`)."""
    cap, out = dispatch_lifted(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, season_min, seg_mw,
                               seg_slope, reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn,
                               LIFT_ROUNDS)
    q, r_up, r_dn, ren, shed, over, s_up, s_dn, st_r_up, st_r_dn, price = out
    return window_cost(u, q, ren, shed, over, s_up, s_dn, p_min, curve_mw, curve_cost, n_points, su_by_off, k_off,
                       sd_cost, init_on, init_h, avail, curt_cost, season_min, voll, over_cost, short_cost,
                       heat_short_cost)


@njit(cache=True, error_model="numpy")
def _rebound(cols, n, u, u_ref, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, floor, cap, lo, hi, old):
    """Recompute the `output_bounds` columns of units cols[:n] (commitment u (T, G), floors floor
    (T, G)) in cap, lo, hi (T, G). Returns the first and last hour whose dispatch inputs changed: a
    new band, or a commitment that differs from u_ref (T, G) (also the hour before, whose dispatch
    looks ahead); (T, −1) if none. old (3, T) work array."""
    T = u.shape[0]
    t_lo, t_hi = T, -1
    for c in range(n):
        g = cols[c]
        for t in range(T):
            old[0, t] = cap[t, g]
            old[1, t] = lo[t, g]
            old[2, t] = hi[t, g]
        _bounds_col(g, u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, floor, cap, lo, hi)
        for t in range(T):
            if u[t, g] != u_ref[t, g]:
                t_lo = min(t_lo, max(t - 1, 0))
                t_hi = max(t_hi, t)
            elif old[0, t] != cap[t, g] or old[1, t] != lo[t, g] or old[2, t] != hi[t, g]:
                t_lo = min(t_lo, t)
                t_hi = max(t_hi, t)
    return t_lo, t_hi


@njit(cache=True, error_model="numpy")
def _redispatch(t_lo, t_hi, u, p_min, cap, lo, hi, ramp_up, ramp_dn, q0, seg_mw, reserve_ok, avail, min_out, price0,
                demand, res_up, res_dn, st_up, st_dn, blocks, idx, ahead, prev, low, top, q, r_up, r_dn, ren, hourly,
                old_q, old_ren, old_h):
    """`economic_dispatch` again after its inputs (u, cap, lo, hi) changed in hours [t_lo, t_hi] only,
    in place: ahead (T,), q, r_up, r_dn (T, G), ren (T, R), hourly (7, T) hold the dispatch before the
    change (as `_dispatch_hour` writes them) and are brought up to date. The look-ahead is redone
    backward from t_hi until it meets its old values before t_lo; the hours from the first changed
    one, until an hour at or after t_hi ends with the same unit outputs as before (the rest is
    then unchanged). The rows of q, ren and hourly[:4] overwritten are first saved in old_q, old_ren,
    old_h (4, T). Whole window: t_lo = 0, t_hi = T − 1. Returns the first and last hour redone."""
    T, G = u.shape
    a_lo = T
    for t in range(t_hi, -1, -1):
        v = _ahead_at(t, u, p_min, lo, hi, ramp_up, avail, demand, res_up, st_up, ahead)
        if v != ahead[t]:
            ahead[t] = v
            a_lo = t
        elif t < t_lo - 1:
            break
    t0 = min(t_lo, a_lo)
    for g in range(G):
        if t0 == 0:
            prev[g] = q0[g]
        else:
            prev[g] = q[t0 - 1, g] if u[t0 - 1, g] else 0.0
    for t in range(t0, T):
        for g in range(G):
            old_q[t, g] = q[t, g]
        for r in range(ren.shape[1]):
            old_ren[t, r] = ren[t, r]
        for k in range(4):
            old_h[k, t] = hourly[k, t]
        _dispatch_hour(t, u, p_min, cap, lo, hi, ramp_up, ramp_dn, seg_mw, reserve_ok, avail, min_out, price0, demand,
                       res_up, res_dn, st_up, st_dn, blocks, idx, ahead, prev, low, top, q, r_up, r_dn, ren, hourly)
        if t >= t_hi:
            same = True
            for g in range(G):
                if q[t, g] != old_q[t, g]:
                    same = False
                    break
            if same:
                return t0, t
    return t0, T - 1


@njit(cache=True, error_model="numpy")
def _set_base(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0, season_min, seg_mw, reserve_ok,
              avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn, curve_mw, curve_cost, n_points,
              su_by_off, k_off, sd_cost, voll, over_cost, short_cost, heat_short_cost, blocks, idx, price0, ws):
    """Make commitment u (T, G) `decommit`'s base: dispatch it (floors = season_min, no lifting) into
    the working state (floor, cap, lo, hi (T, G), ahead (T,), q, r_up, r_dn (T, G), ren (T, R),
    hourly (7, T): see `_redispatch`), copy that to the base arrays b_cap, b_lo, b_hi, b_ahead, b_q,
    b_ren, b_h (hourly[:4]) and price it: b_unit (G,) each unit's `window_cost` part, b_term (T, G)
    each on unit's `_on_cost`, b_hour (T,) each hour's system part; ws is that state, the tuple of
    `_search_space`. Other arguments as `_trial`. Returns the base's `window_cost`."""
    (floor, cap, lo, hi, ahead, q, r_up, r_dn, ren, hourly, b_cap, b_lo, b_hi, b_ahead, b_q, b_ren, b_h, b_term,
     b_unit, b_hour, prev, low, top, old_q, old_ren, old_h, old_b, mark, dirty, cols, prices) = ws
    T, G = u.shape
    floor[:, :] = season_min
    for g in range(G):
        _bounds_col(g, u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, floor, cap, lo, hi)
    _redispatch(0, T - 1, u, p_min, cap, lo, hi, ramp_up, ramp_dn, q0, seg_mw, reserve_ok, avail, min_out, price0,
                demand, res_up, res_dn, st_up, st_dn, blocks, idx, ahead, prev, low, top, q, r_up, r_dn, ren, hourly,
                old_q, old_ren, old_h)
    return _rebase(u, p_min, init_on, init_h, season_min, avail, curt_cost, curve_mw, curve_cost, n_points, su_by_off,
                   k_off, sd_cost, voll, over_cost, short_cost, heat_short_cost, ws)


@njit(cache=True, error_model="numpy")
def _rebase(u, p_min, init_on, init_h, season_min, avail, curt_cost, curve_mw, curve_cost, n_points, su_by_off, k_off,
            sd_cost, voll, over_cost, short_cost, heat_short_cost, ws):
    """The second half of `_set_base`: the working state, which holds the dispatch of commitment
    u (T, G) with floors at season_min, copied to the base arrays and priced. Returns its
    `window_cost`."""
    (floor, cap, lo, hi, ahead, q, r_up, r_dn, ren, hourly, b_cap, b_lo, b_hi, b_ahead, b_q, b_ren, b_h, b_term,
     b_unit, b_hour, prev, low, top, old_q, old_ren, old_h, old_b, mark, dirty, cols, prices) = ws
    T, G = u.shape
    b_cap[:, :] = cap
    b_lo[:, :] = lo
    b_hi[:, :] = hi
    b_ahead[:] = ahead
    b_q[:, :] = q
    b_ren[:, :] = ren
    b_h[:, :] = hourly[:4]
    for g in range(G):
        b_unit[g] = _unit_cost(g, u, q, p_min, curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, init_on,
                               init_h, season_min, heat_short_cost, 0.0)
    for t in range(T):
        for g in range(G):
            b_term[t, g] = _on_cost(t, g, q, p_min, curve_mw, curve_cost, n_points, season_min, heat_short_cost) \
                if u[t, g] else 0.0
        b_hour[t] = _hour_cost(t, ren, hourly[0], hourly[1], hourly[2], hourly[3], avail, curt_cost, voll, over_cost,
                               short_cost, 0.0)
    return window_cost(u, q, ren, hourly[0], hourly[1], hourly[2], hourly[3], p_min, curve_mw, curve_cost, n_points,
                       su_by_off, k_off, sd_cost, init_on, init_h, avail, curt_cost, season_min, voll, over_cost,
                       short_cost, heat_short_cost)


@njit(cache=True, error_model="numpy")
def _trial(trial, u, n_cols, best, c0, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0,
           season_min, seg_mw, reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn,
           curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, voll, over_cost, short_cost, heat_short_cost,
           blocks, idx, price0, ws):
    """`evaluate`(trial) for `decommit` and `swap_in`, from the base u's dispatch: trial (T, G) int8
    differs from u only in the columns of distinct units cols[:n_cols]. The working state (see `_set_base`)
    holds the base's dispatch; only those units' bands are recomputed and the dispatch redone where
    it changes (`_redispatch`), then lifted as `dispatch_lifted` does, each round again redone where
    the floors changed; the cost is the base's, c0, plus the changes: the moved units' whole
    `window_cost` parts, the other units' `_on_cost` in changed hours, the changed hours' system
    part (equal to `evaluate` up to rounding of the order of summation). If the cost is not below
    best − 1e-6 the working state is restored to the base's; otherwise it is left at the trial's
    final dispatch. Returns the cost and whether a lifting round raised a floor (if not, the
    working state is the trial's plain dispatch, which `_set_base` would compute).

    blocks, idx, price0: `_merit_order` and the curtailment price; ws the tuple of `_search_space`:
    the working state and base b_* as `_set_base`; prev, low, top (G,), old_q (T, G), old_ren (T, R),
    old_h (4, T), old_b (3, T) work arrays; mark, dirty (G,) bool all False; cols (≥ n_cols + G,)
    int (cols[n_cols:] work space). Other arguments as `decommit`."""
    (floor, cap, lo, hi, ahead, q, r_up, r_dn, ren, hourly, b_cap, b_lo, b_hi, b_ahead, b_q, b_ren, b_h, b_term,
     b_unit, b_hour, prev, low, top, old_q, old_ren, old_h, old_b, mark, dirty, cols, prices) = ws
    T, G = u.shape
    for c in range(n_cols):
        dirty[cols[c]] = True
    t_lo, t_hi = _rebound(cols, n_cols, trial, u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, q0, floor, cap,
                          lo, hi, old_b)
    lifted = False
    d_lo, d_hi = T, -1                  # rows of q, ren, hourly that may differ from the base's
    a_lo, a_hi = T, -1                  # entries of ahead that may
    for rnd in range(LIFT_ROUNDS + 1):
        if t_hi < 0:                    # lifted, but no band changed: the same dispatch, not better
            break
        before = hourly[0].sum() + hourly[2].sum()
        t0, t_end = _redispatch(t_lo, t_hi, trial, p_min, cap, lo, hi, ramp_up, ramp_dn, q0, seg_mw, reserve_ok, avail,
                                min_out, price0, demand, res_up, res_dn, st_up, st_dn, blocks, idx, ahead, prev, low,
                                top, q, r_up, r_dn, ren, hourly, old_q, old_ren, old_h)
        a_lo = min(a_lo, t0)
        a_hi = max(a_hi, t_hi)
        if rnd > 0 and hourly[0].sum() + hourly[2].sum() >= before - 1e-6:
            for t in range(t0, t_end + 1):      # no less short: keep the previous round
                q[t, :] = old_q[t, :]
                ren[t, :] = old_ren[t, :]
                hourly[:4, t] = old_h[:, t]
            break
        d_lo = min(d_lo, t0)
        d_hi = max(d_hi, t_end)
        if rnd == LIFT_ROUNDS or not _lift(trial, p_min, cap, hi, q, hourly[0], hourly[2], ramp_up, reserve_ok, floor,
                                           mark):
            break
        lifted = True
        n = n_cols
        for g in range(G):
            if mark[g]:
                mark[g] = False
                dirty[g] = True
                cols[n] = g
                n += 1
        t_lo, t_hi = _rebound(cols[n_cols:], n - n_cols, trial, trial, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn,
                              init_on, q0, floor, cap, lo, hi, old_b)
    cost = c0
    for c in range(n_cols):
        g = cols[c]
        cost += _unit_cost(g, trial, q, p_min, curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, init_on,
                           init_h, season_min, heat_short_cost, 0.0) - b_unit[g]
        mark[g] = True
    for t in range(d_lo, d_hi + 1):
        for g in range(G):
            if not mark[g] and q[t, g] != b_q[t, g]:
                cost += _on_cost(t, g, q, p_min, curve_mw, curve_cost, n_points, season_min, heat_short_cost) \
                    - b_term[t, g]
        cost += _hour_cost(t, ren, hourly[0], hourly[1], hourly[2], hourly[3], avail, curt_cost, voll, over_cost,
                           short_cost, 0.0) - b_hour[t]
    keep = cost < best - 1e-6
    if not keep:
        for t in range(d_lo, d_hi + 1):
            q[t, :] = b_q[t, :]
            ren[t, :] = b_ren[t, :]
            hourly[:4, t] = b_h[:, t]
        ahead[a_lo:a_hi + 1] = b_ahead[a_lo:a_hi + 1]
    for g in range(G):
        mark[g] = False
        if dirty[g]:
            dirty[g] = False
            if not keep:
                cap[:, g] = b_cap[:, g]
                lo[:, g] = b_lo[:, g]
                hi[:, g] = b_hi[:, g]
                floor[:, g] = season_min[:, g]
    return cost, lifted


@njit(cache=True, error_model="numpy")
def column_ok(col, up_h, down_h, init_on, init_h, forced):
    """Whether one unit's commitment col (T,) int8 meets its min up/down times and forced hours
    (forced (T,) int8: 1 on, −1 off). Blocks that touch the window's end may be shorter; a block
    running on from before the window is bound only by its forced hours."""
    T = col.shape[0]
    for t in range(T):
        if (forced[t] > 0 and col[t] == 0) or (forced[t] < 0 and col[t] == 1):
            return False
    if T and col[0] == 1 and not init_on and init_h < down_h:
        return False                            # a start right after a too short initial stop
    t = 0
    while t < T:
        s = t
        while t < T and col[t] == col[s]:
            t += 1
        n = t - s
        if t == T:
            break
        if col[s] == 1:
            if not (s == 0 and init_on) and n < up_h:
                return False
        else:
            if s == 0 and not init_on:
                if init_h + n < down_h:
                    return False
            elif n < down_h:
                return False
    return True


@njit(cache=True, error_model="numpy")
def _pair(u, trial, col, g, i, order, up_h, down_h, init_on, init_h, forced):
    """For a lengthened block of unit g (its new column `col`, already in `trial`): switch off, in
    `trial`, the on block of the first dearer unit (order[:i]) that overlaps the added hours, if
    that keeps the unit's min up/down and forced hours. Returns that unit, or −1 if none."""
    T = col.shape[0]
    lo_c, hi_c = T, -1
    for k in range(T):
        if col[k] != u[k, g]:
            lo_c = min(lo_c, k)
            hi_c = max(hi_c, k)
    col2 = np.empty(T, np.int8)
    for j in range(i):
        h = order[j]
        k = lo_c
        while k <= hi_c and u[k, h] == 0:
            k += 1
        if k > hi_c:
            continue
        hs, he = _run_around(u[:, h], k)
        for kk in range(T):
            col2[kk] = 0 if hs <= kk <= he else u[kk, h]
        if not column_ok(col2, up_h[h], down_h[h], init_on[h], init_h[h], forced[:, h]):
            continue
        for kk in range(T):
            trial[kk, h] = col2[kk]
        return h
    return -1


@njit(cache=True, error_model="numpy")
def _search_space(T, G, R):
    """The working state and work arrays of `_set_base` / `_trial` for T hours, G units, R renewables:
    floor, cap, lo, hi (T, G), ahead (T,), q, r_up, r_dn (T, G), ren (T, R), hourly (7, T); the base
    b_cap, b_lo, b_hi (T, G), b_ahead (T,), b_q (T, G), b_ren (T, R), b_h (4, T), b_term (T, G),
    b_unit (G,), b_hour (T,); prev, low, top (G,), old_q (T, G), old_ren (T, R), old_h (4, T), old_b
    (3, T); mark, dirty (G,) bool all False; cols (2G + 2,) int (the moved units, then the lifted
    ones); prices (4, T + 1) `decommit`'s `_displace_prices` of the base."""
    return (np.empty((T, G)), np.empty((T, G)), np.empty((T, G)), np.empty((T, G)), np.empty(T), np.empty((T, G)),
            np.empty((T, G)), np.empty((T, G)), np.empty((T, R)), np.empty((7, T)), np.empty((T, G)), np.empty((T, G)),
            np.empty((T, G)), np.empty(T), np.empty((T, G)), np.empty((T, R)), np.empty((4, T)), np.empty((T, G)),
            np.empty(G), np.empty(T), np.empty(G), np.empty(G), np.empty(G), np.empty((T, G)), np.empty((T, R)),
            np.empty((4, T)), np.empty((3, T)), np.zeros(G, np.bool_), np.zeros(G, np.bool_),
            np.empty(2 * G + 2, np.int64), np.empty((4, T + 1)))


@njit(cache=True, error_model="numpy")
def _open_search(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0, season_min, seg_mw, seg_slope,
                 reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn, curve_mw, curve_cost,
                 n_points, su_by_off, k_off, sd_cost, voll, over_cost, short_cost, heat_short_cost):
    """The incremental search state of `decommit` and `swap_in` with commitment u (T, G) as its base:
    (blocks, idx (`_merit_order`), price0 (the curtailment price), ws (`_search_space`, filled by
    `_set_base`), c0 (the base's `window_cost`)). Arguments as `decommit`."""
    T, G = u.shape
    R = avail.shape[1]
    blocks, idx = _merit_order(seg_mw, seg_slope, curt_cost)
    price0 = -curt_cost.max() if R > 0 else 0.0
    ws = _search_space(T, G, R)
    c0 = _set_base(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0, season_min, seg_mw,
                   reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn, curve_mw,
                   curve_cost, n_points, su_by_off, k_off, sd_cost, voll, over_cost, short_cost, heat_short_cost,
                   blocks, idx, price0, ws)
    return blocks, idx, price0, ws, c0


@njit(cache=True, error_model="numpy")
def _displace_prices(u, q, lo, hi, cap, ren, avail, hourly, seg_mw, seg_slope, reserve_ok, min_out, curt_cost,
                     res_up, st_up, over_cost, voll, out):
    """The prices and reserve margins of `decommit`'s screens, from the dispatch q (T, G) MW above
    p_min in bands lo, hi (T, G) under caps cap (T, G) (`output_bounds`), ren (T, R), hourly (≥ 4,
    T) (rows shed, over-generation, up and down reserve short, MW) of commitment u (T, G):
    out[0, t] the dearest MW a unit started in hour t could displace (the segment holding a
    committed unit's last MW where it is above its band's low end, −curtailment cost where a
    renewable runs above its minimum, at least −over_cost: the MW would be over-generation);
    out[1, t] the cheapest MW that could replace a stopped unit's (the next segment of a unit below
    its band's top, −curtailment cost of a curtailed renewable, −over_cost where there is
    over-generation, at most VOLL); out[2, t] MW the up reserve that could be held beyond the
    requirement res_up (T,) — the stations' st_up (T,) plus every committed reserve-eligible
    (reserve_ok (G,)) unit's cap − q, ramps left out; out[3, t] MW more energy that sources not
    holding up reserve could give — non-eligible units up to their band's top, curtailed
    renewables, and less over-generation; out[0, T] 1 if the dispatch sheds or falls short of
    reserve in some hour (then the screens are off; out[1:, T] unused). seg_mw, seg_slope (G, K);
    avail, min_out (T, R); curt_cost (R,); out (4, T + 1)."""
    T, G = u.shape
    out[0, T] = 0.0
    for t in range(T):
        dn = -over_cost
        up = -over_cost if hourly[1, t] > 1e-9 else voll
        spare = st_up[t] - res_up[t]
        other = hourly[1, t]
        for g in range(G):
            if not u[t, g]:
                continue
            if q[t, g] > lo[t, g] + 1e-9:
                dn = max(dn, _slope_at(g, q[t, g], seg_mw, seg_slope, False))
            if q[t, g] < hi[t, g] - 1e-9:
                up = min(up, _slope_at(g, q[t, g], seg_mw, seg_slope, True))
            if reserve_ok[g]:
                spare += max(cap[t, g] - q[t, g], 0.0)
            else:
                other += max(hi[t, g] - q[t, g], 0.0)
        for r in range(ren.shape[1]):
            if ren[t, r] > min_out[t, r] + 1e-9:
                dn = max(dn, -curt_cost[r])
            if ren[t, r] < avail[t, r] - 1e-9:
                up = min(up, -curt_cost[r])
                other += avail[t, r] - ren[t, r]
        out[0, t] = dn
        out[1, t] = up
        out[2, t] = spare
        out[3, t] = other
        if hourly[0, t] > 1e-9 or hourly[2, t] > 1e-9 or hourly[3, t] > 1e-9:
            out[0, T] = 1.0


@njit(cache=True, error_model="numpy", inline='always')
def _slope_at(g, x, seg_mw, seg_slope, above):
    """The cost (currency/MWh) of unit g's MW just above x MW over p_min (above true; its last
    segment's at the top) or of its last MW at x > 0 (above false)."""
    K = seg_mw.shape[1]
    end = 0.0
    for k in range(K):
        end += seg_mw[g, k]
        if (x < end - 1e-9) if above else (x <= end + 1e-9):
            return seg_slope[g, k]
    return seg_slope[g, K - 1]


@njit(cache=True, error_model="numpy")
def _switch_cost(col, g, su_by_off, k_off, sd_cost, init_on, init_h):
    """Start-up and shut-down costs of unit g's commitment col (T,) int8, as `window_cost` prices
    them."""
    total = 0.0
    was_on = init_on[g]
    off_since = 0 if init_on[g] else -init_h[g]       # the hour the unit went off
    for t in range(col.shape[0]):
        if col[t] and not was_on:
            total += su_by_off[g, min(t - off_since, k_off[g])]
        elif was_on and not col[t]:
            total += sd_cost[g]
            off_since = t
        was_on = col[t] == 1
    return total


@njit(cache=True, error_model="numpy")
def _longer_gain_bound(col, u, g, q, dn, p_min, p_max, seg_mw, seg_slope, curve_mw, curve_cost, n_points,
                       season_min, heat_short_cost, su_by_off, k_off, sd_cost, init_on, init_h):
    """A lower bound, from the base dispatch's prices only, on the cost change of unit g's longer
    commitment col (T,) int8 (u[:, g] plus hours): its start-up and shut-down costs, in each added
    hour its cheapest output against the dearest MW it could displace (dn (T,), `_displace_prices`;
    its heating-season shortfall there saved), and in its hours on before, what more output there
    could save at most (room above q (T, G) times how much dn exceeds its next segment's cost).
    It is a lower bound for an hourly merit-order dispatch; it leaves out what a move changes
    through the ramps of other units between hours, the dispatch's look-ahead pre-ramping, the
    energy shifted to thermal units for down reserve and the lifting of outputs (and it is not used
    where the base falls short): a screen, not a proof (`decommit`; the test checks it where ramps
    never bind and no reserve is held)."""
    T = col.shape[0]
    n = n_points[g]
    lb = _switch_cost(col, g, su_by_off, k_off, sd_cost, init_on, init_h)
    lb -= _switch_cost(u[:, g], g, su_by_off, k_off, sd_cost, init_on, init_h)
    for t in range(T):
        if col[t] and not u[t, g]:
            sm = season_min[t, g]
            best = BIG
            for k in range(n + 1):
                if k < n:
                    x = curve_mw[g, k]
                    c = curve_cost[g, k]
                elif p_min[g] < sm < p_max[g]:
                    x = sm
                    c = _curve_at(curve_mw[g], curve_cost[g], n, sm)
                else:
                    break
                c -= dn[t] * x
                if sm > x:
                    c += heat_short_cost * (sm - x)
                best = min(best, c)
            lb += best - heat_short_cost * sm
        elif u[t, g]:
            room = p_max[g] - p_min[g] - q[t, g]
            if room > 1e-9:
                mc = _slope_at(g, q[t, g], seg_mw, seg_slope, True)
                if dn[t] > mc:
                    lb -= (dn[t] - mc) * room
    return lb


@njit(cache=True, error_model="numpy")
def _replace_cost(t, p, g, u, q, hi, ren, avail, over, blocks, idx, over_cost, voll):
    """The least cost (currency/h) of p MW more in hour t from everything but unit g at the base
    dispatch q (T, G) MW above p_min in bands up to hi (T, G), ren, avail (T, R): less
    over-generation over (T,) first (at −over_cost), then the merit order's blocks (`_merit_order`:
    blocks, idx) up to their room — committed units' segments above q, curtailed renewables —
    cheapest first, the rest shed at voll. Returns (cost, the price of the last MW)."""
    G = u.shape[1]
    K = (blocks.shape[1] - avail.shape[1]) // G
    left = p
    take = min(left, over[t])
    cost, last = 0.0, -over_cost
    if take > 0.0:
        cost = -over_cost * take
        left -= take
    for ii in range(idx.shape[0]):
        if left <= 1e-9:
            break
        i = idx[ii]
        if blocks[0, i] >= BIG:
            break
        if i >= G * K:
            r = i - G * K
            room = avail[t, r] - ren[t, r]
        else:
            h = i // K
            if h == g or not u[t, h]:
                continue
            room = min(blocks[2, i], hi[t, h]) - max(blocks[1, i], q[t, h])
        if room > 1e-12:
            take = min(room, left)
            cost += blocks[0, i] * take
            left -= take
            last = blocks[0, i]
    if left > 1e-9:
        cost += voll * left
        last = voll
    return cost, last


@njit(cache=True, error_model="numpy")
def _shorter_gain_bound(col, u, g, q, prices, cap, hi, reserve_ok, ren, avail, over, blocks, idx, p_min, seg_mw,
                        seg_slope, curve_mw, curve_cost, n_points, season_min, heat_short_cost, short_cost, over_cost,
                        voll, su_by_off, k_off, sd_cost, init_on, init_h):
    """A lower bound, from the base dispatch's prices only, on the cost change of unit g's shorter
    commitment col (T,) int8 (u[:, g] less hours): its start-up and shut-down costs; in each
    removed hour t its output there bought from the cheapest MW that could replace it
    (`_replace_cost` over ren, avail (T, R), over (T,), blocks, idx; its heating-season shortfall
    there added) less its cost there, plus the up reserve then short: the output less what
    sources holding no reserve could give (prices[3, t], g's own room out) is taken from reserve
    headroom, of which prices[2, t] is spare (g's own cap − q out, cap, hi (T, G) the base's),
    each MW short at short_cost or, if less, at voll less the price of the last MW bought (shed
    instead of bought); in its hours still on, what less output there could save at most (its
    output above p_min in q (T, G) times how much its last MW costs above prices[1, t]). Like
    `_longer_gain_bound`, a screen: a lower bound for an hourly merit-order dispatch, without what
    the dispatch does across hours (`decommit`)."""
    T = col.shape[0]
    n = n_points[g]
    lb = _switch_cost(col, g, su_by_off, k_off, sd_cost, init_on, init_h)
    lb -= _switch_cost(u[:, g], g, su_by_off, k_off, sd_cost, init_on, init_h)
    for t in range(T):
        up = prices[1, t]
        if u[t, g] and not col[t]:
            p = p_min[g] + q[t, g]
            sm = season_min[t, g]
            buy, last = _replace_cost(t, p, g, u, q, hi, ren, avail, over, blocks, idx, over_cost, voll)
            lb += buy - _curve_at(curve_mw[g], curve_cost[g], n, p) + heat_short_cost * (sm - max(sm - p, 0.0))
            spare = prices[2, t]
            other = prices[3, t]
            if reserve_ok[g]:
                spare -= max(cap[t, g] - q[t, g], 0.0)
            else:
                other -= max(hi[t, g] - q[t, g], 0.0)
            short = p - other - spare
            if short > 1e-9:
                lb += max(min(short_cost, voll - last), 0.0) * short
        elif col[t] and q[t, g] > 1e-9:
            mc = _slope_at(g, q[t, g], seg_mw, seg_slope, False)
            if mc > up:
                lb -= (mc - up) * q[t, g]
    return lb


@njit(cache=True, error_model="numpy")
def decommit(u, forced, order, up_h, down_h, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0,
             season_min, seg_mw, seg_slope, reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up,
             st_dn, curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, voll, over_cost, short_cost,
             heat_short_cost, passes):
    """Local search on a commitment: for each unit (`order`) and each of its on blocks, try the
    unit off over the whole block, the block starting or stopping 1-3 hours earlier or later, or
    running on through the break to its next block (one start less), a lengthened block also
    together with the first dearer unit's overlapping block switched off (`_pair`); keep
    a move whenever it keeps min up/down and forced hours (`column_ok`) and lowers `evaluate`
    (computed from the current commitment's dispatch by `_trial`: only what the move changes);
    at most `passes` passes over the units, fewer once a pass finds nothing; a pass after the first
    ends at the unit of the last kept move before it if it has kept none by then (the units after
    that one were tried on the same commitment). A move is not dispatched when the current
    dispatch falls short nowhere and `_longer_gain_bound` or `_shorter_gain_bound` says it cannot
    pay at that dispatch's prices (the pair of a lengthened block is still tried). Returns (u (T, G)
    int8, cost)."""
    T, G = u.shape
    u = u.copy()
    # the dispatch of the current commitment (working state, see `_set_base`) and its copy
    blocks, idx, price0, ws, c0 = _open_search(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0,
                                               season_min, seg_mw, seg_slope, reserve_ok, avail, min_out,
                                               curt_cost, demand, res_up, res_dn, st_up, st_dn, curve_mw,
                                               curve_cost, n_points, su_by_off, k_off, sd_cost, voll, over_cost,
                                               short_cost, heat_short_cost)
    cols = ws[29]                           # the moved units (`_trial`)
    q, ren, hourly = ws[5], ws[8], ws[9]    # the working dispatch (`_set_base`)
    b_cap, b_lo, b_hi, b_q, b_ren, b_h, prices = ws[10], ws[11], ws[12], ws[14], ws[15], ws[16], ws[30]  # the base's
    # u's `evaluate`: c0 itself where no hour after the first sheds or falls short of up reserve
    # (then `dispatch_lifted` lifts nothing: the same dispatch)
    best = c0
    for t in range(1, T):
        if b_h[0, t] + b_h[2, t] > 1e-6:
            best = evaluate(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0, season_min, seg_mw,
                            seg_slope, reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn,
                            curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, voll, over_cost, short_cost,
                            heat_short_cost)
            break
    _displace_prices(u, b_q, b_lo, b_hi, b_cap, b_ren, avail, b_h, seg_mw, seg_slope, reserve_ok, min_out, curt_cost,
                     res_up, st_up, over_cost, voll, prices)
    trial = u.copy()
    col = np.empty(T, np.int8)
    last_i = G                  # the unit of the previous pass's last kept move
    for _ in range(passes):
        start_best = best
        moved_i = -1
        for i in range(G):
            if moved_i < 0 and i > last_i:
                break           # the units after it were tried on this same commitment: none pays
            g = order[i]
            t = 0
            while t < T:
                if u[t, g] == 0:
                    t += 1
                    continue
                s = t
                while t < T and u[t, g] == 1:
                    t += 1
                e = t - 1                                   # on block [s, e]
                for c in range(14):
                    for k in range(T):
                        col[k] = u[k, g]
                    if c == 13:                             # stay on until the next block
                        n = e + 1
                        while n < T and u[n, g] == 0:
                            n += 1
                        if n >= T:
                            continue
                        col[e + 1:n] = 1
                    elif c == 0:
                        col[s:e + 1] = 0
                    elif c <= 3:                            # start c hours later
                        col[s:min(s + c, e + 1)] = 0
                    elif c <= 6:                            # stop c − 3 hours earlier
                        col[max(e - (c - 3) + 1, s):e + 1] = 0
                    elif c <= 9:                            # start c − 6 hours earlier
                        col[max(s - (c - 6), 0):s] = 1
                    else:                                   # stop c − 9 hours later
                        col[e + 1:min(e + 1 + (c - 9), T)] = 1
                    same = True
                    for k in range(T):
                        if col[k] != u[k, g]:
                            same = False
                    if same or not column_ok(col, up_h[g], down_h[g], init_on[g], init_h[g], forced[:, g]):
                        continue
                    for k in range(T):
                        trial[k, g] = col[k]
                    cols[0] = g
                    n_cols = 1
                    kept = False
                    for attempt in range(2):
                        if attempt == 0 and prices[0, T] == 0.0 and (_longer_gain_bound(
                                col, u, g, b_q, prices[0], p_min, p_max, seg_mw, seg_slope, curve_mw, curve_cost,
                                n_points, season_min, heat_short_cost, su_by_off, k_off, sd_cost, init_on,
                                init_h) if c >= 7 else _shorter_gain_bound(
                                col, u, g, b_q, prices, b_cap, b_hi, reserve_ok, b_ren, avail, b_h[1], blocks, idx,
                                p_min, seg_mw, seg_slope, curve_mw, curve_cost, n_points, season_min, heat_short_cost,
                                short_cost, over_cost, voll, su_by_off, k_off, sd_cost, init_on, init_h)) > 0.0:
                            continue                # screened out (no gain at the base's prices)
                        if attempt == 1:
                            # the longer block pays only with a dearer unit's overlapping block gone
                            h = -1 if c < 7 else _pair(u, trial, col, g, i, order, up_h, down_h, init_on, init_h,
                                                       forced)
                            if h < 0:
                                break
                            cols[1] = h
                            n_cols = 2
                        cost, lifted = _trial(trial, u, n_cols, best, c0, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn,
                                      init_on, init_h, q0, season_min, seg_mw, reserve_ok, avail, min_out,
                                      curt_cost, demand, res_up, res_dn, st_up, st_dn, curve_mw, curve_cost,
                                      n_points, su_by_off, k_off, sd_cost, voll, over_cost, short_cost,
                                      heat_short_cost, blocks, idx, price0, ws)
                        if cost < best - 1e-6:      # the working state holds the trial's dispatch
                            best = window_cost(trial, q, ren, hourly[0], hourly[1], hourly[2], hourly[3], p_min,
                                               curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, init_on,
                                               init_h, avail, curt_cost, season_min, voll, over_cost, short_cost,
                                               heat_short_cost)
                            for k in range(T):
                                for hh in range(G):
                                    u[k, hh] = trial[k, hh]
                            if lifted:              # the base is dispatched without lifting
                                c0 = _set_base(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h,
                                               q0, season_min, seg_mw, reserve_ok, avail, min_out, curt_cost, demand,
                                               res_up, res_dn, st_up, st_dn, curve_mw, curve_cost, n_points,
                                               su_by_off, k_off, sd_cost, voll, over_cost, short_cost, heat_short_cost,
                                               blocks, idx, price0, ws)
                            else:
                                c0 = _rebase(u, p_min, init_on, init_h, season_min, avail, curt_cost, curve_mw,
                                             curve_cost, n_points, su_by_off, k_off, sd_cost, voll, over_cost,
                                             short_cost, heat_short_cost, ws)
                            _displace_prices(u, b_q, b_lo, b_hi, b_cap, b_ren, avail, b_h, seg_mw, seg_slope,
                                             reserve_ok, min_out, curt_cost, res_up, st_up, over_cost, voll, prices)
                            kept = True
                            moved_i = i
                            break
                    if n_cols == 2:                 # the pair's other unit back (a no-op once kept)
                        for k in range(T):
                            trial[k, cols[1]] = u[k, cols[1]]
                    if kept:
                        break
                for k in range(T):
                    trial[k, g] = u[k, g]
                t = e + 1
                while t < T and u[t, g] == 1:   # the block may have grown: continue after it
                    t += 1
        if best >= start_best - 1e-6:
            break
        last_i = moved_i
    return u, best


@njit(cache=True, error_model="numpy")
def swap_in(u, best, forced, order, up_h, down_h, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0,
            season_min, seg_mw, seg_slope, reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up,
            st_dn, curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, voll, over_cost, short_cost,
            heat_short_cost, to_end=False):
    """Swap moves for a searched commitment u (T, G) int8 of cost `best` (`evaluate`): a cheaper unit
    started in place of dearer ones — the move `decommit` lacks (it only changes existing blocks).
    For each unit g (cheapest first; `order` is dearest first) and each on block of a dearer unit
    (order[:i]) that starts at hour t0 while g is off: g on over [t0, max(t0 + up_h − 1, that
    block's end)] (clipped to the window, merged with g's neighbouring blocks across gaps shorter
    than its down time), then the dearer units' blocks overlapping g's new hours switched off one
    at a time, dearest first, each kept only if it lowers `evaluate`; the whole move is kept if it
    lowers the window's cost below `best`. Moves keep min up/down and forced hours (`column_ok`).
    Trials are priced from u's dispatch by `_trial` (only the hours a move changes, as `decommit`);
    a kept move's cost is then `evaluate`d in full. g's hours [t0, t1] are tried once per
    commitment (dearer units on through the same hours give the same move).
    With to_end, g is on from t0 to the window's last hour instead, where the move above stops it
    earlier (those that run to the end are not tried again): one start that pays only over the
    rest of the window, where the shorter move does not (pglib-uc rts_gmlc 2020-01-27: a 76 MW
    steam unit started at hour 15 of 48 and run to the end in place of the ten combustion turbines
    of the evening peak and another one's block the next evening; 2020-03-05 and 2020-05-05 alike
    with combined cycles).
    Other arguments as `decommit` (without `passes`). Returns (u (T, G) int8, cost, moves kept).
    On pglib-uc rts_gmlc 2020-11-25 it replaces evening gas turbines by restarted steam units."""
    T, G = u.shape
    u = u.copy()
    # u's dispatch (working state, see `_set_base`): trials are priced from it by `_trial`
    blocks, idx, price0, ws, c0 = _open_search(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0,
                                               season_min, seg_mw, seg_slope, reserve_ok, avail, min_out,
                                               curt_cost, demand, res_up, res_dn, st_up, st_dn, curve_mw,
                                               curve_cost, n_points, su_by_off, k_off, sd_cost, voll, over_cost,
                                               short_cost, heat_short_cost)
    cols = ws[29]                           # the moved units (`_trial`)
    trial = u.copy()
    col = np.empty(T, np.int8)
    col2 = np.empty(T, np.int8)
    moves = 0
    # the hours [t0, t1] tried for g on this commitment: the rest of a move does not depend on the
    # dearer unit whose block gave them, so a pair already tried would repeat its trials
    tried = np.zeros((T, T), np.bool_)
    for i in range(G - 1, 0, -1):          # cheapest first
        g = order[i]
        tried[:, :] = False
        for j in range(i):
            h = order[j]
            t = 0
            while t < T:
                if u[t, h] == 0 or (t > 0 and u[t - 1, h] == 1) or u[t, g] == 1:
                    t += 1
                    continue
                t0 = t
                t1 = t0
                while t1 + 1 < T and u[t1 + 1, h] == 1:
                    t1 += 1
                t1 = min(T - 1, max(t1, t0 + up_h[g] - 1))
                if tried[t0, T - 1 if to_end else t1]:
                    t += 1
                    continue
                for k in range(T):
                    col[k] = u[k, g]
                for k in range(t0, t1 + 1):
                    col[k] = 1
                # merge into a following block when the gap is too short
                n = t1 + 1
                while n < T and col[n] == 0:
                    n += 1
                if n < T and n - t1 - 1 < down_h[g]:
                    for k in range(t1 + 1, n):
                        col[k] = 1
                if to_end:
                    e = t0
                    while e + 1 < T and col[e + 1] == 1:
                        e += 1
                    if e >= T - 1:                  # the move above runs to the end: tried there
                        t += 1
                        continue
                    t1 = T - 1
                    for k in range(t0, T):
                        col[k] = 1
                tried[t0, t1] = True
                # and into a preceding one
                p = t0 - 1
                while p >= 0 and col[p] == 0:
                    p -= 1
                if p >= 0 and t0 - p - 1 < down_h[g]:
                    for k in range(p + 1, t0):
                        col[k] = 1
                t += 1
                if not column_ok(col, up_h[g], down_h[g], init_on[g], init_h[g], forced[:, g]):
                    continue
                for k in range(T):
                    trial[k, g] = col[k]
                cols[0] = g                         # the units whose column differs from u's
                n_cols = 1
                cur, _ = _trial(trial, u, n_cols, -np.inf, c0, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on,
                             init_h, q0, season_min, seg_mw, reserve_ok, avail, min_out, curt_cost, demand, res_up,
                             res_dn, st_up, st_dn, curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, voll,
                             over_cost, short_cost, heat_short_cost, blocks, idx, price0, ws)
                # switch off dearer blocks overlapping g's new hours, dearest first
                for jj in range(i):
                    hh = order[jj]
                    k = 0
                    while k < T:
                        if not (trial[k, hh] == 1 and col[k] == 1 and u[k, g] == 0):
                            k += 1
                            continue
                        bs, be = _run_around(trial[:, hh], k)
                        for kk in range(T):
                            col2[kk] = 0 if bs <= kk <= be else trial[kk, hh]
                        k = be + 1
                        if not column_ok(col2, up_h[hh], down_h[hh], init_on[hh], init_h[hh], forced[:, hh]):
                            continue
                        for kk in range(T):
                            trial[kk, hh], col2[kk] = col2[kk], trial[kk, hh]
                        added = True
                        for m in range(n_cols):
                            if cols[m] == hh:
                                added = False
                        if added:
                            cols[n_cols] = hh
                            n_cols += 1
                        c, _ = _trial(trial, u, n_cols, -np.inf, c0, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn,
                                   init_on, init_h, q0, season_min, seg_mw, reserve_ok, avail, min_out, curt_cost,
                                   demand, res_up, res_dn, st_up, st_dn, curve_mw, curve_cost, n_points, su_by_off,
                                   k_off, sd_cost, voll, over_cost, short_cost, heat_short_cost, blocks, idx,
                                   price0, ws)
                        if c < cur - 1e-6:
                            cur = c
                        else:
                            for kk in range(T):
                                trial[kk, hh] = col2[kk]
                            if added:
                                n_cols -= 1
                if cur < best - 1e-6:
                    moves += 1
                    tried[:, :] = False
                    for k in range(T):
                        for hh in range(G):
                            u[k, hh] = trial[k, hh]
                    # the new base; its cost exactly as `evaluate` (cur sums the changes)
                    best = evaluate(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0, season_min,
                                    seg_mw, seg_slope, reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn,
                                    st_up, st_dn, curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, voll,
                                    over_cost, short_cost, heat_short_cost)
                    c0 = _set_base(u, p_min, p_max, su_mw, sd_mw, ramp_up, ramp_dn, init_on, init_h, q0, season_min,
                                   seg_mw, reserve_ok, avail, min_out, curt_cost, demand, res_up, res_dn, st_up, st_dn,
                                   curve_mw, curve_cost, n_points, su_by_off, k_off, sd_cost, voll, over_cost,
                                   short_cost, heat_short_cost, blocks, idx, price0, ws)
                else:
                    for k in range(T):
                        for hh in range(G):
                            trial[k, hh] = u[k, hh]
    return u, best, moves


@njit(cache=True, error_model="numpy")
def lagrangian(lam, mu_up, mu_dn, curve_mw, curve_cost, n_points, p_min, p_max, reserve_ok, season_min, short_cost,
               su_by_off, k_off, sd_cost, up_h, down_h, init_on, init_h, forced, demand, res_up, res_dn, avail,
               min_out, curt_cost, st_soc0, st_soc_min, st_soc_max, st_soc_final, st_charge, st_discharge, st_eta_c,
               st_eta_d, st_keep, st_deg, st_reserve, st_steps):
    """The fast engine's dual function at one set of multipliers (dispatch/fast.py, step 1).

    L(λ, μ, ν) = Σ_t (λ·demand + μ·res_up + ν·res_dn) + Σ_g unit DP values (`hour_values`,
    `units_dp`) + Σ renewables (output used when λ > −curtailment cost) − Σ_k storage profit bounds
    (`storage.kernels.storage_dual`, the relaxation only): a valid lower bound of the window's
    optimum for λ in [−over-generation penalty, VOLL] and 0 ≤ μ, ν ≤ the reserve shortfall penalty.

    lam, mu_up, mu_dn (T,) multipliers (currency/MWh, currency/MW·h); thermal: curve_mw,
    curve_cost (G, L), n_points (G,), p_min, p_max (G,) MW, reserve_ok (G,) bool, season_min (T, G)
    MW, short_cost (heating-season shortfall, currency/MWh), su_by_off (G, K+1), k_off, sd_cost,
    up_h, down_h, init_on, init_h (G,), forced (T, G) int8 (as `units_dp`); demand, res_up, res_dn
    (T,) MW; renewables avail, min_out (T, R) MW, curt_cost (R,); storage (N,) float arrays st_soc0,
    st_soc_min, st_soc_max, st_soc_final (MWh), st_charge, st_discharge (MW), st_eta_c, st_eta_d,
    st_keep (1 − self-discharge), st_deg (currency/MWh), st_reserve (N,) bool; st_steps int, the
    n_steps of storage_dual.
    Returns (L, g_lam, g_mu, g_nu, u, regret): L float (−inf when a station's relaxation is
    infeasible or a unit has no commitment that meets its forced hours); the subgradients (T,) MW of the relaxed rows (demand − supply, reserve need −
    reserve held; storage at its relaxation's optimum, reserves at min of power and energy
    headroom); u (T, G) int8 the DP commitment; regret (T, G) the units' on − off hour values.
    """
    T = lam.shape[0]
    G = p_min.shape[0]
    pt_cost, sm_cost = _point_costs(curve_mw, curve_cost, n_points, p_min, p_max, season_min)
    off = short_cost * season_min
    on, p_best, u, val = np.empty((T, G)), np.empty((T, G)), np.zeros((T, G), np.int8), np.empty(G)
    g_lam, g_mu, g_nu = np.empty(T), np.empty(T), np.empty(T)
    dp_fw, dp_iw = _dp_space(T, down_h, k_off)
    wlen, wsl, worig, wn, jlen, jsl, vec, st_out = _dual_space(T)
    total = _lagrangian_into(lam, mu_up, mu_dn, curve_mw, n_points, p_min, p_max, reserve_ok, season_min, short_cost,
                             su_by_off, k_off, sd_cost, up_h, down_h, init_on, init_h, forced, demand, res_up, res_dn,
                             avail, min_out, curt_cost, st_soc0, st_soc_min, st_soc_max, st_soc_final, st_charge,
                             st_discharge, st_eta_c, st_eta_d, st_keep, st_deg, st_reserve, st_steps, pt_cost, sm_cost,
                             off, on, p_best, u, val, g_lam, g_mu, g_nu, dp_fw, dp_iw, wlen, wsl, worig, wn,
                             jlen, jsl, vec, st_out, np.full((st_soc0.shape[0], 2, T), -1.0))
    return total, g_lam, g_mu, g_nu, u, on - off


@njit(cache=True, error_model="numpy")
def _lagrangian_into(lam, mu_up, mu_dn, curve_mw, n_points, p_min, p_max, reserve_ok, season_min, short_cost,
                     su_by_off, k_off, sd_cost, up_h, down_h, init_on, init_h, forced, demand, res_up, res_dn, avail,
                     min_out, curt_cost, st_soc0, st_soc_min, st_soc_max, st_soc_final, st_charge, st_discharge,
                     st_eta_c, st_eta_d, st_keep, st_deg, st_reserve, st_steps, pt_cost, sm_cost, off, on, p_best, u,
                     val, g_lam, g_mu, g_nu, dp_fw, dp_iw, wlen, wsl, worig, wn, jlen, jsl, vec, st_out, st_warm):
    """`lagrangian` on precomputed multiplier-free parts and work arrays (so that `dual_ascent`
    allocates them once): pt_cost (G, L), sm_cost (T, G) from `_point_costs`, off (T, G) the off
    values (short_cost·season_min); dp_fw, dp_iw from `_dp_space`; wlen … st_out from
    `storage.kernels._dual_space`; st_warm (N, 2, T) each station's reserve weights (`_dual_bound`'s
    warm; negative: a cold start), updated. Writes the on values on and p_best (T, G)
    (`hour_values`), the DP commitment u (T, G) int8 and values val (G,) (`units_dp`), the
    subgradients g_lam, g_mu, g_nu (T,); returns L. Other arguments as `lagrangian`."""
    T = lam.shape[0]
    G = p_min.shape[0]
    _on_values(curve_mw, n_points, p_min, p_max, reserve_ok, season_min, short_cost, pt_cost, sm_cost, lam, mu_up,
               mu_dn, on, p_best)
    _units_dp_into(on, off, su_by_off, k_off, sd_cost, up_h, down_h, init_on, init_h, forced, dp_fw, dp_iw, u, val)
    g_lam[:] = demand
    g_mu[:] = res_up
    g_nu[:] = res_dn
    total = 0.0
    for g in range(G):
        total += val[g]
    for t in range(T):
        total += lam[t] * demand[t] + mu_up[t] * res_up[t] + mu_dn[t] * res_dn[t]
        for g in range(G):
            if u[t, g] == 1:
                g_lam[t] -= p_best[t, g]
                if reserve_ok[g]:
                    g_mu[t] -= p_max[g] - p_best[t, g]
                    g_nu[t] -= p_best[t, g] - p_min[g]
        for r in range(avail.shape[1]):
            ren = avail[t, r] if lam[t] > -curt_cost[r] else min_out[t, r]
            total += (avail[t, r] - ren) * curt_cost[r] - lam[t] * ren
            g_lam[t] -= ren
    for k in range(st_soc0.shape[0]):
        bound = _dual_bound(lam, mu_up, mu_dn, st_soc0[k], st_soc_min[k], st_soc_max[k], st_soc_final[k], st_charge[k],
                            st_discharge[k], st_eta_c[k], st_eta_d[k], st_keep[k], st_deg[k], st_reserve[k], st_steps,
                            wlen, wsl, worig, wn, jlen, jsl, vec, st_out, st_warm[k])
        total -= bound
        for t in range(T):
            g_lam[t] -= st_out[1, t] - st_out[0, t]
            g_mu[t] -= st_out[3, t]
            g_nu[t] -= st_out[4, t]
    for g in range(G):
        if val[g] >= BIG / 2:       # a unit with no commitment meeting its forced hours: no bound
            return -np.inf
    return total


@njit(cache=True, error_model="numpy")
def dual_ascent(lam, mu_up, mu_dn, lam_lo, lam_hi, mu_hi, target, target_cap, iters, stall_n, patience, curve_mw,
                curve_cost, n_points, p_min, p_max, reserve_ok, season_min, short_cost, su_by_off, k_off, sd_cost, up_h,
                down_h, init_on, init_h, forced, demand, res_up, res_dn, avail, min_out, curt_cost, st_soc0, st_soc_min,
                st_soc_max, st_soc_final, st_charge, st_discharge, st_eta_c, st_eta_d, st_keep, st_deg, st_reserve,
                st_steps):
    """The fast engine's subgradient method on `lagrangian`, from multipliers lam, mu_up, mu_dn (T,)
    (not changed).

    Polyak steps θ·(level − L)/‖g‖² with level = min(target, best L + target_cap·|best L|) and θ = 2
    halved after stall_n iterations without a better L (the cap keeps a target far above the bound
    — a first primal paying reserve-shortfall penalties, 74 M against a bound of 0.65 M on pglib-uc
    rts_gmlc 2020-11-25 — from throwing the multipliers to their limits: there the bound stayed at
    its start, 654,699, and is 915,812 with target_cap = 1); μ, ν ≥ 0 by projection (their
    subgradients set to 0 where they sit at 0 and would go down), λ clipped to [lam_lo, lam_hi],
    μ, ν to [0, mu_hi]. Stops after `iters` evaluations, after
    `patience` iterations without a 0.001 % better L, when ‖g‖ vanishes or L reaches `target` (a
    primal cost, currency). Each station's reserve weights are carried from one evaluation to the
    next (`storage.kernels._dual_bound`'s warm start; with st_steps = 2 the 28 benchmark windows'
    bounds are 0.008 % tighter on average than cold starts with 5 steps, in 14 % less time). Other
    arguments as `lagrangian` (after its multipliers). The Python loop
    it replaced also lowered `target` by a primal schedule at iteration iters // 2; without it (in
    that loop) the final objective moved by +0.40 % on the default week (polish none), −0.06 %,
    −0.03 % and +0.03 % on 240, 720 and 2160 hours: the noise of a changed trajectory.
    Returns (best_L, lam, mu_up, mu_dn, u, regret, n): the best L (−inf when a station's relaxation
    is infeasible or a unit cannot meet its forced hours: the loop stops at once), the multipliers (T,) where it was found, the DP
    commitment u (T, G) int8 and the units' on − off values regret (T, G) there, and n the
    number of evaluations.
    """
    T = lam.shape[0]
    G = p_min.shape[0]
    lam = lam.copy()
    mu = mu_up.copy()
    nu = mu_dn.copy()
    best_L = -np.inf
    best_lam, best_mu, best_nu = lam.copy(), mu.copy(), nu.copy()
    best_u = np.zeros((T, G), np.int8)
    best_regret = np.zeros((T, G))
    # what does not depend on the multipliers, and the work arrays of `_lagrangian_into`
    pt_cost, sm_cost = _point_costs(curve_mw, curve_cost, n_points, p_min, p_max, season_min)
    off = short_cost * season_min
    on, p_best, u, val = np.empty((T, G)), np.empty((T, G)), np.zeros((T, G), np.int8), np.empty(G)
    g_lam, g_mu, g_nu = np.empty(T), np.empty(T), np.empty(T)
    dp_fw, dp_iw = _dp_space(T, down_h, k_off)
    wlen, wsl, worig, wn, jlen, jsl, vec, st_out = _dual_space(T)
    st_warm = np.full((st_soc0.shape[0], 2, T), -1.0)
    theta, stall, last_gain, n = 2.0, 0, 0, 0
    for k in range(iters):
        L = _lagrangian_into(lam, mu, nu, curve_mw, n_points, p_min, p_max, reserve_ok, season_min, short_cost,
                             su_by_off, k_off, sd_cost, up_h, down_h, init_on, init_h, forced, demand, res_up, res_dn,
                             avail, min_out, curt_cost, st_soc0, st_soc_min, st_soc_max, st_soc_final, st_charge,
                             st_discharge, st_eta_c, st_eta_d, st_keep, st_deg, st_reserve, st_steps, pt_cost, sm_cost,
                             off, on, p_best, u, val, g_lam, g_mu, g_nu, dp_fw, dp_iw, wlen, wsl, worig, wn,
                             jlen, jsl, vec, st_out, st_warm)
        n = k + 1
        if L == -np.inf:
            if k == 0:
                best_u[:, :] = u
                np.subtract(on, off, best_regret)
            break
        if L > best_L + 1e-9 * (abs(best_L) if best_L > -np.inf else 1.0):
            if L > best_L + 1e-5 * abs(L):
                last_gain = k
            best_L, stall = L, 0
            best_u[:, :] = u
            np.subtract(on, off, best_regret)
            best_lam[:] = lam
            best_mu[:] = mu
            best_nu[:] = nu
        else:
            stall += 1
            if stall >= stall_n:
                theta, stall = theta / 2, 0
        if k - last_gain >= patience:
            break
        norm = 0.0
        for t in range(T):
            if mu[t] <= 0.0 and g_mu[t] < 0.0:
                g_mu[t] = 0.0
            if nu[t] <= 0.0 and g_nu[t] < 0.0:
                g_nu[t] = 0.0
            norm += g_lam[t] ** 2 + g_mu[t] ** 2 + g_nu[t] ** 2
        if norm < 1e-12 or target - L <= 1e-9 * abs(target):
            break
        step = theta * (min(target, best_L + target_cap * abs(best_L)) - L) / norm
        for t in range(T):
            lam[t] = min(max(lam[t] + step * g_lam[t], lam_lo), lam_hi)
            mu[t] = min(max(mu[t] + step * g_mu[t], 0.0), mu_hi)
            nu[t] = min(max(nu[t] + step * g_nu[t], 0.0), mu_hi)
    return best_L, best_lam, best_mu, best_nu, best_u, best_regret, n
