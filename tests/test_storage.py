"""Storage (batteries, pumped hydro): hand-computed cases through the MILP, and a mutation test
for every storage rule of the checker."""
import copy

import numpy as np
import pytest
import yaml

from dispatch.case import load_case
from dispatch.check import RULES, check
from dispatch.compile import compile_window
from casehelp import linear_unit, solve_checked


def run_case(tmp_path, demand, thermal, storage, renewable_mw=None, **extra):
    """One-load case with optional must-take renewable output; returns (arrays, schedule, costs)."""
    cols = {"demand": demand}
    if renewable_mw is not None:
        cols["ren"] = renewable_mw
    names = list(cols)
    rows = [",".join(str(cols[n][t]) for n in names) for t in range(len(demand))]
    (tmp_path / "d.csv").write_text(",".join(names) + "\n" + "\n".join(rows) + "\n")
    doc = {
        "version": 1, "name": "storage",
        "time": {"start": "2025-01-01", "hours": len(demand)},
        "horizon": {"decided_h": len(demand), "lookahead_h": 0},
        "engine": {"mip_gap": 1e-6, "time_limit_s": 30},
        "thermal": thermal, "storage": storage,
        "loads": [{"name": "load", "profile_mw": "demand"}],
        "profiles": {n: {"file": "d.csv"} for n in names},
    }
    if renewable_mw is not None:
        doc["renewables"] = [{"name": "ren", "technology": "other", "profile_mw": "ren", "min_profile_mw": "ren"}]
    doc.update(extra)
    return solve_checked(tmp_path, doc, len(demand))


def linear(name, p_max, marginal):
    return linear_unit(name, 0, p_max, 0, marginal)


BATTERY = {"name": "bess", "technology": "battery", "discharge_mw": 50, "energy_mwh": 100,
           "charge_efficiency": 0.9, "discharge_efficiency": 0.9, "soc_initial": 0.0, "soc_final": 0.0}


@pytest.fixture
def arbitrage(tmp_path):
    # A: 150 MW at 10/MWh; B: 200 MW at 100/MWh; demand 50, 50, 200, 200.
    # The battery charges 50 MW in hours 0-1 (A at 100 MW): stores 2 × 45 = 90 MWh, delivers
    # 90 × 0.9 = 81 MWh in hours 2-3. Cost: 2 × 100 × 10 + 300 × 10 + (400 − 300 − 81) × 100 = 6900
    # (without the battery: 1000 + 2 × (1500 + 5000) = 14000).
    return run_case(tmp_path, [50, 50, 200, 200], [linear("A", 150, 10), linear("B", 200, 100)], [BATTERY])


def test_battery_arbitrage_with_exact_losses(arbitrage):
    a, s, costs = arbitrage
    np.testing.assert_allclose(s.charge_mw[:, 0], [50, 50, 0, 0], atol=1e-6)
    assert s.discharge_mw[:, 0].sum() == pytest.approx(81, abs=1e-6)
    np.testing.assert_allclose(s.soc_mwh[:2, 0], [45, 90], atol=1e-6)
    assert s.soc_mwh[-1, 0] == pytest.approx(0, abs=1e-6)
    assert costs.objective == pytest.approx(6900, abs=1e-4)
    assert np.all(np.minimum(s.charge_mw, s.discharge_mw) < 1e-9)


def test_fixed_speed_pump_runs_at_rated_power(tmp_path):
    # Only 70 MW of cheap spare capacity in hours 0-1, but a fixed-speed pump draws 100 MW or nothing.
    phs = {"name": "phs", "technology": "pumped_hydro", "units": 1, "discharge_mw": 100, "energy_mwh": 400,
           "soc_initial": 0.0, "soc_final": 0.0, "pump_speed": "fixed"}
    a, s, costs = run_case(tmp_path, [50, 50, 200, 200], [linear("A", 120, 10), linear("B", 300, 100)], [phs])
    ch = s.charge_mw[:, 0]
    assert set(np.round(ch, 6)) <= {0.0, 100.0} and ch.max() == pytest.approx(100)
    assert s.pump_units[:, 0].tolist() == [int(round(x / 100)) for x in ch]


@pytest.mark.parametrize("ternary", [True, False])
def test_ternary_unit_pumps_and_generates_in_the_same_hour(tmp_path, ternary):
    # 160 MW must-take output against 100 MW demand: 60 MW surplus. The fixed-speed pump needs
    # 100 MW; a ternary unit pumps 100 and generates 40 at once (hydraulic short circuit), so
    # nothing is over-generated; without ternary the surplus is over-generated at the penalty.
    phs = {"name": "phs", "technology": "pumped_hydro", "units": 1, "discharge_mw": 100, "energy_mwh": 400,
           "soc_initial": 0.5, "soc_final": 0.0, "pump_speed": "fixed", "ternary": ternary}
    a, s, costs = run_case(tmp_path, [100], [], [phs], renewable_mw=[160])
    if ternary:
        assert (s.charge_mw[0, 0], s.discharge_mw[0, 0]) == (pytest.approx(100), pytest.approx(40))
        assert s.overgen_mw[0] == pytest.approx(0, abs=1e-6)
    else:
        assert s.charge_mw[0, 0] == pytest.approx(0, abs=1e-6)
        assert s.overgen_mw[0] == pytest.approx(60)


def test_soc_is_carried_across_windows(tmp_path):
    # decided 1 h windows: the SoC at each border must continue exactly
    doc_storage = [dict(BATTERY, soc_final=None)]
    a, s, costs = run_case(tmp_path, [50, 50, 200, 200], [linear("A", 150, 10), linear("B", 200, 100)],
                           doc_storage, horizon={"decided_h": 1, "lookahead_h": 3})
    assert len(s.windows) == 4


# ------------------------------------------------------------------------- mutations

STORAGE_RULES = [r for r in RULES if r.startswith("storage_")]


def _mutations(s):
    """(rule, mutated copy) pairs, one per storage rule, from a valid arbitrage schedule."""
    out = []
    m = copy.deepcopy(s)
    m.soc_mwh[1, 0] += 5.0                    # breaks the recursion at hours 1 and 2
    out.append(("storage_soc", m))
    m = copy.deepcopy(s)
    m.soc_mwh[:, 0] += 20.0                   # SoC above 100 MWh at hour 1 (recursion holds after hour 0)
    out.append(("storage_limits", m))
    m = copy.deepcopy(s)
    m.charge_mw[2, 0] += 10.0                 # charge and discharge at once (balance needs fixing too)
    m.discharge_mw[2, 0] += 9.0
    m.pump_units[2, 0] = 1
    out.append(("storage_exclusive", m))
    m = copy.deepcopy(s)
    m.storage_reserve_up_mw[0, 0] = 500.0     # far beyond power and energy headroom
    out.append(("storage_reserve", m))
    return out


def test_storage_mutations(arbitrage):
    a, s, _ = arbitrage
    found = set()
    for rule, m in _mutations(s):
        rules = {v.rule for v in check(a, m)[0]}
        assert rule in rules, (rule, rules)
        found.add(rule)
    # fixed speed: make the battery a fixed-speed station and draw 30 of its 50 MW
    a2 = copy.deepcopy(a)
    a2.storage.fixed_speed[:] = True
    assert "storage_fixed_speed" not in {v.rule for v in check(a2, s)[0]}   # 50 MW = one unit's rating
    m = copy.deepcopy(s)
    m.charge_mw[0, 0] = 30.0
    m.soc_mwh[:, 0] -= 18.0
    rules = {v.rule for v in check(a2, m)[0]}
    assert "storage_fixed_speed" in rules
    found.add("storage_fixed_speed")
    assert found == set(STORAGE_RULES)


def test_storage_outputs_round_trip_through_npsim_check(tmp_path):
    from pathlib import Path

    from dispatch.cli import main
    overlay = Path(__file__).resolve().parents[1] / "configs" / "options" / "battery.yaml"
    out = tmp_path / "out"
    assert main(["run", "--overlay", str(overlay), "--hours", "4", "--out", str(out), "--quiet"]) == 0
    for name in ("storage.csv", "storage_charge_mw.csv", "storage_soc_mwh.csv", "storage_pump_units.csv"):
        assert (out / name).exists(), name
    assert main(["check", str(out)]) == 0
    import csv
    rows = list(csv.DictReader(open(out / "storage_soc_mwh.csv")))
    soc = [float(r[name]) for r in rows for name in ("extra_lfp_2h", "extra_lfp_4h")]   # 400 MWh, SoC 10-90 %
    assert len(soc) == 8 and all(40 - 1e-6 <= x <= 360 + 1e-6 for x in soc)


@pytest.mark.parametrize("change, fragment", [
    ({"soc_min": 0.9, "soc_max": 0.1}, "storage[0].soc_min = 0.9: allowed <= soc_max"),
    ({"soc_initial": 0.95, "soc_max": 0.9}, "storage[0].soc_initial = 0.95: allowed within [soc_min, soc_max]"),
    ({"units": 2}, "storage[0].technology = 'battery': units, ternary and pump_speed are pumped-hydro settings"),
    ({"charge_efficiency": 1.5}, "storage[0].charge_efficiency = 1.5: a number > 0 and <= 1"),
    ({"energy_mwh": 0}, "storage[0].energy_mwh = 0: a number > 0 (MWh)"),
])
def test_bad_storage_input(tmp_path, change, fragment):
    from dispatch import api
    from grid.errors import InputError
    case = api.load()
    with pytest.raises(InputError) as e:
        api.change(case, {"storage": [dict(BATTERY, **change)]})
    assert fragment.replace("storage[0]", f"storage[{len(case.system.storage)}]") in str(e.value)


RESERVOIR = {"name": "dam", "technology": "hydro_reservoir", "discharge_mw": 20, "energy_mwh": 100,
             "soc_initial": 0.9, "soc_final": 0.0}


def test_reservoir_spills_what_it_cannot_store(tmp_path):
    # 90 MWh in a 100 MWh reservoir that must end full, 50 MW of inflow, 10 MW of demand: it
    # generates the 10, must spill at least 30 in hour 0 (90 + 50 − 10 > 100) and 110 in all
    # (90 + 150 − 30 − 100); when the rest is spilled is a free choice.
    a, s, costs = run_case(tmp_path, [10, 10, 10], [linear("backup", 50, 500)],
                           [dict(RESERVOIR, inflow_mw=50, soc_final=1.0)])
    np.testing.assert_allclose(s.discharge_mw[:, 0], [10, 10, 10], atol=1e-6)
    assert s.spill_mw[0, 0] >= 30 - 1e-6
    assert s.spill_mw[:, 0].sum() == pytest.approx(110)
    assert s.soc_mwh[-1, 0] == pytest.approx(100)
    assert costs.objective == pytest.approx(0, abs=1e-6)


def test_reservoir_minimum_release(tmp_path):
    # No inflow, 15 MW environmental release, 10 MW demand: 10 generated + 5 spilled each hour.
    a, s, costs = run_case(tmp_path, [10, 10], [linear("backup", 50, 500)],
                           [dict(RESERVOIR, soc_initial=0.5, min_release_mw=15)])
    np.testing.assert_allclose(s.discharge_mw[:, 0] + s.spill_mw[:, 0], [15, 15], atol=1e-6)
    np.testing.assert_allclose(s.discharge_mw[:, 0], [10, 10], atol=1e-6)
    assert s.soc_mwh[-1, 0] == pytest.approx(20)


def test_monthly_energy_budget_becomes_even_inflow(tmp_path):
    budgets = [744.0, 1344.0] + [0.0] * 10          # January 1 MW, February (28 days) 2 MW
    (tmp_path / "d.csv").write_text("demand\n" + "10\n" * 1500)
    doc = {"version": 1, "time": {"start": "2025-01-01", "hours": 24},
           "storage": [dict(RESERVOIR, monthly_energy_mwh=budgets)],
           "loads": [{"name": "load", "profile_mw": "demand"}], "profiles": {"demand": {"file": "d.csv"}}}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    a = compile_window(load_case(tmp_path / "case.yaml"), 740, 10)
    np.testing.assert_allclose(a.storage_inflow_mw[:, 0], [1.0] * 4 + [2.0] * 6)


def test_spill_mutations(tmp_path):
    a, s, _ = run_case(tmp_path, [10, 10, 10], [linear("backup", 50, 500)], [dict(RESERVOIR, inflow_mw=50)])
    m = copy.deepcopy(s)
    m.spill_mw[1, 0] -= 5.0                    # water disappears: the level recursion breaks
    assert "storage_soc" in {v.rule for v in check(a, m)[0]}
    a2 = copy.deepcopy(a)
    a2.storage.spill_allowed[:] = False        # a battery cannot spill
    assert "storage_limits" in {v.rule for v in check(a2, s)[0]}
