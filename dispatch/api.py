"""Python API for notebooks, scripts and teaching — the same path `npsim run` takes.

    from dispatch import api

    case = api.load()                                        # the default system
    cheaper = api.change(case, {"carbon_price_per_t": 200,   # an overlay, as a dict
                                "interchange": [{"name": "uhvdc_export", "profile_mw": 3500}]})
    run = api.run(cheaper, hours=48, start="2025-04-01")
    run.summary["curtailment_mwh"]                           # KPIs (the keys of summary.json)
    run.hourly["price"]                                      # {column: (T,) array}
    run.units["capacity_factor"]                             # per thermal unit, (G,)
    run.schedule.p_mw                                        # (T, G) MW
    run.plot("week.png")                                     # dispatch stack
    run.save("out/carbon200")                                # the output folder of `npsim run`

Every number comes from the schedule and the system, recomputed by the independent checker.
"""
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dispatch.case import Case, case_from_document, load_case
from dispatch.check import Costs, check
from dispatch.compile import SystemArrays, compile_window
from dispatch.policy import dr_run_budgets
from dispatch.results import Schedule
from dispatch.simulate import engine_options, simulate
from grid import __version__
from grid.config import merge, validate
from grid.errors import InputError


@dataclass
class Run:
    """A finished simulation: inputs, schedule, recomputed costs, checker result and KPIs."""
    case: Case
    arrays: SystemArrays     # the system over the simulated hours
    schedule: Schedule
    costs: Costs
    violations: list
    summary: dict

    @property
    def hourly(self) -> dict:
        """System-level hourly table {column: (T,) array} (load, output, curtailment, price, ...)."""
        from dispatch.report import hourly_system
        return hourly_system(self.arrays, self.schedule)

    @property
    def units(self) -> dict:
        """Per thermal unit table {column: (G,) array or list}."""
        from dispatch.report import unit_table
        return unit_table(self.arrays, self.schedule, self.costs)

    def plot(self, path, start_hour: int | None = None, hours: int = 168):
        """Dispatch stack PNG of `hours` hours from data hour `start_hour` (default: the first)."""
        from dispatch.plots import dispatch_stack
        first = self.schedule.first_hour if start_hour is None else start_hour
        dispatch_stack(path, self.arrays, self.schedule, first - self.schedule.first_hour, hours,
                       f"{self.summary['case']}: dispatch", self.case.system.start.isoformat())
        return Path(path)

    def save(self, out) -> Path:
        """Write the output folder (atomically) — the same files as `npsim run --out`."""
        from dispatch.outputs import write_run
        write_run(Path(out), self)
        return Path(out)


def load(path=None, overlays=(), seed: int = 0) -> Case:
    """A case from a YAML file (default: the packaged default system), with overlay files and a seed offset
    for synthetic profiles."""
    return load_case(path, overlays, seed=seed)


def change(case: Case, changes: dict) -> Case:
    """A new case with `changes` merged on (the overlay rules of `--overlay`: mappings merge, named
    lists merge by name, `remove: true` deletes). Validated like a file."""
    source = case.system.source
    doc = validate(merge(case.system.document, changes), f"{source} (changed)")
    changed = case_from_document(doc, source)   # the document's seeds are already offset
    changed.seed = case.seed
    return changed


def resolve_start(system, start, field="start") -> int:
    """A first hour given as a 0-based hour index or an ISO date/datetime (None: time.first_hour)."""
    if start is None:
        return system.first_hour
    if isinstance(start, int) or (isinstance(start, str) and start.lstrip("-").isdigit()):
        h = int(start)
        if h < 0:
            raise InputError("command line" if field.startswith("--") else system.source, field, start,
                             "an hour index >= 0 or an ISO date/datetime")
        return h
    where = "command line" if field.startswith("--") else system.source
    try:
        when = start if isinstance(start, datetime) else datetime.fromisoformat(str(start))
    except ValueError:
        raise InputError(where, field, start, "an hour index >= 0 or an ISO date/datetime") from None
    if when.tzinfo is not None:
        raise InputError(where, field, start, "a local date/datetime without a time zone, like time.start")
    delta = (when - system.start).total_seconds() / 3600.0
    if delta < 0 or not float(delta).is_integer():
        raise InputError(where, field, start, f"a whole hour at or after the data start {system.start.isoformat()}")
    return int(delta)


def check_range(case: Case, first: int, hours: int, fields: str):
    """InputError naming `fields` when [first, first + hours) is not inside the profiles' data."""
    dh = case.data_hours
    if dh is not None and first + hours > dh:
        raise InputError(case.system.source, fields, f"hours {first}..{first + hours - 1}",
                         f"the profiles cover hours 0..{dh - 1} ({case.system.start.isoformat()} + {dh} h)")


def run_policy(case: Case, first: int, hours: int) -> dict | None:
    """The policy limits over hours [first, first + hours) (None when the case has none)."""
    from dispatch.policy import RunLimits, active
    return RunLimits(case, first, hours).run_policy() if active(case.system) else None


def run(case: Case, hours: int | None = None, start=None, engine: str | None = None, mip_gap: float | None = None,
        time_limit_s: float | None = None, threads: int | None = None, progress=None, extra: dict | None = None
        ) -> Run:
    """Simulate `hours` hours (default time.hours) from `start` (hour index or ISO date; default
    time.first_hour) with the case's engine options, overridden by the arguments given."""
    from dispatch.outputs import case_yaml_text
    from dispatch.report import summarize

    sysm = case.system
    first = resolve_start(sysm, start)
    hours = sysm.hours if hours is None else hours
    check_range(case, first, hours, "start/hours")
    opts = engine_options(sysm, name=engine, mip_gap=mip_gap, time_limit_s=time_limit_s, threads=threads)
    if case.seed:
        opts["highs"] = {"random_seed": case.seed}
    t0 = time.perf_counter()
    sched = simulate(case, first, hours, opts, progress=progress)
    wall = time.perf_counter() - t0
    a = compile_window(case, first, hours, policy=run_policy(case, first, hours),
                       dr_budgets=dr_run_budgets(case.system, hours))
    violations, costs = check(a, sched)
    text = case_yaml_text(case, first, hours)
    meta = {"engine": opts["name"], "mip_gap_target": opts["mip_gap"], "wall_time_s": wall, "seed": case.seed,
            "npsim_version": __version__, "config_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "annualized_capex": float(sum(sysm.annualized_capex.values())),
            "annualized_capex_by_element": sysm.annualized_capex}
    meta.update(extra or {})
    return Run(case, a, sched, costs, violations, summarize(a, sched, costs, violations, meta))
