"""The `npsim` command line: run, check, init, convert, compare, acflow.

Exit codes: 0 ok, 1 runtime failure (a window without a feasible solution, checker violations in
`npsim check`), 2 bad input (one line naming file, field and the allowed range; nothing written).
Heavy imports (highspy, matplotlib) happen inside the commands so `npsim --help` stays instant.
"""
import argparse
import re
import json
import sys
from pathlib import Path

from grid import __version__
from grid.errors import InputError

RUN_EXAMPLE = """examples:
  npsim run                                  # the default system, its default week
  npsim run my_case.yaml --hours 48 --start 2025-07-01 --out out/july
  npsim run my_case.yaml --overlay configs/options/cheap_gas.yaml --mip-gap 0.001"""
CHECK_EXAMPLE = """example:
  npsim run --out out/base && npsim check out/base"""
INIT_EXAMPLE = """example:
  npsim init mycase && npsim run mycase/case.yaml"""


def _number(text, field, kind, lo=None, hi=None, lo_open=False):
    """Parse a numeric CLI option; InputError naming the option and the allowed range."""
    from grid.config import check_number
    from grid.schema import Spec
    spec = Spec(kind, lo=lo, hi=hi, lo_open=lo_open)
    try:
        v = float(text)
    except ValueError:
        raise InputError("command line", field, text, spec.allowed()) from None
    return check_number(int(v) if kind == "int" and v.is_integer() else v, spec, field, "command line")


class _Progress:
    """Windows done and ETA on stderr (one updating line on a terminal, sparse lines otherwise)."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0

    def __call__(self, done, total, elapsed):
        eta = elapsed / done * (total - done)
        bar = "#" * int(30 * done / total)
        line = f"[{bar:<30}] {done}/{total} windows  {elapsed:6.1f} s  ETA {eta:6.1f} s"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
        elif done == total or elapsed - self.last >= 10:
            self.stream.write(line + "\n")
            self.last = elapsed
        self.stream.flush()


def _engine_overrides(args) -> dict:
    """--engine, --mip-gap, --time-limit, --threads as engine overrides (None keeps the case's)."""
    def num(value, *spec, **kw):
        return None if value is None else _number(value, *spec, **kw)
    return {"engine": args.engine, "mip_gap": num(args.mip_gap, "--mip-gap", "float", 0, 1),
            "time_limit_s": num(args.time_limit, "--time-limit", "float", 0, lo_open=True),
            "threads": num(args.threads, "--threads", "int", 1, 256)}


def _hour_range(args, cases) -> tuple:
    """(first hour, hours) from --start/--hours or the first case's time section, checked against
    every case's data."""
    from dispatch import api
    system = cases[0].system
    hours = _number(args.hours, "--hours", "int", 1) if args.hours is not None else system.hours
    first = api.resolve_start(system, args.start, "--start")
    given = [o for o, v in (("--start", args.start), ("--hours", args.hours)) if v is not None]
    for case in cases:
        api.check_range(case, first, hours, "/".join(given) or "time.first_hour/time.hours")
    return first, hours


def cmd_run(args) -> int:
    from dispatch import api
    from dispatch.outputs import check_output_folder
    from dispatch.report import format_summary

    seed = _number(args.seed, "--seed", "int", 0) if args.seed is not None else 0
    overrides = _engine_overrides(args)
    case = api.load(args.config, args.overlay or (), seed=seed)
    first, hours = _hour_range(args, [case])
    out = Path(args.out or f"npsim-out/{re.sub(r'[^A-Za-z0-9_.-]', '_', case.system.name).lstrip('.') or 'case'}")
    check_output_folder(out)
    run = api.run(case, hours, first, progress=None if args.quiet else _Progress(), **overrides,
                  extra={"config": str(args.config or "default"), "overlays": [str(o) for o in (args.overlay or ())]})
    run.save(out)
    print(format_summary(run.summary))
    print(f"  output         {out}/")
    for v in run.violations[:10]:
        print(f"  violation: {v.rule} hour {v.hour} {v.element}: {v.message}", file=sys.stderr)
    return 1 if run.violations else 0


def cmd_check(args) -> int:
    from dispatch.check import check
    from dispatch.outputs import load_output

    out = Path(args.outdir)
    case, summary, a, s = load_output(out)
    try:
        violations, costs = check(a, s)
    except ValueError as e:   # tables that do not match the case (hours, names)
        raise InputError(out, "tables", None, str(e), show_value=False) from None
    for v in violations:
        print(f"{v.rule}\thour {v.hour}\t{v.element}\t{v.message}")
    drift = abs(costs.objective - summary["objective"]) > 1e-6 * max(1.0, abs(summary["objective"]))
    if drift:
        print(f"objective\t-\tsystem\trecomputed objective {costs.objective:,.2f} differs from summary.json "
              f"{summary['objective']:,.2f}")
    n = len(violations) + int(drift)
    print(f"npsim check {out}: {s.T} h, {len(a.thermal_names)} units, {n} violations; "
          f"objective {costs.objective:,.2f} {case.system.currency}")
    return 1 if n else 0


def cmd_acflow(args) -> int:
    from dispatch.acflow import run_acflow
    return run_acflow(Path(args.outdir), args.hours)


def cmd_init(args) -> int:
    from dispatch.case import load_case
    from dispatch.outputs import atomic_folder, write_case_files

    out = Path(args.dir)
    if out.exists() and any(out.iterdir()):
        raise InputError(out, "DIR", str(out), "an empty or new folder (init never overwrites)")
    case = load_case(None)
    with atomic_folder(out, marker="case.yaml") as tmp:
        write_case_files(case, tmp, case.system.first_hour, case.system.hours)
    print(f"wrote {out}/case.yaml and {out}/profiles.csv — edit them, then: npsim run {out}/case.yaml")
    return 0


def cmd_compare(args) -> int:
    from dispatch import compare
    from dispatch.outputs import check_output_folder

    overrides = _engine_overrides(args)
    cases = compare.load_options(args.base, args.overlay, base_overlays=args.base_overlay or ())
    base = cases[0][2]
    first, hours = _hour_range(args, [case for _, _, case in cases])
    out = Path(args.out or "npsim-out/compare")
    check_output_folder(out, "compare.json")
    log = None if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    jobs = _number(args.jobs, "--jobs", "int", 1, 64) if args.jobs is not None else 1
    rows, runs = compare.run_options(cases, hours, first, progress=None if args.quiet else _Progress(), log=log,
                                     jobs=jobs, **overrides)
    cur = base.system.currency
    compare.write_compare(out, rows, hours, cur, runs[0].summary.get("case", ""))
    print(compare.format_table(rows, hours, cur))
    print(f"  output         {out}/compare.json, compare.csv, compare.png")
    bad = [r["option"] for r in rows if r["violations"]]
    for (name, _, _), run in zip(cases, runs):
        for v in run.violations[:10]:
            print(f"  violation ({name}): {v.rule} hour {v.hour} {v.element}: {v.message}", file=sys.stderr)
    if bad:
        print(f"npsim compare: checker violations in {', '.join(bad)}", file=sys.stderr)
    return 1 if bad else 0


def cmd_convert(args) -> int:
    from dispatch.convert import FORMATS

    case_path = FORMATS[args.format](args.source, Path(args.outdir))
    out = case_path.parent
    print(f"wrote {out}/case.yaml and {out}/profiles.csv from {args.source} — solve it as one window: "
          f"npsim run {case_path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="npsim", description="Hourly unit commitment and dispatch of "
                                "high-renewable power systems.", epilog=RUN_EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"npsim {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="simulate a case and write an output folder", epilog=RUN_EXAMPLE,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("config", nargs="?", help="case YAML (default: the packaged default system)")
    r.add_argument("--overlay", action="append", metavar="YAML", help="overlay merged onto the case (repeatable)")
    _add_simulation_options(r, "output folder (default: npsim-out/<case name>)")
    r.add_argument("--seed", metavar="N", help="offset for synthetic-profile seeds and HiGHS (default 0)")
    r.set_defaults(func=cmd_run)
    c = sub.add_parser("check", help="re-run the independent checker on an output folder", epilog=CHECK_EXAMPLE,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("outdir", help="output folder of `npsim run`")
    c.set_defaults(func=cmd_check)
    i = sub.add_parser("init", help="write the default system (YAML + profiles) for editing", epilog=INIT_EXAMPLE,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    i.add_argument("dir", help="new folder")
    i.set_defaults(func=cmd_init)
    cv = sub.add_parser("convert", help="convert an external instance (pglib-uc JSON) to npsim case files",
                        epilog="example:\n  npsim convert pglib-uc rts_gmlc/2020-06-09.json pg0609 && "
                        "npsim run pg0609/case.yaml", formatter_class=argparse.RawDescriptionHelpFormatter)
    cv.add_argument("format", choices=("pglib-uc",), help="instance format")
    cv.add_argument("source", help="instance file (pglib-uc: the JSON file)")
    cv.add_argument("outdir", help="folder for case.yaml + profiles.csv (new, empty, or an earlier conversion)")
    cv.set_defaults(func=cmd_convert)
    ac = sub.add_parser("acflow", help="AC power flow (pandapower) of chosen hours of a finished dc-network run",
                        epilog="example:\n  npsim run --out out/base && npsim acflow out/base --hours 0-23",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ac.add_argument("outdir", help="output folder of `npsim run` on a case with network.model dc")
    ac.add_argument("--hours", help="hours of the run to solve, A-B (0-based, inclusive; default all)")
    ac.set_defaults(func=cmd_acflow)
    cp = sub.add_parser("compare", help="run the base case and the base with each overlay; compare KPIs",
                        epilog="example:\n  npsim compare configs/default.yaml configs/options/battery.yaml "
                        "configs/options/carbon_200.yaml --hours 48",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    cp.add_argument("base", help="base case YAML")
    cp.add_argument("overlay", nargs="*", help="overlay YAML: one option each, applied to the base alone")
    cp.add_argument("--jobs", metavar="N", help="options solved at once in separate processes (default 1; "
                                                 "up to the number of cores)")
    cp.add_argument("--base-overlay", action="append", metavar="FILE",
                    help="overlay applied to the base and to every option first (repeatable), e.g. "
                         "configs/variants/copper_plate.yaml")
    _add_simulation_options(cp, "folder for compare.json/.csv/.png (default: npsim-out/compare)")
    cp.set_defaults(func=cmd_compare)
    return p


def _add_simulation_options(parser, out_help: str):
    """The options `run` and `compare` share: engine, hours, start, out, solver settings, quiet."""
    parser.add_argument("--engine", choices=("milp", "fast"), help="engine (default: the case's engine.name)")
    parser.add_argument("--hours", metavar="N", help="hours to simulate (default: the case's time.hours)")
    parser.add_argument("--start", metavar="S", help="first hour: ISO date/datetime or 0-based hour index")
    parser.add_argument("--out", metavar="DIR", help=out_help)
    parser.add_argument("--mip-gap", metavar="X", help="relative MIP gap per window (default: the case's)")
    parser.add_argument("--time-limit", metavar="S", help="solver time limit per window in seconds (default 120)")
    parser.add_argument("--threads", metavar="N", help="solver threads (default 1)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as e:
        print(f"npsim: error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 — runtime failures: one line, exit 1
        from dispatch.uc import SolveError
        if isinstance(e, SolveError):
            print(f"npsim: solver failure: {e}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
