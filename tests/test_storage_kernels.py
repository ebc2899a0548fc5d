"""storage.kernels.storage_window: py_func parity, oracles against the station's LP relaxation and MILP
solved with highspy, and hand cases."""
from types import SimpleNamespace

import highspy
import numpy as np
import pytest

import storage.kernels as kernels
from storage.kernels import station_window, storage_dual, storage_window

BATTERY = dict(soc0=400.0, L=100.0, U=900.0, F=400.0, Pc=500.0, Pd=500.0, ec=0.92, ed=0.92, keep=1.0, dc=100.0,
               n=1, fixed=False, share=0.0, reserve=True)
PUMPED = dict(soc0=3600.0, L=360.0, U=7200.0, F=3600.0, Pc=1200.0, Pd=1200.0, ec=0.866, ed=0.866, keep=1.0, dc=0.0,
              n=4, fixed=True, share=0.0, reserve=True)


def kernel_args(c, price, mu_u, mu_d, n_levels):
    """storage_window's positional arguments for case c (a dict like BATTERY)."""
    return (price, mu_u, mu_d, c["soc0"], c["L"], c["U"], c["F"], c["Pc"], c["Pd"], c["ec"], c["ed"], c["keep"],
            c["dc"], c["n"], c["fixed"], c["share"], c["reserve"], n_levels)


def oracle(c, price, mu_u, mu_d, integer, curves=None):
    """Optimum of the station's rows as in storage.formulation (pump/gen units, pump + gen <= units):
    integer=False: their LP relaxation; integer=True: the MILP with, in addition, one mode per hour
    (a binary z: pump <= n·z, gen <= n·(1 - z)), the exclusive model the kernel schedules.
    curves = (y0, cx, cc, slope_lo, slope_hi) (curve_window's inputs, every point used): the profit
    also pays −C_t(y0 + ch − dis), each convex C_t an epigraph column above its affine pieces."""
    T, V = len(price), 9                           # ch, dis, soc, r_up, r_dn, pump, gen, z, C_t per hour
    lb, ub, cost = np.zeros(T * V), np.zeros(T * V), np.zeros(T * V)
    rows, lo, hi = [], [], []

    def row(terms, low, high):
        rows.append(terms)
        lo.append(low)
        hi.append(high)

    n, u_ch, u_dis = c["n"], c["Pc"] / c["n"], c["Pd"] / c["n"]
    for t in range(T):
        ch, dis, soc, ru, rd, pump, gen, z, ct = range(t * V, t * V + V)
        if curves is not None:
            y0, cx, cc, s_lo, s_hi = curves
            lb[ct], ub[ct], cost[ct] = -np.inf, np.inf, -1.0
            pieces = [(s_lo, cx[t, 0], cc[t, 0]), (s_hi, cx[t, -1], cc[t, -1])]
            pieces += [((cc[t, k + 1] - cc[t, k]) / (cx[t, k + 1] - cx[t, k]), cx[t, k], cc[t, k])
                       for k in range(cx.shape[1] - 1) if cx[t, k + 1] > cx[t, k]]
            for slope, x, v in pieces:             # C_t >= v + slope·(y0 + ch − dis − x)
                row([(ct, 1.0), (ch, -slope), (dis, slope)], v + slope * (y0[t] - x), np.inf)
        ub[[ch, dis, soc, pump, gen, z]] = c["Pc"], c["Pd"], c["U"], n, n, 1.0
        lb[soc] = min(max(c["F"], c["L"]), c["U"]) if t == T - 1 else c["L"]
        ub[[ru, rd]] = np.inf if c["reserve"] else 0.0
        cost[[ch, dis, ru, rd]] = -price[t], price[t] - c["dc"], mu_u[t], mu_d[t]
        rhs = c["keep"] * c["soc0"] if t == 0 else 0.0
        terms = [(soc, 1.0), (ch, -c["ec"]), (dis, 1.0 / c["ed"])] + ([(soc - V, -c["keep"])] if t else [])
        row(terms, rhs, rhs)
        row([(ch, 1.0), (pump, -u_ch)], 0.0 if c["fixed"] else -np.inf, 0.0)
        if c["share"] > 0:
            row([(ch, 1.0), (pump, -c["share"] * u_ch)], 0.0, np.inf)
        row([(dis, 1.0), (gen, -u_dis)], -np.inf, 0.0)
        row([(pump, 1.0), (gen, 1.0)], -np.inf, n)
        row([(ru, 1.0), (dis, 1.0), (ch, -1.0)], -np.inf, c["Pd"])
        row([(ru, 1.0), (soc, -c["ed"])], -np.inf, -c["ed"] * c["L"])
        row([(rd, 1.0), (ch, 1.0), (dis, -1.0)], -np.inf, c["Pc"])
        row([(rd, 1.0), (soc, 1.0 / c["ec"])], -np.inf, c["U"] / c["ec"])
        if integer:
            row([(pump, 1.0), (z, -n)], -np.inf, 0.0)
            row([(gen, 1.0), (z, n)], -np.inf, n)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)       # one HiGHS scheduler per process: the engine uses 1 thread
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.addVars(T * V, lb, ub)
    h.changeColsCost(T * V, np.arange(T * V, dtype=np.int32), cost)
    starts = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int32)
    idx = np.array([j for r in rows for j, _ in r], np.int32)
    val = np.array([v for r in rows for _, v in r], float)
    h.addRows(len(rows), np.array(lo, float), np.array(hi, float), idx.size, starts, idx, val)
    if integer:
        cols = np.array([t * V + j for t in range(T) for j in (5, 6, 7)], np.int32)
        h.changeColsIntegrality(cols.size, cols, np.full(cols.size, highspy.HighsVarType.kInteger.value, np.uint8))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getObjectiveValue()


def assert_schedule(c, price, mu_u, mu_d, out):
    """Every rule of the model, checked on the returned arrays."""
    bound, profit, ch, dis, soc, r_up, r_dn, pump, gen, feasible = out
    tol = 1e-6
    assert feasible and profit <= bound + 1e-9
    prev = np.concatenate([[c["soc0"]], soc[:-1]])
    assert np.abs(soc - (c["keep"] * prev + c["ec"] * ch - dis / c["ed"])).max() <= 1e-9
    F = min(max(c["F"], c["L"]), c["U"])
    assert (soc >= c["L"] - tol).all() and (soc <= c["U"] + tol).all() and soc[-1] >= F - tol
    assert (ch >= 0).all() and (dis >= 0).all() and (ch <= c["Pc"] + tol).all() and (dis <= c["Pd"] + tol).all()
    assert (np.minimum(ch, dis) == 0).all() and ((pump == 0) | (gen == 0)).all()
    u_ch, u_dis = c["Pc"] / c["n"], c["Pd"] / c["n"]
    assert ((pump >= 0) & (pump <= c["n"]) & (gen >= 0) & (gen <= c["n"])).all()
    assert (ch <= pump * u_ch + tol).all() and (dis <= gen * u_dis + tol).all()
    assert (ch >= c["share"] * u_ch * pump - tol).all()
    if c["fixed"]:
        assert np.abs(ch - pump * u_ch).max() <= tol
    assert (r_up >= 0).all() and (r_dn >= 0).all()
    assert (r_up <= c["Pd"] - dis + ch + tol).all() and (r_up <= c["ed"] * (soc - c["L"]) + tol).all()
    assert (r_dn <= c["Pc"] - ch + dis + tol).all() and (r_dn <= (c["U"] - soc) / c["ec"] + tol).all()
    if not c["reserve"]:
        assert (r_up == 0).all() and (r_dn == 0).all()
    again = (price * (dis - ch) - c["dc"] * dis + mu_u * r_up + mu_d * r_dn).sum()
    assert again == pytest.approx(profit, rel=1e-12, abs=1e-9)


def random_inputs(rng, T, reserves=True):
    """price (-50..600, so some negative), mu_up, mu_dn (T,): reserve multipliers in about half the hours."""
    price = rng.uniform(-50, 600, T)
    mu_u = rng.uniform(0, 80, T) * (rng.random(T) < 0.5) if reserves else np.zeros(T)
    mu_d = rng.uniform(0, 40, T) * (rng.random(T) < 0.5) if reserves else np.zeros(T)
    return price, mu_u, mu_d


def as_python(monkeypatch):
    """Every jitted function of storage.kernels swapped for its py_func (plain Python)."""
    for name, obj in list(vars(kernels).items()):
        if hasattr(obj, "py_func"):
            monkeypatch.setattr(kernels, name, obj.py_func)


def test_py_func_parity(monkeypatch):
    """The whole kernel run as plain Python (every jitted function of the module swapped for its
    py_func) gives the compiled outputs."""
    rng = np.random.default_rng(1)
    cases = (BATTERY, dict(PUMPED, keep=0.999), dict(PUMPED, fixed=False, share=0.6), dict(PUMPED, F=7200.0))
    inputs = [kernel_args(c, *random_inputs(rng, 8), 12) for c in cases]
    compiled = [storage_window(*args) for args in inputs]
    as_python(monkeypatch)
    for args, fast in zip(inputs, compiled):
        slow = kernels.storage_window(*args)
        for a, b in zip(fast, slow):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("case, n_levels, within", [
    (BATTERY, 48, 0.02), (PUMPED, 48, 0.02), (dict(PUMPED, soc0=1500.0, F=7200.0), 48, 0.03)])
def test_oracle(case, n_levels, within):
    """LP relaxation <= bound; schedule <= MILP optimum and within `within` of it; schedule valid.
    The last case must end full (soc_final = soc_max) from a low start with whole pumps."""
    rng = np.random.default_rng(7)
    for trial in range(6):
        price, mu_u, mu_d = random_inputs(rng, 24, reserves=trial % 2 == 1)
        out = storage_window(*kernel_args(case, price, mu_u, mu_d, n_levels))
        lp, milp = oracle(case, price, mu_u, mu_d, False), oracle(case, price, mu_u, mu_d, True)
        bound, profit = out[0], out[1]
        assert lp <= bound + 1e-6 * max(1.0, abs(lp))
        assert profit <= milp + 1e-6 * max(1.0, abs(milp))
        assert profit >= milp - within * abs(milp)
        assert_schedule(case, price, mu_u, mu_d, out)
        if trial % 2 == 0:                       # no reserve multipliers: the bound is the LP optimum
            assert bound == pytest.approx(max(lp, profit), rel=1e-9, abs=1e-6)


def test_hand_case():
    """1 MW / 1 MWh, lossless, empty at both ends, prices 10 then 100: charge, discharge, profit 90."""
    c = dict(soc0=0.0, L=0.0, U=1.0, F=0.0, Pc=1.0, Pd=1.0, ec=1.0, ed=1.0, keep=1.0, dc=0.0, n=1, fixed=False,
             share=0.0, reserve=False)
    z = np.zeros(2)
    out = storage_window(*kernel_args(c, np.array([10.0, 100.0]), z, z, 11))
    bound, profit, ch, dis, soc = out[:5]
    assert profit == 90.0 and bound == 90.0 and out[-1]
    np.testing.assert_array_equal(ch, [1.0, 0.0])
    np.testing.assert_array_equal(dis, [0.0, 1.0])
    np.testing.assert_array_equal(soc, [1.0, 0.0])


@pytest.mark.parametrize("c", [dict(BATTERY, keep=0.99), dict(PUMPED, keep=0.999)])
def test_self_discharge(c):
    """keep < 1: the SoC equation (and every other rule) holds, the bound stays above the LP."""
    rng = np.random.default_rng(3)
    price, mu_u, mu_d = random_inputs(rng, 24)
    out = storage_window(*kernel_args(c, price, mu_u, mu_d, 48))
    assert_schedule(c, price, mu_u, mu_d, out)
    milp = oracle(c, price, mu_u, mu_d, True)
    assert 0 < out[1] <= milp + 1e-6 * abs(milp) and out[0] >= oracle(c, price, mu_u, mu_d, False) - 1e-6


def test_unreachable_final_and_wrapper():
    """soc_final out of reach: flagged, bound +inf, the schedule charges all the way; the wrapper
    checks shapes and signs."""
    st = SimpleNamespace(charge_mw=np.array([100.0]), discharge_mw=np.array([100.0]), energy_mwh=np.array([400.0]),
                         eta_charge=np.array([0.9]), eta_discharge=np.array([0.9]), soc_min_mwh=np.array([40.0]),
                         soc_max_mwh=np.array([400.0]), soc_final_mwh=np.array([400.0]),
                         self_discharge_per_h=np.array([0.0]), degradation_cost_per_mwh=np.array([0.0]),
                         units=np.array([1]), fixed_speed=np.array([False]), pump_min_share=np.array([0.0]),
                         reserve_eligible=np.array([True]))
    price = [50.0, 60.0, 70.0]
    out = station_window(st, 0, price, [0.0] * 3, [0.0] * 3, 40.0)
    assert not out.feasible and out.bound == np.inf
    np.testing.assert_allclose(out.ch, 100.0)            # ends as high as it can: 40 + 3·90 MWh
    assert out.soc[-1] == pytest.approx(310.0)
    with pytest.raises(ValueError):
        station_window(st, 0, price, [0.0] * 2, [0.0] * 3, 40.0)
    with pytest.raises(ValueError):
        station_window(st, 0, price, [-1.0] * 3, [0.0] * 3, 40.0)


def random_curves(rng, T, S=5):
    """(y0 (T,), cx, cc (T, S+1), cn (T,)): residual load and convex hourly cost curves around it."""
    widths = rng.uniform(50, 400, (T, S))
    slopes = np.sort(rng.uniform(-50, 800, (T, S)), axis=1)
    cx = np.hstack([np.zeros((T, 1)), np.cumsum(widths, axis=1)]) + rng.uniform(300, 600, (T, 1))
    cc = np.hstack([np.zeros((T, 1)), np.cumsum(widths * slopes, axis=1)])
    y0 = cx[:, 0] + rng.uniform(0.2, 0.8, T) * (cx[:, -1] - cx[:, 0])
    return y0, cx, cc, np.full(T, S + 1, np.int64)


def curve_args(c, y0, cx, cc, cn, n_levels, limits=None, mode=(0.0, 0, 0)):
    """curve_window's positional arguments for case c (a dict like BATTERY); −5000 / 8000 beyond the
    curves; limits (soc_floor, soc_ceil, ch_cap, dis_cap) (T,) each, default none; mode (mode-change
    cost per unit start, units pumping and generating before), default free."""
    T = len(y0)
    if limits is None:
        limits = (np.full(T, -np.inf), np.full(T, np.inf), np.full(T, np.inf), np.full(T, np.inf))
    return (y0, cx, cc, cn, -5000.0, 8000.0, c["soc0"], c["L"], c["U"], c["F"], c["Pc"], c["Pd"], c["ec"], c["ed"],
            c["keep"], c["dc"], c["n"], c["fixed"], c["share"], n_levels, *limits, *mode)


def curve_cost(y0, cx, cc, ch, dis, dc):
    """Σ_t C_t(y0 + ch − dis) + dc·dis, the curves extended by −5000 / 8000 per MW."""
    total = 0.0
    for t in range(len(y0)):
        y = y0[t] + ch[t] - dis[t]
        v = np.interp(y, cx[t], cc[t])
        v += -5000.0 * (y - cx[t, 0]) if y < cx[t, 0] else 8000.0 * max(y - cx[t, -1], 0.0)
        total += v + dc * dis[t]
    return total


@pytest.mark.parametrize("case, capture", [(BATTERY, 0.95), (PUMPED, 0.95), (dict(PUMPED, fixed=False, share=0.6), 0.85),
                                           (dict(PUMPED, soc0=1500.0, F=7200.0), None)])
def test_curve_window_against_the_milp(case, capture):
    """The least-cost schedule against convex cost curves: a valid schedule whose cost is what it
    reports, never below the MILP optimum of the same problem; with 60 levels it saves at least
    `capture` of what the optimum saves against staying idle (measured: 0.96-0.99, a pump_min_share
    0.87-0.91: pump steps on the grid), or (must end full, idle infeasible) costs within 3 % of it."""
    rng = np.random.default_rng(5)
    z = np.zeros(24)
    for trial in range(4):
        y0, cx, cc, cn = random_curves(rng, 24)
        cost, ch, dis, soc, pump, gen, ok = kernels.curve_window(*curve_args(case, y0, cx, cc, cn, 60))
        assert ok
        out = (np.inf, -case["dc"] * dis.sum(), ch, dis, soc, z, z, pump, gen, ok)   # profit at price 0
        assert_schedule(case, z, z, z, out)
        assert cost == pytest.approx(curve_cost(y0, cx, cc, ch, dis, case["dc"]), rel=1e-9)
        best = -oracle(case, z, z, z, True, curves=(y0, cx, cc, -5000.0, 8000.0))
        assert cost >= best - 1e-6 * abs(best)
        if capture is None:
            assert cost <= best + 0.03 * abs(best)
        else:
            idle = curve_cost(y0, cx, cc, z, z, 0.0)
            assert idle - cost >= capture * (idle - best)


def test_curve_window_by_hand():
    """1 MW / 1 MWh, lossless, empty at both ends; the rest of the system costs 10 per MWh in hour 0
    and 100 in hour 1: charge 1 MW then discharge it, 10 + 0 + 100·(5 − 1) = cost 410 for 5 MW."""
    c = dict(soc0=0.0, L=0.0, U=1.0, F=0.0, Pc=1.0, Pd=1.0, ec=1.0, ed=1.0, keep=1.0, dc=0.0, n=1, fixed=False,
             share=0.0, reserve=False)
    cx = np.array([[0.0, 10.0], [0.0, 10.0]])
    cc = np.array([[0.0, 100.0], [0.0, 1000.0]])
    y0 = np.array([0.0, 5.0])
    cost, ch, dis, soc, pump, gen, ok = kernels.curve_window(*curve_args(c, y0, cx, cc, np.array([2, 2]), 11))
    assert ok and cost == pytest.approx(410.0)
    np.testing.assert_allclose(ch, [1.0, 0.0])
    np.testing.assert_allclose(dis, [0.0, 1.0])
    np.testing.assert_array_equal(pump, [1, 0])
    np.testing.assert_array_equal(gen, [0, 1])


NO_FLOOR, NO_CEIL = [-np.inf] * 2, [np.inf] * 2


@pytest.mark.parametrize("full, limits, cost, ch, dis", [
    (True, None, 450.0, [0.0, 0.0], [1.0, 0.0]),                                    # discharge in the dear hour
    (True, ([1.0, -np.inf], NO_CEIL, NO_CEIL, NO_CEIL), 540.0, [0.0, 0.0], [0.0, 1.0]),        # kept full
    (True, (NO_FLOOR, NO_CEIL, NO_CEIL, [0.5, np.inf]), 495.0, [0.0, 0.0], [0.5, 0.5]),        # half the room
    (False, None, 560.0, [1.0, 0.0], [0.0, 0.0]),                                    # charge in the cheap hour
    (False, (NO_FLOOR, [0.0, np.inf], NO_CEIL, NO_CEIL), 650.0, [0.0, 1.0], [0.0, 0.0]),       # kept empty
    (False, (NO_FLOOR, NO_CEIL, [0.5, np.inf], NO_CEIL), 605.0, [0.5, 0.5], [0.0, 0.0])])      # half the room
def test_curve_window_limits_by_hand(full, limits, cost, ch, dis):
    """1 MW / 1 MWh, lossless, 5 MW of residual load each hour. Full at the start, may end empty,
    the rest of the system at 100 per MWh in hour 0 and 10 in hour 1: discharging in hour 0 costs
    400 + 50; a floor of 1 MWh at the end of hour 0 moves it to hour 1 (500 + 40); a discharge cap
    of 0.5 MW there splits it (450 + 45). Empty at the start, to end full, 10 then 100 per MWh:
    charging in hour 0 costs 60 + 500; a ceiling of 0 MWh at the end of hour 0 moves it to hour 1
    (50 + 600); a charge cap of 0.5 MW there splits it (55 + 550)."""
    c = dict(soc0=1.0 if full else 0.0, L=0.0, U=1.0, F=0.0 if full else 1.0, Pc=1.0, Pd=1.0, ec=1.0, ed=1.0,
             keep=1.0, dc=0.0, n=1, fixed=False, share=0.0, reserve=False)
    cx = np.array([[0.0, 10.0], [0.0, 10.0]])
    cc = np.array([[0.0, 1000.0], [0.0, 100.0]]) if full else np.array([[0.0, 100.0], [0.0, 1000.0]])
    lim = None if limits is None else tuple(np.array(x, float) for x in limits)
    out = kernels.curve_window(*curve_args(c, np.array([5.0, 5.0]), cx, cc, np.array([2, 2]), 11, lim))
    assert out[-1] and out[0] == pytest.approx(cost)
    np.testing.assert_allclose(out[1], ch, atol=1e-12)
    np.testing.assert_allclose(out[2], dis, atol=1e-12)


@pytest.mark.parametrize("mode, cost, ch, dis", [
    ((0.0, 0, 0), 920.0, [1, 0, 1, 0], [0, 1, 0, 1]),       # two cycles
    ((40.0, 0, 0), 1080.0, [1, 0, 1, 0], [0, 1, 0, 1]),      # each saves 90 − 2·40: still two
    ((50.0, 0, 0), 1100.0, [0, 0, 0, 0], [0, 0, 0, 0]),      # each would cost 10 more: idle
    ((50.0, 1, 0), 1060.0, [1, 0, 0, 0], [0, 1, 0, 0])])     # pumping before: the first pump start is free
def test_curve_window_mode_changes_by_hand(mode, cost, ch, dis):
    """One 1 MW fixed-speed unit, 2 MWh, lossless, empty at both ends, 5 MW of residual load at 10,
    100, 10, 100 per MWh: a cycle (pump in a cheap hour, generate in the next) saves 90 and starts
    two modes; idle costs 1100."""
    c = dict(soc0=0.0, L=0.0, U=2.0, F=0.0, Pc=1.0, Pd=1.0, ec=1.0, ed=1.0, keep=1.0, dc=0.0, n=1, fixed=True,
             share=0.0, reserve=False)
    cx = np.tile([0.0, 10.0], (4, 1))
    cc = np.array([[0.0, 100.0], [0.0, 1000.0], [0.0, 100.0], [0.0, 1000.0]])
    out = kernels.curve_window(*curve_args(c, np.full(4, 5.0), cx, cc, np.full(4, 2), 3, mode=mode))
    assert out[-1] and out[0] == pytest.approx(cost)
    np.testing.assert_allclose(out[1], ch, atol=1e-12)
    np.testing.assert_allclose(out[2], dis, atol=1e-12)


def test_curve_window_py_func_parity(monkeypatch):
    """curve_window run as plain Python gives the compiled outputs (uniform grid, self-discharge,
    unreachable soc_final, per-hour limits)."""
    rng = np.random.default_rng(2)
    cases = (BATTERY, dict(PUMPED, keep=0.999), dict(PUMPED, fixed=False, share=0.6), dict(BATTERY, F=5000.0,
                                                                                            U=5000.0))
    inputs = [curve_args(c, *random_curves(rng, 6), 12) for c in cases]
    c = BATTERY
    limits = (np.where(rng.random(6) < 0.5, c["L"] + rng.uniform(0, 1, 6) * (c["U"] - c["L"]), -np.inf),
              np.where(rng.random(6) < 0.3, c["U"] - rng.uniform(0, 0.3, 6) * (c["U"] - c["L"]), np.inf),
              np.where(rng.random(6) < 0.3, rng.uniform(0, 1, 6) * c["Pc"], np.inf),
              np.where(rng.random(6) < 0.3, rng.uniform(0, 1, 6) * c["Pd"], np.inf))
    inputs.append(curve_args(c, *random_curves(rng, 6), 12, limits))
    two = dict(PUMPED, soc0=0.0, L=0.0, U=4.0, F=0.0, Pc=2.0, Pd=2.0, ec=1.0, ed=1.0, n=2)   # mode changes
    y0, cx, cc, cn = random_curves(rng, 6)
    cc[1::2] *= 3.0                                                  # dear odd hours: cycles pay
    inputs += [curve_args(two, y0 / 100, cx / 100, cc / 100, cn, 5, mode=m) for m in ((0.0, 0, 0), (300.0, 1, 0))]
    compiled = [kernels.curve_window(*args) for args in inputs]
    assert not compiled[3][-1] and compiled[3][0] == np.inf
    _, ch, dis, soc, _, _, ok = compiled[4]                  # the limits hold (and bind: a floor of 470 MWh)
    assert ok and (soc >= limits[0] - 1e-9).all() and (soc <= limits[1] + 1e-9).all()
    assert (ch <= limits[2] + 1e-9).all() and (dis <= limits[3] + 1e-9).all()
    free, dear = compiled[5], compiled[6]                    # the mode-change cost changes the schedule
    assert free[-1] and dear[-1] and free[4].any() and not np.array_equal(free[1], dear[1])
    as_python(monkeypatch)
    for args, fast in zip(inputs, compiled):
        for a, b in zip(fast, kernels.curve_window(*args)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("case", [BATTERY, PUMPED, dict(PUMPED, fixed=False, share=0.6)])
def test_move_costs_walk_equals_move_cost(case):
    """_move_costs (one walk along the curve) gives every hour exactly `_move_cost`'s numbers,
    moves beyond the curve's ends (slopes −5000 / 8000) and broken power or pump rules (inf)
    included."""
    rng = np.random.default_rng(5)
    y0, cx, cc, cn = random_curves(rng, 8)
    c = case
    u_ch = c["Pc"] / c["n"]
    for M, delta in ((40, 30.0), (60, c["ec"] * u_ch / 3), (25, 90.0)):
        off = np.empty(2 * M + 1)
        for t in range(8):
            args = (c["Pc"], c["Pd"], c["ec"], c["ed"], c["dc"], u_ch, c["n"], c["fixed"], c["share"])
            kernels._move_costs(y0[t], cx[t], cc[t], cn[t], -5000.0, 8000.0, delta, M, *args, off)
            want = [kernels._move_cost(y0[t], cx[t], cc[t], cn[t], -5000.0, 8000.0, d * delta, *args)
                    for d in range(-(M - 1), M)]
            np.testing.assert_array_equal(off[1:2 * M], want)
            assert np.isinf(off[1:2 * M]).any() and np.isfinite(off[1:2 * M]).any()


def dual_args(c, price, mu_u, mu_d, n_steps):
    """storage_dual's positional arguments for case c (a dict like BATTERY)."""
    return (price, mu_u, mu_d, c["soc0"], c["L"], c["U"], c["F"], c["Pc"], c["Pd"], c["ec"], c["ed"], c["keep"],
            c["dc"], c["reserve"], n_steps)


@pytest.mark.parametrize("case", [BATTERY, PUMPED, dict(PUMPED, soc0=1500.0, F=7200.0), dict(BATTERY, keep=0.99),
                                  dict(BATTERY, reserve=False)])
def test_storage_dual_bounds_the_lp(case):
    """storage_dual (the relaxation alone) >= the LP optimum of the station's rows for every n_steps,
    equal to it without reserve multipliers, never looser with more steps; its point keeps the soc
    equation, the limits and the power triangle, and holds the reserves its docstring states."""
    rng = np.random.default_rng(11)
    tol = 1e-6
    for trial in range(6):
        price, mu_u, mu_d = random_inputs(rng, 24, reserves=trial % 2 == 1)
        lp = oracle(case, price, mu_u, mu_d, False)
        last = np.inf
        for n_steps in (0, 1, 5, 20):
            bound, ch, dis, soc, r_up, r_dn = storage_dual(*dual_args(case, price, mu_u, mu_d, n_steps))
            assert lp - 1e-6 * max(1.0, abs(lp)) <= bound <= last
            last = bound
            if trial % 2 == 0:
                assert bound == pytest.approx(lp, rel=1e-9, abs=1e-6)
            prev = np.concatenate([[case["soc0"]], soc[:-1]])
            assert np.abs(soc - (case["keep"] * prev + case["ec"] * ch - dis / case["ed"])).max() <= 1e-6
            F = min(max(case["F"], case["L"]), case["U"])
            assert (soc >= case["L"] - tol).all() and (soc <= case["U"] + tol).all() and soc[-1] >= F - tol
            assert (ch >= -tol).all() and (dis >= -tol).all() and (ch / case["Pc"] + dis / case["Pd"] <= 1 + 1e-9).all()
            up = np.maximum(0, np.minimum(case["Pd"] - dis + ch, case["ed"] * (soc - case["L"])))
            dn = np.maximum(0, np.minimum(case["Pc"] - ch + dis, (case["U"] - soc) / case["ec"]))
            np.testing.assert_allclose(r_up, up if case["reserve"] else 0.0, atol=1e-9)
            np.testing.assert_allclose(r_dn, dn if case["reserve"] else 0.0, atol=1e-9)
        assert last <= lp + 0.01 * abs(lp)               # 20 steps: within 1 % of the LP optimum



def test_dual_bound_from_any_weights_bounds_the_lp():
    """_dual_bound warm-started from random reserve weights (the fast engine's dual loop carries
    them between evaluations) is still >= the LP optimum; the weights it writes back give that
    same bound again with no steps."""
    rng = np.random.default_rng(5)
    for case in (BATTERY, PUMPED, dict(BATTERY, keep=0.99)):
        for trial in range(4):
            price, mu_u, mu_d = random_inputs(rng, 24, reserves=True)
            lp = oracle(case, price, mu_u, mu_d, False)
            warm = rng.uniform(0.0, 1.0, (2, 24))
            space = kernels._dual_space(24)
            bound = kernels._dual_bound(*dual_args(case, price, mu_u, mu_d, 2), *space, warm)
            assert lp - 1e-6 * max(1.0, abs(lp)) <= bound
            assert ((warm >= 0.0) & (warm <= 1.0)).all()
            again = kernels._dual_bound(*dual_args(case, price, mu_u, mu_d, 0), *kernels._dual_space(24), warm.copy())
            assert again == pytest.approx(bound, rel=1e-12)

def test_storage_dual_unreachable_final_and_py_func_parity(monkeypatch):
    """soc_final out of reach of even the relaxation: +inf; the kernel run as plain Python (every
    jitted function of the module swapped for its py_func) gives the compiled outputs."""
    c = dict(BATTERY, soc0=100.0, F=900.0)
    assert storage_dual(*dual_args(c, np.full(1, 50.0), np.zeros(1), np.zeros(1), 5))[0] == np.inf  # 560 MWh at most
    rng = np.random.default_rng(2)
    cases = (BATTERY, dict(PUMPED, keep=0.999), dict(BATTERY, reserve=False), c)
    inputs = [dual_args(c, *random_inputs(rng, 8), 6) for c in cases]
    compiled = [storage_dual(*args) for args in inputs]
    as_python(monkeypatch)
    for args, fast in zip(inputs, compiled):
        for a, b in zip(fast, kernels.storage_dual(*args)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9)
