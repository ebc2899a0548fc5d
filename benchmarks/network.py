"""DC network on pandapower's case300: a week with branch limits added lazily vs all up front.

    python benchmarks/network.py                      # 168 h, windows 24 h + 12 h, gap 1 %, 120 s/solve
    python benchmarks/network.py --hours 24 --base-flow-factor 1.3 --keep /tmp/case300_week

Takes about 20 minutes for the week on one thread. Even at base_flow_factor 1.5 about 50 of the 411
branches bind (the cost-driven dispatch is far from case300's own set points, on which the ratings
are based), so the limit rows are many and dense (~740 nonzeros each: a PTDF term per bus for shed
and over-generation); with 1.3 and 60 s the up-front model found no incumbent in its first window.

Builds (in a temporary folder, or --keep DIR) an npsim case on case300 (`network: {model: dc,
pandapower: case300, missing_rating: base_flow, ...}`: case300 carries 9900 MVA filler ratings,
so every branch is rated base_flow_factor × |its DC flow at the net's own dispatch|, at least
min_rating_mw):
  thermal    one unit per in-service gen and ext_grid with max_p_mw > 0, at its bus, named by the
             bus's `name` (case300's names are its original bus numbers, unique, and collide with
             other buses' pandapower indices; the script checks that each name maps back to its bus). p_max = max_p_mw, p_min = 30 % of it above 100 MW (else 0), a linear cost curve
             through the net's quadratic poly_cost at p_min and p_max (cp1 alone would tie most
             units at 20 EUR/MWh; without a poly_cost row: 20-60 EUR/MWh, cheaper when larger),
             start-up cost 40 EUR per MW, min up/down 6 h (≥ 500 MW) / 3 h (≥ 200 MW) / 1 h, on at
             hour 0 where the net dispatches the unit.
  load       one load, no bus (spread over case300's load buses pro rata), profile_mw = case300's
             total load × a seeded daily shape between 0.8 and 1.05 (a 168 h CSV).
  wind       --wind-plants plants of --wind-share × peak load each (seeded synthetic profiles) at
             weakly connected buses: ≥ 100 kV, no generator, not next to one another, the smallest
             sum of incident branch ratings that is still ≥ 40 % of the plant — windy hours
             congest their outlets, calm hours do not, so congestion moves from hour to hour.
The same hours are then run twice through `dispatch.api` with threads=1: lazy limits (the
default: solve, compute every flow, add violated branches, re-solve) and every limit up front
(`network.lazy: false`). Reported per run: wall time (simulation + checker), model build, MIP solve
(all lazy rounds; windows[i]["solve_s"] holds only the last round, so solves are timed by wrapping
`Builder.solve`), pricing LP, the largest MIP solve of a window, branch-limit rows (Σ windows
lines_monitored × window hours), total rows, lazy re-solve rounds, objective (checker), curtailment,
shed, overload, congested branch-hours, checker violations; then the objective difference (total
and the largest per window), which must stay within the MIP gap. Prints a Markdown table.
"""
import argparse
import csv
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dispatch import api, builder  # noqa: E402
from dispatch.uc import SolveError  # noqa: E402


def load_shape(hours: int, seed: int) -> np.ndarray:
    """Daily load shape between 0.8 and 1.05: night trough, morning and evening peaks, weekend dip, noise."""
    rng = np.random.default_rng(seed)
    h = np.arange(hours)
    hod = h % 24
    day = (np.exp(-((hod - 11) / 3.5) ** 2) * 0.8 + np.exp(-((hod - 19) / 2.5) ** 2)
           + 0.35 * np.clip(np.sin(np.pi * (hod - 6) / 16), 0, None))
    day = day / day.max()
    weekend = np.where((h // 24) % 7 >= 5, 0.93, 1.0)
    daily_level = np.repeat(1 + 0.03 * rng.standard_normal(hours // 24 + 1), 24)[:hours]
    x = day * weekend * daily_level * (1 + 0.01 * rng.standard_normal(hours))
    x = (x - x.min()) / (x.max() - x.min())
    return 0.8 + 0.25 * x


def build_case(folder: Path, args) -> dict:
    """Write case.yaml and load.csv into `folder`; return a description (units, wind buses, ratings)."""
    import pandapower as pp
    import pandapower.networks as pn

    from grid.network import build_network

    net = pn.case300()
    spec = {"rating_scale": 1.0, "missing_rating": "base_flow", "default_rating_mw": None,
            "base_flow_factor": args.base_flow_factor, "min_rating_mw": args.min_rating_mw}
    g = build_network(net, spec, "case300", "benchmark")
    pp.rundcpp(net)                                            # the net's own dispatch (ext_grid output)
    name_of = {int(b): g.bus_names[k] for k, b in enumerate(g.bus_ids)}
    for b, nm in name_of.items():                              # npsim must read each name back to this bus
        assert int(g.bus_ids[g.position(nm, "benchmark", "bus")]) == b, (b, nm)

    cost = {(r.et, int(r.element)): (r.cp0_eur, r.cp1_eur_per_mw, r.cp2_eur_per_mw2)
            for r in net.poly_cost.itertuples()}
    rows = [("gen", i, r.bus, r.max_p_mw, r.p_mw) for i, r in net.gen[net.gen.in_service].iterrows()]
    rows += [("ext_grid", i, r.bus, r.max_p_mw, float(net.res_ext_grid.p_mw.loc[i]))
             for i, r in net.ext_grid[net.ext_grid.in_service].iterrows()]
    big = max(float(r[3]) for r in rows if np.isfinite(r[3]))
    thermal, gen_buses = [], set()
    for et, i, bus, pmax, p0 in rows:
        if not np.isfinite(pmax) or pmax <= 0:
            continue
        pmax = float(pmax)
        pmin = 0.3 * pmax if pmax > 100 else 0.0
        c0, c1, c2 = cost.get((et, i), (0.0, 60.0 - 40.0 * pmax / big, 0.0))
        c = lambda p: float(c0 + c1 * p + c2 * p * p)  # noqa: E731
        updown = 6 if pmax >= 500 else 3 if pmax >= 200 else 1
        on = p0 > 1e-6
        thermal.append({
            "name": f"{et}{i}_bus{name_of[int(bus)]}", "technology": "other", "bus": name_of[int(bus)],
            "p_min_mw": round(pmin, 3), "p_max_mw": round(pmax, 3),
            "cost_curve": {"mw": [round(pmin, 3), round(pmax, 3)], "cost_per_h": [round(c(pmin), 3), round(c(pmax), 3)]},
            "startup": [{"lag_h": 0, "cost": round(40.0 * pmax, 2)}],
            "startup_ramp_mw_per_h": round(pmax, 3), "shutdown_ramp_mw_per_h": round(pmax, 3),
            "min_up_h": updown, "min_down_h": updown,
            "initial": {"on": bool(on), "hours": 24, "p_mw": round(float(np.clip(p0, pmin, pmax)), 3) if on else 0.0}})
        gen_buses.add(int(bus))

    total_load = float((net.load.p_mw * net.load.scaling)[net.load.in_service].sum())
    load = total_load * load_shape(168, args.seed)
    with (folder / "load.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["hour", "load_mw"])
        w.writerows([h, f"{v:.3f}"] for h, v in enumerate(load))

    # weakly connected buses for the wind plants
    plant_mw = args.wind_share * float(load.max())
    cap = np.zeros(g.B)
    np.add.at(cap, g.from_bus, g.rating_mw)
    np.add.at(cap, g.to_bus, g.rating_mw)
    vn = net.bus.vn_kv.loc[g.bus_ids].values
    neighbours = {k: set() for k in range(g.B)}
    for f, t in zip(g.from_bus, g.to_bus):
        neighbours[f].add(t)
        neighbours[t].add(f)
    chosen = []
    for k in np.argsort(cap, kind="stable"):
        if len(chosen) == args.wind_plants:
            break
        if (vn[k] >= 100 and int(g.bus_ids[k]) not in gen_buses and g.island[k] == 0 and cap[k] >= 0.4 * plant_mw
                and not any(k == c or k in neighbours[c] for c in chosen)):
            chosen.append(int(k))
    renewables = [{"name": f"wind{j + 1}_bus{g.bus_names[k]}", "technology": "wind", "bus": g.bus_names[k],
                   "capacity_mw": round(plant_mw, 1), "profile": f"w{j + 1}"} for j, k in enumerate(chosen)]
    profiles = {"load": {"file": "load.csv", "column": "load_mw"}}
    profiles.update({f"w{j + 1}": {"synthetic": "wind", "seed": j + 1} for j in range(len(chosen))})

    doc = {"version": 1, "name": "case300_week", "currency": "EUR",
           "description": "pandapower case300, DC limits from the base-flow rule (benchmarks/network.py)",
           "time": {"start": "2025-01-01T00:00", "first_hour": 0, "hours": 168},
           "horizon": {"decided_h": 24, "lookahead_h": 12},
           "engine": {"name": "milp", "mip_gap": args.mip_gap, "time_limit_s": args.time_limit, "threads": 1},
           "network": {"model": "dc", "pandapower": "case300", "missing_rating": "base_flow",
                       "base_flow_factor": args.base_flow_factor, "min_rating_mw": args.min_rating_mw},
           "thermal": thermal, "renewables": renewables,
           "loads": [{"name": "load", "profile_mw": "load"}], "profiles": profiles}
    (folder / "case.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return {"units": len(thermal), "thermal_mw": sum(u["p_max_mw"] for u in thermal), "peak_mw": float(load.max()),
            "plant_mw": plant_mw, "wind_buses": [(g.bus_names[k], int(g.bus_ids[k]), float(vn[k]), round(cap[k]))
                                                 for k in chosen],
            "branches": g.L, "buses": g.B, "floor_rated": int((g.rating_mw <= args.min_rating_mw + 1e-9).sum())}


class SolveLog:
    """Wraps Builder.solve: every HiGHS call of a window (lazy MIP rounds, then the pricing LP)."""

    def __init__(self):
        self.calls, self.windows = [], []
        self._orig = builder.Builder.solve

    def __enter__(self):
        log, orig = self, self._orig

        def solve(b, *a, **kw):
            res = orig(b, *a, **kw)
            log.calls.append((bool(kw.get("relax_integers")), res.time_s, b.n_row))
            return res
        builder.Builder.solve = solve
        return self

    def __exit__(self, *exc):
        builder.Builder.solve = self._orig

    def progress(self, done, total, elapsed):
        mip = [t for lp, t, _ in self.calls if not lp]
        lp = [t for is_lp, t, _ in self.calls if is_lp]
        self.windows.append({"mip_s": sum(mip), "mip_max_s": max(mip, default=0.0), "mip_calls": len(mip),
                             "lp_s": sum(lp), "elapsed": elapsed})
        self.calls = []


def run_once(path: Path, lazy: bool, args) -> dict:
    case = api.load(path)
    if not lazy:
        case = api.change(case, {"network": {"lazy": False}})
    with SolveLog() as log:
        t0 = time.perf_counter()
        run = api.run(case, hours=args.hours, start=0, mip_gap=args.mip_gap, time_limit_s=args.time_limit,
                      threads=1, progress=log.progress)
        wall = time.perf_counter() - t0
    ws, sm = run.schedule.windows, run.summary
    netsum = sm.get("network", {})
    flow = np.abs(np.asarray(run.schedule.flow_mw))
    rating = run.arrays.network.rating_mw
    binding = (flow >= rating[None, :] * 0.999 - 1e-6).any(axis=0)
    return {
        "run": run, "wall": wall, "sim": sm.get("wall_time_s", np.nan),
        "build": sum(w["build_s"] for w in ws), "mip": sum(x["mip_s"] for x in log.windows),
        "mip_max": max(x["mip_max_s"] for x in log.windows), "lp": sum(x["lp_s"] for x in log.windows),
        "mip_calls": sum(x["mip_calls"] for x in log.windows),
        "limit_rows": sum(w["lines_monitored"] * w["hours"] for w in ws),
        "rows": sum(w["n_rows"] for w in ws), "rows_max": max(w["n_rows"] for w in ws),
        "lines_max": max(w["lines_monitored"] for w in ws),
        "rounds": sum(w["lazy_rounds_used"] for w in ws), "rounds_max": max(w["lazy_rounds_used"] for w in ws),
        "gave_up": sum(w["lazy_rounds_used"] > (case.system.document["network"].get("lazy_rounds") or 10)
                       for w in ws),
        "gap_max": max(w["gap"] for w in ws), "not_optimal": sum(w["status"] != "Optimal" for w in ws),
        "objective": sm["objective"], "curtail": sm["curtailment_mwh"], "curtail_rate": sm["curtailment_rate"],
        "shed": sm["unserved_energy_mwh"], "overload": netsum.get("overload_mwh", np.nan),
        "congested": netsum.get("congested_branch_hours", np.nan), "binding": int(binding.sum()),
        "violations": len(run.violations), "win_obj": [w["objective"] for w in ws],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=int, default=168, help="hours to simulate from hour 0 (≤ 168)")
    ap.add_argument("--base-flow-factor", type=float, default=1.5,
                    help="branch rating = this × |DC flow at case300's own dispatch| (default 1.5)")
    ap.add_argument("--min-rating-mw", type=float, default=50.0, help="floor of those ratings (default 50)")
    ap.add_argument("--mip-gap", type=float, default=0.01)
    ap.add_argument("--time-limit", type=float, default=120.0,
                    help="HiGHS time limit per solve (s; each lazy re-solve has its own; default 120)")
    ap.add_argument("--wind-plants", type=int, default=3)
    ap.add_argument("--wind-share", type=float, default=0.05, help="capacity of each wind plant / peak load")
    ap.add_argument("--seed", type=int, default=7, help="seed of the load shape")
    ap.add_argument("--only", choices=("lazy", "upfront"), help="run one variant only")
    ap.add_argument("--keep", type=Path, help="write the case into this folder (kept) instead of a temporary one")
    args = ap.parse_args()
    if not 1 <= args.hours <= 168:
        ap.error("--hours must be 1..168")

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        info = build_case(folder, args)
        print(f"machine: {platform.machine()}, {platform.processor() or '?'}, python {platform.python_version()}")
        print(f"case300: {info['buses']} buses, {info['branches']} branches ({info['floor_rated']} at the "
              f"{args.min_rating_mw:g} MW floor), base_flow_factor {args.base_flow_factor:g}; {info['units']} thermal "
              f"units ({info['thermal_mw']:,.0f} MW), peak load {info['peak_mw']:,.0f} MW, {len(info['wind_buses'])} "
              f"wind plants × {info['plant_mw']:,.0f} MW at buses (name, index, kV, Σ incident rating MW) "
              f"{info['wind_buses']}")
        print(f"{args.hours} h from hour 0, windows 24 h + 12 h, mip_gap {args.mip_gap:g}, "
              f"time limit {args.time_limit:g} s per solve, threads 1\n", flush=True)
        res, failed = {}, {}
        for key, lazy in (("lazy", True), ("upfront", False)):
            if args.only and args.only != key:
                continue
            t0 = time.perf_counter()
            try:
                res[key] = r = run_once(folder / "case.yaml", lazy, args)
            except SolveError as e:      # e.g. no incumbent within the time limit
                failed[key] = f"{e} after {time.perf_counter() - t0:.0f} s"
                print(f"{key}: FAILED: {failed[key]}", flush=True)
                continue
            print(f"{key}: {r['wall']:.1f} s, objective {r['objective']:,.0f}, violations {r['violations']}",
                  flush=True)

    cols = list(res)
    head = {"lazy": "lazy (default)", "upfront": "all limits up front"}
    if not cols:
        for key, why in failed.items():
            print(f"\n{head[key]}: no schedule — {why}")
        sys.exit(1)
    rows = [
        ("wall time s (simulation + checker)", lambda r: f"{r['wall']:.1f}"),
        ("  model build s (Σ windows, first build)", lambda r: f"{r['build']:.1f}"),
        ("  MIP solve s (Σ all rounds)", lambda r: f"{r['mip']:.1f}"),
        ("  pricing LP s", lambda r: f"{r['lp']:.1f}"),
        ("  other s (compile, flow checks, rows, checker)",
         lambda r: f"{r['wall'] - r['build'] - r['mip'] - r['lp']:.1f}"),
        ("largest MIP solve of a window s", lambda r: f"{r['mip_max']:.1f}"),
        ("MIP solves (windows + lazy re-solves)", lambda r: f"{r['mip_calls']}"),
        ("lazy re-solve rounds Σ / max per window / windows that gave up",
         lambda r: f"{r['rounds']} / {r['rounds_max']} / {r['gave_up']}"),
        ("branches with limits in the model (max per window)", lambda r: f"{r['lines_max']}"),
        ("branch-limit rows Σ windows", lambda r: f"{r['limit_rows']:,}"),
        ("model rows Σ windows / largest", lambda r: f"{r['rows']:,} / {r['rows_max']:,}"),
        ("worst window gap % / windows not Optimal", lambda r: f"{100 * r['gap_max']:.2f} / {r['not_optimal']}"),
        ("objective EUR (checker)", lambda r: f"{r['objective']:,.0f}"),
        ("curtailment MWh", lambda r: f"{r['curtail']:,.0f} ({100 * r['curtail_rate']:.1f} %)"),
        ("shed MWh / overload MWh", lambda r: f"{r['shed']:,.1f} / {r['overload']:,.1f}"),
        ("branches at their limit / congested branch-hours", lambda r: f"{r['binding']} / {r['congested']:,.0f}"),
        ("checker violations", lambda r: f"{r['violations']}"),
    ]
    print("\n| " + " | ".join([""] + [head[c] for c in cols]) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for label, f in rows:
        print("| " + " | ".join([label] + [f(res[c]) for c in cols]) + " |")

    if len(cols) == 2:
        a, b = res["lazy"], res["upfront"]
        d = abs(a["objective"] - b["objective"])
        rel = d / max(abs(b["objective"]), 1e-9)
        wrel = max(abs(x - y) / max(abs(y), 1e-9) for x, y in zip(a["win_obj"], b["win_obj"]))
        ok = rel <= args.mip_gap
        print(f"\n|objective difference| {d:,.0f} EUR = {100 * rel:.3f} % of the total "
              f"({'within' if ok else 'OUTSIDE'} the {100 * args.mip_gap:g} % MIP gap); largest per-window "
              f"difference {100 * wrel:.3f} % (windows start from each run's own hand-off state)")
        faster = b["wall"] / a["wall"] if a["wall"] > 0 else np.nan
        print(f"\nReading: lazy limits kept {a['lines_max']} of {b['lines_max']} limited branches in the largest "
              f"model ({a['limit_rows']:,} branch-limit rows in all windows against {b['limit_rows']:,} up front) at "
              f"the price of {a['rounds']} re-solve rounds (at most {a['rounds_max']} in a window); the {args.hours} h took "
              f"{a['wall']:.0f} s lazily and {b['wall']:.0f} s up front ({faster:.2f}×), MIP solving "
              f"{a['mip']:.0f} s vs {b['mip']:.0f} s and building {a['build']:.1f} s vs {b['build']:.1f} s. Both "
              f"schedules pass the checker ({a['violations']} / {b['violations']} violations) and their objectives "
              f"differ by {100 * rel:.3f} %, {'inside' if ok else 'outside'} the MIP gap.")
    for key, why in failed.items():
        print(f"\n{head[key]}: no schedule — {why}")
    bad = sum(r["violations"] for r in res.values())
    sys.exit(1 if bad or failed else 0)


if __name__ == "__main__":
    main()
