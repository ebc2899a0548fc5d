"""Microgrids: PCC limits, islanding windows with local shedding, KPIs, on a copper plate and on a
network; a mutation test for the checker rule."""
import copy

import numpy as np
import pytest
import yaml

from dispatch import report
from dispatch.case import load_case
from dispatch.check import check
from dispatch.compile import compile_window
from dispatch.simulate import engine_options, simulate
from grid.errors import InputError
from casehelp import linear_unit


def park_case(tmp_path, import_mw=15, islanded=(("2025-01-01T01:00", 1),), **extra):
    """Main grid: 100 MW of load and coal (300 CNY/MWh). Park microgrid: 20 MW of load, 8 MW of PV,
    a 5 MW gas genset (900 CNY/MWh); PCC import ≤ import_mw, export ≤ 10; 3 hours."""
    doc = {"version": 1, "name": "park", "time": {"start": "2025-01-01", "hours": 3},
           "horizon": {"decided_h": 3, "lookahead_h": 0}, "engine": {"mip_gap": 1e-6},
           "thermal": [linear_unit("coal", 0, 300, 0, 300), linear_unit("genset", 0, 5, 0, 900, technology="gas")],
           "renewables": [{"name": "pv", "technology": "solar", "profile_mw": 8}],
           "loads": [{"name": "city", "profile_mw": 100}, {"name": "park_load", "profile_mw": 20}],
           "microgrids": [{"name": "park", "elements": ["park_load", "pv", "genset"], "import_mw": import_mw,
                           "export_mw": 10, "islanded": [{"start": s, "hours": h} for s, h in islanded]}]}
    doc.update(extra)
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    return load_case(tmp_path / "case.yaml")


def solve(case):
    T = case.system.hours
    s = simulate(case, 0, T, engine_options(case.system))
    a = compile_window(case, 0, T)
    violations, costs = check(a, s)
    assert violations == []
    return a, s, costs


def test_islanded_microgrid_sheds_exactly_its_deficit(tmp_path):
    # connected: the park imports 20 − 8 = 12 MW of coal; islanded (hour 1): PV 8 + genset 5 = 13 of
    # 20 MW, so it sheds exactly 7 MW although the main grid has spare coal.
    # cost: coal (112 + 100 + 112) · 300 + genset 5 · 900 + 7 · 8000 = 157700
    a, s, c = solve(park_case(tmp_path))
    np.testing.assert_allclose(s.mg_shed_mw[:, 0], [0, 7, 0], atol=1e-6)
    np.testing.assert_allclose(s.mg_pcc_mw[:, 0], [12, 0, 12], atol=1e-6)
    np.testing.assert_allclose(s.p_mw, [[112, 0], [100, 5], [112, 0]], atol=1e-6)
    assert s.shed_mw.sum() == pytest.approx(7)
    assert c.objective == pytest.approx(157700, abs=1e-6)
    kpi = report.microgrid_summary(a, s, c)["park"]
    assert kpi["import_mwh"] == pytest.approx(24) and kpi["local_shed_mwh"] == pytest.approx(7)
    assert kpi["self_sufficiency"] == pytest.approx(1 - 24 / 60)     # 60 MWh of local use
    assert kpi["islanded_hours"] == 1 and kpi["local_cost"] == pytest.approx(4500 + 56000)


def test_pcc_import_limit_runs_the_genset(tmp_path):
    # connected all day with imports ≤ 10 MW: the genset makes up 2 MW each hour (900 < VOLL)
    a, s, c = solve(park_case(tmp_path, import_mw=10, islanded=()))
    np.testing.assert_allclose(s.mg_pcc_mw[:, 0], 10, atol=1e-6)
    np.testing.assert_allclose(s.p_mw[:, 1], 2, atol=1e-6)


def test_microgrid_exports_within_its_limit(tmp_path):
    # a 40 MW PV: the park exports at most 10 MW and curtails the rest (local curtailment reported)
    case = park_case(tmp_path, islanded=(), renewables=[{"name": "pv", "technology": "solar", "profile_mw": 40}])
    a, s, c = solve(case)
    np.testing.assert_allclose(s.mg_pcc_mw[:, 0], -10, atol=1e-6)
    np.testing.assert_allclose(s.curtail_mw[:, 0], 10, atol=1e-6)
    assert report.microgrid_summary(a, s, c)["park"]["local_curtailment_mwh"] == pytest.approx(30)


@pytest.mark.parametrize("change, field, words", [
    ({"microgrids": [{"name": "p", "elements": ["nope"], "import_mw": 1, "export_mw": 1}]},
     "microgrids[0].elements[0]", "a thermal unit, renewable"),
    ({"microgrids": [{"name": "p", "elements": ["pv"], "import_mw": 1, "export_mw": 1}]},
     "microgrids[0].elements", "at least one load"),
    ({"microgrids": [{"name": "p", "elements": ["park_load"], "import_mw": 1, "export_mw": 1},
                     {"name": "q", "elements": ["park_load"], "import_mw": 1, "export_mw": 1}]},
     "microgrids[1].elements[0]", "in one microgrid only"),
    ({"microgrids": [{"name": "p", "elements": ["park_load"], "import_mw": 1, "export_mw": 1,
                      "islanded": [{"start": "2024-12-31", "hours": 2}]}]},
     "microgrids[0].islanded[0].start", "at or after time.start"),
])
def test_bad_microgrids(tmp_path, change, field, words):
    with pytest.raises(InputError) as e:
        park_case(tmp_path, **change)
    assert field in str(e.value) and words in str(e.value)


def test_mutation_import_while_islanded(tmp_path):
    a, s, _ = solve(park_case(tmp_path))
    s = copy.deepcopy(s)
    s.mg_shed_mw[1, 0] -= 7            # the islanded hour served from the main grid instead
    s.shed_mw[1] -= 7
    s.mg_pcc_mw[1, 0] += 7
    s.p_mw[1, 0] += 7
    s.objective = np.nan
    assert {v.rule for v in check(a, s)[0]} == {"microgrid"}


def test_every_microgrid_rule_has_a_mutation():
    import inspect
    import sys
    assert '== {"microgrid"}' in inspect.getsource(sys.modules[__name__])


# ----------------------------------------------------------------- EV fleets
def ev_case(tmp_path, mode):
    """1000 vehicles × 7 kW need 20 kWh each (20 MWh); plugged in hours 1-4, all leave at hour 5.
    Load 50, 98, 98, 40, 40, 50 MW; coal 0-100 MW at 300 CNY/MWh, gas at 800."""
    cols = {"demand": [50, 98, 98, 40, 40, 50], "plugged": [0, 1, 1, 1, 1, 0], "leave": [0, 0, 0, 0, 0, 1]}
    rows = [",".join(str(cols[k][t]) for k in cols) for t in range(6)]
    (tmp_path / "d.csv").write_text(",".join(cols) + "\n" + "\n".join(rows) + "\n")
    doc = {"version": 1, "name": "ev", "time": {"start": "2025-01-01", "hours": 6},
           "horizon": {"decided_h": 3, "lookahead_h": 3}, "engine": {"mip_gap": 1e-6},
           "thermal": [linear_unit("coal", 0, 100, 0, 300), linear_unit("gas", 0, 100, 0, 800)],
           "loads": [{"name": "city", "profile_mw": "demand"}],
           "ev_fleets": [{"name": "cars", "load": "city", "vehicles": 1000, "charger_kw": 7,
                          "energy_per_vehicle_kwh": 20, "plugged": "plugged", "departing": "leave", "mode": mode}],
           "profiles": {k: {"file": "d.csv"} for k in cols}}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    case = load_case(tmp_path / "case.yaml")
    s = simulate(case, 0, 6, engine_options(case.system))
    a = compile_window(case, 0, 6)
    violations, costs = check(a, s)
    assert violations == []
    return a, s, costs


def test_ev_fleet_reaches_its_energy_by_departure(tmp_path):
    # unmanaged: 7, 7, 6 MW from plug-in: hours 1-2 need 5 MW of gas each → base 112800 + 2·(600 +
    # 4000) + 1800 = 123800. Smart: 7 + 7 MW in the cheap hours 3-4, the other 6 MWh in hours 1-2
    # (2 + 2 MW of coal headroom, 2 of gas) → 112800 + 4200 + 1200 + 1600 = 119800
    (tmp_path / "u").mkdir()
    (tmp_path / "s").mkdir()
    _, su, cu = ev_case(tmp_path / "u", "unmanaged")
    np.testing.assert_allclose(su.ev_charge_mw[:, 0], [0, 7, 7, 6, 0, 0], atol=1e-6)
    assert cu.objective == pytest.approx(123800, abs=1e-6)
    _, ss, cs = ev_case(tmp_path / "s", "smart")
    np.testing.assert_allclose(ss.ev_charge_mw[3:5, 0], [7, 7], atol=1e-6)
    assert ss.ev_charge_mw[:, 0].sum() == pytest.approx(20, abs=1e-6)
    assert ss.ev_energy_mwh[4, 0] == pytest.approx(20, abs=1e-6) and ss.ev_short_mwh.sum() == pytest.approx(0)
    assert cs.objective == pytest.approx(119800, abs=1e-6)


def test_mutation_ev_leaves_undercharged(tmp_path):
    a, s, _ = ev_case(tmp_path, "smart")
    s.ev_charge_mw[3, 0] -= 5           # 5 MWh less charged, the departing vehicles still take 20
    s.p_mw[3, 0] -= 5
    s.objective = np.nan
    assert {v.rule for v in check(a, s)[0]} == {"ev"}


def test_every_ev_rule_has_a_mutation():
    import inspect
    import sys
    assert '== {"ev"}' in inspect.getsource(sys.modules[__name__])


def test_ev_profiles_must_fit_together(tmp_path):
    cols = {"demand": [50, 50], "plugged": [1, 0.2], "leave": [0, 0]}   # 80 % unplug without leaving
    rows = [",".join(str(cols[k][t]) for k in cols) for t in range(2)]
    (tmp_path / "d.csv").write_text(",".join(cols) + "\n" + "\n".join(rows) + "\n")
    doc = {"version": 1, "name": "ev", "time": {"start": "2025-01-01", "hours": 2},
           "thermal": [linear_unit("coal", 0, 100, 0, 300)], "loads": [{"name": "city", "profile_mw": "demand"}],
           "ev_fleets": [{"name": "cars", "load": "city", "vehicles": 10, "plugged": "plugged", "departing": "leave"}],
           "profiles": {k: {"file": "d.csv"} for k in cols}}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as e:
        load_case(tmp_path / "case.yaml")
    assert "ev_fleets[0].departing (hour 1)" in str(e.value) and "unplug without departing" in str(e.value)


def test_contract_outside_its_loads_microgrid_is_refused(tmp_path):
    with pytest.raises(InputError) as e:
        park_case(tmp_path, demand_response=[{"name": "cut", "kind": "interruptible", "load": "park_load",
                                              "capacity_mw": 5, "price_per_mwh": 100}])
    assert "demand_response[0].name" in str(e.value) and "same microgrid as its load" in str(e.value)


def test_islanded_members_hold_no_reserve(tmp_path):
    # the genset inside the islanded park may not cover the main grid's 10 MW reserve in hour 1
    a, s, c = solve(park_case(tmp_path, reserves={"up": {"fixed_mw": 10}}))
    assert s.reserve_up_mw[1, 1] == pytest.approx(0, abs=1e-6)
