"""Flexible-coal retrofits, oil support, deep peak regulation, CHP heating-season must-run and
policy limits: hand-computed cases through the MILP, and a mutation test for each new checker
rule. Costs in CNY, power in MW, one-hour steps."""
import copy

import numpy as np
import pytest
import yaml

from dispatch import report
from dispatch.api import run_policy
from dispatch.case import load_case
from dispatch.check import check
from dispatch.compile import compile_window, heating_mask
from dispatch.simulate import engine_options, simulate
from grid.errors import InputError
from grid.retrofit import capital_recovery_factor
from casehelp import linear_unit

# The coal unit of the hand cases: 100 MW, old minimum 50 MW. Full-load heat rate ≙ 300 CNY/MWh;
# at 50 % load +9 %: cost(50) = 50 × 300 × 1.09 = 16350, cost(100) = 30000 (upper slope 273/MWh).
COAL = {"name": "coal", "technology": "coal", "p_min_mw": 50, "p_max_mw": 100,
        "startup_ramp_mw_per_h": 100, "shutdown_ramp_mw_per_h": 100,
        "cost_curve": {"mw": [50, 100], "cost_per_h": [16350, 30000]},
        "startup": [{"lag_h": 1, "cost": 2000}], "initial": {"on": True, "hours": 10, "p_mw": 100}}


def make_case(tmp_path, columns: dict, thermal, **extra):
    """A case whose profiles are `columns` (name -> list), one load `demand`; all hours in one window."""
    names = list(columns)
    T = len(columns[names[0]])
    rows = [",".join(str(columns[n][t]) for n in names) for t in range(T)]
    (tmp_path / "d.csv").write_text(",".join(names) + "\n" + "\n".join(rows) + "\n")
    doc = {"version": 1, "name": "flex", "time": {"start": "2025-01-01", "hours": T},
           "horizon": {"decided_h": T, "lookahead_h": 0}, "engine": {"mip_gap": 1e-6, "time_limit_s": 30},
           "thermal": thermal, "loads": [{"name": "load", "profile_mw": "demand"}],
           "profiles": {n: {"file": "d.csv"} for n in names}}
    doc.update(extra)
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    return load_case(tmp_path / "case.yaml")


def solve(case, hours=None):
    """Simulate all hours (or `hours`) and check; returns (arrays with the run's policy, schedule, costs)."""
    hours = hours or case.data_hours
    s = simulate(case, 0, hours, engine_options(case.system))
    a = compile_window(case, 0, hours, policy=run_policy(case, 0, hours))
    violations, costs = check(a, s)
    assert violations == []
    return a, s, costs


def midday_case(tmp_path, retrofit: bool):
    """Load 100 MW for 3 h, solar 80 MW at midday (curtailment 200 CNY/MWh), a 30 MW gas peaker at
    800 CNY/MWh."""
    extra = {"renewables": [{"name": "pv", "technology": "solar", "profile_mw": "pv"}],
             "penalties": {"curtailment_per_mwh": 200}}
    if retrofit:
        extra["retrofits"] = [{"name": "flex20", "units": ["coal"], "p_min_share": 0.2, "heat_rate_factor": 1.25,
                               "capex_per_kw": 210, "lifetime_years": 15, "discount_rate": 0.06}]
        extra["deep_peak_regulation"] = {"tiers": [{"below_share": 0.5, "price_per_mwh": 400},
                                                   {"below_share": 0.4, "price_per_mwh": 1000}]}
    return make_case(tmp_path, {"demand": [100, 100, 100], "pv": [0, 80, 0]},
                     [COAL, linear_unit("gas", 0, 30, 0, 800, technology="gas")], **extra)


def test_retrofitted_unit_stays_on_through_the_solar_midday(tmp_path):
    # Base: at midday staying on at 50 MW costs 16350 + 30 MWh curtailed × 200 = 22350; cycling
    # costs gas 20 × 800 + a restart 2000 = 18000, so the unit cycles: 30000 + 18000 + 30000 = 78000.
    # Retrofit to 20 MW at 1.25 × the full-load heat rate: cost(20) = 20 × 300 × 1.25 = 7500, so the
    # unit stays on at 20 MW and takes all 80 MW of solar: 30000 + 7500 + 30000 = 67500 (−10500).
    _, base, cb = solve(midday_case(tmp_path, False))
    np.testing.assert_array_equal(base.commit[:, 0], [1, 0, 1])
    assert cb.objective == pytest.approx(78000, abs=1e-3)
    a, s, c = solve(midday_case(tmp_path, True))
    np.testing.assert_array_equal(s.commit[:, 0], [1, 1, 1])
    np.testing.assert_allclose(s.p_mw[:, 0], [100, 20, 100], atol=1e-6)
    assert s.curtail_mw.sum() == pytest.approx(0, abs=1e-6)
    assert c.objective == pytest.approx(67500, abs=1e-3)
    assert cb.objective - c.objective == pytest.approx(10500, abs=1e-3)
    # deep cycling: 1 unit-hour below the old 50 MW; deep peak regulation pays 10 MWh in tier 1
    # (50 → 40 MW) at 400 and 20 MWh in tier 2 (40 → 20 MW) at 1000 = 24000, outside system cost
    assert report.deep_cycling_hours(a, s)[0] == 1
    assert report.deep_peak_compensation(a, s)[0] == pytest.approx(24000)
    # capex: 210 CNY/kW × 100 MW annualised at 6 % over 15 years
    case = midday_case(tmp_path, True)
    crf = 0.06 * 1.06 ** 15 / (1.06 ** 15 - 1)
    assert case.system.annualized_capex == {"flex20": pytest.approx(21e6 * crf)}
    assert capital_recovery_factor(0.0, 20) == pytest.approx(0.05)


def deep_case(tmp_path, demand, **pkg):
    retro = {"name": "flex30", "units": ["coal"], "p_min_share": 0.3, "heat_rate_factor": 1.17, **pkg}
    return make_case(tmp_path, {"demand": demand}, [dict(COAL, min_up_h=24)], retrofits=[retro])


def test_deep_cycling_is_costed_on_the_exact_non_convex_curve(tmp_path):
    # cost(30) = 30 × 300 × 1.17 = 10530: the deep segment costs (16350 − 10530) / 20 = 291/MWh,
    # more than the 273/MWh above the old minimum. At 40 MW the true cost is 10530 + 10 × 291 =
    # 13440; a convex relaxation would fill the cheaper upper segment first: 10530 + 10 × 273 = 13260.
    a, s, c = solve(deep_case(tmp_path, [40, 80]))
    np.testing.assert_allclose(a.curve_mw[0], [30, 50, 100])
    np.testing.assert_allclose(a.curve_cost_per_h[0], [10530, 16350, 30000])
    np.testing.assert_allclose(s.p_mw[:, 0], [40, 80], atol=1e-6)
    assert c.production[0] == pytest.approx(13440 + 16350 + 30 * 273, abs=1e-3)
    assert s.objective == pytest.approx(c.objective, abs=1e-3)


def test_oil_support_below_its_threshold(tmp_path):
    # oil below 35 % = 35 MW at 40 CNY/(MW·h) × 100 MW = 4000 per hour and 0.01 t/(MW·h) = 1 t/h:
    # at 30 MW: 10530 + 4000; at 40 MW no oil: 13440
    case = deep_case(tmp_path, [30, 40], oil_assist_below_share=0.35, oil_assist_cost_per_mw_h=40,
                     oil_assist_co2_t_per_mw_h=0.01)
    a, s, c = solve(case)
    np.testing.assert_array_equal(s.oil_assist[:, 0], [1, 0])
    assert c.oil[0] == pytest.approx(4000)
    assert c.objective == pytest.approx(10530 + 4000 + 13440, abs=1e-3)
    assert c.co2_t[0] == pytest.approx(1.0)   # the money curve emits nothing; the oil emits 1 t


def test_retrofit_by_share_takes_the_largest_units_first(tmp_path):
    units = [dict(COAL, name=f"c{k}", p_max_mw=pmax, cost_curve={"mw": [50, pmax], "cost_per_h": [16350, 300 * pmax]})
             for k, pmax in enumerate([100, 300, 200])]
    case = make_case(tmp_path, {"demand": [100]}, units,
                     retrofits=[{"name": "half", "coal_share": 0.5, "p_min_share": 0.1}])
    assert case.system.retrofits[0].units == ("c1",)          # 300 of 600 MW
    (tmp_path / "x").mkdir()
    case = make_case(tmp_path / "x", {"demand": [100]}, units,
                     retrofits=[{"name": "half", "coal_share": 0.6, "p_min_share": 0.1}])
    assert case.system.retrofits[0].units == ("c1", "c2")      # 300 < 360 MW: the next one too
    assert [g.p_min_mw for g in case.system.thermal] == [50, 30, 20]


@pytest.mark.parametrize("pkg, field, words", [
    ({"units": ["nope"]}, "retrofits[0].units[0]", "a name in `thermal`"),
    ({"units": ["coal"], "coal_share": 0.5}, "retrofits[0].units", "exactly one of"),
    ({"units": ["coal"], "p_min_share": 0.6}, "retrofits[0].p_min_share", "allowed <= 0.5"),
    ({"units": ["coal"], "heat_rate_factor": 1.25, "p_min_share": 0.45}, "retrofits[0].heat_rate_factor",
     "may not exceed fuel at the old one"),
])
def test_bad_retrofit_packages(tmp_path, pkg, field, words):
    retro = {"name": "r", "p_min_share": 0.3, **pkg}
    if pkg.get("heat_rate_factor"):   # a flat curve: any rise makes fuel at 45 MW above fuel at 50 MW
        unit = dict(COAL, cost_curve={"mw": [50, 100], "cost_per_h": [14000, 30000]})
    else:
        unit = COAL
    with pytest.raises(InputError) as e:
        make_case(tmp_path, {"demand": [100]}, [unit], retrofits=[retro])
    assert field in str(e.value) and words in str(e.value)


CHP = {"name": "chp", "technology": "chp", "p_min_mw": 40, "p_max_mw": 100,
       "cost_curve": {"mw": [40, 100], "cost_per_h": [12000, 30000]},
       "heating_season": {"start": "11-01", "end": "01-01", "min_output_share": 0.6},
       "initial": {"on": True, "hours": 10, "p_mw": 60}}


def test_chp_heating_season_must_run_curtails_wind(tmp_path):
    # 2025-01-01 is the season's last day: 24 h of wind covering the load, then 2 h out of season.
    # In season the CHP unit runs at 60 % = 60 MW and wind is curtailed 60 MW; out of it, it stops
    # after one hour at 40 MW (its shut-down limit defaults to p_min).
    T = 26
    case = make_case(tmp_path, {"demand": [100] * T, "w": [100] * T}, [CHP],
                     renewables=[{"name": "wind", "technology": "wind", "profile_mw": "w"}])
    a, s, c = solve(case)
    np.testing.assert_allclose(s.p_mw[:24, 0], 60, atol=1e-6)
    np.testing.assert_allclose(s.curtail_mw[:24, 0], 60, atol=1e-6)
    np.testing.assert_array_equal(s.commit[24:, 0], [1, 0])
    assert s.p_mw[24, 0] == pytest.approx(40, abs=1e-6)
    assert s.must_run_short_mw.sum() == pytest.approx(0)


def test_chp_shortfall_when_it_cannot_run(tmp_path):
    # off for 1 h with an 8 h minimum down time: hours 0-6 cannot meet the 60 MW minimum (7 × 60 MWh
    # short); it starts at hour 7 at its start-up limit p_min = 40 MW (20 short), then runs at 60 MW.
    # 440 MWh × 5000 + 12000 (40 MW) + 2 × (12000 + 20 × 300) = 2248000.
    chp = dict(CHP, min_down_h=8, initial={"on": False, "hours": 1, "p_mw": 0})
    case = make_case(tmp_path, {"demand": [100] * 10, "w": [100] * 10}, [chp],
                     renewables=[{"name": "wind", "technology": "wind", "profile_mw": "w"}])
    a, s, c = solve(case)
    np.testing.assert_allclose(s.must_run_short_mw[:, 0], [60] * 7 + [20, 0, 0], atol=1e-6)
    assert c.must_run_short_cost == pytest.approx(440 * 5000)
    assert c.objective == pytest.approx(2248000, abs=1e-3)


def test_heating_season_dates(tmp_path):
    case = make_case(tmp_path, {"demand": [1] * (24 * 366)}, [CHP, dict(CHP, name="chp2", heating_season={
        "start": "03-01", "end": "03-02", "min_output_share": 0.6})])
    m = heating_mask(case.system, 0, 24 * 365)
    assert m[:, 0].sum() == 24 * (1 + 61)            # 1 Jan, and 1 Nov .. 31 Dec
    assert m[:, 1].sum() == 48 and m[24 * 59, 1] and not m[24 * 61, 1]   # 1-2 March


def cap_case(tmp_path, demand, cap=None, decided=None, **policies):
    coal = linear_unit("coal", 0, 100, 0, 300, technology="coal", co2_t_per_mwh=1.0)
    gas = linear_unit("gas", 0, 100, 0, 500, technology="gas", co2_t_per_mwh=0.4)
    nuclear = linear_unit("nuclear", 0, 100, 0, 400, technology="nuclear")
    pol = dict(policies)
    if cap is not None:
        pol["co2_cap_t"] = cap
    extra = {"policies": pol}
    if decided:
        extra["horizon"] = {"decided_h": decided, "lookahead_h": 0}
    return make_case(tmp_path, {"demand": demand}, [coal, gas, nuclear], **extra)


def test_binding_co2_cap_prices_the_coal_to_gas_switch(tmp_path):
    # 2 h of 100 MW; coal 300 CNY/MWh at 1 t/MWh, gas 500 at 0.4 t/MWh (the nuclear unit removed).
    # Each MWh switched coal → gas saves 0.6 t for 200 CNY: the cap's shadow price is 200/0.6 = 333.33.
    case = cap_case(tmp_path, [100, 100], cap=140)
    case = _without(case, "nuclear")
    a, s, c = solve(case)
    # x MWh of coal: x + 0.4 (200 − x) ≤ 140 → x = 100; cost 100 × 300 + 100 × 500 = 80000
    assert s.p_mw[:, 0].sum() == pytest.approx(100, abs=1e-6)
    assert c.objective == pytest.approx(80000, abs=1e-3)
    assert c.co2_t.sum() == pytest.approx(140, abs=1e-6)
    assert s.windows[0]["policy_shadow_prices"]["co2_cap"] == pytest.approx(200 / 0.6, rel=1e-6)
    summ = report.policy_summary(a, s, c)["co2_cap"]
    assert summ["limit"] == 140 and summ["realised"] == pytest.approx(140) and summ["slack"] == 0


def _without(case, unit):
    from dispatch.api import change
    return change(case, {"thermal": [{"name": unit, "remove": True}]})


def test_co2_cap_uses_the_cheapest_abatement_first(tmp_path):
    # with nuclear (no CO2, 400 CNY/MWh) abatement costs 100 CNY/t: 40 MWh coal → nuclear
    a, s, c = solve(cap_case(tmp_path, [100, 100], cap=160))
    assert s.p_mw[:, 2].sum() == pytest.approx(40, abs=1e-6)
    assert s.windows[0]["policy_shadow_prices"]["co2_cap"] == pytest.approx(100, rel=1e-6)


def test_co2_cap_over_a_year_is_prorated_and_spread_over_windows(tmp_path):
    # the cap holds for the whole data (4 h of load 100, 100, 200, 200 = 600 MWh); a run of the first
    # 2 h gets 200/600 of it. Rolling 2 × 2 h windows share the remaining cap pro rata to load.
    case = cap_case(tmp_path, [100, 100, 200, 200], cap=420, decided=2)
    case = _without(case, "nuclear")
    assert run_policy(case, 0, 2)["co2_cap_t"] == pytest.approx(140)
    a, s, c = solve(case)
    # window 1 gets 420 × 200/600 = 140 t, window 2 the remaining 280 t; in both the cap binds
    assert c.co2_t.sum() == pytest.approx(420, abs=1e-6)
    assert [w["policy_limits"]["co2_cap_t"] for w in s.windows] == [pytest.approx(140), pytest.approx(280)]


def test_non_fossil_floor(tmp_path):
    # 30 % of 100 MWh from nuclear (400 instead of coal's 300): 30 × 400 + 70 × 300 = 33000; the
    # floor's shadow price is 100 CNY/MWh
    a, s, c = solve(cap_case(tmp_path, [100], non_fossil_share_min=0.3))
    assert s.p_mw[0, 2] == pytest.approx(30, abs=1e-6)
    assert c.objective == pytest.approx(33000, abs=1e-3)
    assert s.windows[0]["policy_shadow_prices"]["non_fossil_share"] == pytest.approx(100, rel=1e-6)


def test_unreachable_utilisation_floor_is_a_reported_shortfall(tmp_path):
    # a unit inside its minimum up time holds 50 MW, so only 50 of 80 MW of wind fit under 100 MW
    # of load: the 90 % floor (72 MWh) is 22 MWh short, at 3000 CNY/MWh
    coal = dict(linear_unit("coal", 50, 100, 15000, 300), min_up_h=5, initial={"on": True, "hours": 1, "p_mw": 50})
    case = make_case(tmp_path, {"demand": [100], "w": [80]}, [coal],
                     renewables=[{"name": "wind", "technology": "wind", "profile_mw": "w"}],
                     policies={"renewable_utilisation_min": 0.9})
    a, s, c = solve(case)
    assert s.policy_slack[0, 1] == pytest.approx(22, abs=1e-6)
    assert c.policy_penalty == pytest.approx(22 * 3000)
    assert c.objective == pytest.approx(15000 + 22 * 3000, abs=1e-3)


# ----------------------------------------------------------------- checker rules
@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """(case name → (arrays, schedule)) for the mutation tests."""
    d = tmp_path_factory.mktemp("m")
    out = {}
    (d / "oil").mkdir()
    a, s, _ = solve(deep_case(d / "oil", [30, 40], oil_assist_below_share=0.35, oil_assist_cost_per_mw_h=40))
    out["oil"] = (a, s)
    (d / "chp").mkdir()
    a, s, _ = solve(make_case(d / "chp", {"demand": [100] * 3, "w": [100] * 3}, [CHP],
                              renewables=[{"name": "wind", "technology": "wind", "profile_mw": "w"}]))
    out["chp"] = (a, s)
    (d / "cap").mkdir()
    a, s, _ = solve(cap_case(d / "cap", [100, 100], cap=160))
    out["cap"] = (a, s)
    return out


def _rules(a, s):
    return {v.rule for v in check(a, s)[0]}


def test_mutation_oil_support_missing(solved):
    a, s = copy.deepcopy(solved["oil"])
    s.oil_assist[0, 0] = 0
    s.objective -= 4000
    assert "oil_assist" in _rules(a, s)


def test_mutation_oil_support_while_off(solved):
    a, s = copy.deepcopy(solved["oil"])
    a.oil_below_mw[0] = 0.0       # the unit has no oil support, yet the schedule reports it
    assert _rules(a, s) == {"oil_assist"}


def test_mutation_chp_below_its_season_minimum(solved):
    a, s = copy.deepcopy(solved["chp"])
    s.p_mw[1, 0] -= 10
    s.renewable_mw[1, 0] += 10
    s.curtail_mw[1, 0] -= 10
    assert _rules(a, s) == {"heating_must_run"}


def test_mutation_co2_above_the_cap(solved):
    a, s = copy.deepcopy(solved["cap"])
    s.p_mw[0, 0] += 10      # 10 MWh nuclear → coal: +10 t
    s.p_mw[0, 2] -= 10
    assert _rules(a, s) == {"policy"}
    s.policy_slack[0, 0] = 10   # reported as excess: the limit holds with its slack
    assert "policy" not in _rules(a, s)


def test_mutation_deep_cycling_cost_cannot_be_undercut(tmp_path):
    # a schedule that reports the convex-relaxation cost of 40 MW (13260 < 13440) breaks "objective"
    a, s, c = solve(deep_case(tmp_path, [40]))
    s.objective = 13260.0
    assert _rules(a, s) == {"objective"}


def test_every_flexibility_rule_has_a_mutation():
    import inspect
    import sys
    src = inspect.getsource(sys.modules[__name__])
    for rule in ("oil_assist", "heating_must_run", "policy"):
        assert f'== {{"{rule}"}}' in src or f'"{rule}" in _rules' in src


def test_mutation_below_the_retrofitted_minimum(solved):
    # the retrofit moved p_min to 30 MW: 25 MW (the shortfall shed) breaks the unit limits
    a, s = copy.deepcopy(solved["oil"])
    s.p_mw[0, 0] = 25.0
    s.shed_mw[0] += 5.0
    s.objective = np.nan
    assert _rules(a, s) == {"thermal_limits"}


@pytest.mark.parametrize("lookahead", [0, 2])
def test_look_ahead_past_the_run_is_not_capped(tmp_path, lookahead):
    # 4 h of data at 100 MW, cap 200 t over the data: a 2 h run gets 100 t. Its only window's
    # look-ahead lies past the run, so the cap covers hours 0-1 only: x + 0.4 (200 − x) = 100 →
    # 33.3 MWh of coal, 93333 CNY, with or without look-ahead
    case = cap_case(tmp_path, [100] * 4, cap=200, decided=2)
    case = _without(case, "nuclear")
    from dispatch.api import change
    case = change(case, {"horizon": {"lookahead_h": lookahead}})
    s = simulate(case, 0, 2, engine_options(case.system))
    a = compile_window(case, 0, 2, policy=run_policy(case, 0, 2))
    violations, c = check(a, s)
    assert violations == []
    assert s.p_mw[:, 0].sum() == pytest.approx(100 / 0.6 * 0.2, abs=1e-6)
    assert c.objective == pytest.approx(93333.3333, abs=1e-3)
    assert s.windows[0]["policy_limits"]["rows_hours"] == 2


def test_floor_with_look_ahead_past_the_run(tmp_path):
    # a utilisation floor met within the run: the look-ahead's wind does not count toward it
    coal = linear_unit("coal", 0, 100, 0, 300)
    case = make_case(tmp_path, {"demand": [100] * 4, "w": [50] * 4}, [coal],
                     renewables=[{"name": "wind", "technology": "wind", "profile_mw": "w"}],
                     policies={"renewable_utilisation_min": 0.9}, horizon={"decided_h": 2, "lookahead_h": 2})
    s = simulate(case, 0, 2, engine_options(case.system))
    a = compile_window(case, 0, 2, policy=run_policy(case, 0, 2))
    violations, c = check(a, s)
    assert violations == [] and s.policy_slack.sum() == 0


@pytest.mark.parametrize("text", ["11-1", "2-15", "02-29", "13-01", "11/01"])
def test_bad_heating_season_dates(tmp_path, text):
    with pytest.raises(InputError) as e:
        make_case(tmp_path, {"demand": [100]}, [dict(CHP, heating_season={"start": text, "end": "04-15",
                                                                           "min_output_share": 0.6})])
    assert "heating_season.start" in str(e.value) and "MM-DD" in str(e.value)


def test_colder_start_may_not_burn_less_fuel(tmp_path):
    unit = dict(COAL, fuel="coal", cost_curve=None, fuel_curve={"mw": [50, 100], "fuel_per_h": [20, 36]},
                startup=[{"lag_h": 1, "fuel": 100}, {"lag_h": 5, "cost": 1000, "fuel": 0}])
    with pytest.raises(InputError) as e:
        make_case(tmp_path, {"demand": [100]}, [unit], fuels=[{"name": "coal", "price": 1, "co2_t_per_unit": 2.66}])
    assert "startup[1].fuel" in str(e.value) and "colder start" in str(e.value)
