"""Numba kernels for storage: a price-taker program for ONE station over one window.

This is the storage subproblem of the Lagrangian-relaxation `fast` engine: given per-hour prices
(energy multipliers) and reserve multipliers it returns

  * `bound`: an upper bound on the profit of every schedule feasible for the station's MILP rows
    (storage.formulation, exclusive stations) and of every point of their LP relaxation, and
  * a feasible schedule (it passes dispatch.check._check_storage) with high profit.

Model, hour t = 0..T-1 (MW, MWh, 1-h steps), soc(-1) = soc0, keep = 1 - self_discharge_per_h:
    soc(t) = keep·soc(t-1) + eta_c·ch(t) - dis(t)/eta_d,   soc_min <= soc(t) <= soc_max,
    soc(T-1) >= soc_final (clipped into [soc_min, soc_max]),  0 <= ch <= charge_mw, 0 <= dis <= discharge_mw,
    never ch > 0 and dis > 0 in one hour; fixed speed: ch = q·charge_mw/units, q whole;
    variable speed with pump_min_share s > 0: q·s·u <= ch <= q·u for the q = ceil(ch/u) units running;
    reserves (reserve_eligible only): r_up <= min(discharge_mw - dis + ch, eta_d·(soc - soc_min)),
    r_dn <= min(charge_mw - ch + dis, (soc_max - soc)/eta_c), both at the end-of-hour soc.
    profit(t) = price·(dis - ch) - degradation_cost·dis + mu_up·r_up + mu_dn·r_dn     (mu >= 0)
Mode-change costs are not part of the profit (they are non-negative; the caller adds them).
Inflow, spill and min_release (reservoirs) are not modelled.

Schedule (primal): a forward dynamic program over SoC buckets, the cells of a grid of about
`n_levels` points on [soc_min, soc_max]. A state is an exact SoC with its profit so far; from each
state an hour may move to any grid level within the power limits (discharge, or variable-speed
charge with the pump_min_share rule), idle (keep·soc), discharge or charge at full power, run
q = 1..units fixed-speed pumps (landing keep·soc + q·eta_c·u), or move to a few exact levels (the
lower ends of the reachable sets below; fixed speed: soc_min and the levels from which q pumps end
at soc_max). Landings from which soc_final can no longer be met are dropped: the sets S_t of socs
that still reach [soc_final, soc_max] with the program's own moves are computed backward as unions
of intervals (_reach_sets), and every state kept has a move into the next set (exactly so without a
pump_min_share and while a set has at most 32 intervals), so a feasible window yields a feasible
schedule. Landings that
share a bucket are ranked by profit so far + (slope of the relaxation's value to go) · soc, and the
best survives; with one state per grid level (keep == 1, variable speed; or fixed speed with a grid
step of eta_c·u/m, m whole, anchored at soc_final) the program is exact on its grid. Sources are
sorted by soc, so each level's candidates form a window; hours without reserve multipliers use
sliding-window maxima (linear value in the source's soc). The schedule is rebuilt from (ch, dis)
with soc recomputed forward and reserves at their maximum.

Bound (relaxation): each hour's (ch, dis) is relaxed to the triangle ch/charge_mw +
dis/discharge_mw <= 1 (implied by pump + gen <= units with pump >= ch/u, gen >= dis/u_d, so it
covers every exclusive station's MILP and its LP relaxation, including several units pumping while
others generate; NOT valid for ternary / non-exclusive stations, where both can run at full power);
pump speeds and unit counts are relaxed too. For any theta_u, theta_d in [0, 1],
    mu·min(X, Y) <= mu·(theta·X + (1 - theta)·Y)            (weak duality for r <= X, r <= Y),
so replacing each reserve term by that combination gives an objective that is linear in (ch, dis,
soc) and pointwise >= the true one. That linear-objective LP is solved EXACTLY by backward dynamic
programming on concave piecewise-linear value functions: the best hour value g_t(d) over the
triangle for a net stored-energy change d is concave piecewise linear (the upper hull of three
points), J_t(a) = max_b [g_t(b - keep·a) + c_t·b + J_{t+1}(b)] is a sup-convolution (slopes merged
in decreasing order) followed by the scaling a -> keep·a and truncation to [soc_min, soc_max],
with J_T = 0 on [soc_final, soc_max]. Every theta therefore gives a valid bound: theta = 1/2
first (its value functions also rank the schedule's buckets), then theta from the schedule (1 where
the power headroom binds, 0 where the energy headroom binds) and up to 10 projected subgradient
steps (subgradient mu·(X - Y) at the relaxation's optimum, Polyak step towards the schedule's
profit); the least value found is returned. With theta at the LP duals the bound equals the LP
optimum; without reserve multipliers it is the LP optimum outright. No grid enters the bound.
"""
from typing import NamedTuple

import numpy as np

import grid.jit  # noqa: F401  (numba cache folder fallback, before numba compiles anything)
from numba import njit

DEFAULT_LEVELS = 48


@njit(cache=True, error_model="numpy")
def _pump_ok(ch, u_ch, share, tol):
    """Variable-speed pumping `ch` (MW) is possible with whole units of u_ch MW running at least
    `share` of their rating: ch >= share·u_ch·ceil(ch/u_ch)."""
    q = np.ceil(ch / u_ch - 1e-9)
    return ch >= share * u_ch * q - tol


@njit(cache=True, error_model="numpy")
def _offer(t, j, w, y, ch, dis, nval, nsoc, prev, chs, diss, src, sl, by_soc):
    """Keep the landing (profit so far w, soc y MWh, from source src) in bucket j if it beats the one
    there: by w + sl·y (sl: the slope of the value to go in this bucket, currency/MWh), or by soc
    when by_soc (the 'end as high as possible' fallback)."""
    if by_soc:
        better = nval[j] == -np.inf or y > nsoc[j]
    else:
        better = w + sl * y > nval[j] + sl * nsoc[j] or nval[j] == -np.inf
    if better:
        nval[j] = w
        nsoc[j] = y
        prev[t, j] = src
        chs[t, j] = ch
        diss[t, j] = dis


@njit(cache=True, error_model="numpy")
def _slide(val, key, q, head, tail, nxt, upto, lo):
    """Sliding-window maximum of key over the sources with finite val: push sources nxt..upto−1
    into the monotone queue q[head:tail], drop those below lo; returns (head, tail, nxt)."""
    while nxt < upto:
        if val[nxt] > -np.inf:
            while tail > head and key[q[tail - 1]] <= key[nxt]:
                tail -= 1
            q[tail] = nxt
            tail += 1
        nxt += 1
    while head < tail and q[head] < lo:
        head += 1
    return head, tail, nxt


@njit(cache=True, error_model="numpy")
def _hour(t, p, mu_u, mu_d, val, soc, nsrc, ks, kd, kc, qd, qc, extra, nval, nsoc, prev, chs, diss, levels, eu,
          ed_room, slope, x0, delta, L, U, slo, shi, sn, Pc, Pd, ec, ed, keep, dc, units, fixed, share, by_soc):
    """One hour of the forward program from the states (val, soc: (nsrc,), soc increasing) to the
    buckets: fills nval, nsoc (M,) and prev, chs, diss[t] (M,). Work space: ks, kd, kc (float), qd, qc
    (int) (>= nsrc,), extra (>= units + 1 + sn,). levels, eu, ed_room (M,): levels and their reserve-up
    and reserve-down energy room (MWh, MW, MW); slope (M,): slope of the value to go after this hour
    in each bucket (currency/MWh). Only landings in the sn intervals [slo, shi] (MWh) count; their
    lower ends are landings too."""
    M = levels.shape[0]
    eps = 1e-9 * max(1.0, abs(U))
    tol_p = 1e-9 * max(1.0, Pc, Pd)
    u_ch = Pc / units
    E = ec * u_ch
    reach_d = Pd / ed + eps
    reach_c = ec * Pc + eps
    for i in range(nsrc):
        ks[i] = keep * soc[i]
    # grid levels: the best source for each (sources sorted by soc, so each range is a window). Without
    # reserve terms or a least pumping share the value is linear in the source's soc: sliding-window
    # maxima (monotone queues qd, qc of keys kd, kc) replace the scan of each window.
    lin = mu_u == 0.0 and mu_d == 0.0 and share <= 0.0
    cd = (p - dc) * ed
    cc = p / ec
    if lin:
        for i in range(nsrc):
            kd[i] = val[i] + cd * ks[i]
            kc[i] = val[i] + cc * ks[i]
    ia, ib, ca, cb, r = 0, 0, 0, 0, 0
    nd, hd, td, nc, hc, tc = 0, 0, 0, 0, 0, 0
    for j in range(M):
        nval[j] = -np.inf
        xj = levels[j]
        nsoc[j] = xj
        while r < sn and shi[r] < xj - eps:
            r += 1
        if r == sn or slo[r] > xj + eps:
            continue
        while ia < nsrc and ks[ia] <= xj + eps:
            ia += 1
        while ib < nsrc and ks[ib] <= xj + reach_d:
            ib += 1
        if not fixed:
            while ca < nsrc and ks[ca] < xj - reach_c:
                ca += 1
            while cb < nsrc and ks[cb] < xj - eps:
                cb += 1
        if lin:
            best, bi, bch = -np.inf, -1, False
            hd, td, nd = _slide(val, kd, qd, hd, td, nd, ib, ia)
            if hd < td:
                best, bi = kd[qd[hd]] - cd * xj, qd[hd]
            hc, tc, nc = _slide(val, kc, qc, hc, tc, nc, cb, ca)
            if hc < tc and kc[qc[hc]] - cc * xj > best:
                best, bi, bch = kc[qc[hc]] - cc * xj, qc[hc], True
        else:
            best, bi, bch = _best_source(xj, ks, val, ia, ib, ca, cb, p, mu_u, mu_d, eu[j], ed_room[j], Pc, Pd, ec,
                                         ed, dc, u_ch, share, tol_p)
        if bi >= 0:
            nval[j] = best
            prev[t, j] = bi
            chs[t, j] = min((xj - ks[bi]) / ec, Pc) if bch else 0.0
            diss[t, j] = 0.0 if bch else min((ks[bi] - xj) * ed, Pd)
    # exact levels off the grid: the lower ends of the intervals; fixed speed: L and the levels from
    # which q pumps end at U
    ne = 0
    for r in range(sn):
        if slo[r] > L + eps:                               # L: a grid level (variable speed) or added below
            extra[ne] = slo[r]
            ne += 1
    if fixed:
        extra[ne] = L
        ne += 1
        for q in range(1, units + 1):
            extra[ne] = (U - q * E) / keep
            ne += 1
    for e in range(ne):
        y = extra[e]
        if not _inside(y, slo, shi, sn, eps):
            continue
        ia = _count(ks, nsrc, y + eps, True)
        ib = _count(ks, nsrc, y + reach_d, True)
        ca = 0 if fixed else _count(ks, nsrc, y - reach_c, False)
        cb = 0 if fixed else _count(ks, nsrc, y - eps, False)
        best, bi, bch = _best_source(y, ks, val, ia, ib, ca, cb, p, mu_u, mu_d, ed * (y - L), (U - y) / ec, Pc, Pd,
                                     ec, ed, dc, u_ch, share, tol_p)
        if bi >= 0:
            j = min(M - 1, max(0, int(np.floor((y - x0) / delta + 1e-7))))
            ch = min((y - ks[bi]) / ec, Pc) if bch else 0.0
            dis = 0.0 if bch else min((ks[bi] - y) * ed, Pd)
            _offer(t, j, best, y, ch, dis, nval, nsoc, prev, chs, diss, bi, slope[j], by_soc)
    # landings that depend on the source (inside [lo1, hi1], and in an interval when there are several)
    lo1, hi1, one = slo[0] - eps, shi[sn - 1] + eps, sn == 1
    for i in range(nsrc):
        v = val[i]
        if v == -np.inf:
            continue
        ks_i = ks[i]
        # idle
        if lo1 <= ks_i <= hi1 and (one or _inside(ks_i, slo, shi, sn, eps)):
            j = min(M - 1, max(0, int(np.floor((ks_i - x0) / delta + 1e-7))))
            y = min(max(ks_i, L), U)
            w = v + mu_u * min(Pd, ed * (y - L)) + mu_d * min(Pc, (U - y) / ec)
            _offer(t, j, w, ks_i, 0.0, 0.0, nval, nsoc, prev, chs, diss, i, slope[j], by_soc)
        # full discharge, and full variable-speed charge
        y = ks_i - Pd / ed
        if lo1 <= y <= hi1 and (one or _inside(y, slo, shi, sn, eps)):
            j = min(M - 1, max(0, int(np.floor((y - x0) / delta + 1e-7))))
            w = v + (p - dc) * Pd + mu_d * min(Pc + Pd, (U - y) / ec)          # r_up = 0
            _offer(t, j, w, y, 0.0, Pd, nval, nsoc, prev, chs, diss, i, slope[j], by_soc)
        y = ks_i + ec * Pc
        if not fixed and lo1 <= y <= hi1 and (one or _inside(y, slo, shi, sn, eps)):
            j = min(M - 1, max(0, int(np.floor((y - x0) / delta + 1e-7))))
            w = v - p * Pc + mu_u * min(Pd + Pc, ed * (y - L))                  # r_dn = 0
            _offer(t, j, w, y, Pc, 0.0, nval, nsoc, prev, chs, diss, i, slope[j], by_soc)
        # fixed-speed pumping
        if fixed:
            for q in range(1, units + 1):
                y = ks_i + q * E
                if y > hi1:
                    break
                if y < lo1 or not (one or _inside(y, slo, shi, sn, eps)):
                    continue
                ch = q * u_ch
                j = min(M - 1, max(0, int(np.floor((y - x0) / delta + 1e-7))))
                w = v - p * ch + mu_u * min(Pd + ch, ed * (y - L)) + mu_d * min(Pc - ch, (U - y) / ec)
                _offer(t, j, w, y, ch, 0.0, nval, nsoc, prev, chs, diss, i, slope[j], by_soc)


@njit(cache=True, error_model="numpy")
def _count(a, n, x, inclusive):
    """Number of the first n entries of the sorted a (n,) that are < x (<= x when inclusive)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x or (inclusive and a[mid] == x):
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, error_model="numpy")
def _inside(y, slo, shi, sn, eps):
    """y (MWh) lies in one of the sn sorted disjoint intervals [slo, shi] (within eps)."""
    for r in range(sn):
        if y < slo[r] - eps:
            return False
        if y <= shi[r] + eps:
            return True
    return False


@njit(cache=True, error_model="numpy")
def _reach_sets(T, L, U, F, Pc, Pd, ec, ed, keep, units, fixed, share, R):
    """Where soc_final can still be met from: S_t, the socs at the end of hour t (MWh) from which the
    program's own moves (any discharge up to Pd; q whole fixed-speed units; variable-speed q units
    within [share, 1]·u, or anything up to Pc when share = 0) reach [F, U] at the end of the window
    without leaving [L, U]. Returns slo, shi (T, R), sn (T,): sn[t] sorted disjoint intervals, exact
    while there are at most R, else the closest are merged (a superset: no feasible soc is lost)."""
    eps = 1e-9 * max(1.0, abs(U))
    slo = np.empty((T, R))
    shi = np.empty((T, R))
    sn = np.zeros(T, np.int64)
    slo[T - 1, 0] = F
    shi[T - 1, 0] = U
    sn[T - 1] = 1
    E = ec * Pc / units
    G = 1 + (units if fixed or share > 0.0 else 1)
    dlo = np.zeros(G)                              # group g: S_{t-1} gets (S_t + [dlo, dhi]) / keep
    dhi = np.zeros(G)
    dhi[0] = Pd / ed                               # discharge (or idle)
    for g in range(1, G):
        if fixed:
            dlo[g], dhi[g] = -g * E, -g * E
        elif share > 0.0:
            dlo[g], dhi[g] = -g * E, -share * g * E
        else:
            dlo[g], dhi[g] = -ec * Pc, 0.0
    pos = np.zeros(G, np.int64)
    for t in range(T - 1, 0, -1):
        n = sn[t]
        pos[:] = 0
        m = 0
        while True:                                # merge the G sorted lists into a union
            gb, a = -1, np.inf
            for g in range(G):
                if pos[g] < n and (slo[t, pos[g]] + dlo[g]) / keep < a:
                    gb, a = g, (slo[t, pos[g]] + dlo[g]) / keep
            if gb < 0:
                break
            b = min((shi[t, pos[gb]] + dhi[gb]) / keep, U)
            pos[gb] += 1
            a = max(a, L)
            if a > b + eps:
                continue
            if m > 0 and a <= shi[t - 1, m - 1] + eps:
                shi[t - 1, m - 1] = max(shi[t - 1, m - 1], b)
                continue
            if m == R:                             # full: close the smallest gap (the new interval's included)
                k, gap = m - 1, a - shi[t - 1, m - 1]
                for r in range(m - 1):
                    if slo[t - 1, r + 1] - shi[t - 1, r] < gap:
                        k, gap = r, slo[t - 1, r + 1] - shi[t - 1, r]
                if k == m - 1:
                    shi[t - 1, m - 1] = max(shi[t - 1, m - 1], b)
                    continue
                shi[t - 1, k] = shi[t - 1, k + 1]
                for r in range(k + 1, m - 1):
                    slo[t - 1, r] = slo[t - 1, r + 1]
                    shi[t - 1, r] = shi[t - 1, r + 1]
                m -= 1
            slo[t - 1, m] = a
            shi[t - 1, m] = b
            m += 1
        sn[t - 1] = m
    return slo, shi, sn


@njit(cache=True, error_model="numpy")
def _best_source(y, ks, val, ia, ib, ca, cb, p, mu_u, mu_d, eu_y, ed_y, Pc, Pd, ec, ed, dc, u_ch, share, tol_p):
    """Best source for landing exactly at y MWh: discharging from sources ia..ib-1 or charging from
    ca..cb-1 (keep·soc in ks). eu_y, ed_y: reserve-up and reserve-down energy room at y (MW).
    Returns (profit so far, source or -1, charging)."""
    best, bi, bch = -np.inf, -1, False
    for i in range(ia, ib):
        dis = (ks[i] - y) * ed
        w = val[i] + (p - dc) * dis + mu_u * min(Pd - dis, eu_y) + mu_d * min(Pc + dis, ed_y)
        if w > best:
            best, bi = w, i
    for i in range(ca, cb):
        ch = (y - ks[i]) / ec
        w = val[i] - p * ch + mu_u * min(Pd + ch, eu_y) + mu_d * min(Pc - ch, ed_y)
        if w > best and (share <= 0.0 or _pump_ok(ch, u_ch, share, tol_p)):
            best, bi, bch = w, i, True
    return best, bi, bch


@njit(cache=True, error_model="numpy")
def _grid(L, U, F, Pc, ec, keep, units, fixed, n_levels):
    """SoC grid (M,) MWh on [L, U] and its origin x0 and step delta. Fixed-speed pumps with keep == 1:
    step eta_c·u/m (m whole, the least giving >= n_levels points), anchored at F so that pumping can
    end exactly at soc_final; otherwise n_levels points from L to U."""
    span = U - L
    if span <= 1e-9 * max(1.0, abs(U)):
        return np.array([L]), L, 1.0
    n = max(2, n_levels)
    delta = span / (n - 1)
    anchor = L
    E = ec * Pc / units
    if fixed and keep >= 1.0 - 1e-15:
        if E >= delta:
            delta = E / np.ceil(E / delta - 1e-9)
        anchor = F
    x0 = max(L, anchor - np.floor((anchor - L) / delta + 1e-9) * delta)
    M = int(np.floor((U - x0) / delta + 1e-9)) + 1
    levels = np.empty(M)
    for j in range(M):
        levels[j] = min(x0 + j * delta, U)
    return levels, x0, delta


@njit(cache=True, error_model="numpy")
def _slopes(levels, keep, wlen, wsl, wn, wx0, wv0):
    """(T, M) slope (currency/MWh) of the relaxation's value to go after hour t, J_{t+1}(x) = W_{t+1}(keep·x),
    between grid levels j and j + 1 (the last level: from j - 1); 0 for the last hour. A relaxation
    found infeasible (wv0 = -inf) gives 0 everywhere."""
    T, M = wn.shape[0], levels.shape[0]
    out = np.zeros((T, M))
    if M < 2 or wv0[0] == -np.inf:
        return out
    vals = np.empty(M)
    for t in range(T - 1):
        u = t + 1
        s, x, v = 0, wx0[u], wv0[u]                    # segment s starts at x with value v
        for j in range(M):
            y = keep * levels[j]
            while s < wn[u] and x + wlen[u, s] <= y:
                x += wlen[u, s]
                v += wlen[u, s] * wsl[u, s]
                s += 1
            vals[j] = v + (min(max(y - x, 0.0), wlen[u, s]) * wsl[u, s] if s < wn[u] else 0.0)
        for j in range(M - 1):
            out[t, j] = (vals[j + 1] - vals[j]) / (levels[j + 1] - levels[j])
        out[t, M - 1] = out[t, M - 2]
    return out


@njit(cache=True, error_model="numpy")
def _primal(price, mu_u, mu_d, soc0, L, U, F, Pc, Pd, ec, ed, keep, dc, units, fixed, share, n_levels,
            wlen, wsl, wn, wx0, wv0):
    """Forward bucket program; states sharing a bucket are ranked by profit so far plus the value to go
    of the relaxation (wlen ... wv0 from _relaxation; linearised in each bucket); landings outside
    _reach_sets are dropped. Returns (ch, dis (T,) MW, ok): ok False when no schedule ends >= F (then
    the one ending highest), or when no landing in [L, U] exists at all (then a recovery schedule)."""
    T = price.shape[0]
    levels, x0, delta = _grid(L, U, F, Pc, ec, keep, units, fixed, n_levels)
    M = levels.shape[0]
    prev = np.full((T, M), -1, np.int64)
    chs = np.zeros((T, M))
    diss = np.zeros((T, M))
    val = np.full(M, -np.inf)
    soc = np.zeros(M)
    nval = np.empty(M)
    nsoc = np.empty(M)
    ks = np.empty(M)
    kd = np.empty(M)
    kc = np.empty(M)
    qd = np.empty(M, np.int64)
    qc = np.empty(M, np.int64)
    eu = np.empty(M)
    ed_room = np.empty(M)
    for j in range(M):
        eu[j] = ed * (levels[j] - L)
        ed_room[j] = (U - levels[j]) / ec
    slope = _slopes(levels, keep, wlen, wsl, wn, wx0, wv0)
    R = 32
    slo, shi, sn = _reach_sets(T, L, U, F, Pc, Pd, ec, ed, keep, units, fixed, share, R)
    all_lo = np.full(1, L)                        # by_soc: anywhere in [L, U]
    all_hi = np.full(1, U)
    extra = np.empty(units + 1 + R)
    ch = np.zeros(T)
    dis = np.zeros(T)
    for attempt in range(2):                      # 1: soc_final is out of reach, end as high as possible
        by_soc = attempt == 1
        for j in range(M):
            val[j] = -np.inf
        val[0] = 0.0
        soc[0] = soc0
        nsrc = min(1, M)                           # (not a literal: one compiled _hour for both counts)
        alive = True
        for t in range(T):
            a_lo = all_lo if by_soc else slo[t]
            a_hi = all_hi if by_soc else shi[t]
            a_n = 1 if by_soc else sn[t]
            _hour(t, price[t], mu_u[t], mu_d[t], val, soc, nsrc, ks, kd, kc, qd, qc, extra, nval, nsoc, prev, chs, diss,
                  levels, eu, ed_room, slope[t], x0, delta, L, U, a_lo, a_hi, a_n, Pc, Pd, ec, ed, keep, dc, units,
                  fixed, share, by_soc)
            alive = False
            for j in range(M):
                alive = alive or nval[j] > -np.inf
            if not alive:
                break
            val, nval = nval, val
            soc, nsoc = nsoc, soc
            nsrc = M
        if alive:
            j = 0
            for i in range(M):                     # the best end (or the highest, by_soc)
                if val[i] > -np.inf and (val[j] == -np.inf or (soc[i] > soc[j] if by_soc else val[i] > val[j])):
                    j = i
            _backtrack(T, j, prev, chs, diss, ch, dis)
            return ch, dis, not by_soc
    _recover(soc0, L, U, Pc, Pd, ec, ed, keep, units, fixed, ch, dis)
    return ch, dis, False


@njit(cache=True, error_model="numpy")
def _backtrack(T, j, prev, chs, diss, ch, dis):
    """Fill ch, dis (T,) MW from bucket j of the last hour back along prev (T, M)."""
    for t in range(T - 1, -1, -1):
        ch[t] = chs[t, j]
        dis[t] = diss[t, j]
        j = prev[t, j]


@njit(cache=True, error_model="numpy")
def _recover(soc0, L, U, Pc, Pd, ec, ed, keep, units, fixed, ch, dis):
    """soc0 is so far outside [L, U] that no hour-0 landing exists: every hour charge (whole units if
    fixed) toward L or discharge toward U, as far as the ratings allow, else idle."""
    s = soc0
    u_ch = Pc / units
    for t in range(ch.shape[0]):
        ks = keep * s
        ch[t] = 0.0
        dis[t] = 0.0
        if ks < L:
            c = min(Pc, (U - ks) / ec)
            if fixed:
                c = u_ch * min(units, max(1.0, np.floor(c / u_ch + 1e-9)))
            ch[t] = c
        elif ks > U:
            dis[t] = min(Pd, (ks - U) * ed)
        s = ks + ec * ch[t] - dis[t] / ed


@njit(cache=True, error_model="numpy")
def _relaxation(theta_u, theta_d, price, mu_u, mu_d, soc0, L, U, F, Pc, Pd, ec, ed, keep, dc,
                wlen, wsl, worig, wn, wx0, wv0, ux0, jlen, jsl, b_out, ch_out, dis_out):
    """Exact optimum of the relaxed LP with reserve terms linearised by theta_u, theta_d (T,) in [0, 1]
    (see the module docstring); -inf when even the relaxation is infeasible. Also its optimal soc
    b_out and (ch, dis) (T,). Work arrays: wlen, wsl (T, C) float, worig (T, C) int, wn (T,) int,
    wx0, wv0, ux0 (T,), jlen, jsl (C,), C >= 2T + 2."""
    T = price.shape[0]
    eps = 1e-9 * max(1.0, abs(U))
    # J_T = 0 on [F, U]
    jx, jv, n = F, 0.0, 0
    if U - F > 0.0:
        jlen[0] = U - F
        jsl[0] = 0.0
        n = 1
    for t in range(T - 1, -1, -1):
        a = -price[t] + mu_u[t] * theta_u[t] - mu_d[t] * theta_d[t]
        beta = -a - dc
        c = mu_u[t] * (1.0 - theta_u[t]) * ed - mu_d[t] * (1.0 - theta_d[t]) / ec
        K = (mu_u[t] * theta_u[t] * Pd + mu_d[t] * theta_d[t] * Pc - mu_u[t] * (1.0 - theta_u[t]) * ed * L
             + mu_d[t] * (1.0 - theta_d[t]) * U / ec)
        # U_t(b) = c·b + K + J_{t+1}(b)
        uv = jv + c * jx + K
        for s in range(n):
            jsl[s] += c
        ux0[t] = jx
        # ghat(x) = g(-x) on [-ec·Pc, Pd/ed]: upper hull of C = (ec·Pc, a·Pc), O = (0, 0), D = (-Pd/ed, beta·Pd)
        s1 = -beta * ed
        s2 = a / ec
        if s1 >= s2:
            ng, gl0, gs0, gl1, gs1 = 2, ec * Pc, -s2, Pd / ed, -s1
        else:
            ng, gl0, gs0, gl1, gs1 = 1, ec * Pc + Pd / ed, -(a * Pc - beta * Pd) / (ec * Pc + Pd / ed), 0.0, 0.0
        wx0[t] = jx - ec * Pc
        wv0[t] = uv + a * Pc
        # sup-convolution: merge segments by decreasing slope
        m, iu, ig = 0, 0, 0
        while iu < n or ig < ng:
            gs = gs0 if ig == 0 else gs1
            if ig >= ng or (iu < n and jsl[iu] >= gs):
                wlen[t, m] = jlen[iu]
                wsl[t, m] = jsl[iu]
                worig[t, m] = 1
                iu += 1
            else:
                wlen[t, m] = gl0 if ig == 0 else gl1
                wsl[t, m] = gs
                worig[t, m] = 0
                ig += 1
            m += 1
        wn[t] = m
        if t == 0:
            break
        # J_t(a) = W_t(keep·a), truncated to [L, U]
        jx = wx0[t] / keep
        jv = wv0[t]
        n = 0
        end = max(jx, L)                               # end of the truncated domain built so far
        for s in range(m):
            ln = wlen[t, s] / keep
            sl = wsl[t, s] * keep
            if jx + ln <= L:                       # wholly below L
                jx += ln
                jv += ln * sl
                continue
            if jx < L:
                jv += (L - jx) * sl
                ln -= L - jx
                jx = L
            if end >= U:
                break
            jlen[n] = min(ln, U - end)
            jsl[n] = sl
            end += jlen[n]
            n += 1
        if jx > U + eps or jx < L - eps:
            return -np.inf
        jx = min(max(jx, L), U)
    # evaluate W_0 at keep·soc0, and walk forward for the optimal trajectory
    a_prev = soc0
    value = 0.0
    for t in range(T):
        y = keep * a_prev
        tau = y - wx0[t]
        total = 0.0
        for s in range(wn[t]):
            total += wlen[t, s]
        if tau < -eps or tau > total + eps:
            return -np.inf
        tau = min(max(tau, 0.0), total)
        if t == 0:
            value = wv0[0]
        used = 0.0
        for s in range(wn[t]):
            take = min(wlen[t, s], tau)
            if t == 0:
                value += take * wsl[0, s]
            if worig[t, s] == 1:
                used += take
            tau -= take
            if tau <= 0.0:
                break
        b = ux0[t] + used
        d = b - keep * a_prev
        a = -price[t] + mu_u[t] * theta_u[t] - mu_d[t] * theta_d[t]
        if (a + dc) * ed >= a / ec:
            ch_out[t] = max(d, 0.0) / ec
            dis_out[t] = max(-d, 0.0) * ed
        else:
            w = min(max((d + Pd / ed) / (ec * Pc + Pd / ed), 0.0), 1.0)
            ch_out[t] = w * Pc
            dis_out[t] = (1.0 - w) * Pd
        b_out[t] = b
        a_prev = b
    return value


@njit(cache=True, error_model="numpy")
def _multipliers(mu_up, mu_dn, reserve_eligible):
    """The reserve multipliers (T,) a station earns (zero unless reserve_eligible) and whether any is > 0."""
    T = mu_up.shape[0]
    mu_u = np.empty(T)
    mu_d = np.empty(T)
    has_mu = _multipliers_into(mu_up, mu_dn, reserve_eligible, mu_u, mu_d)
    return mu_u, mu_d, has_mu


@njit(cache=True, error_model="numpy")
def _multipliers_into(mu_up, mu_dn, reserve_eligible, mu_u, mu_d):
    """`_multipliers` written into mu_u, mu_d (T,); returns whether any is > 0."""
    has_mu = False
    for t in range(mu_up.shape[0]):
        mu_u[t] = mu_up[t] if reserve_eligible else 0.0
        mu_d[t] = mu_dn[t] if reserve_eligible else 0.0
        has_mu = has_mu or mu_u[t] > 0.0 or mu_d[t] > 0.0
    return has_mu


@njit(cache=True, error_model="numpy")
def _work_space(T):
    """Work arrays of `_relaxation` for T hours: wlen, wsl, worig, wn, wx0, wv0, ux0, jlen, jsl, b, ch, dis."""
    C = 2 * T + 2
    return (np.empty((T, C)), np.empty((T, C)), np.empty((T, C), np.int64), np.empty(T, np.int64), np.empty(T),
            np.empty(T), np.empty(T), np.empty(C), np.empty(C), np.empty(T), np.empty(T), np.empty(T))


@njit(cache=True, error_model="numpy")
def _dual_space(T):
    """Work arrays of `_dual_bound` for T hours: wlen, wsl (T, C) float, worig (T, C) int, wn (T,) int,
    jlen, jsl (C,) as `_relaxation`'s (C = 2T + 2); vec (14, T) (rows: `_relaxation`'s wx0, wv0,
    ux0, b, ch, dis; mu_u, mu_d; theta_u, theta_d; the best theta_u, theta_d; gu, gd); out (5, T),
    the results ch, dis, soc, r_up, r_dn."""
    C = 2 * T + 2
    return (np.empty((T, C)), np.empty((T, C)), np.empty((T, C), np.int64), np.empty(T, np.int64), np.empty(C),
            np.empty(C), np.empty((14, T)), np.empty((5, T)))


@njit(cache=True, error_model="numpy")
def storage_window(price, mu_up, mu_dn, soc0, soc_min, soc_max, soc_final, charge_mw, discharge_mw, eta_c,
                   eta_d, keep, degradation_cost, units, fixed_speed, pump_min_share, reserve_eligible, n_levels):
    """Price-taker schedule and profit bound of one storage station over one window.

    Inputs: price, mu_up, mu_dn (T,) float64 (currency/MWh, currency/MW of reserve per hour; mu >= 0,
    price may be negative); soc0, soc_min, soc_max, soc_final MWh; charge_mw, discharge_mw MW (> 0);
    eta_c, eta_d in (0, 1]; keep = 1 - self_discharge_per_h in (0, 1]; degradation_cost per MWh
    discharged; units int >= 1; fixed_speed, reserve_eligible bool; pump_min_share in [0, 1];
    n_levels int (SoC grid points of the schedule's program).
    Returns (bound, profit, ch, dis, soc, r_up, r_dn, pump_units, gen_units, feasible):
      bound   float: >= the profit of every feasible schedule and of the LP relaxation of the
              station's MILP rows (module docstring); +inf when even the relaxation is infeasible;
              always >= profit
      profit  float: the profit of the returned schedule (mode-change costs excluded)
      ch, dis, soc, r_up, r_dn (T,) float64: MW, MW, MWh at the end of each hour, MW, MW
      pump_units, gen_units (T,) int64: units pumping (ch/u for fixed speed, else ceil) / generating
      feasible bool: the schedule meets every rule, soc_final included. False: soc_final (or
              [soc_min, soc_max] from soc0) is out of reach (rarely: out of the program's reach, see
              _reach_sets); the schedule then ends as high as it can.
    Measured (T = 36, the default system's stations, 2-core machine with both cores busy, so about
    half a core): n_levels = 48: 0.10-0.17 ms without reserve multipliers, 0.19-0.23 ms with them
    in half the hours (4 x 300 MW fixed-speed pumped hydro 0.17 / 0.23, 2 h battery 0.10 / 0.22,
    4 h battery 0.11 / 0.19); n_levels = 60: 0.12-0.33 ms (the pumped hydro gets 79 levels, its
    step dividing a pump unit-hour). First call: about 10 s to compile cold, 0.35 s from the cache.
    """
    T = price.shape[0]
    L = soc_min
    U = max(soc_max, soc_min)
    F = min(max(soc_final, L), U)
    dc = degradation_cost
    share = 0.0 if fixed_speed else pump_min_share
    mu_u, mu_d, has_mu = _multipliers(mu_up, mu_dn, reserve_eligible)
    wlen, wsl, worig, wn, wx0, wv0, ux0, jlen, jsl, b, rch, rdis = _work_space(T)
    theta_u = np.full(T, 0.5)
    theta_d = np.full(T, 0.5)
    bound = _relaxation(theta_u, theta_d, price, mu_u, mu_d, soc0, L, U, F, charge_mw, discharge_mw, eta_c, eta_d,
                        keep, dc, wlen, wsl, worig, wn, wx0, wv0, ux0, jlen, jsl, b, rch, rdis)
    if bound == -np.inf:
        wv0[0] = -np.inf
    ch, dis, feasible = _primal(price, mu_u, mu_d, soc0, L, U, F, charge_mw, discharge_mw, eta_c, eta_d, keep, dc,
                                units, fixed_speed, share, n_levels, wlen, wsl, wn, wx0, wv0)
    # the schedule, soc recomputed forward
    soc, pump, gen = _tally(ch, dis, soc0, keep, eta_c, eta_d, charge_mw, discharge_mw, units, fixed_speed)
    r_up = np.zeros(T)
    r_dn = np.zeros(T)
    profit = 0.0
    for t in range(T):
        s = soc[t]
        xu = discharge_mw - dis[t] + ch[t]
        yu = eta_d * (s - L)
        xd = charge_mw - ch[t] + dis[t]
        yd = (U - s) / eta_c
        if reserve_eligible:
            r_up[t] = max(0.0, min(xu, yu))
            r_dn[t] = max(0.0, min(xd, yd))
        theta_u[t] = 1.0 if xu < yu else 0.0
        theta_d[t] = 1.0 if xd < yd else 0.0
        profit += price[t] * (dis[t] - ch[t]) - dc * dis[t] + mu_u[t] * r_up[t] + mu_d[t] * r_dn[t]
        if feasible and (s < L - 1e-6 or s > U + 1e-6):
            feasible = False
    if soc[T - 1] < F - 1e-6:
        feasible = False
    if bound == -np.inf:                         # even the relaxation is infeasible
        return np.inf, profit, ch, dis, soc, r_up, r_dn, pump, gen, False
    # the bound: theta from the schedule, then projected subgradient steps (Polyak step towards the
    # schedule's profit); only the reserve terms depend on theta
    n_steps = 10 if has_mu else 0
    f = 2.0                                      # step factor: grows after an improvement, halves otherwise
    for it in range(n_steps):
        value = _relaxation(theta_u, theta_d, price, mu_u, mu_d, soc0, L, U, F, charge_mw, discharge_mw, eta_c,
                            eta_d, keep, dc, wlen, wsl, worig, wn, wx0, wv0, ux0, jlen, jsl, b, rch, rdis)
        f = min(f * 1.5, 16.0) if value < bound else f * 0.5
        bound = min(bound, value)
        gg = 0.0
        for t in range(T):
            gu = mu_u[t] * (discharge_mw - rdis[t] + rch[t] - eta_d * (b[t] - L))
            gd = mu_d[t] * (charge_mw - rch[t] + rdis[t] - (U - b[t]) / eta_c)
            gg += gu * gu + gd * gd
        if gg <= 1e-18 * max(1.0, abs(value)) ** 2 or value - profit <= 1e-9 * max(1.0, abs(profit)):
            break
        step = f * (value - profit) / gg
        for t in range(T):
            gu = mu_u[t] * (discharge_mw - rdis[t] + rch[t] - eta_d * (b[t] - L))
            gd = mu_d[t] * (charge_mw - rch[t] + rdis[t] - (U - b[t]) / eta_c)
            theta_u[t] = min(1.0, max(0.0, theta_u[t] - step * gu))
            theta_d[t] = min(1.0, max(0.0, theta_d[t] - step * gd))
    bound = max(bound, profit)
    return bound, profit, ch, dis, soc, r_up, r_dn, pump, gen, feasible


@njit(cache=True, error_model="numpy")
def storage_dual(price, mu_up, mu_dn, soc0, soc_min, soc_max, soc_final, charge_mw, discharge_mw, eta_c, eta_d,
                 keep, degradation_cost, reserve_eligible, n_steps):
    """Profit bound of one storage station from the relaxation alone (no schedule is built): the
    storage term of the fast engine's Lagrangian dual (dispatch.kernels.lagrangian).

    Inputs: price, mu_up, mu_dn (T,) and the station's scalars as in storage_window (soc MWh,
    ratings MW, efficiencies and keep in (0, 1], degradation_cost per MWh discharged,
    reserve_eligible bool); n_steps int >= 0: linearisations of the reserve terms tried after
    theta = 1/2 when there are reserve multipliers — first theta from the relaxation's own solution
    (1 where its power headroom binds, 0 where its energy headroom binds), then projected
    subgradient steps from the best theta so far (Polyak step towards the best true profit,
    reserves at min(X, Y), of the relaxation solutions seen: points of the relaxed LP, so at most
    its optimum; the step factor grows after a better bound and halves otherwise).
    Returns (bound, ch, dis, soc, r_up, r_dn):
      bound  float: the least relaxation value found: >= the profit of every feasible schedule and
             of the LP relaxation of the station's MILP rows (any theta gives a valid bound, see
             the module docstring); +inf when even the relaxation is infeasible (arrays then 0)
      ch, dis, soc (T,) float64: the relaxation's optimum at that theta: MW, MW, MWh at the end of
             each hour (on the triangle ch/charge_mw + dis/discharge_mw <= 1: both may be > 0)
      r_up, r_dn (T,) float64: the reserve it holds (MW), max(0, min(discharge_mw - dis + ch,
             eta_d·(soc - soc_min))) and max(0, min(charge_mw - ch + dis, (soc_max - soc)/eta_c));
             0 if not reserve_eligible
    Measured (T = 36, the default system's pumped hydro, reserve multipliers in half the hours):
    8 µs with n_steps = 0, 20 µs with 5, 34 µs with 10 (storage_window: 0.22 ms).
    """
    wlen, wsl, worig, wn, jlen, jsl, vec, out = _dual_space(price.shape[0])
    bound = _dual_bound(price, mu_up, mu_dn, soc0, soc_min, soc_max, soc_final, charge_mw, discharge_mw, eta_c, eta_d,
                        keep, degradation_cost, reserve_eligible, n_steps, wlen, wsl, worig, wn, jlen, jsl, vec, out,
                        np.full((2, price.shape[0]), -1.0))
    return bound, out[0], out[1], out[2], out[3], out[4]


@njit(cache=True, error_model="numpy")
def _dual_bound(price, mu_up, mu_dn, soc0, soc_min, soc_max, soc_final, charge_mw, discharge_mw, eta_c, eta_d, keep,
                degradation_cost, reserve_eligible, n_steps, wlen, wsl, worig, wn, jlen, jsl, vec, out, warm):
    """`storage_dual` on the work arrays of `_dual_space` (wlen, wsl, worig, wn, jlen, jsl, vec; T
    hours): returns the bound and writes ch, dis, soc, r_up, r_dn (T,) into the rows of out (5, T)
    (all 0 when the bound is +inf). warm (2, T): the reserve terms' weights theta (up, down) to
    start from — a negative warm[0, 0] starts cold as `storage_dual` (1/2, then theta from the
    relaxation's own solution); when there are reserve multipliers the weights of the bound found
    are written back (so the fast engine's dual loop carries them from one evaluation to the next;
    any weights give a valid bound). Other arguments as `storage_dual`."""
    T = price.shape[0]
    L = soc_min
    U = max(soc_max, soc_min)
    F = min(max(soc_final, L), U)
    dc = degradation_cost
    wx0, wv0, ux0, b, rch, rdis = vec[0], vec[1], vec[2], vec[3], vec[4], vec[5]
    mu_u, mu_d, theta_u, theta_d, best_u, best_d, gu, gd = vec[6], vec[7], vec[8], vec[9], vec[10], vec[11], \
        vec[12], vec[13]
    ch, dis, soc, r_up, r_dn = out[0], out[1], out[2], out[3], out[4]
    has_mu = _multipliers_into(mu_up, mu_dn, reserve_eligible, mu_u, mu_d)
    cold = warm[0, 0] < 0.0
    if cold:
        theta_u[:] = 0.5
        theta_d[:] = 0.5
    else:
        theta_u[:] = warm[0]
        theta_d[:] = warm[1]
    best_u[:] = theta_u                          # theta of the bound and the subgradient there
    best_d[:] = theta_d
    first = 2 if cold else 1
    gu[:] = 0.0
    gd[:] = 0.0
    out[:, :] = 0.0
    bound = np.inf
    target = -np.inf                             # best true profit of a relaxation solution
    f = 2.0                                      # step factor
    gg = 0.0
    for it in range(1 + (n_steps if has_mu else 0)):
        value = _relaxation(theta_u, theta_d, price, mu_u, mu_d, soc0, L, U, F, charge_mw, discharge_mw, eta_c,
                            eta_d, keep, dc, wlen, wsl, worig, wn, wx0, wv0, ux0, jlen, jsl, b, rch, rdis)
        if value == -np.inf:                     # infeasible for every theta
            return np.inf
        true = 0.0
        for t in range(T):
            xu = discharge_mw - rdis[t] + rch[t]
            yu = eta_d * (b[t] - L)
            xd = charge_mw - rch[t] + rdis[t]
            yd = (U - b[t]) / eta_c
            true += price[t] * (rdis[t] - rch[t]) - dc * rdis[t] + mu_u[t] * max(0.0, min(xu, yu)) \
                + mu_d[t] * max(0.0, min(xd, yd))
        target = max(target, true)
        if value < bound:
            if it >= first:
                f = min(f * 1.5, 16.0)
            bound = value
            gg = 0.0
            for t in range(T):
                ch[t] = rch[t]
                dis[t] = rdis[t]
                soc[t] = b[t]
                xu = discharge_mw - rdis[t] + rch[t]
                yu = eta_d * (b[t] - L)
                xd = charge_mw - rch[t] + rdis[t]
                yd = (U - b[t]) / eta_c
                if reserve_eligible:
                    r_up[t] = max(0.0, min(xu, yu))
                    r_dn[t] = max(0.0, min(xd, yd))
                gu[t] = mu_u[t] * (xu - yu)
                gd[t] = mu_d[t] * (xd - yd)
                gg += gu[t] * gu[t] + gd[t] * gd[t]
                best_u[t] = theta_u[t]
                best_d[t] = theta_d[t]
        elif it >= first:
            f *= 0.5
        if it == 0 and cold:                     # theta where the relaxation's own solution binds
            for t in range(T):
                theta_u[t] = 1.0 if discharge_mw - rdis[t] + rch[t] < eta_d * (b[t] - L) else 0.0
                theta_d[t] = 1.0 if charge_mw - rch[t] + rdis[t] < (U - b[t]) / eta_c else 0.0
            continue
        if gg <= 1e-18 * max(1.0, abs(bound)) ** 2 or bound - target <= 1e-9 * max(1.0, abs(target)):
            break
        step = f * (bound - target) / gg
        for t in range(T):
            theta_u[t] = min(1.0, max(0.0, best_u[t] - step * gu[t]))
            theta_d[t] = min(1.0, max(0.0, best_d[t] - step * gd[t]))
    if has_mu:
        warm[0, :] = best_u
        warm[1, :] = best_d
    return bound


class StationWindow(NamedTuple):
    """storage_window's result (a tuple): bound, profit (currency); ch, dis, soc, r_up, r_dn (T,)
    float64 (MW, MW, MWh, MW, MW); pump_units, gen_units (T,) int64; feasible bool."""
    bound: float
    profit: float
    ch: np.ndarray
    dis: np.ndarray
    soc: np.ndarray
    r_up: np.ndarray
    r_dn: np.ndarray
    pump_units: np.ndarray
    gen_units: np.ndarray
    feasible: bool


def station_window(st, k: int, price, mu_up, mu_dn, soc0: float, n_levels: int = DEFAULT_LEVELS) -> StationWindow:
    """storage_window for station k of `st` (dispatch.compile.StorageArrays or anything with its
    attributes: charge_mw, discharge_mw, energy_mwh, eta_charge, eta_discharge, soc_min_mwh,
    soc_max_mwh, soc_final_mwh, self_discharge_per_h, degradation_cost_per_mwh, units, fixed_speed,
    pump_min_share, reserve_eligible; all (N,)). price, mu_up, mu_dn: (T,) per hour; soc0 MWh.
    Coerces dtypes and checks shapes and signs; see storage_window for the result."""
    price = np.ascontiguousarray(price, dtype=np.float64)
    mu_up = np.ascontiguousarray(mu_up, dtype=np.float64)
    mu_dn = np.ascontiguousarray(mu_dn, dtype=np.float64)
    if price.ndim != 1 or price.size == 0 or mu_up.shape != price.shape or mu_dn.shape != price.shape:
        raise ValueError(f"price, mu_up, mu_dn must be (T,) with T >= 1; got {price.shape}, {mu_up.shape}, "
                         f"{mu_dn.shape}")
    if not (np.isfinite(price).all() and np.isfinite(mu_up).all() and np.isfinite(mu_dn).all()):
        raise ValueError("price, mu_up, mu_dn must be finite")
    if (mu_up < 0).any() or (mu_dn < 0).any():
        raise ValueError("reserve multipliers mu_up, mu_dn must be >= 0")
    if int(n_levels) < 2:
        raise ValueError("n_levels must be >= 2")
    p = _station(st, k)
    out = storage_window(price, mu_up, mu_dn, float(soc0), *p, bool(np.asarray(st.reserve_eligible)[k]),
                         int(n_levels))
    return StationWindow(*out)


def _station(st, k: int) -> tuple:
    """Station k's parameters in storage_window's order, from soc_min to pump_min_share (checked)."""
    f = lambda name: float(np.asarray(getattr(st, name), dtype=np.float64)[k])  # noqa: E731
    units = int(np.asarray(st.units)[k])
    pc, pd, ec, ed = f("charge_mw"), f("discharge_mw"), f("eta_charge"), f("eta_discharge")
    keep = 1.0 - f("self_discharge_per_h")
    if units < 1 or pc <= 0 or pd <= 0 or not (0 < ec <= 1 and 0 < ed <= 1 and 0 < keep <= 1):
        raise ValueError(f"storage station {k}: needs units >= 1, ratings > 0, efficiencies and 1 - self-discharge "
                         f"in (0, 1]")
    return (f("soc_min_mwh"), f("soc_max_mwh"), f("soc_final_mwh"), pc, pd, ec, ed, keep,
            f("degradation_cost_per_mwh"), units, bool(np.asarray(st.fixed_speed)[k]), f("pump_min_share"))


def station_on_curves(st, k: int, y0, cx, cc, cn, slope_lo: float, slope_hi: float, soc0: float,
                      n_levels: int = DEFAULT_LEVELS, soc_floor=None, soc_ceil=None, ch_cap=None, dis_cap=None,
                      units0=(0, 0)):
    """curve_window for station k of `st` (the attributes station_window reads): y0 (T,) MW, the
    residual load without the station; cx, cc (T, S), cn (T,) the rest of the system's hourly cost
    curves; slope_lo, slope_hi currency/MWh beyond them; soc0 MWh; soc_floor, soc_ceil (T,) MWh,
    ch_cap, dis_cap (T,) MW per-hour limits (None: none); units0 the units pumping and generating in
    the hour before the window. Returns curve_window's tuple."""
    y0 = np.ascontiguousarray(y0, dtype=np.float64)
    cx = np.ascontiguousarray(cx, dtype=np.float64)
    cc = np.ascontiguousarray(cc, dtype=np.float64)
    cn = np.ascontiguousarray(cn, dtype=np.int64)
    if y0.ndim != 1 or cx.shape != cc.shape or cx.shape[0] != y0.size or cn.shape != y0.shape or (cn < 1).any():
        raise ValueError(f"y0 (T,), cx and cc (T, S), cn (T,) >= 1 expected; got {y0.shape}, {cx.shape}, "
                         f"{cc.shape}, {cn.shape}")
    if int(n_levels) < 2:
        raise ValueError("n_levels must be >= 2")
    p = _station(st, k)
    T = y0.size
    lim = [np.full(T, -np.inf if i == 0 else np.inf) if x is None else np.ascontiguousarray(x, dtype=np.float64)
           for i, x in enumerate((soc_floor, soc_ceil, ch_cap, dis_cap))]
    if any(x.shape != (T,) for x in lim):
        raise ValueError(f"soc_floor, soc_ceil, ch_cap, dis_cap (T,) = ({T},) expected; got {[x.shape for x in lim]}")
    return curve_window(y0, cx, cc, cn, float(slope_lo), float(slope_hi), float(soc0), *p, int(n_levels), *lim,
                        float(np.asarray(st.mode_change_cost, dtype=np.float64)[k]), int(units0[0]), int(units0[1]))


@njit(cache=True, error_model="numpy")
def _curve_cost(cx, cc, n, slope_lo, slope_hi, y):
    """Convex piecewise-linear cost (currency/h) of residual load y MW: points cx[:n] (MW,
    increasing), values cc[:n]; slope_lo below cx[0], slope_hi above cx[n-1] (currency/MWh)."""
    if y <= cx[0]:
        return cc[0] + slope_lo * (y - cx[0])
    if y >= cx[n - 1]:
        return cc[n - 1] + slope_hi * (y - cx[n - 1])
    lo, hi = 0, n - 1                              # cx[lo] < y < cx[hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if cx[mid] <= y:
            lo = mid
        else:
            hi = mid
    w = cx[hi] - cx[lo]
    return cc[lo] if w <= 0.0 else cc[lo] + (cc[hi] - cc[lo]) * (y - cx[lo]) / w


@njit(cache=True, error_model="numpy")
def _move(y0, d, Pc, Pd, ec, ed, dc, u_ch, units, fixed, share):
    """An hour in which the station changes its kept energy by d MWh (d > 0: charging d/eta_c MW,
    d < 0: discharging -d·eta_d MW) while the rest of the system serves y0 MW: (ok, y, extra) —
    ok False when the move breaks a power or pump rule, y the residual load the rest of the
    system then serves (MW, y0 plus the charging or minus the discharge), extra the station's own
    cost (degradation, currency)."""
    tol = 1e-7 * max(1.0, Pc, Pd)
    if d > 1e-9 * max(1.0, Pc):
        ch = d / ec
        if ch > Pc + tol:
            return False, y0, 0.0
        if fixed:
            q = np.rint(ch / u_ch)
            if q < 1 or q > units or abs(ch - q * u_ch) > tol:
                return False, y0, 0.0
        elif share > 0.0 and not _pump_ok(ch, u_ch, share, tol):
            return False, y0, 0.0
        return True, y0 + ch, 0.0
    if d < -1e-9 * max(1.0, Pd):
        dis = -d * ed
        if dis > Pd + tol:
            return False, y0, 0.0
        return True, y0 - dis, dc * dis
    return True, y0, 0.0


@njit(cache=True, error_model="numpy")
def _move_cost(y0, cx, cc, n, slope_lo, slope_hi, d, Pc, Pd, ec, ed, dc, u_ch, units, fixed, share):
    """Cost (currency) of the hour of `_move`: the rest of the system's curve at y plus the
    station's extra cost; inf when the move breaks a power or pump rule."""
    ok, y, extra = _move(y0, d, Pc, Pd, ec, ed, dc, u_ch, units, fixed, share)
    if not ok:
        return np.inf
    return _curve_cost(cx, cc, n, slope_lo, slope_hi, y) + extra


@njit(cache=True, error_model="numpy")
def _move_costs(y0, cx, cc, n, slope_lo, slope_hi, delta, M, Pc, Pd, ec, ed, dc, u_ch, units, fixed, share, off):
    """off[d + M] = `_move_cost` of d·delta MWh for d = −(M − 1) .. M − 1 (off (2M + 1,)), the same
    numbers: y rises with d, so one walk along the curve's points (cx[:n] increasing) finds each
    y's segment, where `_curve_cost` searches for it (the hourly step of curve_window)."""
    lo = 0
    for d in range(-(M - 1), M):
        ok, y, extra = _move(y0, d * delta, Pc, Pd, ec, ed, dc, u_ch, units, fixed, share)
        if not ok:
            off[d + M] = np.inf
            continue
        if y <= cx[0]:
            c = cc[0] + slope_lo * (y - cx[0])
        elif y >= cx[n - 1]:
            c = cc[n - 1] + slope_hi * (y - cx[n - 1])
        else:
            while lo > 0 and cx[lo] > y:     # (y never falls with d; a guard, not a step)
                lo -= 1
            while cx[lo + 1] <= y:            # lo: the last point at or below y, as in _curve_cost
                lo += 1
            w = cx[lo + 1] - cx[lo]
            c = cc[lo] if w <= 0.0 else cc[lo] + (cc[lo + 1] - cc[lo]) * (y - cx[lo]) / w
        off[d + M] = c + extra


@njit(cache=True, error_model="numpy")
def curve_window(y0, cx, cc, cn, slope_lo, slope_hi, soc0, soc_min, soc_max, soc_final, charge_mw, discharge_mw,
                 eta_c, eta_d, keep, degradation_cost, units, fixed_speed, pump_min_share, n_levels, soc_floor,
                 soc_ceil, ch_cap, dis_cap, mode_cost, pump0, gen0):
    """Least-cost schedule of one station against the rest of the system's hourly cost curves.

    The rest of the system serves the residual load y0[t] + ch − dis (MW) at the convex cost
    C_t(y) (currency/h) given by points cx[t, :cn[t]] (MW, increasing) with values cc[t, :cn[t]],
    slope_lo below the first point and slope_hi above the last (currency/MWh; over-generation and
    shed). The program is exact on the SoC grid of `_grid` (n_levels points; fixed-speed pumps land
    on it exactly when keep == 1): min Σ_t C_t(y0 + ch − dis) + degradation_cost·dis subject to the
    station's rules of the module docstring without reserves (ch, dis exclusive per hour,
    fixed-speed whole units, pump_min_share), ending at or above soc_final, and in each hour t with
    the state of charge at its end in [soc_floor[t], soc_ceil[t]] (MWh), the charge at most
    ch_cap[t] and the discharge at most dis_cap[t] (MW) (what keeps the reserve the rest of the
    system cannot hold: `dispatch.fast._storage_on_curves`). Mode changes cost mode_cost per unit
    that starts pumping or generating (pump0, gen0 units in the hour before the window), counted
    along each level's best path (the units of its last hour), not as a DP state: with
    mode_cost > 0 the program is a heuristic (exact for mode_cost = 0). A year of the default
    system was 0.03 % cheaper with the mode changes counted than without (pumped hydro at 5,000
    per unit start).
    Inputs: y0 (T,), cx, cc (T, S) float64, cn (T,) int64 >= 1, soc_floor, soc_ceil, ch_cap,
    dis_cap (T,) float64 (±inf: no limit), mode_cost float, pump0, gen0 int; the station as
    storage_window.
    Returns (cost, ch, dis, soc, pump_units, gen_units, ok): cost of the hours (currency), ch, dis
    (T,) MW, soc (T,) MWh, units pumping/generating (T,) int64; ok False when no grid schedule ends
    at or above soc_final (then every output is zero/idle and cost is inf).
    """
    T = y0.shape[0]
    L = soc_min
    U = max(soc_max, soc_min)
    F = min(max(soc_final, L), U)
    share = 0.0 if fixed_speed else pump_min_share
    u_ch = charge_mw / units
    u_dis = discharge_mw / units
    levels, x0, delta = _grid(L, U, F, charge_mw, eta_c, keep, units, fixed_speed, n_levels)
    M = levels.shape[0]
    eps = 1e-9 * max(1.0, abs(U))
    uniform = keep >= 1.0 - 1e-15 and M > 1
    mu = M                                          # levels 0..mu-1 are evenly spaced by delta
    if uniform and abs(levels[M - 1] - levels[M - 2] - delta) > eps:
        mu = M - 1
    val = np.full(M, np.inf)
    nval = np.empty(M)
    prev = np.full((T, M), -1, np.int64)
    off = np.empty(2 * M + 1)
    # units pumping / generating in the last hour of the best path to each level (mode changes)
    pu, ge, npu, nge = np.zeros(M, np.int64), np.zeros(M, np.int64), np.zeros(M, np.int64), np.zeros(M, np.int64)
    pud, ged = np.zeros(2 * M + 1, np.int64), np.zeros(2 * M + 1, np.int64)    # ... of a step of d levels
    if mode_cost > 0.0 and uniform:
        for d in range(-(M - 1), M):
            pud[d + M], ged[d + M] = _units_of(d * delta, charge_mw, discharge_mw, eta_c, eta_d, u_ch, u_dis,
                                               fixed_speed)
    for j in range(M):
        val[j] = np.inf if levels[j] < soc_floor[0] - eps or levels[j] > soc_ceil[0] + eps else _move_cost(
            y0[0], cx[0], cc[0], cn[0], slope_lo, slope_hi, levels[j] - keep * soc0, min(charge_mw, ch_cap[0]),
            min(discharge_mw, dis_cap[0]), eta_c, eta_d, degradation_cost, u_ch, units, fixed_speed, share)
        if mode_cost > 0.0:
            pu[j], ge[j] = _units_of(levels[j] - keep * soc0, charge_mw, discharge_mw, eta_c, eta_d, u_ch, u_dis,
                                     fixed_speed)
            val[j] += mode_cost * (max(pu[j] - pump0, 0) + max(ge[j] - gen0, 0))
    for t in range(1, T):
        p_ch, p_dis = min(charge_mw, ch_cap[t]), min(discharge_mw, dis_cap[t])
        d_lo, d_hi = -(M - 1), M - 1               # steps j − i with a finite move cost on the even grid
        if uniform:
            d_lo, d_hi = M, -M
            _move_costs(y0[t], cx[t], cc[t], cn[t], slope_lo, slope_hi, delta, M, p_ch, p_dis, eta_c,
                        eta_d, degradation_cost, u_ch, units, fixed_speed, share, off)
            for d in range(-(M - 1), M):
                if off[d + M] < np.inf:
                    d_lo, d_hi = min(d_lo, d), max(d_hi, d)
        for j in range(M):
            best, bi = np.inf, -1
            if levels[j] < soc_floor[t] - eps or levels[j] > soc_ceil[t] + eps:
                nval[j] = np.inf
                prev[t, j] = -1
                continue
            even = uniform and j < mu
            # on the even grid only predecessors i with j − i in [d_lo, d_hi] can reach level j
            i_lo = max(0, j - d_hi) if even else 0
            i_hi = min(mu, j - d_lo + 1) if even else 0
            i = i_lo
            while i < M:
                if i < i_hi:
                    c = off[j - i + M]
                    if mode_cost > 0.0 and c < np.inf:
                        c += mode_cost * (max(pud[j - i + M] - pu[i], 0) + max(ged[j - i + M] - ge[i], 0))
                elif even and i < mu:
                    i = mu                                  # skip to the uneven top level
                    continue
                else:
                    c = _move_cost(y0[t], cx[t], cc[t], cn[t], slope_lo, slope_hi, levels[j] - keep * levels[i],
                                   p_ch, p_dis, eta_c, eta_d, degradation_cost, u_ch, units, fixed_speed, share)
                    if mode_cost > 0.0 and c < np.inf:
                        p, g = _units_of(levels[j] - keep * levels[i], charge_mw, discharge_mw, eta_c, eta_d, u_ch,
                                         u_dis, fixed_speed)
                        c += mode_cost * (max(p - pu[i], 0) + max(g - ge[i], 0))
                if val[i] + c < best:
                    best, bi = val[i] + c, i
                i += 1
            nval[j] = best
            prev[t, j] = bi
            if mode_cost > 0.0 and bi >= 0:
                npu[j], nge[j] = _units_of(levels[j] - keep * levels[bi], charge_mw, discharge_mw, eta_c, eta_d, u_ch,
                                           u_dis, fixed_speed)
        val, nval = nval, val
        pu, npu = npu, pu
        ge, nge = nge, ge
    end = -1
    for j in range(M):
        if levels[j] >= F - eps and val[j] < np.inf and (end < 0 or val[j] < val[end]):
            end = j
    ch = np.zeros(T)
    dis = np.zeros(T)
    if end < 0:
        soc, pump, gen = _tally(ch, dis, soc0, keep, eta_c, eta_d, charge_mw, discharge_mw, units, fixed_speed)
        return np.inf, ch, dis, soc, pump, gen, False
    cost = val[end]
    j = end
    for t in range(T - 1, -1, -1):
        i = prev[t, j]
        x = soc0 if t == 0 else levels[i]
        d = levels[j] - keep * x
        if d > 0.0:
            ch[t] = min(d / eta_c, charge_mw)
            if fixed_speed:
                ch[t] = u_ch * np.rint(ch[t] / u_ch)
        else:
            dis[t] = min(-d * eta_d, discharge_mw)
        j = i
    soc, pump, gen = _tally(ch, dis, soc0, keep, eta_c, eta_d, charge_mw, discharge_mw, units, fixed_speed)
    return cost, ch, dis, soc, pump, gen, True


@njit(cache=True, error_model="numpy")
def _units_of(d, charge_mw, discharge_mw, eta_c, eta_d, u_ch, u_dis, fixed_speed):
    """(units pumping, units generating) of an hour that changes the kept energy by d MWh (`_units`)."""
    if d > 0.0:
        return _units(min(d / eta_c, charge_mw), 0.0, u_ch, u_dis, fixed_speed)
    if d < 0.0:
        return _units(0.0, min(-d * eta_d, discharge_mw), u_ch, u_dis, fixed_speed)
    return 0, 0


@njit(cache=True, error_model="numpy")
def _units(ch, dis, u_ch, u_dis, fixed_speed):
    """(units pumping, units generating) of an hour charging ch and discharging dis MW with units
    of u_ch / u_dis MW: fixed speed ch/u_ch pumps (rounded), else ceil; generators ceil(dis/u_dis)."""
    pump = int(np.rint(ch / u_ch)) if fixed_speed else int(np.ceil(ch / u_ch - 1e-9))
    return pump, int(np.ceil(dis / u_dis - 1e-9))


@njit(cache=True, error_model="numpy")
def _tally(ch, dis, soc0, keep, eta_c, eta_d, charge_mw, discharge_mw, units, fixed_speed):
    """soc (T,) MWh at the end of each hour and the units pumping / generating (T,) int64 of the
    schedule ch, dis (T,) MW (fixed speed: ch/u pumps, else ceil; generators: ceil(dis/u))."""
    T = ch.shape[0]
    soc = np.empty(T)
    pump = np.zeros(T, np.int64)
    gen = np.zeros(T, np.int64)
    u_ch = charge_mw / units
    u_dis = discharge_mw / units
    s = soc0
    for t in range(T):
        s = keep * s + eta_c * ch[t] - dis[t] / eta_d
        soc[t] = s
        pump[t], gen[t] = _units(ch[t], dis[t], u_ch, u_dis, fixed_speed)
    return soc, pump, gen
