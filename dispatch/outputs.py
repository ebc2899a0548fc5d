"""The output folder of a run: written to a temporary folder and renamed into place.

Contents (all self-contained, so `npsim check OUTDIR` needs nothing else):
  summary.json            KPIs (dispatch.report.summarize)
  case.yaml, profiles.csv the resolved case and every series it uses, at full precision (and the
                          network file of a dc case, copied beside it)
  units.csv               per thermal unit: energy, CF, hours on, starts, cost, revenue, CO2
  system_hourly.csv       load, interchange, totals, slacks, reserves, price per hour
  units_*.csv             (T, G) tables: commit, p_mw, reserve_up_mw, reserve_down_mw, oil_assist,
                          must_run_short_mw (heating-season shortfall)
  renewables_mw.csv, curtailment_mw.csv   (T, R)
  node_price.csv, node_shed_mw.csv, node_overgen_mw.csv   with a network: (T, nodes) nodal/zonal prices,
                                          shed and over-generation by bus or zone
  flow_mw.csv, overload_mw.csv, lines.csv  dc network: (T, branches) flows and overloads; per branch
                                          rating, congested hours, max loading, overload MWh
  tie_flow_mw.csv                         zonal network: (T, ties)
  dr_down_mw.csv, dr_up_mw.csv, dr_called.csv, dr_reserve_mw.csv, dr_owed_mwh.csv
                                          demand response: (T, contracts)
  mg_pcc_mw.csv, mg_shed_mw.csv, mg_overgen_mw.csv   microgrids: (T, microgrids) PCC exchange, local slacks
  ev_charge_mw.csv, ev_energy_mwh.csv, ev_short_mwh.csv   EV fleets: (T, fleets)
  storage.csv, storage_*.csv              per station: cycles, energy, revenue; (T, N) charge_mw,
                                          discharge_mw, soc_mwh, reserve_up_mw, reserve_down_mw,
                                          pump_units, gen_units
  windows.csv             per optimisation window: status, gap, bound, times (fast engine: iterations, dual and polish times)
  dispatch_busiest_week.png, dispatch_most_curtailed_week.png   stack by technology + price (dispatch.plots)
  energy_by_technology.png  energy per technology over the run, curtailment hatched on renewables
  curtailment_heatmap.png   curtailed MWh by hour of day × day (runs of 14 days or more only)
With pyarrow installed (`npsim[parquet]`) the hourly tables are written as Parquet too.
"""
import csv
import json
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import yaml

from dispatch import plots, report
from dispatch.results import Schedule
from grid.errors import InputError
from profiles.io import read_table, write_csv

NETWORK_TABLES = {"node_price": "node_names", "node_shed_mw": "node_names", "node_overgen_mw": "node_names",
                  "flow_mw": "branch_names", "overload_mw": "branch_names", "tie_flow_mw": "tie_names",
                  "dr_down_mw": "dr_names", "dr_up_mw": "dr_names", "dr_called": "dr_names",
                  "dr_reserve_mw": "dr_names", "dr_owed_mwh": "dr_names", "mg_pcc_mw": "mg_names",
                  "mg_shed_mw": "mg_names", "mg_overgen_mw": "mg_names", "ev_charge_mw": "ev_names",
                  "ev_energy_mwh": "ev_names", "ev_short_mwh": "ev_names"}   # (T, n) tables when n > 0
UNIT_TABLES = ("commit", "p_mw", "reserve_up_mw", "reserve_down_mw", "oil_assist", "must_run_short_mw")


def case_yaml_text(case, first_hour: int, hours: int, profiles_file="profiles.csv") -> str:
    """The resolved case document as YAML, with every array profile read from `profiles_file`."""
    doc = json.loads(json.dumps(case.system.document))  # deep copy, plain types
    doc["time"]["first_hour"] = int(first_hour)
    doc["time"]["hours"] = int(hours)
    prof = {}
    for name in case.system.profiles:
        if name in case.profiles.scalars:
            prof[name] = case.profiles.scalars[name]
        else:
            prof[name] = {"file": profiles_file, "column": name}
    doc["profiles"] = prof
    if doc.get("network") and doc["network"].get("file"):
        doc["network"]["file"] = Path(doc["network"]["file"]).name    # copied beside case.yaml
    return "# npsim resolved case: every default filled in, series in " + profiles_file + "\n" + \
        yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def write_case_files(case, folder: Path, first_hour: int, hours: int, name="case.yaml") -> str:
    """Write case.yaml + profiles.csv into `folder`; returns the YAML text."""
    text = case_yaml_text(case, first_hour, hours)
    (folder / name).write_text(text, encoding="utf-8")
    net = case.system.document.get("network")
    if net and net.get("file"):
        shutil.copyfile(net["file"], folder / Path(net["file"]).name)
    n = case.profiles.hours
    if case.profiles.arrays:
        cols = {k: v[:n] for k, v in case.profiles.arrays.items()}
        times = [(case.system.start + timedelta(hours=h)).isoformat() for h in range(n)]
        write_csv(folder / "profiles.csv", cols, index_name="time", index=times)
    return text


def check_output_folder(out: Path, marker: str = "summary.json"):
    """InputError unless `out` may be (re)written: it does not exist, is an empty folder, or is
    an earlier output (holds `marker`). Never the working folder or one of its parents."""
    out = Path(out)
    here = Path.cwd().resolve()
    target = out.resolve()
    if target == here or target in here.parents:
        raise InputError("command line", "--out", str(out), "a folder below the working folder, not it or a parent")
    if out.exists():
        if not out.is_dir():
            raise InputError("command line", "--out", str(out), "a folder; a file of that name exists")
        if any(out.iterdir()) and not (out / marker).exists():
            raise InputError("command line", "--out", str(out),
                             f"a new or empty folder, or an earlier output (with {marker}); this one holds other files")
    parent = next((p for p in [out.parent, *out.parent.parents] if p.exists()), Path("."))
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise InputError("command line", "--out", str(out), f"a folder that can be created ({parent} is not writable)")


def atomic_folder(out: Path, marker: str = "summary.json"):
    """Context: yields a temporary folder beside `out`, renamed to `out` on success, removed on
    failure. An existing `out` is replaced only after the new one is complete, and only when
    `check_output_folder` allows it (an empty folder or an earlier output holding `marker`)."""
    class _Ctx:
        def __enter__(self):
            check_output_folder(out, marker)
            out.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
            return self.tmp

        def __exit__(self, exc_type, exc, tb):
            if exc_type is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
                return False
            old = None
            if out.exists():
                old = out.parent / f".{out.name}.old-{os.getpid()}"
                os.rename(out, old)
            os.rename(self.tmp, out)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            return False
    return _Ctx()


def write_run(out: Path, run) -> dict:
    """Write the whole output folder of an `api.Run` atomically; returns the summary mapping."""
    case, a, s, costs, violations, sm = run.case, run.arrays, run.schedule, run.costs, run.violations, run.summary
    with atomic_folder(out) as tmp:
        write_case_files(case, tmp, s.first_hour, s.T)
        times = [(case.system.start + timedelta(hours=s.first_hour + t)).isoformat() for t in range(s.T)]
        hourly = report.hourly_system(a, s)
        tables = {"system_hourly": hourly}
        for key in UNIT_TABLES:
            tables[f"units_{key}"] = {n: getattr(s, key)[:, i] for i, n in enumerate(s.thermal_names)}
        for key, labels in NETWORK_TABLES.items():
            names = getattr(s, labels)
            if names:
                tables[key] = {n: getattr(s, key)[:, i] for i, n in enumerate(names)}
        tables["renewables_mw"] = {n: s.renewable_mw[:, i] for i, n in enumerate(s.renewable_names)}
        tables["curtailment_mw"] = {n: s.curtail_mw[:, i] for i, n in enumerate(s.renewable_names)}
        if s.storage_names:
            for key in Schedule.STORAGE_FIELDS:
                tables[f"storage_{key.removeprefix('storage_')}"] = {
                    n: getattr(s, key)[:, i] for i, n in enumerate(s.storage_names)}
            st = report.storage_table(a, s)
            write_csv(tmp / "storage.csv", {k: np.asarray(v) for k, v in st.items() if k != "name"},
                      index_name="name", index=st["name"])
        for name, cols in tables.items():
            write_csv(tmp / f"{name}.csv", cols, index_name="time", index=times)
        _maybe_parquet(tmp, tables, times)
        ut = report.unit_table(a, s, costs)
        write_csv(tmp / "units.csv", {k: np.asarray(v) for k, v in ut.items() if k != "name"},
                  index_name="name", index=ut["name"])
        _write_windows(tmp / "windows.csv", s.windows)
        if s.branch_names:
            lt = report.line_table(a, s)
            write_csv(tmp / "lines.csv", {k: np.asarray(v) for k, v in lt.items() if k != "name"},
                      index_name="name", index=lt["name"])
        (tmp / "violations.txt").write_text("".join(f"{v.rule}\thour {v.hour}\t{v.element}\t{v.message}\n"
                                                    for v in violations), encoding="utf-8")
        busiest = plots.week_windows(a.load_mw + a.export_mw)
        curtailed = plots.week_windows(s.curtail_mw.sum(axis=1))
        start0 = case.system.start.isoformat()
        plots.dispatch_stack(tmp / "dispatch_busiest_week.png", a, s, busiest, 168,
                             f"{sm['case']}: dispatch in the week of highest demand", start0)
        plots.dispatch_stack(tmp / "dispatch_most_curtailed_week.png", a, s, curtailed, 168,
                             f"{sm['case']}: dispatch in the week of most curtailment", start0)
        plots.energy_bar(tmp / "energy_by_technology.png", a, s, start0)
        if s.T >= 14 * 24:
            plots.curtailment_heatmap(tmp / "curtailment_heatmap.png", a, s, start0)
        (tmp / "summary.json").write_text(json.dumps(sm, indent=2) + "\n", encoding="utf-8")
    return sm


def _maybe_parquet(folder, tables, times):
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return
    for name, cols in tables.items():
        data = {"time": times, **{k: np.asarray(v, float) for k, v in cols.items()}}
        pq.write_table(pa.table(data), folder / f"{name}.parquet")


def _write_windows(path, windows):
    keys = ["first_hour", "hours", "status", "objective", "bound", "gap", "build_s", "solve_s", "price_s",
            "n_cols", "n_rows", "lazy_rounds_used", "lines_monitored", "iterations", "dual_s", "polish_s", "polished",
            "time_s"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(keys)
        for win in windows:
            w.writerow([win.get(k, "") for k in keys])


def _network_tables(a, table) -> dict:
    """The network and demand-response fields of a Schedule read back from their tables."""
    net = a.network
    labels = {"node_names": list(net.node_names) if net else [], "branch_names": list(net.branch_names) if net else [],
              "tie_names": list(net.tie_names) if net else [], "dr_names": list(a.demand.names),
              "mg_names": list(a.microgrids.names), "ev_names": list(a.ev.names)}
    out = {k: v for k, v in labels.items() if v}
    for key, lab in NETWORK_TABLES.items():
        if labels[lab]:
            out[key] = table(key, labels[lab])
    if "dr_called" in out:
        out["dr_called"] = np.rint(out["dr_called"]).astype(np.int8)
    return out


def read_schedule(out: Path, summary: dict, a) -> Schedule:
    """Rebuild the Schedule of a finished run from its CSV tables (for `npsim check`).
    `a` (SystemArrays of the run) names the elements; its initial status gives start/stop flags."""
    thermal_names, renewable_names, initial_on = a.thermal_names, a.renewable_names, a.initial.on
    def table(name, names):
        t = read_table(out / f"{name}.csv")
        missing = [n for n in names if n not in t]
        if missing:
            raise InputError(out / f"{name}.csv", f"column {missing[0]!r}", None, "missing", show_value=False)
        T = summary["hours"]
        return np.column_stack([t[n] for n in names]) if names else np.zeros((T, 0))

    sysh = read_table(out / "system_hourly.csv")
    commit = table("units_commit", thermal_names)      # as written: the checker flags anything but 0/1
    on = (commit >= 0.5).astype(np.int8)
    prev = np.vstack([np.asarray(initial_on, np.int8)[None, :], on[:-1]])
    s = Schedule(
        first_hour=summary["first_hour"], thermal_names=list(thermal_names), renewable_names=list(renewable_names),
        commit=commit, startup=(on * (1 - prev)).astype(np.int8), shutdown=((1 - on) * prev).astype(np.int8),
        p_mw=table("units_p_mw", thermal_names), reserve_up_mw=table("units_reserve_up_mw", thermal_names),
        reserve_down_mw=table("units_reserve_down_mw", thermal_names),
        renewable_mw=table("renewables_mw", renewable_names), curtail_mw=table("curtailment_mw", renewable_names),
        shed_mw=sysh["shed_mw"], overgen_mw=sysh["overgen_mw"], reserve_up_short_mw=sysh["reserve_up_short_mw"],
        reserve_down_short_mw=sysh["reserve_down_short_mw"], price=sysh["price"],
        oil_assist=table("units_oil_assist", thermal_names), must_run_short_mw=table("units_must_run_short_mw", thermal_names),
        policy_slack=np.column_stack([sysh[c] for c in report.POLICY_SLACK_COLUMNS]),
        objective=summary["solver_objective"], lower_bound=np.nan, gap=np.nan,
        storage_names=list(a.storage.names),
        **{key: table(f"storage_{key.removeprefix('storage_')}", a.storage.names)
           for key in Schedule.STORAGE_FIELDS if a.storage.N},
        **_network_tables(a, table),
    )
    s.pump_units, s.gen_units = np.rint(s.pump_units).astype(np.int64), np.rint(s.gen_units).astype(np.int64)
    return s


def load_output(out: Path):
    """(case, summary, arrays over the run's hours with its policy limits, schedule) of a finished
    run's output folder; InputError when it is not one."""
    from dispatch.api import run_policy
    from dispatch.case import load_case
    from dispatch.policy import dr_run_budgets
    from dispatch.compile import compile_window

    out = Path(out)
    if not (out / "summary.json").is_file():
        raise InputError(out, "summary.json", None, "not found: give the output folder of `npsim run`",
                         show_value=False)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    case = load_case(out / "case.yaml")
    first, hours = summary["first_hour"], summary["hours"]
    a = compile_window(case, first, hours, policy=run_policy(case, first, hours),
                       dr_budgets=dr_run_budgets(case.system, hours))
    return case, summary, a, read_schedule(out, summary, a)
