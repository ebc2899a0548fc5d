"""Demand response: shiftable loads and interruptible contracts, hand-computed through the MILP,
budgets over rolling windows, and a mutation test for the checker rule."""
import copy

import numpy as np
import pytest
import yaml

from dispatch.api import run_policy
from dispatch.case import load_case
from dispatch.check import check
from dispatch.compile import compile_window
from dispatch.policy import dr_run_budgets
from dispatch.simulate import engine_options, simulate
from grid.errors import InputError
from casehelp import linear_unit


def make_case(tmp_path, demand, solar, dr, decided=None, lookahead=0):
    cols = {"demand": demand, "pv": solar}
    T = len(demand)
    rows = [f"{demand[t]},{solar[t]}" for t in range(T)]
    (tmp_path / "d.csv").write_text("demand,pv\n" + "\n".join(rows) + "\n")
    doc = {"version": 1, "name": "dr", "time": {"start": "2025-01-01", "hours": T},
           "horizon": {"decided_h": decided or T, "lookahead_h": lookahead},
           "engine": {"mip_gap": 1e-6, "time_limit_s": 30},
           "thermal": [linear_unit("coal", 0, 100, 0, 300), linear_unit("gas", 0, 100, 0, 800)],
           "renewables": [{"name": "pv", "technology": "solar", "profile_mw": "pv"}],
           "loads": [{"name": "city", "profile_mw": "demand"}], "demand_response": dr,
           "profiles": {n: {"file": "d.csv"} for n in cols}}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    return load_case(tmp_path / "case.yaml")


def solve(case):
    T = case.data_hours
    s = simulate(case, 0, T, engine_options(case.system))
    a = compile_window(case, 0, T, policy=run_policy(case, 0, T), dr_budgets=dr_run_budgets(case.system, T))
    violations, costs = check(a, s)
    assert violations == []
    return a, s, costs


SHIFT = {"name": "flex", "kind": "shiftable", "load": "city", "share": 0.2, "window_h": 2, "cost_per_mwh": 10}


def test_shiftable_load_moves_the_evening_peak_to_the_solar_midday(tmp_path):
    # midday: load 100, solar 130 (30 curtailed); evening: load 150 = coal 100 + gas 50 → 70000.
    # 20 % of the evening's 150 MW (30 MW) moves to midday: solar covers 130, the evening needs coal
    # 100 + gas 20 = 46000, plus 30 MWh × 10 = 300 → 46300: −23700 = 30 × 800 − 300, curtailment 0.
    _, base, cb = solve(make_case(tmp_path, [100, 150], [130, 0], []))
    assert cb.objective == pytest.approx(70000, abs=1e-6) and base.curtail_mw.sum() == pytest.approx(30)
    a, s, c = solve(make_case(tmp_path, [100, 150], [130, 0], [SHIFT]))
    np.testing.assert_allclose(s.dr_up_mw[:, 0], [30, 0], atol=1e-6)
    np.testing.assert_allclose(s.dr_down_mw[:, 0], [0, 30], atol=1e-6)
    np.testing.assert_allclose(s.dr_owed_mwh[:, 0], [-30, 0], atol=1e-6)
    assert s.curtail_mw.sum() == pytest.approx(0, abs=1e-6)
    assert c.objective == pytest.approx(46300, abs=1e-6)
    assert cb.objective - c.objective == pytest.approx(30 * 800 - 30 * 10)


def test_shifted_energy_stays_in_its_block_across_windows(tmp_path):
    # blocks of 2 h, windows of 1 h decided + 1 h look-ahead: the owed energy is carried exactly,
    # and a move may not cross a block end (hours 1 → 2)
    a, s, c = solve(make_case(tmp_path, [100, 150, 100, 150], [130, 0, 130, 0], [SHIFT], decided=1, lookahead=1))
    np.testing.assert_allclose(s.dr_down_mw[:, 0], [0, 30, 0, 30], atol=1e-6)
    np.testing.assert_allclose(s.dr_owed_mwh[[1, 3], 0], 0, atol=1e-6)
    assert c.objective == pytest.approx(2 * 46300, abs=1e-6)


CUT = {"name": "smelter", "kind": "interruptible", "load": "city", "capacity_mw": 30, "price_per_mwh": 600,
       "max_hours_per_call": 2, "max_calls_per_year": 20, "max_hours_per_year": 80}


def test_interruptible_called_only_when_cheaper_than_the_marginal_unit(tmp_path):
    # load 100, 150, 100 without solar: the marginal unit is coal (300) at 100 MW and gas (800) at
    # 150 MW; the contract (600/MWh) is called only in hour 1, for 30 MW: 30000 + (30000 + 20·800
    # + 30·600) + 30000 = 124000 (without it 130000)
    a, s, c = solve(make_case(tmp_path, [100, 150, 100], [0, 0, 0], [CUT]))
    np.testing.assert_array_equal(s.dr_called[:, 0], [0, 1, 0])
    np.testing.assert_allclose(s.dr_down_mw[:, 0], [0, 30, 0], atol=1e-6)
    assert c.objective == pytest.approx(124000, abs=1e-6)
    dear = dict(CUT, price_per_mwh=900)          # dearer than gas: never called
    (tmp_path / "b").mkdir()
    _, s2, c2 = solve(make_case(tmp_path / "b", [100, 150, 100], [0, 0, 0], [dear]))
    assert s2.dr_called.sum() == 0 and c2.objective == pytest.approx(130000, abs=1e-6)


def test_interruptible_budget_and_call_length(tmp_path):
    # a 4 h peak at 150 MW; a 4 h run gets ceil(20 × 4/8760) = 1 call and ceil(80 × 4/8760) = 1 h
    # — so one hour is cut; with 8760 calls and hours a year, calls of at most 2 h with a gap
    case = make_case(tmp_path, [150] * 4, [0] * 4, [CUT])
    assert dr_run_budgets(case.system, 4) == {"calls": pytest.approx([1]), "hours": pytest.approx([1])}
    a, s, c = solve(case)
    assert s.dr_called.sum() == 1
    (tmp_path / "b").mkdir()
    a, s, c = solve(make_case(tmp_path / "b", [150] * 4, [0] * 4,
                              [dict(CUT, max_calls_per_year=8760, max_hours_per_year=8760)]))
    assert s.dr_called[:, 0].tolist() in ([1, 1, 0, 1], [1, 0, 1, 1])   # never 3 h in a row


def test_every_demand_rule_has_a_mutation():
    import inspect
    import sys
    assert '== {"demand_response"}' in inspect.getsource(sys.modules[__name__])


def test_shifted_energy_returns_by_the_end_of_the_run(tmp_path):
    # a 24 h block but a 2 h run: the 30 MWh moved to midday must come back inside the run
    a, s, c = solve(make_case(tmp_path, [100, 150], [130, 0], [dict(SHIFT, window_h=24)]))
    assert s.dr_owed_mwh[-1, 0] == pytest.approx(0, abs=1e-6)
    assert c.objective == pytest.approx(46300, abs=1e-6)


def test_bad_demand_response(tmp_path):

    with pytest.raises(InputError) as e:
        make_case(tmp_path, [100], [0], [dict(SHIFT, load="town")])
    assert "demand_response[0].load" in str(e.value) and "a name in `loads`" in str(e.value)
    with pytest.raises(InputError) as e:
        make_case(tmp_path, [100], [0], [dict(CUT, capacity_mw=0)])
    assert "demand_response[0].capacity_mw" in str(e.value)


@pytest.fixture(scope="module")
def shifted(tmp_path_factory):
    return solve(make_case(tmp_path_factory.mktemp("dr"), [100, 150], [130, 0], [SHIFT]))[:2]


def test_two_contracts_on_one_load_cut_at_most_the_load(tmp_path):
    # a 30 MW plant with a 50 % shift and a 30 MW interruptible contract: together ≤ 30 MW away
    (tmp_path / "d.csv").write_text("x\n1\n")
    a, s, c = solve(make_case(tmp_path, [30, 30], [0, 0], [dict(SHIFT, share=0.5, cost_per_mwh=0),
                                                           dict(CUT, price_per_mwh=0, max_calls_per_year=8760,
                                                                max_hours_per_year=8760)]))
    assert (s.dr_down_mw.sum(axis=1) <= 30 + 1e-6).all()


@pytest.fixture(scope="module")
def cut(tmp_path_factory):
    return solve(make_case(tmp_path_factory.mktemp("cut"), [100, 150], [130, 0], [CUT]))[:2]


def _rules(a, s):
    return {v.rule for v in check(a, s)[0]}


def test_mutation_shifted_energy_not_put_back(shifted):
    a, s = copy.deepcopy(shifted)
    s.dr_up_mw[0, 0] -= 5          # 5 MWh moved away and not put back (5 MW less solar used)
    s.renewable_mw[0, 0] -= 5
    s.curtail_mw[0, 0] += 5
    s.dr_owed_mwh[0, 0] += 5       # the owed record follows, so only the block end breaks
    s.objective = np.nan
    assert _rules(a, s) == {"demand_response"}


def test_mutation_cut_without_a_call(cut):
    a, s = copy.deepcopy(cut)
    assert s.dr_called[0, 0] == 0          # hour 0 (midday, solar): the contract is not called
    s.dr_down_mw[0, 0] += 5                # ... yet 5 MW cut, with 5 MW less solar used
    s.renewable_mw[0, 0] -= 5
    s.curtail_mw[0, 0] += 5
    s.objective = np.nan
    assert _rules(a, s) == {"demand_response"}


def test_interruptible_capacity_as_reserve(tmp_path):
    # 20 MW of up reserve needed at 100 MW load with 100 MW of coal and no gas (gas removed): the
    # uncalled 30 MW contract covers it (the checker counts it too)
    case = make_case(tmp_path, [100, 100], [0, 0], [dict(CUT, reserve=True)])
    from dispatch.api import change
    case = change(case, {"thermal": [{"name": "gas", "remove": True}], "reserves": {"up": {"fixed_mw": 20}}})
    a, s, c = solve(case)
    assert (s.dr_reserve_mw[:, 0] >= 20 - 1e-6).all() and (s.dr_reserve_mw[:, 0] <= 30 + 1e-6).all()
    assert s.reserve_up_short_mw.sum() == pytest.approx(0, abs=1e-6)


def test_a_call_with_a_zero_hour_counts_once(tmp_path):
    # budget 1 call of up to 3 h over loads 150, 100, 150: the model may keep the call on through
    # the middle hour (cutting 0 there); it is one call, and the checker and budgets agree
    case = make_case(tmp_path, [150, 100, 150], [0, 0, 0],
                     [dict(CUT, max_hours_per_call=3, max_calls_per_year=1, max_hours_per_year=8760)], decided=1,
                     lookahead=2)
    a, s, c = solve(case)
    assert s.dr_down_mw[[0, 2], 0].sum() >= 30 - 1e-6


def test_interruptible_reserve_stays_within_the_load(tmp_path):
    # a 30 MW contract on a 10 MW load offers at most 10 MW of reserve
    case = make_case(tmp_path, [10, 10], [0, 0], [dict(CUT, reserve=True)])
    from dispatch.api import change
    case = change(case, {"thermal": [{"name": "gas", "remove": True}], "reserves": {"up": {"fixed_mw": 100}}})
    a, s, c = solve(case)
    assert (s.dr_reserve_mw[:, 0] <= 10 + 1e-6).all()
