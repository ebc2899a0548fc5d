"""`npsim compare`: the base case against the base with each overlay applied, on the same hours.

Every option is simulated with `dispatch.api.run` (one overlay per option) and reduced to one row
of KPIs; the rows are written as compare.json / compare.csv with a bar chart compare.png. No
option's own run folder is written.

    net_benefit = (base total_cost - option total_cost) * 8760 / hours - annualized_capex

i.e. the operating savings of the simulated hours scaled to a year by 8760 / hours, minus the
option's extra capital cost per year: `annualized_capex` = the option's annualised capex (retrofit
packages, storage with `capex_per_kw` / `capex_per_kwh`) minus the base's.
"""
import csv
import json
from pathlib import Path

HOURS_PER_YEAR = 8760
COLUMNS = ["option", "overlay", "hours", "total_cost", "delta_cost_vs_base", "penalty_cost", "curtailment_mwh",
           "co2_t", "unserved_energy_mwh", "deep_cycling_hours", "starts", "storage_cycles",
           "deep_peak_compensation", "annualized_capex", "net_benefit", "violations", "gap", "note"]
# (row key, panel title, unit) of the chart panels after the cost panel
PANELS = [("curtailment_mwh", "curtailment", "MWh"), ("co2_t", "CO2", "t"),
          ("unserved_energy_mwh", "unserved energy", "MWh"), ("deep_cycling_hours", "deep-cycling hours", "unit-h"),
          ("starts", "thermal starts", "starts"), ("storage_cycles", "storage cycles", "equivalent full cycles"),
          ("annualized_capex", "annualised capex vs base", "currency/yr"),
          ("net_benefit", "net annual benefit", "currency/yr")]


def option_names(overlays) -> list:
    """'base' then each overlay file's stem, made unique (a repeated stem gets ' (2)', ...)."""
    names, seen = ["base"], {"base": 1}
    for path in overlays:
        stem = Path(path).stem
        seen[stem] = seen.get(stem, 0) + 1
        names.append(stem if seen[stem] == 1 else f"{stem} ({seen[stem]})")
    return names


def load_options(config, overlays, seed: int = 0, base_overlays=()) -> list:
    """[(name, overlay path or None, Case)] for the base and each overlay; `base_overlays` apply to
    the base and to every option first. Any bad input raises InputError here, before anything is
    solved."""
    from dispatch import api
    names = option_names(overlays)
    first = list(base_overlays)
    cases = [(names[0], None, api.load(config, first, seed=seed))]
    for name, path in zip(names[1:], overlays):
        cases.append((name, str(path), api.load(config, first + [path], seed=seed)))
    return cases


def net_benefit(base_cost: float, cost: float, hours: int, capex: float = 0.0) -> float:
    """Operating saving against the base scaled to a year (× 8760 / hours), minus annualized capex."""
    return (base_cost - cost) * HOURS_PER_YEAR / hours - capex


def make_row(name: str, overlay, summary: dict, base_summary: dict, hours: int) -> dict:
    capex = summary.get("annualized_capex", 0.0) - base_summary.get("annualized_capex", 0.0)
    scale = HOURS_PER_YEAR / hours
    return {
        "option": name,
        "overlay": overlay,
        "hours": hours,
        "total_cost": summary["total_cost"],
        "delta_cost_vs_base": summary["total_cost"] - base_summary["total_cost"],
        "penalty_cost": summary["penalty_cost"],
        "curtailment_mwh": summary["curtailment_mwh"],
        "co2_t": summary["co2_t"],
        "unserved_energy_mwh": summary["unserved_energy_mwh"],
        "deep_cycling_hours": summary["deep_cycling_hours"],
        "starts": summary["starts"],
        "storage_cycles": summary["storage_cycles"],
        "deep_peak_compensation": summary["deep_peak_compensation"],
        "annualized_capex": capex,
        "net_benefit": net_benefit(base_summary["total_cost"], summary["total_cost"], hours, capex),
        "violations": summary["violations"],
        "gap": summary["gap"],
        "note": (f"net_benefit = operating saving over {hours} h x {scale:.4g} (8760 / hours) minus "
                 "annualized_capex (option minus base)"),
    }


def _run_one(job):
    """One option in a worker process: (case, hours, first, run keywords) → api.Run."""
    from dispatch import api
    case, hours, first, run_kw = job
    return api.run(case, hours, first, **run_kw)


def run_options(cases, hours: int, first: int, progress=None, log=None, jobs: int = 1, **run_kw) -> tuple:
    """Simulate every option on hours [first, first + hours); returns (rows, runs). With jobs > 1
    the options run in that many worker processes at once (one solver thread each), which on a
    machine with several cores divides the wall time; the results are the same."""
    from dispatch import api
    runs = []
    if jobs > 1 and len(cases) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=min(jobs, len(cases))) as pool:
            futures = [pool.submit(_run_one, (case, hours, first, run_kw)) for _, _, case in cases]
            for (name, _, _), fut in zip(cases, futures):
                runs.append(fut.result())
                if log:
                    log(f"compare: {name} done ({len(runs)}/{len(cases)})")
    else:
        for i, (name, _, case) in enumerate(cases):
            if log:
                log(f"compare: {name} ({i + 1}/{len(cases)})")
            runs.append(api.run(case, hours, first, progress=progress, **run_kw))
    base = runs[0].summary
    rows = [make_row(name, overlay, r.summary, base, hours) for (name, overlay, _), r in zip(cases, runs)]
    return rows, runs


def format_table(rows, hours: int, currency: str = "") -> str:
    cur = f" ({currency})" if currency else ""
    head = ["option", f"op. cost{cur}", "Δ vs base", "curtail MWh", "CO2 t", "unserved MWh", "deep h", "starts",
            "cycles", f"capex/yr{cur}", f"net benefit/yr{cur}", "viol."]
    body = [[r["option"], f"{r['total_cost']:,.0f}", f"{r['delta_cost_vs_base']:+,.0f}", f"{r['curtailment_mwh']:,.1f}",
             f"{r['co2_t']:,.0f}", f"{r['unserved_energy_mwh']:,.1f}", f"{r['deep_cycling_hours']:,.0f}",
             str(r["starts"]), f"{r['storage_cycles']:.2f}", f"{r['annualized_capex']:,.0f}",
             f"{r['net_benefit']:+,.0f}", str(r["violations"])] for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    fmt = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                                  for i, (c, w) in enumerate(zip(cells, widths)))
    lines = [fmt(head), fmt(["-" * w for w in widths]), *map(fmt, body), "",
             f"net benefit = (base − option operating cost) over the {hours} simulated hours, savings scaled "
             f"to a year by 8760 / hours = × {HOURS_PER_YEAR / hours:,.2f}, minus annualised capex (option − base)",
             "deep h = unit-hours below the pre-retrofit minimum stable load"]
    return "\n".join(lines)


def plot_compare(path, rows, hours: int, currency: str = "", title: str = ""):
    """One bar panel per KPI: operating cost (Δ vs base printed on the bars), curtailment, CO2,
    unserved energy, deep-cycling hours, starts, storage cycles, annualised capex, net benefit."""
    import matplotlib
    from dispatch.plots import FONT, _figure, _fmt_num

    names = [r["option"] for r in rows]
    x = list(range(len(rows)))
    colors = ["#888888"] + ["#2166ac"] * (len(rows) - 1)
    many = len(rows) > 5           # many options: wider panels, value labels upright along the bars
    text = {"fontsize": 8, "rotation": 90} if many else {"fontsize": 9}
    with matplotlib.rc_context(FONT):
        fig = _figure((max(4.2, 0.55 * len(rows)) * 3, (4.2 if many else 3.6) * 3))
        axes = fig.subplots(3, 3).ravel()
        ax = axes[0]
        costs = [r["total_cost"] for r in rows]
        ax.bar(x, costs, color=colors)
        for xi, r in zip(x, rows):
            label = "base" if xi == 0 else f"Δ {r['delta_cost_vs_base']:+,.0f}"
            ax.text(xi, r["total_cost"], label, ha="center", va="bottom", **text)
        ax.set_title(f"operating cost and Δ vs base{' (' + currency + ')' if currency else ''}")
        ax.set_ylim(0, max(costs + [1e-9]) * (1.45 if many else 1.15))
        for ax, (key, name, unit) in zip(axes[1:], PANELS):
            vals = [float(r[key]) for r in rows]
            ax.bar(x, vals, color=colors)
            for xi, v in zip(x, vals):
                ax.text(xi, v, _fmt_num(v), ha="center", va="bottom" if v >= 0 else "top", **text)
            ax.set_title(f"{name} ({unit.replace('currency', currency or 'currency')})")
            lo, hi = min(vals + [0.0]), max(vals + [0.0])
            pad = (0.45 if many else 0.15) * ((hi - lo) or 1.0)     # room for the value labels
            ax.set_ylim(lo - pad if lo < 0 else 0.0, hi + pad if hi > 0 or lo == 0 else 0.0)
        for ax in axes:
            ax.set_xticks(x, names, rotation=35 if many else 20, ha="right")
            ax.grid(axis="y", color="#dddddd", linewidth=0.7)
            ax.set_axisbelow(True)
        fig.suptitle(f"{title + ': ' if title else ''}options against the base over {hours} h "
                     f"(net benefit scales savings to a year by 8760 / hours)")
        fig.savefig(path)


def write_compare(out: Path, rows, hours: int, currency: str = "", title: str = "") -> Path:
    """compare.json, compare.csv and compare.png, written atomically into `out`."""
    from dispatch.outputs import atomic_folder
    out = Path(out)
    with atomic_folder(out, marker="compare.json") as tmp:
        with open(tmp / "compare.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS)
            w.writeheader()
            for r in rows:
                w.writerow({k: ("" if r[k] is None else r[k]) for k in COLUMNS})
        plot_compare(tmp / "compare.png", rows, hours, currency, title)
        (tmp / "compare.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return out
