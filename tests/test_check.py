"""Tests of the independent checker on a hand-built 3-unit × 6-hour system (no solver).

Units: A (must-run base unit, 2-segment convex curve, initially on 10 h at 100 MW),
B (3 start-up categories, initially off 2 h), C (one-point curve, initially on 1 h with
min_up 3, so it must stay on for hours 0 and 1), one renewable. Data hour of t = 0 is 100.
"""
import numpy as np
import pytest

from dispatch.check import RULES, check, curve_values, objective, recompute_costs
from dispatch.compile import InitialState, SystemArrays
from dispatch.results import Schedule

H0 = 100
A, B, C = 0, 1, 2
BIG = 10 ** 9


def make_arrays() -> SystemArrays:
    T = 6
    return SystemArrays(
        first_hour=H0, T=T, thermal_names=["A", "B", "C"], thermal_tech=["coal", "ccgt", "ocgt"],
        p_min_mw=np.array([50.0, 20.0, 10.0]), p_max_mw=np.array([150.0, 80.0, 40.0]),
        ramp_up_mw_per_h=np.array([60.0, 40.0, 30.0]), ramp_down_mw_per_h=np.array([60.0, 40.0, 30.0]),
        startup_ramp_mw_per_h=np.array([100.0, 50.0, 40.0]),
        shutdown_ramp_mw_per_h=np.array([100.0, 50.0, 40.0]),
        min_up_h=np.array([3, 2, 3]), min_down_h=np.array([2, 2, 1]),
        must_run=np.tile(np.array([True, False, False]), (T, 1)),
        reserve_eligible=np.array([True, True, False]),
        curve_mw=np.array([[50.0, 100.0, 150.0], [20.0, 80.0, 80.0], [10.0, 10.0, 10.0]]),
        curve_cost_per_h=np.array([[1000.0, 2000.0, 3500.0], [600.0, 2400.0, 2400.0], [500.0, 500.0, 500.0]]),
        curve_co2_t_per_h=np.array([[25.0, 50.0, 80.0], [10.0, 40.0, 40.0], [5.0, 5.0, 5.0]]),
        curve_fuel_per_h=np.array([[10.0, 20.0, 32.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
        n_points=np.array([3, 2, 1]),
        startup_lag_h=np.array([[0, BIG, BIG], [1, 3, 5], [0, BIG, BIG]]),
        startup_cost=np.array([[300.0, 0.0, 0.0], [100.0, 200.0, 400.0], [50.0, 0.0, 0.0]]),
        startup_co2_t=np.array([[3.0, 0.0, 0.0], [1.0, 2.0, 4.0], [0.5, 0.0, 0.0]]),
        n_startup=np.array([1, 3, 1]),
        shutdown_cost=np.array([7.0, 10.0, 5.0]),
        initial=InitialState(on=np.array([True, False, True]), hours=np.array([10.0, 2.0, 1.0]),
                             p_mw=np.array([100.0, 0.0, 10.0])),
        renewable_names=["W"], renewable_tech=["wind"],
        available_mw=np.array([[30.0], [40.0], [50.0], [40.0], [30.0], [20.0]]),
        min_output_mw=np.zeros((T, 1)), curtailment_cost=np.array([3.0]),
        load_mw=np.array([130.0, 190.0, 220.0, 230.0, 180.0, 112.0]),
        export_mw=np.full(T, 10.0), import_mw=np.array([0.0, 0.0, 0.0, 0.0, 0.0, 5.0]),
        reserve_up_mw=np.full(T, 20.0), reserve_down_mw=np.full(T, 10.0),
        voll=1000.0, overgen_cost=50.0, reserve_short_cost=100.0,
    )


def flags(commit: np.ndarray, on0: np.ndarray):
    """Start-up and shut-down flags (T, G) int8 implied by commit (T, G) and the initial status."""
    prev = np.vstack([on0[None, :].astype(np.int8), commit[:-1]])
    return (commit * (1 - prev)).astype(np.int8), ((1 - commit) * prev).astype(np.int8)


# Hand-computed objective of the valid schedule (see test_recompute_costs_by_hand)
OBJECTIVE = 24130.0


def make_schedule(arrays: SystemArrays) -> Schedule:
    """A feasible schedule: B starts at t=1 and stops at t=5, C stops at t=2."""
    commit = np.array([[1, 0, 1], [1, 1, 1], [1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 0, 0]], np.int8)
    su, sd = flags(commit, arrays.initial.on)
    return Schedule(
        first_hour=H0, thermal_names=["A", "B", "C"], renewable_names=["W"],
        commit=commit, startup=su, shutdown=sd,
        p_mw=np.array([[100.0, 0, 10], [110, 30, 20], [130, 50, 0], [140, 60, 0], [120, 40, 0], [100, 0, 0]]),
        reserve_up_mw=np.array([[20.0, 0, 0], [10, 10, 0], [10, 10, 0], [10, 10, 0], [5, 10, 0], [20, 0, 0]]),
        reserve_down_mw=np.array([[10.0, 0, 0]] * 6),
        renewable_mw=np.array([[30.0], [40], [50], [40], [30], [15]]),
        curtail_mw=np.array([[0.0], [0], [0], [0], [0], [5]]),
        shed_mw=np.array([0.0, 0, 0, 0, 0, 2]), overgen_mw=np.zeros(6),
        reserve_up_short_mw=np.array([0.0, 0, 0, 0, 5, 0]), reserve_down_short_mw=np.zeros(6),
        price=np.full(6, np.nan), objective=OBJECTIVE,
    )


def rules_of(arrays, sched):
    violations, _ = check(arrays, sched)
    return {v.rule for v in violations}


def test_valid_schedule_has_no_violations():
    a = make_arrays()
    violations, costs = check(a, make_schedule(a))
    assert violations == []
    assert costs.objective == pytest.approx(OBJECTIVE)


def test_recompute_costs_by_hand():
    a = make_arrays()
    c = recompute_costs(a, make_schedule(a))
    # A: slopes 20 then 30 /MWh from 1000 at 50 MW; outputs 100, 110, 130, 140, 120, 100
    prod_a = 2000 + (2000 + 10 * 30) + (2000 + 30 * 30) + (2000 + 40 * 30) + (2000 + 20 * 30) + 2000
    # B: 600 at 20 MW, slope 30 /MWh; outputs 30, 50, 60, 40 in hours 1..4
    prod_b = (600 + 10 * 30) + (600 + 30 * 30) + (600 + 40 * 30) + (600 + 20 * 30)
    # C: a one-point curve costs 500/h whatever the output; on in hours 0 and 1
    prod_c = 2 * 500
    assert prod_a == 15000 and prod_b == 5400
    np.testing.assert_allclose(c.production, [prod_a, prod_b, prod_c])
    # B starts at t=1 after 2 h off before the window + 1 h = 3 h off: lags (1, 3, 5) → category 1
    assert c.startup_category[:, B].tolist() == [-1, 1, -1, -1, -1, -1]
    assert (c.startup_category[:, [A, C]] == -1).all()
    np.testing.assert_array_equal(c.starts, [0, 1, 0])
    np.testing.assert_allclose(c.startup, [0, 200, 0])
    np.testing.assert_allclose(c.shutdown, [0, 10, 5])      # B stops at t=5, C at t=2
    # CO2 A: 25 t/h at 50 MW, 0.5 then 0.6 t/MWh; B: 10 at 20 MW, 0.5 t/MWh, + 2 t warm start; C: 5 t/h
    co2_a = 50 + (50 + 0.6 * 10) + (50 + 0.6 * 30) + (50 + 0.6 * 40) + (50 + 0.6 * 20) + 50
    co2_b = (10 + 0.5 * 10) + (10 + 0.5 * 30) + (10 + 0.5 * 40) + (10 + 0.5 * 20) + 2
    np.testing.assert_allclose(c.co2_t, [co2_a, co2_b, 2 * 5])
    # fuel A: 10 at 50 MW, 0.2 then 0.24 per MWh
    fuel_a = 20 + (20 + 0.24 * 10) + (20 + 0.24 * 30) + (20 + 0.24 * 40) + (20 + 0.24 * 20) + 20
    np.testing.assert_allclose(c.fuel, [fuel_a, 0, 0])
    assert c.shed_cost == pytest.approx(2 * 1000)
    assert c.overgen_cost == 0
    assert c.curtail_cost == pytest.approx(5 * 3)
    assert c.reserve_short_cost == pytest.approx(5 * 100)
    total = 15000 + 5400 + 1000 + 200 + 10 + 5
    assert c.total_cost == pytest.approx(total)
    assert c.penalty_cost == pytest.approx(2000 + 15 + 500)
    assert c.objective == pytest.approx(total + 2515) and total + 2515 == OBJECTIVE



def test_objective_alone_equals_the_costs_objective():
    a = make_arrays()
    s = make_schedule(a)
    assert objective(a, s) == recompute_costs(a, s).objective == pytest.approx(OBJECTIVE)
    s.p_mw[3, A] = 150.0        # the objective follows the schedule: 10 MWh more at 30 /MWh
    assert objective(a, s) == recompute_costs(a, s).objective == pytest.approx(OBJECTIVE + 300)

@pytest.mark.parametrize("commit_b, on0, hours0, expected", [
    ([1, 1, 1, 1, 1, 1], False, 2, [0, -1, -1, -1, -1, -1]),    # 2 h off (initial): hot
    ([0, 1, 1, 1, 1, 1], False, 2, [-1, 1, -1, -1, -1, -1]),    # 3 h off: warm
    ([0, 0, 0, 1, 1, 1], False, 2, [-1, -1, -1, 2, -1, -1]),    # 5 h off: cold
    ([1, 1, 1, 1, 1, 1], False, 10, [2, -1, -1, -1, -1, -1]),   # long initial off period: cold
    ([1, 0, 0, 1, 0, 1], False, 2, [0, -1, -1, 0, -1, 0]),      # 2 h and 1 h off inside the window
    ([0, 0, 0, 0, 1, 1], True, 5, [-1, -1, -1, -1, 1, -1]),     # initially on, off t=0..3: 4 h off, warm
])
def test_startup_category_by_hours_off(commit_b, on0, hours0, expected):
    a = make_arrays()
    a.initial.on[B] = on0
    a.initial.hours[B] = hours0
    s = make_schedule(a)
    s.commit[:, B] = commit_b
    s.startup, s.shutdown = flags(s.commit, a.initial.on)
    c = recompute_costs(a, s)
    assert c.startup_category[:, B].tolist() == expected
    cost = {-1: 0.0, 0: 100.0, 1: 200.0, 2: 400.0}
    assert c.startup[B] == pytest.approx(sum(cost[k] for k in expected))
    assert c.starts[B] == sum(k >= 0 for k in expected)


def mutate(fn):
    """Valid arrays and schedule, changed by fn(arrays, schedule); engine objective dropped."""
    a = make_arrays()
    s = make_schedule(a)
    s.objective = np.nan
    fn(a, s)
    return a, s


def _shift_c_off_at_t1(a, s):
    """C stops at t=1 instead of t=2 (its 20 MW moved to A): breaks min_up from the initial state."""
    s.commit[1, C] = 0
    s.p_mw[1, C] = 0.0
    s.p_mw[1, A] += 20.0
    s.startup, s.shutdown = flags(s.commit, a.initial.on)


def _set(field, index, value):
    def fn(a, s):
        getattr(s, field)[index] = value
    return fn


def _set_array(field, index, value):
    def fn(a, s):
        getattr(a, field)[index] = value
    return fn


def _both(*fns):
    def fn(a, s):
        for f in fns:
            f(a, s)
    return fn


MUTATIONS = [
    ("balance", _set("shed_mw", 0, 1.0)),
    ("renewable", _set("curtail_mw", (0, 0), 1.0)),
    ("renewable", _both(_set("renewable_mw", (0, 0), 31.0), _set("curtail_mw", (0, 0), -1.0),
                        _set("overgen_mw", 0, 1.0))),
    ("renewable", _set_array("min_output_mw", (2, 0), 55.0)),
    ("slack_sign", _both(_set("shed_mw", 0, -1.0), _set("overgen_mw", 0, -1.0))),
    ("thermal_limits", _set("reserve_up_mw", (3, A), 15.0)),     # 140 + 15 > 150
    ("thermal_limits", _set("reserve_up_mw", (5, B), 1.0)),      # reserve while off
    ("thermal_limits", _set("commit", (0, A), 2)),               # not 0/1
    ("thermal_limits", _set("reserve_down_mw", (2, B), 31.0)),   # 50 − 31 < 20
    ("status_logic", _set("startup", (2, B), 1)),
    ("status_logic", _set("shutdown", (3, C), 1)),
    ("must_run", _set_array("must_run", (3, C), True)),
    ("min_up", _set_array("min_up_h", B, 5)),                    # B on t=1..4 only
    ("min_up", _shift_c_off_at_t1),                              # required on-period began before hour 0
    ("min_down", _set_array("min_down_h", B, 4)),                # initially off 2 h, started at t=1
    ("ramp", _set_array("ramp_up_mw_per_h", A, 25.0)),           # t=2: 80 + 10 − 60 = 30
    ("ramp", _set_array("ramp_down_mw_per_h", A, 25.0)),         # t=4: 90 − 70 + 10 = 30
    ("startup_ramp", _set_array("startup_ramp_mw_per_h", B, 35.0)),   # t=1: 30 + 10
    ("shutdown_ramp", _set_array("shutdown_ramp_mw_per_h", B, 45.0)),  # t=4: 40 + 10
    ("reserve", _set("reserve_up_mw", (0, A), 15.0)),
    ("reserve", _set("reserve_down_mw", (0, A), 5.0)),
    ("reserve", _set("reserve_up_mw", (0, C), 1.0)),             # C is not reserve-eligible
    ("objective", lambda a, s: setattr(s, "objective", OBJECTIVE - 1.0)),
]


@pytest.mark.parametrize("rule, fn", MUTATIONS, ids=[f"{r}-{i}" for i, (r, _) in enumerate(MUTATIONS)])
def test_each_mutation_breaks_exactly_its_rule(rule, fn):
    assert rules_of(*mutate(fn)) == {rule}


def test_every_rule_has_a_mutation():
    # storage rules: test_storage.py; oil support, heating must-run and policy: test_flexibility.py;
    # network rules: test_network.py; demand response: test_demand.py; microgrids and EVs: test_microgrid.py
    others = {"oil_assist", "heating_must_run", "policy", "network_balance", "line_limits", "tie_limits",
              "demand_response", "microgrid", "ev"}
    assert {r for r, _ in MUTATIONS} == {r for r in RULES if not r.startswith("storage_") and r not in others}


def test_min_up_from_initial_state_reports_the_early_shutdown():
    a, s = mutate(_shift_c_off_at_t1)
    violations, _ = check(a, s)
    (v,) = violations
    assert (v.rule, v.element, v.hour, v.amount) == ("min_up", "C", H0 + 1, 1.0)  # needed 2 h, ran 1 h
    # with one hour more already served before the window, stopping at t=1 is fine
    a.initial.hours[C] = 2.0
    assert check(a, s)[0] == []


def test_violation_hours_and_amounts():
    a, s = mutate(_set_array("ramp_up_mw_per_h", A, 25.0))
    (v,) = check(a, s)[0]
    assert (v.hour, v.element, v.amount) == (H0 + 2, "A", pytest.approx(5.0))
    a, s = mutate(_set("shed_mw", 4, 3.0))
    (v,) = check(a, s)[0]
    assert (v.rule, v.hour, v.element, v.amount) == ("balance", H0 + 4, "system", pytest.approx(3.0))


def test_shutdown_ramp_of_initial_output():
    """C switched off from hour 0: fine with an initial output of 10 MW ≤ 40, broken when the limit is 5."""
    def c_off_from_start(a, s):
        a.initial.hours[C] = 3.0           # min up already served
        s.commit[:, C] = 0
        s.p_mw[0, A] += 10.0
        s.p_mw[1, A] += 20.0
        s.p_mw[:, C] = 0.0
        s.startup, s.shutdown = flags(s.commit, a.initial.on)
    a, s = mutate(c_off_from_start)
    assert check(a, s)[0] == []
    a.shutdown_ramp_mw_per_h[C] = 5.0
    (v,) = check(a, s)[0]
    assert (v.rule, v.element, v.hour, v.amount) == ("shutdown_ramp", "C", H0, pytest.approx(5.0))


def test_objective_may_exceed_but_not_undercut_recomputed():
    a = make_arrays()
    s = make_schedule(a)
    s.objective = OBJECTIVE + 100.0
    assert check(a, s)[0] == []
    s.objective = OBJECTIVE - 1e-4          # within tolerance
    assert check(a, s)[0] == []
    s.objective = OBJECTIVE - 1.0
    (v,) = check(a, s)[0]
    assert v.rule == "objective" and v.hour == -1 and v.amount == pytest.approx(1.0)


def test_tolerance_absorbs_tiny_errors():
    a, s = mutate(_set("shed_mw", 0, 1e-6))
    assert check(a, s)[0] == []
    assert rules_of(a, s) == set()
    assert {v.rule for v in check(a, s, tol_mw=1e-7)[0]} == {"balance"}


def test_nan_output_is_flagged():
    a, s = mutate(_set("p_mw", (2, B), np.nan))
    assert "balance" in rules_of(a, s)


def test_mismatched_hours_raise():
    a = make_arrays()
    s = make_schedule(a)
    s.first_hour = H0 + 1
    with pytest.raises(ValueError):
        check(a, s)


def test_curve_values_interpolate_like_np_interp():
    """curve_values against np.interp unit by unit: outputs inside, at and beyond the points
    (clipped into [p_min, p_max], flat outside the points), a padded curve (last point repeated)."""
    from types import SimpleNamespace
    a = SimpleNamespace(G=2, p_min_mw=np.array([100.0, 50.0]), p_max_mw=np.array([300.0, 80.0]),
                        curve_mw=np.array([[100.0, 200.0, 300.0], [60.0, 80.0, 80.0]]))
    curve = np.array([[1000.0, 1800.0, 3000.0], [700.0, 900.0, 900.0]])
    p = np.array([[100.0, 50.0], [150.0, 55.0], [250.0, 70.0], [300.0, 80.0], [400.0, 90.0], [0.0, 65.0]])
    got = curve_values(a, curve, p)
    for g, n in ((0, 3), (1, 2)):
        x = np.clip(p[:, g], a.p_min_mw[g], a.p_max_mw[g])
        assert np.allclose(got[:, g], np.interp(x, a.curve_mw[g, :n], curve[g, :n]), rtol=0, atol=1e-9)
    assert got[1, 0] == pytest.approx(1400.0) and got[2, 0] == pytest.approx(2400.0)   # by hand
    assert got[0, 1] == pytest.approx(700.0) and got[2, 1] == pytest.approx(800.0)
