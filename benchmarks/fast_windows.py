"""Fast engine vs MILP on the same windows: window by window, from the same initial states.

    python benchmarks/fast_windows.py                         # 7 starts x 4 days, modes none lp storage
    python benchmarks/fast_windows.py --starts 2592 --days 2 --modes none --out /tmp/fw.md
    python benchmarks/fast_windows.py --rolling 2592 0 4800      # also rolling weeks from those hours

A rolling run's total mixes the engines' quality with the rolling horizon (a different decision
today changes tomorrow's initial state), so a week can move by a point or two with any change to
either engine. This benchmark fixes the windows instead: the default system in the fast engine's
form (configs/default.yaml + configs/variants/fast.yaml: copper plate, the park's assets on the
main grid), for each start hour (--starts, default seven spread over the year, the README's spring
week included) `--days` consecutive 24 h + 12 h windows. Every window is solved from the same
initial state by the MILP (`dispatch.uc.solve_window`: --mip-gap 0.002, --time-limit 60 s, 1
thread, pricing LP off) and by the fast engine in each `--modes` polish; the next window starts
from the state the MILP's schedule hands on (`--states milp`, the default: the windows do not
depend on the engine under test, so runs of different versions compare window by window) or the
fast engine's `none` schedule (`--states fast`: the windows a fast rolling run meets). Objectives
are the independent checker's (`dispatch.check.check`, which also counts violations); times are
wall times of the solve calls after a warm-up window (numba loaded). Columns per window: hour, MILP objective / gap / time, and per fast mode its
excess over the MILP's objective and its time; the summary gives mean, median and worst excess,
how many windows are within 1 %, total times and the speed-up (MILP time / fast time).

`--rolling H ...` adds rolling runs of --rolling-hours (168) from each hour H, the MILP at the
case's engine options (1 % gap, 120 s, pricing LP on) and the fast engine in each mode, with the
same windows and state hand-off (`dispatch.simulate.simulate`); columns: wall time of the run,
checker objective over all its hours, excess over the MILP run, largest / mean window gap to the
engine's own bound, violations, shed MWh.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CASE = REPO / "configs" / "default.yaml"
OVERLAY = REPO / "configs" / "variants" / "fast.yaml"
STARTS = (0, 1000, 2592, 3500, 4800, 6500, 8000)   # Jan, Feb, the README's spring week, May, Jul, Sep, Nov


def checked(a, solve):
    """(schedule, checker objective, violations, wall s) of solve(a)."""
    from dispatch.check import check
    t0 = time.perf_counter()
    s = solve(a)
    t = time.perf_counter() - t0
    violations, costs = check(a, s)
    return s, costs.objective, len(violations), t


def rolling_table(firsts, hours, modes) -> str:
    """Markdown rows of rolling runs from each first hour: the MILP and the fast engine per mode
    (each run and its checker by benchmarks/fast.py `_work_sim`, in this process)."""
    from benchmarks.fast import _work_sim
    head = ("| run (first hour, hours) | engine (polish) | wall (s) | objective | vs MILP | "
            "largest / mean window gap | violations | shed (MWh) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    case = {"case": str(CASE), "overlays": [str(OVERLAY)]}
    for first in firsts:
        ref = None
        for label, opts in [("MILP", {})] + [(f"fast (`{m}`)", {"name": "fast", "polish": m}) for m in modes]:
            r = {}
            _work_sim(dict(case, first=first, hours=hours, opts=opts), r)
            rel = "—" if ref is None else f"{100 * (r['objective'] / ref - 1):+.2f} %"
            ref = r["objective"] if ref is None else ref
            lines.append(f"| {first}, {hours} h | {label} | {r['wall_s']:.1f} | {r['objective']:,.0f} | {rel} | "
                         f"{100 * r['max_gap']:.1f} / {100 * r['mean_gap']:.1f} % | {r['violations']} | "
                         f"{r['shed']:,.1f} |")
            print(lines[-1], flush=True)
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--starts", type=int, nargs="+", default=list(STARTS), help="first hours of the window runs")
    ap.add_argument("--days", type=int, default=4, help="windows (days) per start (4; 0: rolling runs only)")
    ap.add_argument("--modes", nargs="+", default=["none", "lp", "storage"], choices=["none", "lp", "storage"],
                    help="fast engine polish modes")
    ap.add_argument("--mip-gap", type=float, default=2e-3)
    ap.add_argument("--time-limit", type=float, default=60.0, help="MILP time limit per window (s)")
    ap.add_argument("--out", metavar="FILE", help="also write the Markdown table to FILE")
    ap.add_argument("--rolling", type=int, nargs="*", default=[], metavar="H",
                    help="also rolling runs from these first hours (MILP and every mode)")
    ap.add_argument("--rolling-hours", type=int, default=168)
    ap.add_argument("--states", choices=["milp", "fast"], default="milp",
                    help="each next window's initial state from the MILP's schedule (default) or the fast engine's")
    args = ap.parse_args(argv)
    if args.states == "fast" and "none" not in args.modes:
        ap.error("--states fast hands on the fast engine's `none` schedule: include mode none")

    from dispatch.case import load_case
    from dispatch.compile import compile_window, initial_state_for
    from dispatch.fast import solve_window_fast
    from dispatch.simulate import windows
    from dispatch.uc import solve_window
    case = load_case(CASE, [OVERLAY])
    sysm = case.system
    solve_window_fast(compile_window(case, 0, 6), {})        # warm-up: numba loads its kernels
    milp_opts = {"mip_gap": args.mip_gap, "time_limit_s": args.time_limit, "threads": 1, "prices": False}
    head = ("| window (first hour) | MILP objective | MILP gap | MILP (s) | "
            + " | ".join(f"fast `{m}` vs MILP | (s)" for m in args.modes) + " | violations |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)] if args.days else []
    excess = {m: [] for m in args.modes}
    secs = {m: 0.0 for m in args.modes}
    milp_s, bad = 0.0, 0
    for first in args.starts if args.days else ():            # --days 0: rolling runs only
        state = initial_state_for(sysm, case.profiles, first)
        for h, n_dec, n_opt in windows(first, 24 * args.days, sysm.decided_h, sysm.lookahead_h, case.data_hours):
            a = compile_window(case, h, n_opt, state)
            m, m_obj, nv, mt = checked(a, lambda x: solve_window(x, milp_opts))
            milp_s += mt
            cells, hand_on = [], m
            for mode in args.modes:
                f, obj, v, t = checked(a, lambda x: solve_window_fast(x, {"polish": mode}))
                excess[mode].append(obj / m_obj - 1)
                secs[mode] += t
                nv += v
                cells.append(f"{100 * excess[mode][-1]:+.2f} % | {t:.2f}")
                if mode == "none" and args.states == "fast":
                    hand_on = f
            bad += nv
            lines.append(f"| {h} | {m_obj:,.0f} | {100 * m.windows[-1]['gap']:.2f} % | {mt:.0f} | "
                         + " | ".join(cells) + f" | {nv} |")
            print(lines[-1], flush=True)
            state = hand_on.take(n_dec).end_state(state)
    if args.days:
        lines.append("")
        for mode in args.modes:
            e = 100 * np.array(excess[mode])
            lines.append(f"* fast `{mode}`: mean {e.mean():+.2f} %, median {np.median(e):+.2f} %, worst "
                         f"{e.max():+.2f} %; {(e <= 1).sum()} of {e.size} windows within 1 %; {secs[mode]:.1f} s "
                         f"against the MILP's {milp_s:.0f} s ({milp_s / secs[mode]:.0f}×)")
        lines.append(f"* checker violations over all schedules: {bad}")
    if args.rolling:
        lines += ([""] if args.days else []) + [rolling_table(args.rolling, args.rolling_hours, args.modes)]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
