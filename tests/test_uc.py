"""Hand-computed unit-commitment cases solved by the MILP engine (and checked by dispatch.check)."""
import numpy as np
import pytest

from casehelp import linear_unit, solve_checked


def make_case(tmp_path, demand, thermal, decided_h=None, lookahead_h=0, reserve_up=None, **extra):
    """Write a one-load case with `demand` (MW per hour; optional up-reserve requirement per hour),
    run it and check it; returns (arrays, schedule, costs)."""
    reserve_up = reserve_up or [0] * len(demand)
    (tmp_path / "d.csv").write_text("demand,reserve\n" + "\n".join(f"{x},{r}" for x, r in zip(demand, reserve_up)) + "\n")
    doc = {
        "version": 1, "name": "hand",
        "time": {"start": "2025-01-01", "hours": len(demand)},
        "horizon": {"decided_h": decided_h or len(demand), "lookahead_h": lookahead_h},
        "engine": {"mip_gap": 1e-6, "time_limit_s": 30},
        "penalties": {"voll_per_mwh": 8000, "overgeneration_per_mwh": 5000},
        "thermal": thermal,
        "loads": [{"name": "load", "profile_mw": "demand"}],
        "profiles": {"demand": {"file": "d.csv"}, "reserve": {"file": "d.csv"}},
        "reserves": {"up": {"profile_mw": "reserve"}},
    }
    doc.update(extra)
    return solve_checked(tmp_path, doc, len(demand))


def test_three_units_four_hours_known_optimum(tmp_path):
    # A: 0-150 MW at 10/MWh; B: 50-150 MW, 1100/h at 50 MW then 20/MWh, start 500; C: 0-200 MW at 50/MWh.
    # Hand optimum: t0 A100 (1000); t1 A150+B50 (1500+1100); t2 A150+B100 (1500+2100); t3 A150 (1500);
    # one start of B (500): 1000 + 2600 + 3600 + 1500 + 500 = 9200 (C for hours 1-2 would cost 7500).
    thermal = [
        linear_unit("A", 0, 150, 0, 10, initial={"on": True, "hours": 10, "p_mw": 100}),
        linear_unit("B", 50, 150, 1100, 20, startup=[{"lag_h": 1, "cost": 500}], startup_ramp_mw_per_h=150,
                    shutdown_ramp_mw_per_h=150),
        linear_unit("C", 0, 200, 0, 50),
    ]
    _, s, costs = make_case(tmp_path, [100, 200, 250, 150], thermal)
    np.testing.assert_allclose(s.p_mw, [[100, 0, 0], [150, 50, 0], [150, 100, 0], [150, 0, 0]], atol=1e-6)
    assert costs.objective == pytest.approx(9200, abs=1e-4)
    assert s.objective == pytest.approx(9200, abs=1e-4)
    # marginal prices with commitment fixed: A (between its limits) sets 10 in hour 0, B sets 20 in hour 2
    assert s.price[0] == pytest.approx(10, abs=1e-6)
    assert s.price[2] == pytest.approx(20, abs=1e-6)


@pytest.mark.parametrize("hours_off, category, cost", [(3, 1, 1000 + 1000), (2, 0, 100 + 1000)])
def test_startup_category_by_hours_off(tmp_path, hours_off, category, cost):
    # G starts in hour 2 (demand 0, 0, 50, 50). Off-time at the start = hours_off + 2:
    # 5 h reaches the cold lag (5) -> 1000; 4 h is a hot start -> 100. Energy 100 MWh at 10.
    thermal = [linear_unit("G", 10, 100, 100, 10, min_down_h=2, startup_ramp_mw_per_h=100,
                           startup=[{"lag_h": 2, "cost": 100}, {"lag_h": 5, "cost": 1000}],
                           initial={"on": False, "hours": hours_off})]
    # decided_h=1: four one-hour windows, so the hours off must be carried across every border
    _, s, costs = make_case(tmp_path, [0, 0, 50, 50], thermal, decided_h=1)
    assert s.commit[:, 0].tolist() == [0, 0, 1, 1]
    assert costs.startup_category[2, 0] == category
    assert costs.objective == pytest.approx(cost, abs=1e-4)


@pytest.mark.parametrize("shutdown_cost, expected_on, objective", [(5000, [1, 1, 1, 1], 16200),
                                                                   (1000, [1, 0, 0, 1], 14600)])
def test_shutdown_cost_decides_cycling(tmp_path, shutdown_cost, expected_on, objective):
    # S: 50-100 MW, 3000/h at 50 MW, 10/MWh above; F: 0-100 MW at 30/MWh. Demand 150, 60, 60, 150.
    # Peak hours: S100 + F50 = 3500 + 1500 = 5000 each. Valley: S on alone at 60 MW (3000 + 10·10 =
    # 3100 each) or S off (F60 = 1800 each, plus the shut-down cost): staying on costs 16200, cycling
    # 10000 + 3600 + shut-down cost, so 14600 at 1000 (break-even at 2600).
    thermal = [
        linear_unit("S", 50, 100, 3000, 10, shutdown_cost=shutdown_cost, startup_ramp_mw_per_h=100,
                    shutdown_ramp_mw_per_h=100, initial={"on": True, "hours": 10, "p_mw": 100}),
        linear_unit("F", 0, 100, 0, 30),
    ]
    _, s, costs = make_case(tmp_path, [150, 60, 60, 150], thermal)
    assert s.commit[:, 0].tolist() == expected_on
    assert costs.objective == pytest.approx(objective, abs=1e-4)


def test_min_up_time_crosses_window_border(tmp_path):
    # M (10-100 MW, min up 6 h) starts in hour 3 for a 2-hour need; windows of 4 h without
    # look-ahead, so windows 2 and 3 must keep it on through hour 8 from the handed-over state.
    thermal = [linear_unit("M", 10, 100, 100, 10, min_up_h=6, startup_ramp_mw_per_h=100,
                           initial={"on": False, "hours": 24})]
    demand = [0, 0, 0, 50, 50, 0, 0, 0, 0, 0]
    _, s, costs = make_case(tmp_path, demand, thermal, decided_h=4)
    assert s.commit[:, 0].tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 1, 0]
    np.testing.assert_allclose(s.overgen_mw, [0, 0, 0, 0, 0, 10, 10, 10, 10, 0], atol=1e-6)
    assert len(s.windows) == 3


def test_shedding_when_capacity_is_short(tmp_path):
    # 120 MW of demand, 100 MW of capacity: 20 MW shed at VOLL, reported, no crash.
    thermal = [linear_unit("A", 0, 100, 0, 10)]
    _, s, costs = make_case(tmp_path, [120], thermal)
    assert s.shed_mw[0] == pytest.approx(20, abs=1e-6)
    assert costs.shed_cost == pytest.approx(20 * 8000, abs=1e-3)
    assert costs.objective == pytest.approx(1000 + 160000, abs=1e-3)


def test_shutdown_limit_with_reserve_across_window_border(tmp_path):
    # A holds 40 MW of reserve on 40 MW of output in hour 0 (window 1 cannot see that demand ends).
    # With a 50 MW shut-down limit, output + reserve = 80 MW forbids stopping in hour 1, so the
    # next window keeps A on at its minimum (10 MW over-generation) and stops it in hour 2.
    thermal = [linear_unit("A", 10, 100, 0, 10, startup_ramp_mw_per_h=100, shutdown_ramp_mw_per_h=50,
                           initial={"on": True, "hours": 5, "p_mw": 40})]
    _, s, costs = make_case(tmp_path, [40, 0, 0], thermal, decided_h=1, reserve_up=[40, 0, 0])
    assert s.reserve_up_mw[0, 0] == pytest.approx(40)
    assert s.commit[:, 0].tolist() == [1, 1, 0]
    assert s.overgen_mw[1] == pytest.approx(10)
