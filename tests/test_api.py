"""The Python API: change a case, run it, read results — and the README's example runs as written."""
import re
from pathlib import Path

import pytest

from dispatch import api
from grid.errors import InputError


def test_change_is_validated_and_leaves_the_original_alone():
    case = api.load()
    changed = api.change(case, {"carbon_price_per_t": 200, "thermal": [{"name": "coal600_1", "ramp_up_mw_per_h": 180}]})
    assert changed.system.carbon_price_per_t == 200
    assert next(g for g in changed.system.thermal if g.name == "coal600_1").ramp_up_mw_per_h == 180
    assert case.system.carbon_price_per_t == 80
    i = [g.name for g in case.system.thermal].index("coal600_1")
    with pytest.raises(InputError, match=rf"thermal\[{i}\]\.p_min_mw = -1"):
        api.change(case, {"thermal": [{"name": "coal600_1", "p_min_mw": -1}]})


def test_start_and_range_errors():
    case = api.load()
    assert api.resolve_start(case.system, "2025-04-01") == 2160
    assert api.resolve_start(case.system, 5) == 5
    with pytest.raises(InputError, match="cover hours 0..8759"):
        api.check_range(case, 8700, 100, "start/hours")


def test_readme_python_example_runs(tmp_path, monkeypatch):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    env = {}
    exec(compile(block, "README.md", "exec"), env)  # noqa: S102 - our own documentation
    run = env["run"]
    assert run.violations == []
    assert run.summary["hours"] == 24
    assert run.hourly["price"].shape == (24,)
    assert (tmp_path / "week.png").stat().st_size > 0
    assert (tmp_path / "out" / "carbon200" / "summary.json").exists()
