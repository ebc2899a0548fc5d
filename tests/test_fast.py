"""The fast engine (dispatch/fast.py, dispatch/kernels.py): kernel parity with their Python
versions, oracles (brute force, hand numbers, the MILP), a valid lower bound, the rolling horizon
and the refusal of elements it does not model."""
import itertools
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import yaml

from dispatch import fast, kernels
from dispatch.case import load_case
from dispatch.check import check
from dispatch.cli import main
from dispatch.compile import compile_window
from dispatch.fast import solve_window_fast
from dispatch.simulate import engine_options, simulate
from dispatch.uc import solve_window
from storage.kernels import station_on_curves
from casehelp import linear_unit

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _unit_case(seed):
    """One unit, 8 hours: random on/off values, start-up cost by hours off, min up 2 / down 3."""
    rng = np.random.default_rng(seed)
    T = 8
    on = rng.normal(0, 50, (T, 1))
    off = rng.normal(0, 10, (T, 1))
    su = np.array([[0.0, 30.0, 30.0, 30.0, 45.0, 60.0]])          # hours off 1..5 (5 = ≥ 5)
    k_off = np.array([5])
    return on, off, su, k_off


def _sequence_cost(bits, on, off, su, k_off, sd, up, down, init_on, init_h, forced):
    """Cost of one unit's 0/1 sequence `bits` by walking it hour by hour (inf if it breaks min
    up/down or a forced hour); su[k] the start-up cost after k hours off (k capped at k_off)."""
    cost = 0.0
    state, hours = init_on, init_h
    for t, b in enumerate(bits):
        if forced[t] == 1 and not b or forced[t] == -1 and b:
            return np.inf
        if b and not state:
            if hours < down:
                return np.inf
            cost += su[min(hours, k_off)]
            state, hours = True, 1
        elif not b and state:
            if hours < up:
                return np.inf
            cost += sd
            state, hours = False, 1
        else:
            hours += 1
        cost += on[t] if b else off[t]
    return cost


def _brute_force(on, off, su, k_off, sd, up, down, init_on, init_h, forced):
    """Cheapest feasible 0/1 sequence by enumeration (the oracle of `units_dp`)."""
    return min(_sequence_cost(bits, on, off, su, k_off, sd, up, down, init_on, init_h, forced)
               for bits in itertools.product((0, 1), repeat=on.shape[0]))


@pytest.mark.parametrize("seed, init_on, init_h", [(0, True, 1), (1, False, 1), (2, False, 4), (3, True, 5)])
def test_unit_dp_matches_brute_force(seed, init_on, init_h):
    on, off, su, k_off = _unit_case(seed)
    forced = np.zeros((8, 1), np.int8)
    forced[6, 0] = 1 if seed % 2 else 0
    args = (on, off, su, k_off, np.array([7.0]), np.array([2]), np.array([3]), np.array([init_on]),
            np.array([init_h]), forced)
    u, value = kernels.units_dp(*args)
    oracle = _brute_force(on[:, 0], off[:, 0], su[0], 5, 7.0, 2, 3, init_on, init_h, forced[:, 0])
    assert value[0] == pytest.approx(oracle, abs=1e-9)
    u_py, value_py = kernels.units_dp.py_func(*args)
    np.testing.assert_array_equal(u, u_py)
    assert value_py[0] == pytest.approx(value[0])


def test_unit_dp_random_cases_match_brute_force():
    # 300 random units over 1-9 hours: min up/down 1-4 h, start-up costs in 1-3 intervals of hours
    # off (k_off up to 7, sometimes below the min down time; rising with the hours off, or not),
    # forced on/off hours, initial runs shorter or longer than min up/down, on values rounded to
    # tens in a third of the cases (ties); the DP's value equals enumeration and its commitment
    # costs exactly that value; where nothing is feasible the value is BIG and the unit is on
    # exactly where forced on
    rng = np.random.default_rng(7)
    for case in range(300):
        T = int(rng.integers(1, 10))
        up, down = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        k_off = int(rng.integers(1, 8)) if case % 5 == 0 else max(down, int(rng.integers(1, 8)))
        levels = rng.uniform(0, 100, 3) if case % 4 == 0 else np.sort(rng.uniform(0, 100, 3))
        cuts = np.sort(rng.integers(min(down, k_off), k_off + 1, 2))
        su = np.array([levels[int(np.searchsorted(cuts, k, side="right"))] for k in range(k_off + 1)])
        on = rng.normal(0, 50, T)
        if case % 3 == 0:
            on = np.round(on, -1)
        off = rng.normal(0, 10, T) if case % 2 else np.zeros(T)
        sd = float(rng.uniform(0, 30))
        init_on, init_h = bool(rng.random() < 0.5), int(rng.integers(1, 8))
        forced = np.zeros(T, np.int8)
        for _ in range(int(rng.integers(0, 3))):
            forced[rng.integers(0, T)] = rng.choice([-1, 1])
        args = (on[:, None], off[:, None], su[None, :], np.array([k_off]), np.array([sd]), np.array([up]),
                np.array([down]), np.array([init_on]), np.array([init_h]), forced[:, None])
        u, value = kernels.units_dp(*args)
        oracle = _brute_force(on, off, su, k_off, sd, up, down, init_on, init_h, forced)
        if not np.isfinite(oracle):
            assert value[0] >= kernels.BIG / 2, case
            np.testing.assert_array_equal(u[:, 0], (forced > 0).astype(np.int8))
            continue
        assert value[0] == pytest.approx(oracle, abs=1e-9), case
        assert _sequence_cost(u[:, 0], on, off, su, k_off, sd, up, down, init_on, init_h, forced) \
            == pytest.approx(oracle, abs=1e-9), case



def test_units_that_keep_their_state_skip_the_dp():
    # a unit on before the window whose on value is below its off value in every hour (never
    # forced off) stays on; one off before, with the on value above everywhere (never forced on),
    # stays off: units_dp gives the same commitment and bitwise the same value as the full DP
    # (`_unit_dp`) and enumeration; one hour the other way round, or a forced hour against the
    # state, and the DP decides
    rng = np.random.default_rng(11)
    for case in range(200):
        T = int(rng.integers(1, 10))
        init_on = case % 2 == 0
        off = rng.normal(0, 10, T)
        gap = rng.uniform(0.01, 40, T)
        on = off - gap if init_on else off + gap
        flip = case % 4 >= 2
        if flip:                                    # the other way round in one hour
            t = int(rng.integers(0, T))
            on[t] = off[t] + gap[t] if init_on else off[t] - gap[t]
        forced = np.zeros(T, np.int8)
        against = case % 3 == 0                     # a forced hour against the state: the DP decides
        forced[rng.integers(0, T)] = (1 if init_on else -1) * (-1 if against else 1)
        su, k_off, sd, up, down, init_h = np.array([[30.0, 50.0, 80.0]]), 2, 12.0, 3, 2, int(rng.integers(1, 5))
        args = (on[:, None], off[:, None], su, np.array([k_off]), np.array([sd]), np.array([up]), np.array([down]),
                np.array([init_on]), np.array([init_h]), forced[:, None])
        u, value = kernels.units_dp(*args)
        fw, iw = kernels._dp_space(T, np.array([down]), np.array([k_off]))
        u_dp = np.zeros((T, 1), np.int8)
        v_dp = kernels._unit_dp(on[:, None], off[:, None], 0, su[0], k_off, sd, up, down, init_on, init_h,
                                forced[:, None], fw, iw, u_dp)
        assert value[0] == v_dp, case
        np.testing.assert_array_equal(u, u_dp)
        oracle = _brute_force(on, off, su[0], k_off, sd, up, down, init_on, init_h, forced)
        assert value[0] == pytest.approx(oracle, abs=1e-9) if np.isfinite(oracle) else value[0] >= kernels.BIG / 2
        if not flip and not against:
            assert (u[:, 0] == int(init_on)).all()

def test_hour_values_match_a_fine_grid():
    # a convex 3-point curve with reserve prices and a heating-season minimum: the exact minimum
    # over P in [100, 300] equals a brute-force search on a 0.01 MW grid
    curve_mw = np.array([[100.0, 200.0, 300.0]])
    curve_cost = np.array([[5000.0, 25000.0, 50000.0]])     # 200 then 250 CNY/MWh
    lam, mu, nu = np.array([180.0, 230.0, 400.0]), np.array([0.0, 30.0, 5.0]), np.array([10.0, 0.0, 0.0])
    season = np.array([[0.0], [250.0], [150.0]])
    args = (curve_mw, curve_cost, np.array([3]), np.array([100.0]), np.array([300.0]), np.array([True]),
            season, 1000.0, lam, mu, nu)
    on, off, p = kernels.hour_values(*args)
    grid = np.linspace(100, 300, 20001)
    for t in range(3):
        c = np.interp(grid, curve_mw[0], curve_cost[0]) - lam[t] * grid - mu[t] * (300 - grid) - nu[t] * (grid - 100) \
            + 1000.0 * np.maximum(season[t, 0] - grid, 0)
        assert on[t, 0] == pytest.approx(c.min(), abs=1e-6)
        assert off[t, 0] == pytest.approx(1000.0 * season[t, 0])
    for x, y in zip(kernels.hour_values.py_func(*args), (on, off, p)):
        np.testing.assert_allclose(x, y)


def _ed_inputs(demand, u=None):
    """Two committed units (a 100-300 MW at 200 then 250 CNY/MWh; b 50-150 MW at 220), one wind
    farm of 80 MW (curtailment 10 CNY/MWh), no reserves, T = len(demand)."""
    T = len(demand)
    u = np.ones((T, 2), np.int8) if u is None else u
    p_min, p_max = np.array([100.0, 50.0]), np.array([300.0, 150.0])
    ramp = np.array([1000.0, 1000.0])
    q0 = np.array([0.0, 0.0])
    cap, lo, hi = kernels.output_bounds(u, p_min, p_max, p_max, p_max, ramp, ramp, np.array([True, True]), q0,
                                        np.zeros((T, 2)))
    seg_mw = np.array([[100.0, 100.0], [100.0, 0.0]])
    seg_slope = np.array([[200.0, 250.0], [220.0, 0.0]])
    z = np.zeros(T)
    return (u, p_min, cap, lo, hi, ramp, ramp, q0, seg_mw, seg_slope, np.array([True, True]),
            np.full((T, 1), 80.0), np.zeros((T, 1)), np.array([10.0]), np.asarray(demand, float), z, z, z, z)


def test_economic_dispatch_by_hand():
    # 500 MW: wind 80, both minimums 150, then a's 200-CNY segment (100), b's 220 (100), then a's
    # 250-CNY segment for the last 70 → price 250. 200 MW: wind 80 and the minimums (150) exceed it,
    # so wind is curtailed by 30 and the price is −10. 800 MW: everything (530) and 270 shed.
    out = kernels.economic_dispatch(*_ed_inputs([500.0, 200.0, 800.0]))
    q, r_up, r_dn, ren, shed, over, s_up, s_dn, st_up, st_dn, price = out
    np.testing.assert_allclose(q, [[170.0, 100.0], [0.0, 0.0], [200.0, 100.0]])
    np.testing.assert_allclose(ren[:, 0], [80.0, 50.0, 80.0])
    np.testing.assert_allclose(shed, [0.0, 0.0, 270.0])
    assert price[0] == 250.0 and price[1] == -10.0
    for x, y in zip(kernels.economic_dispatch.py_func(*_ed_inputs([500.0, 200.0, 800.0])), out):
        np.testing.assert_allclose(x, y)


def test_output_bounds_respect_ramps_and_shutdown_limit():
    # on for 4 hours then off: the hour before the stop is capped by the 120 MW shut-down limit and
    # the hours before it by the 40 MW/h ramp-down: 20 MW above p_min, then 60, 100, 140
    u = np.array([[1], [1], [1], [1], [0]], np.int8)
    cap, lo, hi = kernels.output_bounds(u, np.array([100.0]), np.array([300.0]), np.array([300.0]), np.array([120.0]),
                                        np.array([40.0]), np.array([40.0]), np.array([True]), np.array([140.0]),
                                        np.zeros((5, 1)))
    np.testing.assert_allclose(hi[:, 0], [140.0, 100.0, 60.0, 20.0, 0.0])
    np.testing.assert_allclose(lo[:, 0], [100.0, 60.0, 20.0, 0.0, 0.0])


def _write_case(tmp_path, demand, thermal, reserve_up=None, **extra):
    """A one-load case (demand MW per hour, optional up reserve) in one window; returns the Case."""
    reserve_up = reserve_up or [0] * len(demand)
    (tmp_path / "d.csv").write_text("demand,reserve\n" + "\n".join(f"{x},{r}" for x, r in zip(demand, reserve_up)) + "\n")
    doc = {"version": 1, "name": "hand", "time": {"start": "2025-01-01", "hours": len(demand)},
           "horizon": {"decided_h": len(demand), "lookahead_h": 0}, "engine": {"mip_gap": 1e-9, "time_limit_s": 30},
           "thermal": thermal, "loads": [{"name": "load", "profile_mw": "demand"}],
           "profiles": {"demand": {"file": "d.csv"}, "reserve": {"file": "d.csv"}},
           "reserves": {"up": {"profile_mw": "reserve"}}}
    doc.update(extra)
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    return load_case(tmp_path / "case.yaml")


def _both(case, fast_opts=None):
    """(arrays, MILP schedule, fast schedule) of the case's single window; both pass the checker."""
    T = case.system.hours
    a = compile_window(case, 0, T)
    m = solve_window(a, engine_options(case.system))
    f = solve_window_fast(a, fast_opts or {})
    for s in (m, f):
        assert check(a, s)[0] == []
    return a, m, f


@pytest.mark.parametrize("polish", ["storage", "lp", "none"])
def test_fast_finds_the_hand_optimum(tmp_path, polish):
    # the MILP's hand case (tests/test_uc.py): A 0-150 MW at 10; B 50-150 MW, 1100/h at 50 MW then 20,
    # start 500; C 0-200 MW at 50. Optimum 9200: B runs in hours 1-2 only.
    thermal = [linear_unit("A", 0, 150, 0, 10, initial={"on": True, "hours": 10, "p_mw": 100}),
               linear_unit("B", 50, 150, 1100, 20, startup=[{"lag_h": 1, "cost": 500}], startup_ramp_mw_per_h=150,
                           shutdown_ramp_mw_per_h=150),
               linear_unit("C", 0, 200, 0, 50)]
    a, m, f = _both(_write_case(tmp_path, [100, 200, 250, 150], thermal), {"polish": polish})
    assert f.objective == pytest.approx(9200, abs=1e-6)
    assert f.windows[0]["polished"] is False          # nothing left to gain: the numba schedule is optimal
    assert f.lower_bound <= 9200 + 1e-6
    np.testing.assert_allclose(f.p_mw, [[100, 0, 0], [150, 50, 0], [150, 100, 0], [150, 0, 0]], atol=1e-6)


def _ramp_case(tmp_path):
    """Slow coal (4 h min up/down, ramps 150 MW/h, hot/cold starts), a second coal unit, a gas
    peaker, 40 MW of up reserve over 12 hours."""
    thermal = [linear_unit("coal", 150, 450, 30000, 200, min_up_h=4, min_down_h=4, ramp_up_mw_per_h=150,
                           ramp_down_mw_per_h=150, startup=[{"lag_h": 4, "cost": 40000}, {"lag_h": 8, "cost": 70000}],
                           initial={"on": True, "hours": 10, "p_mw": 300}),
               linear_unit("coal2", 100, 300, 22000, 230, min_up_h=3, min_down_h=3, ramp_up_mw_per_h=100,
                           ramp_down_mw_per_h=100, startup=[{"lag_h": 3, "cost": 20000}],
                           initial={"on": False, "hours": 2}),
               linear_unit("gas", 20, 200, 12000, 450, startup=[{"lag_h": 1, "cost": 3000}])]
    demand = [300, 350, 520, 640, 600, 420, 300, 280, 450, 610, 560, 330]
    return _write_case(tmp_path, demand, thermal, reserve_up=[40] * 12)


def test_bound_and_cost_bracket_the_milp_optimum(tmp_path):
    # the fast lower bound lies below the proven MILP optimum and the fast cost above it
    a, m, f = _both(_ramp_case(tmp_path))
    optimum = check(a, m)[1].objective
    assert m.gap < 1e-6
    assert f.lower_bound <= optimum + 1e-6
    assert f.objective >= optimum - 1e-6
    assert f.gap == pytest.approx((f.objective - f.lower_bound) / f.objective)


@pytest.mark.xfail(strict=True, reason="known weakness: the MILP starts coal2 an hour early so it can ramp and hold "
                   "reserve; the fast primal's local search moves one block at a time, keeps a gas peaker instead "
                   "and ends 10 % above the optimum")
def test_fast_primal_within_5_percent_on_a_ramp_limited_case(tmp_path):
    a, m, f = _both(_ramp_case(tmp_path))
    assert f.objective <= check(a, m)[1].objective * 1.05


def test_rolling_fast_run_on_the_teaching_case():
    # 3 days of configs/small.yaml in 24 + 24 h windows: valid, and the costs are the checker's
    case = load_case(CONFIGS / "small.yaml")
    first = case.system.first_hour
    s = simulate(case, first, 72, engine_options(case.system, name="fast"))
    a = compile_window(case, first, 72)
    violations, costs = check(a, s)
    assert violations == []
    assert s.objective == pytest.approx(costs.objective, rel=1e-9)
    assert len(s.windows) == 3 and 0 <= s.gap < 0.1 and np.isnan(s.lower_bound)


def test_fast_refuses_what_it_does_not_model(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["run", "--engine", "fast", "--hours", "24", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "network" in err and "fast engine" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def _battery_case(tmp_path):
    """The ramp case plus a 100 MW / 300 MWh battery, half full."""
    _ramp_case(tmp_path)
    doc = yaml.safe_load((tmp_path / "case.yaml").read_text())
    doc["storage"] = [{"name": "bat", "technology": "battery", "discharge_mw": 100, "energy_mwh": 300,
                       "soc_initial": 0.5, "degradation_cost_per_mwh": 5}]
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    return load_case(tmp_path / "case.yaml")


def test_fast_with_a_battery_brackets_the_milp_optimum(tmp_path):
    # the ramp case plus a 100 MW / 300 MWh battery: valid schedule, bound ≤ optimum ≤ fast cost
    a, m, f = _both(_battery_case(tmp_path))
    optimum = check(a, m)[1].objective
    assert f.lower_bound <= optimum + 1e-6 <= f.objective + 2e-6
    assert f.soc_mwh[-1, 0] >= 150 - 1e-6           # back to its initial energy by the window's end


def _battery_schedule(shed, charge, discharge, soc, price):
    """A 12 h schedule of the battery case's one station (the fields `fast._storage_for_shed`
    reads; (12,) arrays in)."""
    col = lambda x: np.asarray(x, float).reshape(12, 1)  # noqa: E731
    return SimpleNamespace(shed_mw=np.asarray(shed, float), charge_mw=col(charge), discharge_mw=col(discharge),
                           soc_mwh=col(soc), pump_units=np.zeros((12, 1), np.int64), spill_mw=col(np.zeros(12)),
                           price=np.asarray(price, float))


def test_reserve_slack_by_hand(tmp_path):
    # A 0-100 MW, ramps 30 MW/h, at 50 MW before the window, reserve-eligible; B ineligible. With
    # A at 60, 90, 90 MW: up room min(100 − q, 30 − (q − q_before)) = 20, 0, 10; down room
    # min(q, 30 − (q_before − q)) = 40, 60, 30; less 5 MW of up reserve required each hour.
    thermal = [linear_unit("A", 0, 100, 0, 10, ramp_up_mw_per_h=30, ramp_down_mw_per_h=30,
                           initial={"on": True, "hours": 10, "p_mw": 50}),
               linear_unit("B", 0, 100, 0, 20, reserve_eligible=False, initial={"on": True, "hours": 10, "p_mw": 40})]
    a = compile_window(_write_case(tmp_path, [100, 150, 150], thermal, [5, 5, 5]), 0, 3)
    s = SimpleNamespace(commit=np.ones((3, 2), np.int8), p_mw=np.array([[60.0, 40], [90, 60], [90, 60]]))
    up, dn = fast._reserve_slack(fast._Window(a), s)
    np.testing.assert_allclose(up, [15, -5, 5])
    np.testing.assert_allclose(dn, [40, 60, 30])


def test_storage_on_curves_keeps_the_reserve_no_one_else_holds(tmp_path):
    # 4 h of 100/150/150/100 MW; A 0-100 MW at 10 and B 0-100 MW at 200, neither reserve-eligible;
    # 40 MW of up reserve in hour 2, which only a 50 MW / 200 MWh battery (half full) can hold. From
    # the battery idle (holding it), the curves (which see no reserve: no eligible unit) would have
    # it discharge in both dear hours and end hour 2 with too little energy; kept to what hour 2's
    # reserve needs, it discharges the rest — cheaper than idle, no reserve short.
    thermal = [linear_unit("A", 0, 100, 0, 10, reserve_eligible=False, initial={"on": True, "hours": 10, "p_mw": 100}),
               linear_unit("B", 0, 100, 0, 200, reserve_eligible=False, initial={"on": True, "hours": 10, "p_mw": 0})]
    case = _write_case(tmp_path, [100, 150, 150, 100], thermal, [0, 0, 40, 0],
                       storage=[{"name": "bat", "technology": "battery", "discharge_mw": 50, "energy_mwh": 200,
                                 "soc_initial": 0.5, "soc_final": 0.0}])
    a = compile_window(case, 0, 4)
    w = fast._Window(a)
    st = a.storage
    u = np.ones((4, 2), np.int8)
    idle = [(0.0, 0.0, np.zeros(4), np.zeros(4), np.full(4, w.soc0[0]), None, None, np.zeros(4, np.int64),
             np.zeros(4, np.int64), True, np.zeros(4))]
    s0, c0 = fast._primal(w, u, np.zeros((4, 2)), stations=idle, passes=0)
    assert check(a, s0)[0] == [] and s0.reserve_up_short_mw.sum() == 0      # idle, holding the reserve
    need_mwh = st.soc_min_mwh[0] + 40 / st.eta_discharge[0]
    (res,) = fast._storage_on_curves(w, s0)
    ups, _ = fast._storage_reserve(w, [res])
    assert ups[0][2] >= 40 - 1e-6 and res[4][2] >= need_mwh - 1e-6 and res[3][2] <= 10 + 1e-6
    assert res[3][1:3].sum() > 10                                            # and it does discharge
    s1, c1 = fast._primal(w, u, np.zeros((4, 2)), stations=[res], passes=0)
    assert check(a, s1)[0] == [] and s1.reserve_up_short_mw.sum() < 1e-6 and c1 < c0 - 1000
    # the curves' own optimum, without the limits, leaves hour 2 short
    ups0, dns0 = fast._storage_reserve(w, fast._stations_from(s0, 1))
    cx, cc, cn = fast._residual_curves(w, s0.commit, ups0[0], dns0[0])
    free = station_on_curves(st, 0, a.net_demand_mw, cx, cc, cn, -a.overgen_cost, a.voll, w.soc0[0],
                             n_levels=fast.STORAGE_LEVELS)
    assert free[-1] and free[3][2] < need_mwh - 1.0
    with pytest.raises(ValueError, match="soc_floor, soc_ceil, ch_cap, dis_cap"):    # limits of the wrong length
        station_on_curves(st, 0, a.net_demand_mw, cx, cc, cn, -a.overgen_cost, a.voll, w.soc0[0], soc_floor=np.zeros(3))


def test_storage_for_shed_discharges_within_power_and_energy(tmp_path):
    # the battery case's battery (100 MW, no self-discharge, eta_charge = eta_discharge = 0.922,
    # final target 150 MWh) at 180 MWh all window: 30 MWh to spare. Shed 20 MW in hour 2 →
    # discharged (21.7 MWh); 3 MW in hour 5 while charging 50 MW → it charges 47 (2.77 MWh less
    # stored; no discharge: exclusive); 50 MW in hour 8 → what is left,
    # 0.922·(30 − 20/0.922 − 3·0.922) = 5.11 MW, ending exactly at 150 MWh
    a = compile_window(_battery_case(tmp_path), 0, 12)
    w = fast._Window(a)
    eta = a.storage.eta_discharge[0]
    shed = np.zeros(12)
    shed[[2, 5, 8]] = [20, 3, 50]
    charge = np.zeros(12)
    charge[5] = 50
    (res,) = fast._storage_for_shed(w, _battery_schedule(shed, charge, np.zeros(12), [180] * 12, [40] * 12))
    ch, dis, soc, gen = res[2], res[3], res[4], res[8]
    eta_c = a.storage.eta_charge[0]
    want = np.zeros(12)
    want[2], want[8] = 20, eta * (30 - 20 / eta - 3 * eta_c)
    np.testing.assert_allclose(dis, want, atol=1e-9)
    np.testing.assert_allclose(ch, charge - 3 * (np.arange(12) == 5), atol=1e-9)
    assert soc[-1] == pytest.approx(150) and soc.min() >= 150 - 1e-9
    assert gen.tolist() == [0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    assert fast._storage_for_shed(w, SimpleNamespace(shed_mw=np.zeros(12))) is None


def test_storage_for_shed_moves_later_discharge_to_the_shed_hour(tmp_path):
    # the battery case's battery discharging 30 MW in hours 10 and 11 (marginal prices 60 and 30,
    # 40 elsewhere) to end at its final target, 150 MWh: no energy to spare. Shed 25 MW in hour 3
    # → 25 MW moved there from hour 11 (the cheapest later hour it discharges in): hours 3-10 hold
    # 25/eta MWh less, hour 11 as before
    a = compile_window(_battery_case(tmp_path), 0, 12)
    w = fast._Window(a)
    eta = a.storage.eta_discharge[0]
    dis = np.zeros(12)
    dis[10:] = 30
    soc = np.full(12, 150 + 60 / eta)
    soc[10:] = [150 + 30 / eta, 150]
    shed = np.zeros(12)
    shed[3] = 25
    price = np.full(12, 40.0)
    price[10:] = [60, 30]
    (res,) = fast._storage_for_shed(w, _battery_schedule(shed, np.zeros(12), dis, soc, price))
    want_dis, want_soc = dis.copy(), soc.copy()
    want_dis[[3, 11]] = [25, 5]
    want_soc[3:11] -= 25 / eta
    np.testing.assert_allclose(res[3], want_dis, atol=1e-9)
    np.testing.assert_allclose(res[4], want_soc, atol=1e-9)
    assert res[4].min() >= a.storage.soc_min_mwh[0] - 1e-9
    assert res[8].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1]


def _solar_surplus_window(tmp_path, pv_mw, min_h, gas_per_mwh, curtail_per_mwh, storage=None):
    """10 h of 150 MW with solar pv_mw (10,) MW, coal 100-200 MW (2000/h at 100 MW + 20/MWh, min
    up/down min_h, start 1000, on for 10 h at 150 MW before), gas 0-200 MW at gas_per_mwh, the
    given curtailment cost and storage: the window's SystemArrays."""
    (tmp_path / "pv.csv").write_text("pv\n" + "\n".join(map(str, pv_mw)) + "\n")
    thermal = [linear_unit("coal", 100, 200, 2000, 20, min_up_h=min_h, min_down_h=min_h,
                           startup=[{"lag_h": 1, "cost": 1000}], initial={"on": True, "hours": 10, "p_mw": 150}),
               linear_unit("gas", 0, 200, 0, gas_per_mwh)]
    case = _write_case(tmp_path, [150] * 10, thermal, renewables=[{"name": "pv", "technology": "solar", "profile_mw": "pv"}],
                       storage=storage or [], penalties={"curtailment_per_mwh": curtail_per_mwh},
                       profiles={"demand": {"file": "d.csv"}, "reserve": {"file": "d.csv"}, "pv": {"file": "pv.csv"}})
    return compile_window(case, 0, 10)


def test_surplus_stops_cut_a_large_unit_before_the_solar_surplus_and_restart_it_after(tmp_path):
    # 150 MW for 10 h, 300 MW of solar in hours 2-5 (curtailment 50 CNY/MWh), coal 100-200 MW
    # (min up/down 2 h), gas 0-200 MW at 80, a 100 MW / 400 MWh battery. From coal and gas on all
    # day (coal at its minimum through the surplus, 250 MW curtailed each surplus hour) the step
    # stops coal at the first surplus hour and re-plans the battery: cheaper, coal off in hours 2-5,
    # far less curtailed (the battery and 150 MW of solar take what coal gave), the checker satisfied.
    a = _solar_surplus_window(tmp_path, [0, 0, 300, 300, 300, 300, 0, 0, 0, 0], 2, 80, 50,
                              [{"name": "bat", "technology": "battery", "discharge_mw": 100, "energy_mwh": 400,
                                "soc_initial": 0.25}])
    w = fast._Window(a)
    s0, c0 = fast._primal(w, np.ones((10, 2), np.int8), np.zeros((10, 2)), price=np.full(10, 50.0))
    assert s0.commit[:, 0].all() and s0.curtail_mw[2:6].sum() > 0
    s1, c1 = fast._surplus_stops(w, s0, c0, np.zeros((10, 2)))
    assert check(a, s1)[0] == []
    assert c1 < c0 - 1000
    assert s1.commit[2:6, 0].tolist() == [0, 0, 0, 0]
    assert s1.curtail_mw.sum() < s0.curtail_mw.sum() - 400
    # the whole engine: coal off for the surplus and on again after it, as in the MILP's optimum
    # (23,156: coal in hours 0-1 and 6-9); within 5 % of it (the storage plan is on a grid)
    f = solve_window_fast(a, {})
    optimum = check(a, solve_window(a, {"mip_gap": 1e-9, "time_limit_s": 30}))[1].objective
    assert check(a, f)[0] == []
    assert f.commit[:, 0].tolist() == [1, 1, 0, 0, 0, 0, 1, 1, 1, 1]
    assert optimum - 1e-6 <= f.objective <= 1.05 * optimum


def test_surplus_stops_try_the_min_down_time_ending_with_the_surplus(tmp_path):
    # 150 MW for 10 h, 300 MW of solar in hours 4-6 (curtailment 100 CNY/MWh), coal 100-200 MW
    # (2000/h at 100 MW + 20/MWh; min up/down 4 h; start 1000; stops and starts at p_min), gas
    # 0-200 MW at 60. By hand: coal on all day 102,000 (75,000 curtailment); coal stopped at the
    # surplus to the end 86,000 (gas 27,000 in hours 7-9); coal off for its 4 h min down time
    # ending with the surplus, hours 3-6, on again at 7: 77,000 (coal 6 x 3000 + 2 x -1000 at its
    # minimum beside gas, gas 150 + 50 + 50 MW x 60, curtailment 45,000, a start 1000) — the
    # MILP's optimum. The surplus alone (3 h) is shorter than the min down time.
    a = _solar_surplus_window(tmp_path, [0, 0, 0, 0, 300, 300, 300, 0, 0, 0], 4, 60, 100)
    w = fast._Window(a)
    u = np.ones((10, 2), np.int8)
    s0, c0 = fast._primal(w, u, np.zeros((10, 2)), price=np.full(10, 60.0))
    assert s0.commit[:, 0].all() and c0 == pytest.approx(102_000.0)
    s1, c1 = fast._surplus_stops(w, s0, c0, np.zeros((10, 2)))
    assert check(a, s1)[0] == []
    assert s1.commit[4:7, 0].tolist() == [0, 0, 0] and s1.commit[-1, 0] == 1    # off 3-6 or 4-7 (ties)
    assert c1 == pytest.approx(77_000.0)
    assert check(a, solve_window(a, {"mip_gap": 1e-9, "time_limit_s": 30}))[1].objective == pytest.approx(77_000.0)


def test_bridges_keep_a_large_unit_on_through_its_break_with_the_storage_replanned(tmp_path, monkeypatch):
    # 150 MW for 10 h, coal 100-200 MW (2000/h at 100 MW + 20/MWh, start 1000), gas at 60, a
    # 100 MW / 300 MWh battery. From coal off in hours 3-5 with the battery discharging there
    # (a price taker at 60 in those hours, 20 elsewhere: 49,377) the local search cannot keep coal
    # on — with that discharge it would over-generate — and the bridge re-plans the battery: coal
    # on all day, the battery (nearly) idle, 30,055 against the MILP's 30,000 (coal 10 x 3000;
    # the SoC grid).
    a = _solar_surplus_window(tmp_path, [0] * 10, 2, 60, 100, [{"name": "bat", "technology": "battery",
                                                                  "discharge_mw": 100, "energy_mwh": 300,
                                                                  "soc_initial": 0.5}])
    w = fast._Window(a)
    u = np.ones((10, 2), np.int8)
    u[3:6, 0] = 0
    s0, c0 = fast._primal(w, u, np.zeros((10, 2)), price=np.array([20.0] * 3 + [60.0] * 3 + [20.0] * 4))
    assert s0.commit[:, 0].tolist() == [1, 1, 1, 0, 0, 0, 1, 1, 1, 1] and s0.discharge_mw[3:6, 0].min() > 50
    s1, c1 = fast._bridges(w, s0, c0, np.zeros((10, 2)))
    assert check(a, s1)[0] == []
    assert s1.commit[:, 0].all()
    assert c1 < c0 - 19_000
    assert check(a, solve_window(a, {"mip_gap": 1e-9, "time_limit_s": 30}))[1].objective == pytest.approx(30_000.0)
    assert 30_000.0 <= c1 <= 1.005 * 30_000.0
    calls = []                      # and the engine runs the step where its schedule is more than
    step = fast._bridges            # DROP_GAP above the dual bound: not here (the gap is 0), with −1 it does
    monkeypatch.setattr(fast, "_bridges", lambda *args: calls.append(1) or step(*args))
    f = solve_window_fast(a, {})
    assert check(a, f)[0] == [] and calls == [] and f.gap <= fast.DROP_GAP
    monkeypatch.setattr(fast, "DROP_GAP", -1.0)
    assert check(a, solve_window_fast(a, {}))[0] == [] and calls == [1]


def test_surplus_stops_run_without_storage_too(tmp_path, monkeypatch):
    # The case above without the battery: the whole engine runs the surplus step too (on the
    # pglib-uc rts_gmlc days, which have no storage, it lowered 4 of 12 days' cost) and reaches
    # the MILP's optimum, coal off for the surplus hours 2-5 (55,000).
    a = _solar_surplus_window(tmp_path, [0, 0, 300, 300, 300, 300, 0, 0, 0, 0], 2, 80, 50)
    assert a.storage.N == 0
    calls = []
    step = fast._surplus_stops
    monkeypatch.setattr(fast, "_surplus_stops", lambda *args: calls.append(1) or step(*args))
    f = solve_window_fast(a, {})
    assert calls == [1]
    assert check(a, f)[0] == []
    assert f.commit[:, 0].tolist() == [1, 1, 0, 0, 0, 0, 1, 1, 1, 1]
    assert f.objective == pytest.approx(55_000.0)
    assert check(a, solve_window(a, {"mip_gap": 1e-9, "time_limit_s": 30}))[1].objective == pytest.approx(55_000.0)


def test_npsim_run_engine_fast_writes_bound_and_gap(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["run", "--engine", "fast", "--overlay", str(CONFIGS / "variants" / "fast.yaml"), "--hours", "24",
               "--out", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    summary = yaml.safe_load((out / "summary.json").read_text())
    assert summary["violations"] == 0 and summary["engine"] == "fast"
    assert 0 <= summary["gap"] < 0.2 and summary["lower_bound"] is None   # 24 h of a 36 h window: no bound


def test_lifted_dispatch_climbs_a_ramp_limited_unit_early():
    # A: 0-300 MW, 100 MW/h, 50 CNY/MWh; B: 0-150 MW, fast, 10 CNY/MWh; wind 100, 100, 0 MW;
    # demand 50, 150, 350. Hour by hour, B (cheaper) serves hour 1 and A cannot reach 200 MW in
    # hour 2: 100 MW shed. Lifted, A runs 100 MW in hour 1 (wind curtailed 50) and 200 in hour 2.
    T = 3
    u = np.ones((T, 2), np.int8)
    p_min, p_max = np.array([0.0, 0.0]), np.array([300.0, 150.0])
    ramp = np.array([100.0, 1000.0])
    args = (u, p_min, p_max, p_max, p_max, ramp, ramp, np.array([False, False]), np.zeros(2), np.zeros((T, 2)),
            np.array([[300.0], [150.0]]), np.array([[50.0], [10.0]]), np.array([True, True]),
            np.array([[100.0], [100.0], [0.0]]), np.zeros((T, 1)), np.array([10.0]), np.array([50.0, 150.0, 350.0]),
            np.zeros(T), np.zeros(T), np.zeros(T), np.zeros(T))
    cap, lo, hi = kernels.output_bounds(*args[:10])
    plain = kernels.economic_dispatch(u, p_min, cap, lo, hi, ramp, ramp, np.zeros(2), *args[10:])
    assert plain[4][2] == pytest.approx(100.0)
    cap, out = kernels.dispatch_lifted(*args, 4)
    q, shed, ren = out[0], out[4], out[3]
    np.testing.assert_allclose(shed, 0.0, atol=1e-9)
    np.testing.assert_allclose(q[:, 0], [0.0, 100.0, 200.0], atol=1e-9)
    np.testing.assert_allclose(ren[:, 0], [50.0, 50.0, 0.0], atol=1e-9)
    _, out_py = kernels.dispatch_lifted.py_func(*args, 4)
    for x, y in zip(out_py, out):
        np.testing.assert_allclose(x, y)


def test_local_search_trims_an_overcommitted_schedule(tmp_path):
    # every unit on in every hour of the hand case: the search starts B an hour later and stops it
    # an hour earlier — the hand optimum 9200 again (C at 0 MW costs nothing on or off: a tie)
    thermal = [linear_unit("A", 0, 150, 0, 10, initial={"on": True, "hours": 10, "p_mw": 100}),
               linear_unit("B", 50, 150, 1100, 20, startup=[{"lag_h": 1, "cost": 500}], startup_ramp_mw_per_h=150,
                           shutdown_ramp_mw_per_h=150),
               linear_unit("C", 0, 200, 0, 50)]
    case = _write_case(tmp_path, [100, 200, 250, 150], thermal)
    a = compile_window(case, 0, 4)
    w = fast._Window(a)
    s, c = fast._primal(w, np.ones((4, 3), np.int8), np.zeros((4, 3)), price=np.full(4, 20.0))
    assert check(a, s)[0] == []
    assert c == pytest.approx(9200, abs=1e-6)
    assert s.commit.T[:2].tolist() == [[1, 1, 1, 1], [0, 1, 1, 0]]
    np.testing.assert_allclose(s.p_mw[:, 2], 0.0, atol=1e-9)


def _search_args(a, w):
    """The arguments of kernels.decommit and kernels.swap_in after the commitment (and its cost), no
    storage (as fast._primal builds them)."""
    z = np.zeros(a.T)
    bounds = (a.p_min_mw, a.p_max_mw, a.startup_ramp_mw_per_h, a.shutdown_ramp_mw_per_h, a.ramp_up_mw_per_h,
              a.ramp_down_mw_per_h)
    return (w.forced, w.order[::-1].copy(), a.min_up_h, a.min_down_h, *bounds, a.initial.on, w.init_h, w.q0,
            a.season_min_mw, w.seg_mw, w.seg_slope, w.reserve_ok, a.available_mw, a.min_output_mw,
            a.curtailment_cost, a.net_demand_mw, a.reserve_up_mw, a.reserve_down_mw, z, z, a.curve_mw,
            a.curve_cost_per_h, a.n_points, w.su_by_off, w.k_off, a.shutdown_cost, a.voll, a.overgen_cost,
            a.reserve_short_cost, a.must_run_short_cost)


def test_swap_in_starts_a_cheaper_unit_in_place_of_dearer_ones(tmp_path):
    # 100 MW for 6 h; two peakers (10-60 MW, 500/h at 10 MW then 40/MWh) run, the cheap unit (0-150
    # MW at 10/MWh, start 200, min up 4 h) is off: 6 × (2·500 + 40·80) = 25,200. The local search
    # cannot start a unit; the swap starts it for the peakers' block and stops both peakers:
    # 200 + 6 × 100 · 10 = 6,200 (the optimum). Compiled and pure-Python versions agree.
    thermal = [linear_unit("base", 0, 150, 0, 10, min_up_h=4, startup=[{"lag_h": 1, "cost": 200}],
                           startup_ramp_mw_per_h=150, initial={"on": False, "hours": 10})]
    thermal += [linear_unit(n, 10, 60, 500, 40, shutdown_ramp_mw_per_h=60, initial={"on": True, "hours": 10, "p_mw": 50})
                for n in ("peak1", "peak2")]
    a = compile_window(_write_case(tmp_path, [100] * 6, thermal), 0, 6)
    w = fast._Window(a)
    u0 = np.array([[0, 1, 1]] * 6, np.int8)
    search = _search_args(a, w)
    u, cost = kernels.decommit(u0, *search, 2)
    assert cost == pytest.approx(25200) and (u == u0).all()
    got = kernels.swap_in(u, cost, *search)
    for x, y in zip(got, kernels.swap_in.py_func(u, cost, *search)):
        np.testing.assert_allclose(x, y)
    u, cost, moves = got
    assert moves == 1 and cost == pytest.approx(6200)
    assert u.T.tolist() == [[1] * 6, [0] * 6, [0] * 6]


def test_swap_in_to_end_runs_the_cheaper_unit_to_the_window_end(tmp_path, monkeypatch):
    # 50 MW for 6 h. Peaker A (10-60 MW, 500/h at 10 MW then 40/MWh: 2,100/h at 50 MW) runs hours
    # 0-2, peaker B (the same, free start) hours 3-5: 12,600. The cheap unit (0-150 MW at 10/MWh:
    # 500/h, start 5,000, min up 2 h) is off. The plain swap from A's start runs it for A's block
    # (5,000 + 3 × 500 against 3 × 2,100 saved: +200) and from B's start for B's (the same +200):
    # neither pays, so nothing changes. With to_end the move from A's start runs it to hour 5 and
    # stops both peakers: 5,000 + 6 × 500 = 8,000 (the optimum); from B's start the plain move
    # already ran to the end (not tried again). Compiled and pure-Python versions agree.
    thermal = [linear_unit("base", 0, 150, 0, 10, min_up_h=2, startup=[{"lag_h": 1, "cost": 5000}],
                           startup_ramp_mw_per_h=150, initial={"on": False, "hours": 10})]
    inits = {"peakA": {"on": True, "hours": 10, "p_mw": 50}, "peakB": {"on": False, "hours": 10}}
    thermal += [linear_unit(n, 10, 60, 500, 40, startup_ramp_mw_per_h=60, shutdown_ramp_mw_per_h=60,
                            startup=[{"lag_h": 1, "cost": 0}], initial=init) for n, init in inits.items()]
    a = compile_window(_write_case(tmp_path, [50] * 6, thermal), 0, 6)
    w = fast._Window(a)
    u0 = np.array([[0, 1, 0]] * 3 + [[0, 0, 1]] * 3, np.int8)
    search = _search_args(a, w)
    cost = kernels.decommit(u0, *search, 0)[1]
    assert cost == pytest.approx(12600)
    u, c, moves = kernels.swap_in(u0, cost, *search, False)
    assert moves == 0 and c == pytest.approx(12600) and (u == u0).all()
    got = kernels.swap_in(u0, cost, *search, True)
    for x, y in zip(got, kernels.swap_in.py_func(u0, cost, *search, True)):
        np.testing.assert_allclose(x, y)
    u, c, moves = got
    assert moves == 1 and c == pytest.approx(8000)
    assert u.T.tolist() == [[1] * 6, [0] * 6, [0] * 6]
    # the engine's step: from u0's schedule to the optimum, checked; run only where the schedule is
    # more than DROP_GAP above the dual bound (with 100 % never, with −1 always)
    s0, c0 = fast._primal(w, u0, np.zeros((6, 3)), stations=[])
    assert c0 == pytest.approx(12600)
    s1, c1 = fast._swap_to_end(w, s0, c0, np.zeros((6, 3)))
    assert check(a, s1)[0] == [] and c1 == pytest.approx(8000) and s1.commit[:, 0].all()
    calls, step = [], fast._swap_to_end
    monkeypatch.setattr(fast, "_swap_to_end", lambda *args: calls.append(1) or step(*args))
    monkeypatch.setattr(fast, "DROP_GAP", 1.0)
    f = solve_window_fast(a, {})
    assert check(a, f)[0] == [] and f.objective == pytest.approx(8000) and calls == []
    monkeypatch.setattr(fast, "DROP_GAP", -1.0)
    assert check(a, solve_window_fast(a, {}))[0] == [] and calls == [1]



def _two_coal_gas_case(tmp_path, gas_units=1):
    """120 MW for 6 h, then 280 MW for 6 h. Two coal units (50-150 MW, 1000/h at 50 MW then 20/MWh,
    min up/down 4 h, start 5000) ran before the window; gas_units gas units (100-300 MW, 4000/h at
    100 MW then 40/MWh, start 20,000) are off. Returns (Case, the window's SystemArrays)."""
    unit = dict(min_up_h=4, min_down_h=4, startup=[{"lag_h": 1, "cost": 5000}], startup_ramp_mw_per_h=150,
                shutdown_ramp_mw_per_h=150, initial={"on": True, "hours": 10, "p_mw": 60})
    thermal = [linear_unit("coal1", 50, 150, 1000, 20, **unit), linear_unit("coal2", 50, 150, 1000, 20, **unit),
               *(linear_unit(f"gas{i}", 100, 300, 4000, 40, startup=[{"lag_h": 1, "cost": 20000}],
                             startup_ramp_mw_per_h=300, shutdown_ramp_mw_per_h=300) for i in range(gas_units))]
    case = _write_case(tmp_path, [120] * 6 + [280] * 6, thermal)
    a = compile_window(case, 0, 12)
    return case, a


def test_drop_starts_replaces_a_dear_start_by_a_unit_kept_on(tmp_path):
    # _two_coal_gas_case. Given: coal1 on throughout, coal2 stopped at the start, gas started for
    # the peak: 6·2400 + 6·(3000 + 5200) + 20,000 = 83,600, which the local search keeps (moves of 1-3 h cannot bring coal2 back without a start, the gas unit cannot go
    # without coal2). Dropping the gas start, the repair keeps coal2 on from the first hour (no
    # start): 6·2400 + 6·5600 = 48,000, the MILP's optimum.
    case, a = _two_coal_gas_case(tmp_path)
    w = fast._Window(a)
    u0 = np.zeros((12, 3), np.int8)
    u0[:, 0] = 1
    u0[6:, 2] = 1
    s0, c0 = fast._primal(w, u0, np.zeros((12, 3)), price=np.zeros(12))
    assert s0.commit.T.tolist() == u0.T.tolist()    # the local search alone keeps the gas start
    s, c = fast._drop_starts(w, s0, c0, np.zeros((12, 3)))
    assert check(a, s)[0] == [] and c == pytest.approx(check(a, s)[1].objective)
    m = solve_window(a, engine_options(case.system))
    assert c == pytest.approx(check(a, m)[1].objective, rel=1e-6) and c < c0 - 1
    assert not s.commit[:, 2].any() and s.commit[:, 1].sum() > 0



def test_drop_starts_bars_idle_units_as_dear_to_start(tmp_path):
    # _two_coal_gas_case with two gas units: gas0 started for the peak as above (83,600), gas1 idle
    # and, by its regret (−30,000/h in hours 6-11 at the dual's prices), the repair's first choice
    # when gas0's block goes. Restarting gas1 in its place would cost the same; the trial may not
    # start it (its start-up costs as much as the dropped one and it is off all window), so coal2
    # is kept on: 48,000, the optimum
    case, a = _two_coal_gas_case(tmp_path, gas_units=2)
    w = fast._Window(a)
    u0 = np.zeros((12, 4), np.int8)
    u0[:, 0] = 1
    u0[6:, 2] = 1
    regret = np.zeros((12, 4))
    regret[6:, 3] = -30000
    s0, c0 = fast._primal(w, u0, regret, price=np.zeros(12))
    assert c0 == pytest.approx(83_600)
    s, c = fast._drop_starts(w, s0, c0, regret)
    assert check(a, s)[0] == [] and c == pytest.approx(48_000)
    assert s.commit[:, 1].all() and not s.commit[:, 2:].any()

@pytest.mark.parametrize("early_regret", [0.0, 1500.0])
def test_repair_keeps_a_unit_on_from_the_first_hour_when_that_beats_a_start(tmp_path, early_regret):
    # _two_coal_gas_case with coal1 on, coal2 and gas off: hour 6 is 130 MW short. coal2 kept on
    # from hour 0 (it ran before: no start) costs its regret over hours 0-6; restarted at hour 6,
    # 5000 (+ 0). Regret 0: kept on, the whole window; 1500/h in hours 0-5 (9000): restarted at 6
    # (its min up time, then on to the end: a 2 h break would be under its min down time). Only
    # with from_start (the repair of _drop_starts' trials).
    _, a = _two_coal_gas_case(tmp_path)
    w = fast._Window(a)
    u0 = np.zeros((12, 3), np.int8)
    u0[:, 0] = 1
    regret = np.zeros((12, 3))
    regret[:6, 1] = early_regret
    need = a.net_demand_mw + a.reserve_up_mw
    args = (u0, need, regret, w.su_by_off[np.arange(3), w.k_off], a.p_min_mw, a.p_max_mw, a.startup_ramp_mw_per_h,
            a.shutdown_ramp_mw_per_h, a.ramp_up_mw_per_h, a.ramp_down_mw_per_h, w.q0, a.min_up_h, a.min_down_h,
            a.initial.on, w.init_h, w.forced, a.season_min_mw, True)
    u, short = kernels.repair(*args)
    u_py, short_py = kernels.repair.py_func(*args)
    assert (u == u_py).all() and (short == short_py).all() and not short.any()
    want = [1] * 12 if early_regret == 0 else [0] * 6 + [1] * 6
    assert u.T.tolist() == [[1] * 12, want, [0] * 12]
    u, _ = kernels.repair(*args[:-1], False)     # the option off (the first schedules): restarted
    assert u.T.tolist() == [[1] * 12, [0] * 6 + [1] * 6, [0] * 12]


@pytest.mark.parametrize("reserve", [False, True])
def test_search_screens_are_lower_bounds_without_ramp_limits(tmp_path, reserve):
    # decommit's screens (kernels._longer_gain_bound and _shorter_gain_bound at the base dispatch's
    # prices, kernels._displace_prices): with ramps that never bind, the hourly dispatch is a merit
    # order (then up reserve from the headroom left) and a screen's number is at most the true cost
    # change of every move it judges — lengthened blocks (start 1-3 h earlier, stop 1-3 h later, on
    # through a break), shortened ones (start 1-3 h later, stop 1-3 h earlier) and blocks switched
    # off — and each screen rules some moves out; compiled and pure-Python versions agree. With up
    # reserve held (D cannot hold any), some shortened blocks are ruled out only because of the
    # reserve they leave short
    ramps = {"ramp_up_mw_per_h": 1000, "ramp_down_mw_per_h": 1000, "startup_ramp_mw_per_h": 1000,
             "shutdown_ramp_mw_per_h": 1000}
    thermal = [linear_unit("A", 0, 150, 0, 10, initial={"on": True, "hours": 10, "p_mw": 100}, **ramps),
               linear_unit("B", 50, 150, 1100, 20, min_up_h=2, min_down_h=2, startup=[{"lag_h": 1, "cost": 500}],
                           **ramps),
               linear_unit("C", 20, 200, 400, 30, startup=[{"lag_h": 1, "cost": 300}], **ramps),
               linear_unit("D", 10, 60, 500, 40, startup=[{"lag_h": 1, "cost": 100}], reserve_eligible=False,
                           **ramps)]
    demand = [120, 200, 320, 380, 300, 260, 180, 140]
    case = _write_case(tmp_path, demand, thermal, reserve_up=[20, 60, 80, 80, 60, 30, 0, 15] if reserve else None)
    a = compile_window(case, 0, 8)
    w = fast._Window(a)
    T = a.T
    u = np.zeros((T, 4), np.int8)
    u[:, 0] = 1
    u[1:6, 1] = 1
    u[2:5, 2] = 1
    u[3, 3] = 1
    u[6:, 3] = 1
    z = np.zeros(T)
    bounds = (a.p_min_mw, a.p_max_mw, a.startup_ramp_mw_per_h, a.shutdown_ramp_mw_per_h, a.ramp_up_mw_per_h,
              a.ramp_down_mw_per_h)
    market = (w.seg_mw, w.seg_slope, w.reserve_ok, a.available_mw, a.min_output_mw, a.curtailment_cost,
              a.net_demand_mw, a.reserve_up_mw, a.reserve_down_mw, z, z)
    costs = (a.curve_mw, a.curve_cost_per_h, a.n_points, w.su_by_off, w.k_off, a.shutdown_cost, a.voll,
             a.overgen_cost, a.reserve_short_cost, a.must_run_short_cost)
    merit, order, _, ws, _ = kernels._open_search(u, *bounds, a.initial.on, w.init_h, w.q0, a.season_min_mw, *market,
                                                  *costs)
    b_lo, b_hi, b_q, b_ren, b_h = ws[11], ws[12], ws[14], ws[15], ws[16]
    b_cap = ws[10]
    prices, prices_py = np.empty((4, T + 1)), np.empty((4, T + 1))
    args = (u, b_q, b_lo, b_hi, b_cap, b_ren, a.available_mw, b_h, w.seg_mw, w.seg_slope, w.reserve_ok,
            a.min_output_mw, a.curtailment_cost, a.reserve_up_mw, z, float(a.overgen_cost), float(a.voll))
    kernels._displace_prices(*args, prices)
    kernels._displace_prices.py_func(*args, prices_py)
    np.testing.assert_allclose(prices[:, :T], prices_py[:, :T])
    assert prices[0, T] == prices_py[0, T] == 0.0         # nothing short: the screens are on
    # the reserve margins by hand: A, B, C hold reserve (p_max − output), D and nothing else give energy
    np.testing.assert_allclose(prices[2, :T], ((a.p_max_mw - a.p_min_mw)[None, :3] * u[:, :3] - b_q[:, :3]).sum(axis=1)
                               - a.reserve_up_mw)
    np.testing.assert_allclose(prices[3, :T], (b_hi[:, 3] - b_q[:, 3]) * u[:, 3] + b_h[1])
    base = kernels.evaluate(u, *bounds, a.initial.on, w.init_h, w.q0, a.season_min_mw, *market, *costs)
    tried, ruled_out, by_reserve = {True: 0, False: 0}, {True: 0, False: 0}, 0
    blocks = {0: [(0, 7)], 1: [(1, 5)], 2: [(2, 4)], 3: [(3, 3), (6, 7)]}     # u's on blocks [s, e]
    for g in range(4):
        for s_, e in blocks[g]:
            hours = np.arange(T)
            cols = [np.where((hours >= s_ - k) & (hours < s_), 1, u[:, g]) for k in (1, 2, 3)]
            cols += [np.where((hours > e) & (hours <= e + k), 1, u[:, g]) for k in (1, 2, 3)]
            cols += [np.where((hours >= s_) & (hours < s_ + k), 0, u[:, g]) for k in (1, 2, 3)]
            cols += [np.where((hours > e - k) & (hours <= e), 0, u[:, g]) for k in (1, 2, 3)]
            cols += [np.where((hours >= s_) & (hours <= e), 0, u[:, g])]
            if g == 3:
                cols.append(np.array([0, 0, 0, 1, 1, 1, 1, 1]))   # on through D's break
            for col in cols:
                col = col.astype(np.int8)
                if (col == u[:, g]).all() or not kernels.column_ok(col, a.min_up_h[g], a.min_down_h[g],
                                                                   a.initial.on[g], w.init_h[g], w.forced[:, g]):
                    continue
                trial = u.copy()
                trial[:, g] = col
                delta = kernels.evaluate(trial, *bounds, a.initial.on, w.init_h, w.q0, a.season_min_mw, *market,
                                         *costs) - base
                longer = bool(col.sum() > u[:, g].sum())
                unit = (a.curve_mw, a.curve_cost_per_h, a.n_points, a.season_min_mw, float(a.must_run_short_cost),
                        w.su_by_off, w.k_off, a.shutdown_cost, a.initial.on, w.init_h)
                if longer:
                    fn = kernels._longer_gain_bound
                    bargs = (col, u, g, b_q, prices[0], a.p_min_mw, a.p_max_mw, w.seg_mw, w.seg_slope, *unit)
                else:
                    fn = kernels._shorter_gain_bound
                    bargs = (col, u, g, b_q, prices, b_cap, b_hi, w.reserve_ok, b_ren, a.available_mw, b_h[1],
                             merit, order, a.p_min_mw, w.seg_mw, w.seg_slope, *unit[:5], float(a.reserve_short_cost),
                             float(a.overgen_cost), float(a.voll), *unit[5:])
                    free = prices.copy()
                    free[2, :T] += a.reserve_up_mw       # the margins were no reserve required
                    by_reserve += fn(*bargs) > 0 >= fn(*bargs[:4], free, *bargs[5:])
                lb = fn(*bargs)
                assert lb == pytest.approx(fn.py_func(*bargs))
                assert lb <= delta + 1e-6, (g, col, lb, delta)
                tried[longer] += 1
                ruled_out[longer] += lb > 0
    for longer in (True, False):
        assert tried[longer] >= 8 and 0 < ruled_out[longer] < tried[longer], (tried, ruled_out)
    assert (by_reserve > 0) == reserve, by_reserve



def test_replace_cost_by_hand():
    # p MW more without unit 2: less over-generation first, then the cheapest room — the curtailed
    # wind at −5 (20 MW), unit 0 at 20 (50 MW up to its band top), unit 1 at 30 (80 MW) — then shed
    seg_mw, seg_slope = np.array([[100.0], [80.0], [40.0]]), np.array([[20.0], [30.0], [10.0]])
    merit, order = kernels._merit_order(seg_mw, seg_slope, np.array([5.0]))
    u = np.ones((1, 3), np.int8)
    q, hi = np.array([[50.0, 0.0, 10.0]]), np.array([[100.0, 80.0, 40.0]])
    ren, avail = np.array([[10.0]]), np.array([[30.0]])
    args = (2, u, q, hi, ren, avail)
    rest = (merit, order, 50.0, 1000.0)
    assert kernels._replace_cost(0, 120.0, *args, np.zeros(1), *rest) == pytest.approx((-100 + 1000 + 50 * 30, 30))
    assert kernels._replace_cost(0, 200.0, *args, np.zeros(1), *rest) == \
        pytest.approx((-100 + 1000 + 80 * 30 + 50 * 1000, 1000))
    assert kernels._replace_cost(0, 10.0, *args, np.array([15.0]), *rest) == pytest.approx((-500, -50))
    # without unit 0 the room is wind, unit 2 (30 MW at 10) and unit 1
    assert kernels._replace_cost(0, 100.0, 0, u, q, hi, ren, avail, np.zeros(1), *rest) == \
        pytest.approx((-100 + 300 + 50 * 30, 30))

def test_column_ok_reads_min_up_and_down():
    free = np.zeros(6, np.int8)
    ok = lambda col, init_on=False, init_h=5: kernels.column_ok(np.array(col, np.int8), 3, 2, init_on, init_h, free)  # noqa: E731
    assert ok([0, 1, 1, 1, 0, 0])
    assert not ok([0, 1, 1, 0, 0, 0])                 # 2 h on < 3 h min up
    assert ok([0, 0, 0, 0, 1, 1])                     # a block at the window's end may be shorter
    assert not ok([1, 1, 1, 0, 1, 1])                 # 1 h off < 2 h min down
    assert not ok([1, 1, 1, 1, 1, 1], init_h=1)       # started after 1 h off (initial), min down 2
    assert ok([1, 0, 0, 1, 1, 1], init_on=True)       # runs on from before the window


@pytest.mark.parametrize("overlays, refused", [
    ([], "network"),
    (["variants/copper_plate.yaml"], "microgrids"),
    (["variants/fast.yaml"], None),
    (["variants/fast.yaml", "options/battery.yaml"], None),
    (["variants/fast.yaml", "options/pumped_hydro.yaml"], None),
    (["variants/fast.yaml", "options/carbon_200.yaml"], None),
    (["variants/fast.yaml", "options/cheap_gas.yaml"], None),
    (["variants/fast.yaml", "options/carbon_cap.yaml"], "policies"),
    (["variants/fast.yaml", "options/coal_retrofit.yaml"], "thermal"),
    (["variants/fast.yaml", "options/demand_response.yaml"], "demand_response"),
    (["variants/fast.yaml", "options/ev_smart.yaml"], "ev_fleets"),
    (["variants/fast.yaml", "options/ev_unmanaged.yaml"], "ev_fleets"),
])
def test_shipped_configs_are_run_or_refused_by_the_fast_engine(overlays, refused):
    case = load_case(CONFIGS / "default.yaml", [CONFIGS / o for o in overlays])
    found = [field for field, _ in fast.unsupported(compile_window(case, case.system.first_hour, 36), case.system)]
    assert found[:1] == ([refused] if refused else [])     # the first reason is the one reported



def test_candidate_costs_are_the_checkers_objective():
    # the default system in its fast form (pumped hydro with mode-change costs, batteries with
    # degradation), a spring window: _primal's cost (kernels.window_cost + _storage_cost) is the
    # checker's objective of the schedule it returns, the stations' costs included
    case = load_case(CONFIGS / "default.yaml", [CONFIGS / "variants" / "fast.yaml"])
    a = compile_window(case, 2592, 36)
    w = fast._Window(a)
    lam = fast._merit_price(a, w.unit_avg)
    _, u, regret = fast._dual(w, lam, np.zeros(a.T), np.zeros(a.T))
    s, c = fast._primal(w, u, regret, price=lam)
    assert fast._storage_cost(w, fast._stations_from(s, a.storage.N)) > 0
    assert c == pytest.approx(check(a, s)[1].objective, rel=1e-12)

def test_small_case_is_supported():
    case = load_case(CONFIGS / "small.yaml")
    assert fast.unsupported(compile_window(case, case.system.first_hour, 36)) == []


def test_remaining_kernels_match_their_python_versions(tmp_path):
    # output_bounds, repair, window_cost, evaluate, column_ok and decommit on the ramp case, from a
    # deliberately poor commitment (only coal on): compiled and pure-Python versions agree, and
    # window_cost of the final dispatch is the checker's objective
    a = compile_window(_ramp_case(tmp_path), 0, 12)
    w = fast._Window(a)
    u0 = np.zeros((12, 3), np.int8)
    u0[:, 0] = 1
    bounds = (a.p_min_mw, a.p_max_mw, a.startup_ramp_mw_per_h, a.shutdown_ramp_mw_per_h, a.ramp_up_mw_per_h,
              a.ramp_down_mw_per_h)
    z = np.zeros(12)
    market = (w.seg_mw, w.seg_slope, w.reserve_ok, a.available_mw, a.min_output_mw, a.curtailment_cost,
              a.net_demand_mw, a.reserve_up_mw, a.reserve_down_mw, z, z)
    costs = (a.curve_mw, a.curve_cost_per_h, a.n_points, w.su_by_off, w.k_off, a.shutdown_cost, a.voll,
             a.overgen_cost, a.reserve_short_cost, a.must_run_short_cost)
    calls = [
        (kernels.output_bounds, (u0, *bounds, a.initial.on, w.q0, a.season_min_mw)),
        (kernels.repair, (u0, a.net_demand_mw + a.reserve_up_mw, np.zeros((12, 3)), w.su_by_off[:, -1], *bounds, w.q0,
                          a.min_up_h, a.min_down_h, a.initial.on, w.init_h, w.forced, a.season_min_mw, False)),
        (kernels.evaluate, (u0, *bounds, a.initial.on, w.init_h, w.q0, a.season_min_mw, *market, *costs)),
        (kernels.column_ok, (u0[:, 1], 3, 3, False, 2, w.forced[:, 1])),
        (kernels.decommit, (np.ones((12, 3), np.int8), w.forced, w.order, a.min_up_h, a.min_down_h, *bounds,
                            a.initial.on, w.init_h, w.q0, a.season_min_mw, *market, *costs, 2)),
    ]
    for fn, args in calls:
        got, want = fn(*args), fn.py_func(*args)
        for x, y in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            np.testing.assert_allclose(x, y)
    u, _ = kernels.decommit(*calls[-1][1])
    cap, out = kernels.dispatch_lifted(u, *bounds, a.initial.on, w.q0, a.season_min_mw, *market, kernels.LIFT_ROUNDS)
    q, r_up, r_dn, ren, shed, over, s_up, s_dn = out[:8]
    cost = kernels.window_cost(u, q, ren, shed, over, s_up, s_dn, a.p_min_mw, a.curve_mw, a.curve_cost_per_h,
                               a.n_points, w.su_by_off, w.k_off, a.shutdown_cost, a.initial.on, w.init_h, a.available_mw,
                               a.curtailment_cost, a.season_min_mw, a.voll, a.overgen_cost, a.reserve_short_cost,
                               a.must_run_short_cost)
    s = fast._schedule(w, u, q, r_up, r_dn, ren, shed, over, s_up, s_dn, [], [], [], out[8], out[9], out[10])
    assert check(a, s)[0] == []
    assert cost == pytest.approx(check(a, s)[1].objective, rel=1e-12)


def test_unit_with_no_feasible_commitment_gives_no_bound(tmp_path):
    # a unit forced on, off for one hour and on again cannot meet its min down time: units_dp
    # returns BIG with the unit on exactly where forced on, and kernels.lagrangian returns −inf
    # (no bound) rather than a sum with BIG in it; dual_ascent stops at once
    a = compile_window(_battery_case(tmp_path), 0, 12)
    w = fast._Window(a)
    g = int(np.argmax(a.min_down_h))
    assert a.min_down_h[g] >= 2
    forced = w.forced.copy()
    forced[:, g] = 0
    forced[2, g], forced[3, g], forced[4, g] = 1, -1, 1
    args = list(w.dual_args)
    args[15] = forced                                   # forced (T, G) in lagrangian's arguments
    lam = np.clip(fast._merit_price(a, w.unit_avg), w.lam_lo, w.lam_hi)
    L, *_, u, _ = kernels.lagrangian(lam, np.zeros(12), np.zeros(12), *args)
    assert L == -np.inf
    np.testing.assert_array_equal(u[:, g], (forced[:, g] > 0).astype(np.int8))
    got = kernels.dual_ascent(lam, np.zeros(12), np.zeros(12), w.lam_lo, w.lam_hi, w.mu_hi, 1e6, fast.TARGET_CAP, 60,
                              fast.STALL, fast.PATIENCE, *args)
    assert got[0] == -np.inf and got[-1] == 1


def test_dual_kernels_bound_the_milp_and_match_their_python_versions(tmp_path):
    # kernels.lagrangian on the battery case at random multipliers in the box is at most the MILP
    # optimum (weak duality); kernels.dual_ascent's best L is at least L at its start, at most the
    # optimum, and its commitment and regret are lagrangian's at the multipliers it returns (its L
    # there differs only by the battery's term: the loop carries the battery's reserve weights
    # between evaluations, lagrangian starts them cold — both valid bounds); compiled and
    # pure-Python versions agree
    a = compile_window(_battery_case(tmp_path), 0, 12)
    optimum = check(a, solve_window(a, {"mip_gap": 1e-9, "time_limit_s": 30}))[1].objective
    w = fast._Window(a)
    rng = np.random.default_rng(5)
    for _ in range(5):
        lam = np.clip(rng.uniform(-50, 600, 12), w.lam_lo, w.lam_hi)
        mu, nu = rng.uniform(0, 80, 12) * (rng.random(12) < 0.5), rng.uniform(0, 40, 12) * (rng.random(12) < 0.5)
        got = kernels.lagrangian(lam, mu, nu, *w.dual_args)
        assert got[0] <= optimum + 1e-6
        for x, y in zip(got, kernels.lagrangian.py_func(lam, mu, nu, *w.dual_args)):
            np.testing.assert_allclose(x, y)
    lam0 = np.clip(fast._merit_price(a, w.unit_avg), w.lam_lo, w.lam_hi)
    args = (lam0, np.zeros(12), np.zeros(12), w.lam_lo, w.lam_hi, w.mu_hi, 1.05 * optimum, fast.TARGET_CAP, 60,
            fast.STALL, fast.PATIENCE, *w.dual_args)
    got = kernels.dual_ascent(*args)
    for x, y in zip(got, kernels.dual_ascent.py_func(*args)):
        np.testing.assert_allclose(x, y)
    best_L, lam, mu, nu, u, regret, n = got
    assert kernels.lagrangian(lam0, np.zeros(12), np.zeros(12), *w.dual_args)[0] <= best_L <= optimum + 1e-6
    assert 1 <= n <= 60
    again = kernels.lagrangian(lam, mu, nu, *w.dual_args)
    assert again[0] <= optimum + 1e-6 and again[0] == pytest.approx(best_L, rel=1e-3)
    np.testing.assert_array_equal(again[4], u)
    np.testing.assert_array_equal(again[5], regret)
    # a target far above the optimum (a first primal paying shortfall penalties): uncapped, the
    # first steps throw the multipliers to their limits and the bound stays at its start
    # (1,090,133); with the Polyak level capped 5 % above the best bound it climbs as with a
    # sensible target (1,103,282 at 1.05 × the optimum, 1,116,475)
    start = kernels.lagrangian(lam0, np.zeros(12), np.zeros(12), *w.dual_args)[0]
    far = [kernels.dual_ascent(*args[:6], 1000 * optimum, cap, *args[8:])[0] for cap in (1e9, 0.05)]
    assert far[0] == pytest.approx(start, rel=1e-12)
    assert best_L - 0.001 * optimum <= far[1] <= optimum + 1e-6


def test_fast_without_a_storage_bound_still_schedules(tmp_path):
    # the battery cannot reach its final energy (full) within the 1-hour window: no bound (L = −inf
    # at once: one dual evaluation, gap nan), and a schedule all the same
    a = compile_window(_battery_case(tmp_path), 0, 1)
    a.storage.soc_final_mwh[:] = a.storage.soc_max_mwh
    f = solve_window_fast(a, {"polish": "none"})
    assert f.lower_bound == -np.inf and np.isnan(f.gap) and f.windows[0]["iterations"] == 1
    assert f.p_mw.shape == (1, 3) and np.isfinite(f.objective)


def test_numba_cache_falls_back_to_a_user_folder(monkeypatch, tmp_path):
    # a read-only install: the kernels' cache moves to $XDG_CACHE_HOME/npsim/numba (grid/jit.py)
    import os

    import grid.jit
    from numba.core import config
    saved = os.environ.get("NUMBA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(grid.jit.os, "access", lambda path, mode: False)
    try:
        os.environ.pop("NUMBA_CACHE_DIR", None)
        grid.jit._ensure_cache_dir()
        assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "npsim" / "numba")
        os.environ["NUMBA_CACHE_DIR"] = "/somewhere/else"           # a user's own setting is kept
        grid.jit._ensure_cache_dir()
        assert os.environ["NUMBA_CACHE_DIR"] == "/somewhere/else"
    finally:                          # the rest of the session keeps the normal cache
        os.environ.pop("NUMBA_CACHE_DIR", None)
        if saved is not None:
            os.environ["NUMBA_CACHE_DIR"] = saved
        config.reload_config()


def test_residual_curves_by_hand(tmp_path):
    # the hand case's units (A 0-150 MW at 10, B 50-150 MW at 20 above its minimum, C off) with A on
    # throughout and B on in hours 1-2, 40 MW of up reserve in hour 1: hour 0 serves 0-150 MW at 10
    # per MWh; hour 1 starts at B's 50 MW minimum, A's 150 MW at 10, then B's 100 MW at 20 — its
    # top 40 MW held as reserve, so energy there also pays the shortfall penalty
    thermal = [linear_unit("A", 0, 150, 0, 10, initial={"on": True, "hours": 10, "p_mw": 100}),
               linear_unit("B", 50, 150, 1100, 20, startup=[{"lag_h": 1, "cost": 500}], startup_ramp_mw_per_h=150,
                           shutdown_ramp_mw_per_h=150),
               linear_unit("C", 0, 200, 0, 50)]
    a = compile_window(_write_case(tmp_path, [100, 200, 250, 150], thermal, reserve_up=[0, 40, 0, 0]), 0, 4)
    u = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 0], [1, 0, 0]], np.int8)
    cx, cc, cn = fast._residual_curves(fast._Window(a), u, np.zeros(4), np.zeros(4))
    C = lambda t, y: np.interp(y, cx[t, :cn[t]], cc[t, :cn[t]]) - cc[t, 0]  # noqa: E731
    short = a.reserve_short_cost
    assert cx[0, 0] == 0 and cx[0, -1] == pytest.approx(150) and C(0, 150) == pytest.approx(1500)
    assert cx[1, 0] == pytest.approx(50) and cx[1, -1] == pytest.approx(300)
    assert C(1, 200) == pytest.approx(1500)
    assert C(1, 260) == pytest.approx(1500 + 60 * 20)
    assert C(1, 300) - C(1, 260) == pytest.approx(40 * (20 + short))
    assert C(2, 300) == pytest.approx(1500 + 100 * 20)
    for t in range(4):                                   # convex: slopes rise along the curve
        w = np.diff(cx[t])
        slopes = np.diff(cc[t])[w > 1e-9] / w[w > 1e-9]
        assert (np.diff(slopes) >= -1e-9).all()


def test_offer_curves_kernel_matches_its_python_version():
    # kernels.offer_curves on the default system's first window, a random commitment and reserve
    # needs in both directions: the compiled kernel equals its .py_func
    case = load_case(CONFIGS / "default.yaml", [CONFIGS / "variants" / "fast.yaml"])
    a = compile_window(case, 0, 12)
    w = fast._Window(a)
    rng = np.random.default_rng(3)
    u = (rng.random((a.T, a.G)) < 0.6).astype(np.int8)
    _, lo, hi = kernels.output_bounds(u, a.p_min_mw, a.p_max_mw, a.startup_ramp_mw_per_h, a.shutdown_ramp_mw_per_h,
                                      a.ramp_up_mw_per_h, a.ramp_down_mw_per_h, a.initial.on, w.q0, a.season_min_mw)
    args = (u, lo, hi, a.p_min_mw, w.seg_mw, w.seg_slope, w.reserve_ok, a.available_mw, a.min_output_mw,
            a.curtailment_cost, rng.uniform(0, 1500, a.T), rng.uniform(0, 1500, a.T), float(a.reserve_short_cost),
            *w.offer_orders)
    for x, y in zip(kernels.offer_curves(*args), kernels.offer_curves.py_func(*args)):
        np.testing.assert_allclose(x, y, rtol=1e-12)
