"""Time the default system: the default week (or --hours/--start) with the MILP engine.

    python benchmarks/default_week.py [--hours 168] [--start HOUR] [--mip-gap 0.01] [--overlay YAML ...]

(e.g. --overlay configs/variants/copper_plate.yaml for the system without its network)

Prints a Markdown table of the windows (build, solve and pricing time, gap, model size) and the
total wall time. Used for the README's performance section.
"""
import argparse
import platform
import time

from dispatch import api


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=int, default=None)
    ap.add_argument("--start", default=None)
    ap.add_argument("--mip-gap", type=float, default=None)
    ap.add_argument("--overlay", action="append", default=[])
    args = ap.parse_args()
    case = api.load(None, args.overlay)
    t0 = time.perf_counter()
    run = api.run(case, hours=args.hours, start=args.start, mip_gap=args.mip_gap)
    wall = time.perf_counter() - t0
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, python {platform.python_version()}")
    print("| window start | hours | build s | solve s | price s | gap % | columns | rows |")
    print("|---|---|---|---|---|---|---|---|")
    for w in run.schedule.windows:
        print(f"| {w['first_hour']} | {w['hours']} | {w['build_s']:.2f} | {w['solve_s']:.1f} | {w['price_s']:.2f} | "
              f"{100 * w['gap']:.2f} | {w['n_cols']} | {w['n_rows']} |"
              + (f" lazy rounds {w['lazy_rounds_used']}, branch limits {w['lines_monitored']}" if "lazy_rounds_used" in w
                 else ""))
    sm = run.summary
    print(f"\ntotal wall {wall:.1f} s for {sm['hours']} h; objective {sm['objective']:,.0f} {sm['currency']}; "
          f"curtailment {sm['curtailment_mwh']:,.0f} MWh ({100 * sm['curtailment_rate']:.1f} %); "
          f"violations {sm['violations']}")


if __name__ == "__main__":
    main()
