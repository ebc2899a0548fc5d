"""Overlays, defaults, README field tables, state hand-off and synthetic profiles."""
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from dispatch.compile import InitialState
from dispatch.results import Schedule
from grid.config import merge
from grid.schema import field_table
from profiles import synthetic


def test_overlay_merges_named_lists():
    base = {"engine": {"mip_gap": 0.01, "threads": 1},
            "thermal": [{"name": "a", "p_max_mw": 100}, {"name": "b", "p_max_mw": 200}, {"name": "c"}]}
    over = {"engine": {"mip_gap": 0.001},
            "thermal": [{"name": "b", "p_max_mw": 250}, {"name": "c", "remove": True}, {"name": "d"}]}
    out = merge(base, over)
    assert out["engine"] == {"mip_gap": 0.001, "threads": 1}
    assert [(u["name"], u.get("p_max_mw")) for u in out["thermal"]] == [("a", 100), ("b", 250), ("d", None)]
    assert base["thermal"][1]["p_max_mw"] == 200  # inputs untouched


def test_readme_field_table_matches_schema():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for row in field_table():
        assert f"| `{row[0]}` |" in readme, f"README misses field {row[0]}; regenerate with python -m grid.schema"


def test_end_state_hand_off():
    # 2 units, 3 hours: unit 0 on all along (was on 5 h), unit 1 stops in hour 1
    u = np.array([[1, 1], [1, 0], [1, 0]], np.int8)
    z = np.zeros((3, 2))
    s = Schedule(0, ["a", "b"], [], u, z.astype(np.int8), z.astype(np.int8), np.array([[10, 5], [20, 0], [30, 0.0]]),
                 z, z, np.zeros((3, 0)), np.zeros((3, 0)), np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3),
                 np.full(3, np.nan))
    st = s.end_state(InitialState(np.array([True, True]), np.array([5.0, 2.0]), np.array([10.0, 5.0])))
    assert st.on.tolist() == [True, False]
    assert st.hours.tolist() == [8.0, 2.0]
    assert st.p_mw.tolist() == [30.0, 0.0]


@pytest.mark.parametrize("kind, lo, hi", [("wind", 0.23, 0.27), ("solar", 0.12, 0.22)])
def test_synthetic_capacity_factors_and_seed(kind, lo, hi):
    start = datetime(2025, 1, 1)
    kw = {"mean_cf": 0.25} if kind == "wind" else {}
    a = getattr(synthetic, kind)(start, 8760, 3, **kw)
    b = getattr(synthetic, kind)(start, 8760, 3, **kw)
    c = getattr(synthetic, kind)(start, 8760, 4, **kw)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert lo <= a.mean() <= hi
    assert a.min() >= 0 and a.max() <= 1


def test_synthetic_solar_is_zero_at_night_and_load_peaks_at_one():
    start = datetime(2024, 1, 1)  # leap year
    assert synthetic.year_hours(start) == 8784
    sol = synthetic.solar(start, 8784, 1)
    hour = np.arange(8784) % 24
    assert sol[(hour < 4) | (hour > 21)].max() == 0.0
    summer = sol[24 * 170:24 * 200].mean()
    winter = sol[:24 * 30].mean()
    assert summer > winter
    load = synthetic.load(start, 8784, 1)
    assert load.max() == pytest.approx(1.0)
    assert 0.6 < load.mean() < 0.95
