"""pglib-uc benchmark: convert, build and solve instances as one 48 h window; print a Markdown table.

    python benchmarks/pglib.py                                  # every rts_gmlc day + two ca days
    python benchmarks/pglib.py --instances rts_gmlc/2020-06-09 ca/2014-09-01_reserves_1 \
        --time-limit 120 --out benchmarks/pglib_results.md

Per instance: convert the JSON (`dispatch.convert.pglib`), load the case, compile the window and
solve it with the MILP engine (`dispatch.uc.solve_window`, mip_gap 1e-3 unless --mip-gap, pricing
LP off), then run the independent checker. Times to 1 % and 0.1 % gap come from ONE solve: a HiGHS
MIP-interrupt callback (`cbMipInterrupt`, called throughout branch and bound, heuristics included)
records the first solver time at which (primal − dual bound) / |primal| falls to 1 % and to 0.1 %.
The callback is attached by wrapping `dispatch.builder._new_highs`, so the solve is exactly the
engine's. Columns:
  units      thermal units + renewables
  build (s)  load case + compile window + build MILP (conversion is listed separately)
  to 1 % / to 0.1 % (s)   HiGHS run time at which the gap first reached that value ("—": never;
             the solve time when HiGHS finished before its first callback)
  gap        final relative MIP gap;  objective, bound: solver incumbent and dual bound
  check      checker violations / shed MWh (both must be 0)
  total (s)  build + solve
The data folder is ../shared/data beside the repo, or $NPSIM_SHARED_DATA, or --data.
"""
import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dispatch import builder  # noqa: E402
from dispatch.case import load_case  # noqa: E402
from dispatch.check import check  # noqa: E402
from dispatch.compile import compile_window  # noqa: E402
from dispatch.convert.pglib import convert_pglib  # noqa: E402
from dispatch.simulate import engine_options  # noqa: E402
from dispatch.uc import SolveError, solve_window  # noqa: E402

DEFAULT_INSTANCES = [f"rts_gmlc/{d}" for d in (
    "2020-01-27", "2020-02-09", "2020-03-05", "2020-04-03", "2020-05-05", "2020-06-09",
    "2020-07-06", "2020-08-12", "2020-09-20", "2020-10-27", "2020-11-25", "2020-12-23")] + [
    "ca/2014-09-01_reserves_1", "ca/2015-03-01_reserves_3"]

# Reference values quoted in the issue (incumbent, proven bound) for a last column.
REFERENCE = {
    "rts_gmlc/2020-06-09": (3722206.53, 3721893.14),
    "rts_gmlc/2020-07-06": (3729194.92, 3728822.29),
    "rts_gmlc/2020-08-12": (5061866.58, 5061606.11),
}


def default_data() -> Path:
    env = os.environ.get("NPSIM_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


class GapTracker:
    """Records the first HiGHS run time at which the relative gap reaches each target."""

    def __init__(self, targets=(1e-2, 1e-3)):
        self.targets = targets
        self.reset()

    def reset(self):
        self.first = {t: None for t in self.targets}

    def __call__(self, event):
        d = event.data_out
        primal, dual = d.mip_primal_bound, d.mip_dual_bound
        if not (math.isfinite(primal) and math.isfinite(dual)) or abs(primal) >= 1e50:
            return
        gap = (primal - dual) / max(abs(primal), 1e-9)
        for t in self.targets:
            if self.first[t] is None and gap <= t:
                self.first[t] = d.running_time


TRACKER = GapTracker()
_orig_new_highs = builder._new_highs


def _new_highs_with_tracker():
    h = _orig_new_highs()
    h.cbMipInterrupt.subscribe(TRACKER)
    return h


def resolve_instance(name: str, data: Path) -> Path:
    p = Path(name)
    if p.suffix != ".json":
        p = p.with_suffix(".json")
    return p if p.is_file() else data / "pglib-uc" / p


def run_one(name: str, src: Path, work: Path, time_limit: float, mip_gap: float) -> dict:
    row = {"instance": name}
    t0 = time.perf_counter()
    case_path = convert_pglib(src, work / name.replace("/", "_"))
    row["convert_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    case = load_case(case_path)
    T = case.system.hours
    a = compile_window(case, 0, T)
    load_s = time.perf_counter() - t1
    row["units"] = f"{a.G}+{a.R}"
    opts = engine_options(case.system, mip_gap=mip_gap, time_limit_s=time_limit, prices=False)
    TRACKER.reset()
    builder._new_highs = _new_highs_with_tracker
    try:
        s = solve_window(a, opts)
    except SolveError as e:
        row.update(status=f"no solution ({e})")
        return row
    finally:
        builder._new_highs = _orig_new_highs
    info = s.windows[0]
    for t in TRACKER.targets:  # solved before the callback ever ran (e.g. in presolve)
        if TRACKER.first[t] is None and info["gap"] <= t:
            TRACKER.first[t] = info["solve_s"]
    violations, costs = check(a, s)
    row.update(build_s=load_s + info["build_s"], solve_s=info["solve_s"], status=info["status"],
               to1=TRACKER.first[1e-2], to01=TRACKER.first[1e-3], gap=info["gap"],
               objective=info["objective"], recomputed=costs.objective, bound=info["bound"],
               violations=len(violations), shed=float(np.sum(s.shed_mw)),
               total_s=load_s + info["build_s"] + info["solve_s"])
    return row


def _f(x, fmt):
    return "—" if x is None else format(x, fmt)


def table(rows) -> str:
    head = ("| instance | units | build (s) | to 1 % (s) | to 0.1 % (s) | final gap | objective | bound | "
            "check (viol. / shed MWh) | total (s) | status | ref. incumbent / bound |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        if "objective" not in r:
            lines.append(f"| {r['instance']} | {r.get('units', '—')} | | | | | | | | | {r['status']} | |")
            continue
        ref = REFERENCE.get(r["instance"])
        ref_txt = f"{ref[0]:,.2f} / {ref[1]:,.2f}" if ref else ""
        lines.append(
            f"| {r['instance']} | {r['units']} | {r['build_s']:.2f} | {_f(r['to1'], '.1f')} | {_f(r['to01'], '.1f')} | "
            f"{100 * r['gap']:.3f} % | {r['objective']:,.2f} | {r['bound']:,.2f} | {r['violations']} / {r['shed']:g} | "
            f"{r['total_s']:.1f} | {r['status']} | {ref_txt} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--instances", nargs="+", metavar="NAME",
                    help="instances as GROUP/NAME under DATA/pglib-uc (or JSON paths); default: every rts_gmlc "
                         "day and two ca days")
    ap.add_argument("--time-limit", type=float, default=120.0, help="solver time limit per instance in s (120)")
    ap.add_argument("--mip-gap", type=float, default=1e-3, help="relative MIP gap target (0.001)")
    ap.add_argument("--out", metavar="FILE", help="also write the Markdown table to FILE (rewritten after each instance)")
    ap.add_argument("--data", metavar="DIR", help="shared data folder (default ../shared/data or $NPSIM_SHARED_DATA)")
    ap.add_argument("--work", metavar="DIR", help="folder for the converted cases (default: a temporary folder)")
    args = ap.parse_args(argv)
    data = Path(args.data) if args.data else default_data()
    names = args.instances or DEFAULT_INSTANCES
    import tempfile
    tmp = None
    if args.work:
        work = Path(args.work)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="npsim-pglib-")
        work = Path(tmp.name)
    rows = []
    try:
        for name in names:
            src = resolve_instance(name, data)
            label = name[:-5] if name.endswith(".json") else name
            if not src.is_file():
                rows.append({"instance": label, "status": f"missing: {src}"})
            else:
                print(f"[{time.strftime('%H:%M:%S')}] {label} ...", file=sys.stderr, flush=True)
                rows.append(run_one(label, src, work, args.time_limit, args.mip_gap))
            text = table(rows)
            if args.out:
                Path(args.out).write_text(
                    f"pglib-uc, one 48 h window, mip_gap {args.mip_gap:g}, time limit {args.time_limit:g} s, "
                    f"1 thread; times to gap from a HiGHS MIP-interrupt callback.\n\n" + text, encoding="utf-8")
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(table(rows), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
