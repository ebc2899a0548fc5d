"""Overlays, defaults, README field tables and state hand-off (synthetic profiles: test_synthetic.py)."""
from pathlib import Path

import numpy as np

from dispatch.compile import InitialState
from dispatch.results import Schedule
from grid.config import merge
from grid.schema import field_table


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


def test_shipped_configs_and_overlays_load():
    from dispatch.case import builtin_case_path, load_case
    root = Path(__file__).resolve().parents[1] / "configs"
    assert (root / "default.yaml").resolve().read_text() == builtin_case_path().read_text()
    base = load_case(root / "default.yaml").system.name
    for overlay in sorted((root / "options").glob("*.yaml")) + sorted((root / "variants").glob("*.yaml")):
        case = load_case(root / "default.yaml", [overlay])
        assert case.system.name == base, overlay
    for other in sorted(root.glob("*.yaml")):
        assert load_case(other).system.thermal, other
