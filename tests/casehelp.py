"""Helpers for the hand-computed MILP tests: write a small case, solve it, check it."""
import yaml

from dispatch.case import load_case
from dispatch.check import check
from dispatch.compile import compile_window
from dispatch.simulate import engine_options, simulate


def solve_checked(folder, doc: dict, hours: int):
    """Write `doc` as folder/case.yaml, simulate hours [0, hours) and assert the checker finds
    nothing; returns (arrays, schedule, costs)."""
    (folder / "case.yaml").write_text(yaml.safe_dump(doc))
    case = load_case(folder / "case.yaml")
    s = simulate(case, 0, hours, engine_options(case.system))
    a = compile_window(case, 0, hours)
    violations, costs = check(a, s)
    assert violations == []
    return a, s, costs


def linear_unit(name, p_min, p_max, cost_at_min, marginal, **kw):
    """A thermal unit with a linear cost: cost_at_min per hour at p_min, then `marginal` per MWh."""
    return {"name": name, "p_min_mw": p_min, "p_max_mw": p_max,
            "cost_curve": {"mw": [p_min, p_max], "cost_per_h": [cost_at_min, cost_at_min + marginal * (p_max - p_min)]},
            **kw}
