"""The shipped systems: sizes and the energy balance they promise."""
from pathlib import Path

import numpy as np
import pytest

from dispatch.case import load_case
from dispatch.compile import compile_window

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


@pytest.fixture(scope="module")
def northwest():
    case = load_case(CONFIGS / "default.yaml")
    return case, compile_window(case, 0, case.data_hours)


def test_northwest_fleet(northwest):
    case, a = northwest
    assert 40 <= a.G <= 80
    assert 10_000 <= a.load_mw.max() <= 15_000
    techs = set(a.thermal_tech)
    assert {"coal", "chp", "gas"} <= techs
    assert sorted(set(a.p_max_mw[np.array(a.thermal_tech) == "coal"])) == [300, 600, 1000]
    coal = np.array(a.thermal_tech) == "coal"
    assert np.all((a.p_min_mw[coal] / a.p_max_mw[coal] >= 0.4) & (a.p_min_mw[coal] / a.p_max_mw[coal] <= 0.55))
    assert np.all(a.min_up_h[coal] >= 8)
    assert a.export_mw.min() > 0


def test_northwest_renewables_cover_45_percent_of_demand(northwest):
    case, a = northwest
    vre = np.isin(a.renewable_tech, ["wind", "solar"])
    share = a.available_mw[:, vre].sum() / a.load_mw.sum()
    assert 0.45 <= share <= 0.6
    wind = np.array(a.renewable_tech) == "wind"
    cf = a.available_mw[:, wind].sum() / (8760 * 12_000)
    assert 0.22 <= cf <= 0.27


def test_northwest_default_week_is_low_net_load(northwest):
    case, a = northwest
    net = a.load_mw + a.export_mw - a.available_mw.sum(axis=1)
    h = case.system.first_hour
    assert net[h:h + 168].mean() < 0.5 * net.mean()   # a week where curtailment must appear


def test_northwest_park_microgrid_follows_the_national_guidance(northwest):
    # 2015/2017 guidance (DOMAIN.md): peak load ≤ 20 MW, renewables ≥ 50 % of the peak, able to island
    case, a = northwest
    (park,) = case.system.microgrids
    loads = [ld for ld in case.system.loads if ld.name in park.elements]
    peak_mw = max(ld.peak_mw for ld in loads)
    vre_mw = sum(r.capacity_mw for r in case.system.renewables if r.name in park.elements)
    assert peak_mw <= 20 and vre_mw >= 0.5 * peak_mw
    assert park.import_mw <= 20 and park.export_mw <= 20 and park.islanded
