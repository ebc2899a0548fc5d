"""Fast engine vs MILP: pglib-uc days, the default system's week and year, numba compile time.

    python benchmarks/fast.py                                   # all parts (the MILP year only with --year-milp)
    python benchmarks/fast.py --out /tmp/fast_bench.md          # also write the tables to a file
    python benchmarks/fast.py --instances rts_gmlc/2020-06-09 --skip-default --skip-year --time-limit 30
    python benchmarks/fast.py --skip-pglib --skip-year --hours 48 --time-limit 30
    python benchmarks/fast.py --skip-pglib --skip-default --year-milp   # fast and MILP year (hours)
    python benchmarks/fast.py --skip-pglib --skip-default --skip-jit --year-parallel 2   # + 2 years at once
    python benchmarks/fast.py --skip-pglib --skip-default --skip-jit --year-parallel 2 --year-repeat 3

Every engine run is a fresh subprocess of this script (`--worker`), so a crash stays one row and
the peak memory (VmHWM of /proc/self/status: interpreter, numpy, HiGHS, numba and the run) belongs
to that run alone. A fast worker first solves a 6 h window of the same case
(`warm-up`: numba loads, or compiles, its kernels), so the fast timings exclude compilation; part 3
measures compilation itself. Objectives and violations come from the independent checker
(`dispatch.check.check`), never from the engine. Below parts 1 and 2: the sha1 of the engine's
sources (dispatch/fast.py, dispatch/kernels.py, storage/kernels.py) each fast worker read, with a
warning when the engine was edited while the benchmark ran.

Part 1, pglib-uc (the rts_gmlc days of benchmarks/pglib.py; `--instances` for others): each JSON is
converted (`dispatch.convert.pglib.convert_pglib`) into a temporary folder and solved as one 48 h
window by `dispatch.fast.solve_window_fast` and by the MILP `dispatch.uc.solve_window` (mip_gap
--mip-gap 1e-3, --time-limit 120 s, pricing LP off: the settings of benchmarks/pglib.py). Columns:
  fast (s)         solve_window_fast wall time (after the warm-up)
  fast objective   checker objective of the fast schedule;  fast bound: its Lagrangian lower bound
  fast gap         (fast objective − fast bound) / fast objective
  MILP objective, MILP bound, MILP gap: checker objective, HiGHS dual bound, final MIP gap
  MILP (s)         model build + HiGHS solve
  fast − MILP      (fast objective − MILP objective) / MILP objective
  fast − bound     (fast objective − max(fast bound, MILP bound)) / fast objective: the fast
                   schedule's proven distance from the optimum
  speed-up         MILP (s) / fast (s)
  viol. / shed     checker violations fast / MILP; shed MWh fast / MILP
The last row gives means (speed-up: geometric mean, total times: sums).

Part 2, the default system (configs/default.yaml) without its network and microgrid: the fast
engine refuses both, so an overlay written at run time sets `network: {model: copper_plate}` and
removes every microgrid by name (`microgrids: [{name: park, remove: true}]`; an empty list
`microgrids: []` does NOT remove it — lists of named mappings merge by name, grid/config.py
`merge`, so an empty overlay list changes nothing). Runs: the default week (time.first_hour,
time.hours; --hours to shorten) with the fast engine and with the MILP at the case's engine options
(24 h + 12 h windows, 1 % gap, 120 s or --time-limit, pricing LP on), the same windows; the year
(8760 h from hour 0) with the fast engine (and the MILP with --year-milp: hours); with
--year-parallel N, N fast years at once, one process each (a batch user's throughput: year-runs
per hour from the time all N processes took, start to exit); with --year-repeat K each of those
processes runs K years back to back (a batch worker that stays up: process start, imports and
kernel loading once, not per year), and the note also gives each year's time in the process
(simulate + the checker) and the rate N workers sustain at that time per year. Columns:
  windows          rolling-horizon windows solved
  wall (s)         dispatch.simulate.simulate wall time (compile windows + solve + hand-off)
  engine (s)       Σ over windows of the engine's time (fast: time_s; MILP: build + solve + pricing)
  warm-up (s)      the fast worker's first 6 h window (kernel loading / compilation), not in wall;
                   the note names kernels compiled after it, inside the timed run (new argument types)
  objective        checker objective over the run;  vs MILP: relative to the MILP run of the same hours
  max / mean gap   window gaps (fast: to its Lagrangian bound; MILP: final MIP gap)
  peak RSS (MB)    the worker's peak resident memory (VmHWM; ru_maxrss is inherited from the parent
                   across fork + exec on Linux, so it would report at least this script's own RSS)
  violations / shed MWh   checker violations and load shed over the run
  note             speed-up (MILP wall / fast wall), the three largest window gaps (h = first hour
                   of the window), the first hours with load shed, MILP statuses

Part 3, numba compilation: a fresh `python -c` in a temporary working directory (so `dispatch` is
imported from the installed package, not from this repo path) imports dispatch.fast and calls
solve_window_fast twice on a 6 h window of the part 2 system (every kernel: thermal, repair,
dispatch, storage). Runs: NUMBA_CACHE_DIR = a new empty folder (cold: the first call compiles),
the same folder again (warm: the first call loads the cached kernels), then twice with numba's
default cache location (beside the installed sources; `grid/jit.py` moves it to ~/.cache when
that is read-only) — the second start loads from the cache. numba has no switch that turns
`cache=True` off; an empty NUMBA_CACHE_DIR is the clean cold start. Columns: import (s), first
call (s), second call (s) (= run time without compilation), compile ≈ first − second, cache
loads / saves (NUMBA_DEBUG_CACHE "data loaded" / "data saved" lines), cache files (*.nbi + *.nbc).

The data folder is ../shared/data beside the repo, or $NPSIM_SHARED_DATA, or --data.
"""
import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_INSTANCES = [f"rts_gmlc/{d}" for d in (
    "2020-01-27", "2020-02-09", "2020-03-05", "2020-04-03", "2020-05-05", "2020-06-09",
    "2020-07-06", "2020-08-12", "2020-09-20", "2020-10-27", "2020-11-25", "2020-12-23")]
DEFAULT_CASE = REPO / "configs" / "default.yaml"
WARMUP_H = 6          # hours of the warm-up / compile-time window
RESULT = "@@RESULT "  # prefix of the worker's JSON line on stdout
ENGINE_SOURCES = [REPO / p for p in ("dispatch/fast.py", "dispatch/kernels.py", "storage/kernels.py")]


def default_data() -> Path:
    env = os.environ.get("NPSIM_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def resolve_instance(name: str, data: Path) -> Path:
    p = Path(name)
    if p.suffix != ".json":
        p = p.with_suffix(".json")
    return p if p.is_file() else data / "pglib-uc" / p


# ---------------------------------------------------------------- worker (one engine run)

def _violation_lines(violations, n=5):
    return [f"{v.rule} h{v.hour} {v.element}: {v.message}" for v in violations[:n]]


def _n_signatures() -> int:
    """Compiled (or cache-loaded) signatures of the fast engine's numba kernels so far: a rise
    after the warm-up means kernels compiled inside the timed run (new argument types)."""
    import importlib
    from numba.core.registry import CPUDispatcher
    n = 0
    for name in ("dispatch.kernels", "storage.kernels"):
        mod = sys.modules.get(name) or importlib.import_module(name)
        n += sum(len(v.signatures) for v in vars(mod).values() if isinstance(v, CPUDispatcher))
    return n


def _warm_up(case, first, opts) -> float:
    """Solve a short window with the fast engine so numba has loaded / compiled its kernels."""
    from dispatch.compile import compile_window
    from dispatch.fast import solve_window_fast
    t = time.perf_counter()
    solve_window_fast(compile_window(case, first, min(WARMUP_H, case.system.hours)), opts)
    return time.perf_counter() - t


def _work_window(spec: dict, res: dict):
    """One window of a case (pglib: the whole 48 h) with one engine."""
    import numpy as np
    from dispatch.case import load_case
    from dispatch.check import check
    from dispatch.compile import compile_window
    from dispatch.simulate import engine_options
    case = load_case(spec["case"], spec.get("overlays", ()))
    T = case.system.hours
    a = compile_window(case, 0, T)
    res["units"] = f"{a.G}+{a.R}"
    opts = engine_options(case.system, **spec["opts"])
    if opts["name"] == "fast":
        from dispatch.fast import solve_window_fast as solve
        res["warmup_s"] = _warm_up(case, 0, opts)
    else:
        from dispatch.uc import solve_window as solve
    n0 = _n_signatures() if opts["name"] == "fast" else 0
    t = time.perf_counter()
    s = solve(a, opts)
    res["wall_s"] = time.perf_counter() - t
    if opts["name"] == "fast":
        res["new_signatures"] = _n_signatures() - n0
    info = s.windows[0]
    violations, costs = check(a, s)
    res.update(status=info.get("status"), objective=costs.objective, engine_objective=float(s.objective),
               bound=float(info.get("bound", np.nan)), gap=float(info.get("gap", np.nan)),
               violations=len(violations), violation_lines=_violation_lines(violations),
               shed=float(np.sum(s.shed_mw)))
    if opts["name"] == "fast":
        res.update(time_s=info["time_s"], iterations=info.get("iterations"))
    else:
        res.update(time_s=info["build_s"] + info["solve_s"] + info.get("price_s", 0.0),
                   build_s=info["build_s"], solve_s=info["solve_s"])


def _work_sim(spec: dict, res: dict):
    """A rolling-horizon run (dispatch.simulate) and the checker over all its hours."""
    import numpy as np
    from dispatch.api import run_policy
    from dispatch.case import load_case
    from dispatch.check import check
    from dispatch.compile import compile_window
    from dispatch.policy import dr_run_budgets
    from dispatch.simulate import engine_options, simulate
    case = load_case(spec["case"], spec.get("overlays", ()))
    sysm = case.system
    first = sysm.first_hour if spec.get("first") is None else spec["first"]
    hours = sysm.hours if spec.get("hours") is None else spec["hours"]
    opts = engine_options(sysm, **spec["opts"])
    if opts["name"] == "fast":
        res["warmup_s"] = _warm_up(case, first, opts)
    label = spec.get("label", "")
    step = max(1, spec.get("progress_every", 0))

    def progress(done, total, elapsed):
        if done % step == 0 or done == total:
            print(f"    [{time.strftime('%H:%M:%S')}] {label}: window {done}/{total}, {elapsed:.0f} s",
                  file=sys.stderr, flush=True)

    n0 = _n_signatures() if opts["name"] == "fast" else 0
    res["repeat_s"] = []
    for _ in range(max(1, spec.get("repeat", 1))):       # K runs back to back: a batch worker
        t = time.perf_counter()
        s = simulate(case, first, hours, opts, progress=progress if spec.get("progress_every") else None)
        res["wall_s"] = time.perf_counter() - t
        a = compile_window(case, first, hours, policy=run_policy(case, first, hours),
                           dr_budgets=dr_run_budgets(sysm, hours))
        violations, costs = check(a, s)
        res["repeat_s"].append(time.perf_counter() - t)
    if opts["name"] == "fast":
        res["new_signatures"] = _n_signatures() - n0
    ws = s.windows
    gaps = np.array([w.get("gap", np.nan) for w in ws], float)
    if opts["name"] == "fast":
        engine_s = sum(w["time_s"] for w in ws)
    else:
        engine_s = sum(w["build_s"] + w["solve_s"] + w.get("price_s", 0.0) for w in ws)
    res.update(first=first, hours=hours, windows=len(ws), engine_s=engine_s, objective=costs.objective,
               engine_objective=float(s.objective), max_gap=float(np.nanmax(gaps)),
               mean_gap=float(np.nanmean(gaps)), violations=len(violations),
               violation_lines=_violation_lines(violations), shed=float(np.sum(s.shed_mw)),
               statuses=sorted({str(w.get("status")) for w in ws}))
    worst = np.argsort(-np.nan_to_num(gaps, nan=-1.0))[:3]
    res["worst"] = [f"h{ws[i]['first_hour']} {100 * gaps[i]:.1f} %" for i in worst if np.isfinite(gaps[i])]
    shed_h = np.flatnonzero(np.asarray(s.shed_mw) > 1e-6)
    if shed_h.size:
        res["shed_hours"] = [int(first + h) for h in shed_h[:10]]


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB: VmHWM of /proc/self/status. (ru_maxrss is not
    used: Linux carries it across fork + exec, so a worker would report at least the RSS its
    parent had when it was started.)"""
    try:
        for ln in Path("/proc/self/status").read_text().splitlines():
            if ln.startswith("VmHWM:"):
                return int(ln.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def source_hash() -> str:
    """Short sha1 of the fast engine's sources as this process reads them (rows of one benchmark
    can differ when the engine is edited while it runs)."""
    import hashlib
    h = hashlib.sha1()
    for p in ENGINE_SOURCES:
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()[:8]


def worker(spec: dict) -> int:
    import traceback
    res = {"src": source_hash()}
    try:
        {"window": _work_window, "sim": _work_sim}[spec["kind"]](spec, res)
    except Exception:  # noqa: BLE001 — a failed run is a row of the table
        res["error"] = traceback.format_exc()
    res["maxrss_mb"] = peak_rss_mb()
    print(RESULT + json.dumps(res), flush=True)
    return 0


def run_workers(specs: list) -> list:
    """Run engine runs in fresh subprocesses, all started at once (one each); their stderr
    (progress) passes through. Returns each run's result dict, with process_s its process's
    wall time (start to exit)."""
    t = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
                              stdout=subprocess.PIPE, text=True, cwd=str(REPO)) for spec in specs]
    out = []
    for p in procs:
        stdout, _ = p.communicate()
        lines = [ln for ln in stdout.splitlines() if ln.startswith(RESULT)]
        if lines:
            res = json.loads(lines[-1][len(RESULT):])
        else:
            res = {"error": f"worker exited with code {p.returncode} and no result; stdout tail:\n"
                            + "\n".join(stdout.splitlines()[-20:])}
        res["process_s"] = time.perf_counter() - t
        if "error" in res:
            print(f"    ERROR: {res['error']}", file=sys.stderr, flush=True)
        out.append(res)
    return out


def run_worker(spec: dict) -> dict:
    """Run one engine run in a fresh subprocess (`run_workers`)."""
    return run_workers([spec])[0]


# ---------------------------------------------------------------- part 3: compile time

JIT_CODE = r"""
import json, sys, time
t0 = time.perf_counter()
import numba
from dispatch.case import load_case
from dispatch.compile import compile_window
from dispatch.fast import solve_window_fast
from dispatch.simulate import engine_options
t1 = time.perf_counter()
case = load_case(sys.argv[1], sys.argv[2:])
a = compile_window(case, case.system.first_hour, int(%d))
opts = engine_options(case.system, name="fast")
t2 = time.perf_counter()
solve_window_fast(a, opts)
t3 = time.perf_counter()
solve_window_fast(a, opts)
t4 = time.perf_counter()
import dispatch
print("%s" + json.dumps({"import_s": t1 - t0, "first_s": t3 - t2, "second_s": t4 - t3,
                           "cache_dir": numba.config.CACHE_DIR, "dispatch_file": dispatch.__file__}), flush=True)
""" % (WARMUP_H, RESULT)


def _cache_files(folder) -> int:
    if not folder or not Path(folder).is_dir():
        return 0
    return sum(1 for p in Path(folder).rglob("*") if p.suffix in (".nbi", ".nbc"))


def _installed_cache_files() -> int:
    """*.nbi/*.nbc of the fast-engine kernels beside the installed sources (numba's default)."""
    try:
        import importlib.util
        n = 0
        for mod in ("dispatch.kernels", "storage.kernels"):
            spec = importlib.util.find_spec(mod)
            if spec and spec.origin:
                pyc = Path(spec.origin).parent / "__pycache__"
                stem = Path(spec.origin).stem
                n += sum(1 for p in pyc.glob(f"{stem}.*") if p.suffix in (".nbi", ".nbc"))
        return n
    except Exception:  # noqa: BLE001
        return -1


def run_jit(label: str, cache_dir, case: Path, overlays, tmp: Path) -> dict:
    stamps = source_stamps()
    env = dict(os.environ, NUMBA_DEBUG_CACHE="1")
    env.pop("PYTHONPATH", None)
    if cache_dir is None:
        env.pop("NUMBA_CACHE_DIR", None)
    else:
        env["NUMBA_CACHE_DIR"] = str(cache_dir)
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", JIT_CODE, str(case), *map(str, overlays)], cwd=str(tmp), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    out = p.stdout + p.stderr
    row = {"run": label, "cache": "default (beside the sources)" if cache_dir is None else f"new folder …/{Path(cache_dir).name}",
           "process_s": wall, "loads": out.count("data loaded from"), "saves": out.count("data saved to")}
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith(RESULT)]
    if lines:
        row.update(json.loads(lines[-1][len(RESULT):]))
    else:
        row["error"] = f"exit code {p.returncode}:\n" + "\n".join(p.stderr.splitlines()[-25:])
        print(f"    ERROR: {row['error']}", file=sys.stderr, flush=True)
    row["files"] = _cache_files(cache_dir) if cache_dir is not None else _installed_cache_files()
    if source_stamps() != stamps:
        row["changed"] = True
    return row


# ---------------------------------------------------------------- tables

def _f(x, fmt, none="—"):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return none
    return format(x, fmt)


def _pct(x, digits=3, sign="+"):
    return "—" if x is None or not math.isfinite(x) else f"{100 * x:{sign}.{digits}f} %"


def _rel(a, b):
    """(a − b) / |b|, None when either is missing."""
    if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return None
    return (a - b) / abs(b)


def _err(r) -> str:
    e = r.get("error")
    if not e:
        return ""
    last = [ln for ln in e.strip().splitlines() if ln.strip()]
    return (last[-1] if last else e).replace("|", "/")[:160]


def pglib_table(rows) -> str:
    head = ("| instance | units | fast (s) | fast objective | fast bound | fast gap | MILP objective | MILP bound | "
            "MILP gap | MILP (s) | fast − MILP | fast − bound | speed-up | viol. fast / MILP | shed MWh fast / MILP | "
            "note |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    rels, speed, tf, tm = [], [], 0.0, 0.0
    for r in rows:
        f, m = r.get("fast", {}), r.get("milp", {})
        if "status" in r:
            lines.append(f"| {r['instance']} | | | | | | | | | | | | | | | {r['status']} |")
            continue
        fo, mo = f.get("objective"), m.get("objective")
        best_bound = max([b for b in (f.get("bound"), m.get("bound")) if b is not None and math.isfinite(b)],
                         default=None)
        rel = _rel(fo, mo)
        to_bound = None if fo is None or best_bound is None else (fo - best_bound) / abs(fo)
        sp = m["time_s"] / f["wall_s"] if "wall_s" in f and "time_s" in m and f["wall_s"] > 0 else None
        if rel is not None:
            rels.append(rel)
        if sp:
            speed.append(sp)
            tf += f["wall_s"]
            tm += m["time_s"]
        notes = []
        for name, x in (("fast", f), ("MILP", m)):
            if x.get("error"):
                notes.append(f"{name} failed: {_err(x)}")
            elif x.get("violations"):
                notes.append(f"{name}: " + "; ".join(x["violation_lines"][:2]).replace("|", "/"))
        if f.get("new_signatures"):
            notes.append(f"fast: {f['new_signatures']} kernel signatures compiled inside the timed run")
        if m.get("status") and m["status"] not in ("Optimal",):
            notes.append(f"MILP {m['status']}")
        lines.append(
            f"| {r['instance']} | {f.get('units') or m.get('units', '—')} | {_f(f.get('wall_s'), '.2f')} | "
            f"{_f(fo, ',.2f')} | {_f(f.get('bound'), ',.2f')} | {_pct(f.get('gap'), sign='')} | {_f(mo, ',.2f')} | "
            f"{_f(m.get('bound'), ',.2f')} | {_pct(m.get('gap'), sign='')} | {_f(m.get('time_s'), '.1f')} | {_pct(rel)} | "
            f"{_pct(to_bound)} | {_f(sp, '.1f')} | {_f(f.get('violations'), 'd')} / {_f(m.get('violations'), 'd')} | "
            f"{_f(f.get('shed'), 'g')} / {_f(m.get('shed'), 'g')} | {'; '.join(notes)} |")
    if speed:
        geo = math.exp(sum(map(math.log, speed)) / len(speed))
        lines.append(f"| **mean** ({len(speed)} days) | | {tf / len(speed):.2f} | | | | | | | {tm / len(speed):.1f} | "
                     f"{_pct(sum(rels) / len(rels))} | | {geo:.1f} (geo.) | | | sums: fast {tf:.1f} s, MILP {tm:.1f} s |")
    return "\n".join(lines) + "\n"


def default_table(rows) -> str:
    head = ("| run | engine | hours | windows | wall (s) | engine (s) | warm-up (s) | objective | vs MILP | "
            "max / mean gap | peak RSS (MB) | violations | shed MWh | note |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    milp = {r["run"]: r for r in rows if r["engine"] == "milp" and "objective" in r}
    for r in rows:
        ref = milp.get(r["run"]) if r["engine"] == "fast" else None
        rel = _rel(r.get("objective"), ref["objective"]) if ref else None
        note = []
        if r.get("error"):
            note.append(f"failed: {_err(r)}")
        if r.get("violations"):
            note.append("; ".join(r["violation_lines"][:3]).replace("|", "/"))
        if r.get("new_signatures"):
            note.append(f"{r['new_signatures']} kernel signatures compiled inside the timed run")
        if ref and r.get("wall_s"):
            note.append(f"speed-up {ref['wall_s'] / r['wall_s']:.1f}× (wall)")
        if r.get("batch"):
            n, wall, k = r["batch"]
            if k == 1:
                note.append(f"{n} runs at once, one process each, all done in {wall:.1f} s (process start, "
                            f"cache load and checker included): {3600 * n / wall:.0f} year-runs per hour")
            else:
                per = sum(r["repeat_s"]) / len(r["repeat_s"])
                note.append(f"{n} processes at once, {k} years each back to back, all done in {wall:.1f} s "
                            f"(process start, cache load and checker included): {3600 * n * k / wall:.0f} "
                            f"year-runs per hour; each year in this process {per:.1f} s with the checker "
                            f"({', '.join(f'{x:.1f}' for x in r['repeat_s'])}): {3600 * n / per:.0f} per hour "
                            f"for {n} workers that stay up")
        if r.get("worst") and len(r["worst"]) > 0 and r.get("windows", 0) > 1:
            note.append("largest window gaps " + ", ".join(r["worst"]))
        if r.get("shed_hours"):
            note.append("shed at hours " + ", ".join(map(str, r["shed_hours"])))
        if r["engine"] == "milp" and r.get("statuses"):
            note.append("status " + ", ".join(r["statuses"]))
        gaps = "—" if "max_gap" not in r else f"{100 * r['max_gap']:.2f} / {100 * r['mean_gap']:.2f} %"
        lines.append(
            f"| {r['run']} | {r['engine']} | {r.get('hours', '—')} | {r.get('windows', '—')} | "
            f"{_f(r.get('wall_s'), '.1f')} | {_f(r.get('engine_s'), '.1f')} | {_f(r.get('warmup_s'), '.2f')} | "
            f"{_f(r.get('objective'), ',.0f')} | {_pct(rel)} | {gaps} | {_f(r.get('maxrss_mb'), '.0f')} | "
            f"{_f(r.get('violations'), 'd')} | {_f(r.get('shed'), ',.1f')} | {'; '.join(note)} |")
    return "\n".join(lines) + "\n"


def jit_table(rows) -> str:
    head = ("| run | NUMBA_CACHE_DIR | process (s) | import (s) | first call (s) | second call (s) | compile ≈ (s) | "
            "cache loads / saves | cache files | note |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        comp = r["first_s"] - r["second_s"] if "first_s" in r else None
        lines.append(
            f"| {r['run']} | {r['cache']} | {r['process_s']:.1f} | {_f(r.get('import_s'), '.2f')} | "
            f"{_f(r.get('first_s'), '.2f')} | {_f(r.get('second_s'), '.3f')} | {_f(comp, '.2f')} | "
            f"{r['loads']} / {r['saves']} | {r['files']} | {('failed: ' + _err(r)) if r.get('error') else ''}"
            f"{'engine sources changed during this run' if r.get('changed') else ''} |")
    return "\n".join(lines) + "\n"


def source_stamps() -> dict:
    """mtime of the fast engine's sources (a change during the benchmark invalidates numba's cache)."""
    return {str(p.relative_to(REPO)): (p.stat().st_mtime if p.exists() else None) for p in ENGINE_SOURCES}


def machine() -> str:
    import importlib.metadata as md
    cpu = platform.processor() or platform.machine()
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.lower().startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        avail = len(os.sched_getaffinity(0))
    except AttributeError:
        avail = os.cpu_count()

    def ver(pkg):
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return "?"
    return (f"machine: {cpu}, {os.cpu_count()} logical cores ({avail} available), "
            f"{platform.system()} {platform.release()}; python {platform.python_version()}, "
            f"numba {ver('numba')}, highspy {ver('highspy')}, numpy {ver('numpy')}")


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--instances", nargs="+", metavar="NAME",
                    help="pglib-uc instances as GROUP/NAME under DATA/pglib-uc (or JSON paths); default: the 12 "
                         "rts_gmlc days of benchmarks/pglib.py")
    ap.add_argument("--skip-pglib", action="store_true", help="skip part 1 (pglib-uc days)")
    ap.add_argument("--skip-default", action="store_true", help="skip part 2a (the default week, fast and MILP)")
    ap.add_argument("--skip-year", action="store_true", help="skip part 2b (the year with the fast engine)")
    ap.add_argument("--skip-jit", action="store_true", help="skip part 3 (compile time)")
    ap.add_argument("--year-milp", action="store_true", help="also run the year with the MILP (takes hours)")
    ap.add_argument("--year-parallel", type=int, default=0, metavar="N",
                    help="also run N fast years at once, one process each (batch throughput)")
    ap.add_argument("--year-repeat", type=int, default=1, metavar="K",
                    help="with --year-parallel: each process runs K years back to back (a batch worker)")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="MILP time limit per window in s (pglib: 120 if not given; default system: the case's, 120)")
    ap.add_argument("--mip-gap", type=float, default=1e-3, help="pglib MILP relative gap target (0.001)")
    ap.add_argument("--hours", type=int, default=None, help="hours of the default-week run (default: time.hours, 168)")
    ap.add_argument("--year-hours", type=int, default=8760, help=argparse.SUPPRESS)   # shorter "year" for tests
    ap.add_argument("--out", metavar="FILE", help="also write the Markdown tables to FILE (rewritten after each run)")
    ap.add_argument("--data", metavar="DIR", help="shared data folder (default ../shared/data or $NPSIM_SHARED_DATA)")
    ap.add_argument("--work", metavar="DIR", help="folder for converted cases and the overlay (default: temporary)")
    ap.add_argument("--worker", metavar="JSON", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(json.loads(args.worker))

    t_start = time.perf_counter()
    stamps0 = source_stamps()
    data = Path(args.data) if args.data else default_data()
    tmp = None
    if args.work:
        work = Path(args.work)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="npsim-fastbench-")
        work = Path(tmp.name)
    pglib_tl = 120.0 if args.time_limit is None else args.time_limit
    mach = machine()
    pglib_rows, default_rows, jit_rows = [], [], []

    def versions(results) -> str:
        """'engine sources …' line: which fast runs used which version of the engine's sources."""
        by = {}
        for label, r in results:
            if r.get("src"):
                by.setdefault(r["src"], []).append(label)
        if not by:
            return ""
        if len(by) == 1:
            return f"fast engine sources sha1 {next(iter(by))} (dispatch/fast.py + dispatch/kernels.py + storage/kernels.py)\n"
        return ("WARNING: the engine's sources changed between runs — sha1 of dispatch/fast.py + dispatch/kernels.py + "
                "storage/kernels.py: " + "; ".join(f"{h}: {', '.join(v)}" for h, v in by.items()) + "\n")

    def document() -> str:
        parts = [mach, ""]
        if not args.skip_pglib:
            parts += [f"### 1. pglib-uc, one 48 h window: fast engine vs MILP (mip_gap {args.mip_gap:g}, "
                      f"time limit {pglib_tl:g} s, 1 thread, pricing LP off)", "", pglib_table(pglib_rows),
                      versions([(r["instance"], r["fast"]) for r in pglib_rows if "fast" in r])]
        if not (args.skip_default and args.skip_year):
            tl = "the case's" if args.time_limit is None else f"{args.time_limit:g} s"
            parts += ["### 2. default system, copper plate, no microgrid: rolling horizon (24 h + 12 h windows; "
                      f"MILP at the case's options: 1 % gap, time limit {tl}, pricing LP on)", "",
                      default_table(default_rows),
                      versions([(f"{r['run']} {r['engine']}", r) for r in default_rows if r["engine"] == "fast"])]
        if not args.skip_jit:
            parts += [f"### 3. numba compilation: solve_window_fast on a {WARMUP_H} h window, fresh process each "
                      "(installed package)", "", jit_table(jit_rows)]
            where = sorted({r["dispatch_file"] for r in jit_rows if r.get("dispatch_file")})
            if where:
                parts += [f"dispatch imported from {', '.join(where)}", ""]
        return "\n".join(parts)

    def save():
        if args.out:
            Path(args.out).write_text(document(), encoding="utf-8")

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    try:
        print(mach, file=sys.stderr, flush=True)
        # the default system's overlay (parts 2 and 3)
        overlay = None
        if not (args.skip_default and args.skip_year and args.skip_jit):
            from dispatch.case import load_case
            names = [m.name for m in load_case(DEFAULT_CASE).system.microgrids]
            overlay = work / "fast_default_overlay.yaml"
            mg = "[" + ", ".join(f"{{name: {json.dumps(n)}, remove: true}}" for n in names) + "]"
            overlay.write_text("# benchmarks/fast.py: the default system as the fast engine models it\n"
                               f"network: {{model: copper_plate}}\nmicrogrids: {mg}\n", encoding="utf-8")
            left = load_case(DEFAULT_CASE, [overlay]).system
            if left.microgrids or left.network is not None:
                raise SystemExit(f"the overlay {overlay} left microgrids {[m.name for m in left.microgrids]} / "
                                 f"network {left.network}")

        # part 3 first: a clean cold start before the other runs
        if not args.skip_jit:
            cold = work / "numba_cache_cold"
            cold.mkdir(exist_ok=True)
            for label, cdir in (("cold (empty cache)", cold), ("warm (same cache, 2nd process)", cold),
                                ("default location, 1st process", None), ("default location, 2nd process", None)):
                log(f"compile time: {label} ...")
                jit_rows.append(run_jit(label, cdir, DEFAULT_CASE, [overlay], work))
                save()

        if not args.skip_pglib:
            from dispatch.convert.pglib import convert_pglib
            for name in args.instances or DEFAULT_INSTANCES:
                src = resolve_instance(name, data)
                label = name[:-5] if name.endswith(".json") else name
                if not src.is_file():
                    pglib_rows.append({"instance": label, "status": f"missing: {src}"})
                    continue
                try:
                    case_path = convert_pglib(src, work / label.replace("/", "_"))
                except Exception as e:  # noqa: BLE001
                    pglib_rows.append({"instance": label, "status": f"conversion failed: {e}"})
                    continue
                row = {"instance": label}
                for eng, opts in (("fast", {"name": "fast"}),
                                  ("milp", {"name": "milp", "mip_gap": args.mip_gap, "time_limit_s": pglib_tl,
                                            "prices": False})):
                    log(f"{label}: {eng} ...")
                    row[eng] = run_worker({"kind": "window", "case": str(case_path), "opts": opts})
                pglib_rows.append(row)
                save()

        runs = []
        if not args.skip_default:
            runs += [("default week", None, args.hours, "fast"), ("default week", None, args.hours, "milp")]
        if not args.skip_year:
            runs += [("year", 0, args.year_hours, "fast")]
            if args.year_milp:
                runs += [("year", 0, args.year_hours, "milp")]
        for label, first, hours, eng in runs:
            opts = {"name": eng}
            if eng == "milp" and args.time_limit is not None:
                opts["time_limit_s"] = args.time_limit
            log(f"{label}: {eng} ...")
            r = run_worker({"kind": "sim", "case": str(DEFAULT_CASE), "overlays": [str(overlay)], "first": first,
                            "hours": hours, "opts": opts, "label": f"{label} {eng}",
                            "progress_every": 30 if label == "year" else 1})
            r.update(run=label, engine=eng)
            r.setdefault("hours", hours)
            default_rows.append(r)
            save()
        if not args.skip_year and args.year_parallel > 0:
            n, k = args.year_parallel, max(1, args.year_repeat)
            log(f"year: {n} fast runs at once, {k} each ...")
            spec = {"kind": "sim", "case": str(DEFAULT_CASE), "overlays": [str(overlay)], "first": 0,
                    "hours": args.year_hours, "opts": {"name": "fast"}, "label": "year (parallel)",
                    "progress_every": 365, "repeat": k}
            rows = run_workers([spec] * n)
            wall = max(r["process_s"] for r in rows)
            for r in rows:
                r.update(run=f"year, {n} at once" + (f", {k} each" if k > 1 else ""), engine="fast",
                         batch=(n, wall, k))
                r.setdefault("hours", args.year_hours)
            default_rows.extend(rows)
            save()
    finally:
        if tmp is not None:
            tmp.cleanup()
    total = time.perf_counter() - t_start
    text = document() + f"\ntotal benchmark time {total:.0f} s ({total / 60:.1f} min)\n"
    changed = [k for k, v in source_stamps().items() if stamps0.get(k) != v]
    if changed:
        text += f"WARNING: {', '.join(changed)} changed while the benchmark ran (numba recompiled; results mix versions)\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
