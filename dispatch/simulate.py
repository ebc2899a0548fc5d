"""Rolling-horizon simulation: windows of decided + look-ahead hours with exact state hand-off.

Each window optimises `decided_h + lookahead_h` hours (the look-ahead shrinks at the end of the
data), keeps the first `decided_h`, and hands the unit state at the end of the decided hours
(status, hours in that status, output) to the next window. Policy limits over the run are spread
over the windows by dispatch/policy.py; with a lazy dc network, the branch limits found binding in
one window start in the next window's model.
"""
import time

import numpy as np

from dispatch import policy
from dispatch.compile import compile_window, initial_state_for
from dispatch.policy import RunLimits
from dispatch.results import Schedule
from dispatch.uc import solve_window
from grid.errors import InputError


def engine_options(system, **overrides) -> dict:
    """Engine options from the case's `engine` section, with CLI overrides (None = keep)."""
    opts = dict(system.engine)
    opts.update({k: v for k, v in overrides.items() if v is not None})
    return opts


def windows(first_hour: int, hours: int, decided_h: int, lookahead_h: int, data_hours: int | None):
    """[(start, decided, optimised)] hour triples covering [first_hour, first_hour + hours)."""
    out = []
    end = first_hour + hours
    for start in range(first_hour, end, decided_h):
        n_dec = min(decided_h, end - start)
        n_opt = n_dec + lookahead_h
        if data_hours is not None:
            n_opt = min(n_opt, data_hours - start)
        out.append((start, n_dec, n_opt))
    return out


def simulate(case, first_hour: int, hours: int, opts: dict, progress=None) -> Schedule:
    """Run the case over hours [first_hour, first_hour + hours) of its data.

    opts: engine options (see `engine_options`). `progress(done, total, elapsed_s)` is called after
    each window. Raises InputError for a range outside the data, uc.SolveError for a window
    without a feasible solution.
    """
    sysm = case.system
    engine = opts.get("name", "milp")
    if engine not in ("milp", "fast"):
        raise InputError(sysm.source, "engine.name", engine, "one of milp, fast")
    dh = case.data_hours
    if first_hour < 0 or hours < 1 or (dh is not None and first_hour + hours > dh):
        raise InputError(sysm.source, "hours", f"{first_hour}..{first_hour + hours - 1}",
                         f"the profiles cover hours 0..{dh - 1} ({dh} h) from {sysm.start.isoformat()}")
    plan = windows(first_hour, hours, sysm.decided_h, sysm.lookahead_h, dh)
    solve = solve_window
    if engine == "fast":
        from dispatch.fast import solve_window_fast, unsupported
        for fld, what in unsupported(compile_window(case, first_hour, plan[0][2]), sysm):
            raise InputError(sysm.source, fld, "present", f"the fast engine does not model {what} yet: "
                             f"remove it or run --engine milp")
        solve = solve_window_fast
    state = initial_state_for(sysm, case.profiles, first_hour)
    limits = RunLimits(case, first_hour, hours) if policy.active(sysm) else None
    parts = []
    monitored = None     # lazy dc networks: branches found binding so far start in the next model
    budgets = policy.dr_run_budgets(sysm, hours)   # interruptible calls/hours left in the run
    t0 = time.perf_counter()
    for i, (start, n_dec, n_opt) in enumerate(plan):
        arrays = compile_window(case, start, n_opt, state, limits.window(start, n_opt, n_dec) if limits else None,
                                monitored, budgets, run_end=first_hour + hours)
        part = solve(arrays, opts).take(n_dec)
        part.windows[-1]["decided_h"] = n_dec
        monitored = part.windows[-1].get("monitored")
        if limits:
            limits.record(case, part, state)
        if budgets:
            used = policy.dr_used(part, state)
            budgets = {k: np.maximum(budgets[k] - used[k], 0.0) for k in budgets}
        state = part.end_state(state)
        parts.append(part)
        if progress:
            progress(i + 1, len(plan), time.perf_counter() - t0)
    return Schedule.concat(parts)
