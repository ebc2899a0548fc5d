"""PNG plots of a run: the dispatch stack of a chosen week (matplotlib, Agg backend)."""
import numpy as np

TECH_COLORS = {
    "nuclear": "#7b3294", "coal": "#4d4d4d", "chp": "#8c6d31", "biomass": "#6b8e23", "gas": "#e08214",
    "oil": "#b2182b", "other": "#999999", "hydro_ror": "#2166ac", "wind": "#4393c3", "solar": "#fdb863",
    "csp": "#f46d43", "import": "#80cdc1",
}


def week_windows(values: np.ndarray, width: int = 168) -> int:
    """Start index of the `width`-hour window with the largest sum of `values` (T,)."""
    if values.size <= width:
        return 0
    c = np.concatenate([[0.0], np.cumsum(values)])
    return int(np.argmax(c[width:] - c[:-width]))


def dispatch_stack(path, a, s, start: int, width: int, title: str, start_time=None):
    """Stacked output by technology for hours [start, start+width) with load, curtailment and
    price. `a` = SystemArrays of the run, `s` = Schedule."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sl = slice(start, min(start + width, s.T))
    hours = np.arange(sl.start, sl.stop) + s.first_hour
    layers = []
    order = ["nuclear", "coal", "chp", "biomass", "gas", "oil", "other"]
    techs = sorted(set(a.thermal_tech), key=lambda t: order.index(t) if t in order else len(order))
    for tech in techs:
        cols = [i for i, t in enumerate(a.thermal_tech) if t == tech]
        layers.append((tech, s.p_mw[sl][:, cols].sum(axis=1)))
    if a.import_mw.any():
        layers.append(("import", a.import_mw[sl]))
    for tech in sorted(set(a.renewable_tech)):
        cols = [i for i, t in enumerate(a.renewable_tech) if t == tech]
        layers.append((tech, s.renewable_mw[sl][:, cols].sum(axis=1)))
    fig, ax = plt.subplots(figsize=(12, 5.5))
    base = np.zeros(hours.size)
    for name, y in layers:
        ax.fill_between(hours, base, base + y, step="mid", color=TECH_COLORS.get(name, "#cccccc"),
                        label=name, linewidth=0)
        base = base + y
    curt = s.curtail_mw[sl].sum(axis=1)
    if curt.any():
        ax.fill_between(hours, base, base + curt, step="mid", facecolor="none", edgecolor="#d6604d",
                        hatch="////", linewidth=0, label="curtailed")
    shed = s.shed_mw[sl]
    if shed.any():
        ax.fill_between(hours, base, base + shed, step="mid", color="#ff0000", alpha=0.6, label="unserved")
    demand = a.load_mw[sl] + a.export_mw[sl]
    ax.step(hours, a.load_mw[sl], where="mid", color="black", linewidth=1.5, label="load")
    if a.export_mw.any():
        ax.step(hours, demand, where="mid", color="black", linestyle="--", linewidth=1.0, label="load + export")
    ax.set_xlabel("hour of the data" + (f" (hour 0 = {start_time})" if start_time else ""))
    ax.set_ylabel("MW")
    ax.set_title(title)
    ax.set_xlim(hours[0] - 0.5, hours[-1] + 0.5)
    ax.legend(loc="upper left", ncol=4, fontsize=8, framealpha=0.85)
    if np.isfinite(s.price[sl]).any():
        ax2 = ax.twinx()
        ax2.step(hours, s.price[sl], where="mid", color="#1a9850", linewidth=1.0)
        ax2.set_ylabel(f"marginal price ({a.meta.get('currency', '')}/MWh)", color="#1a9850")
        p = s.price[sl][np.isfinite(s.price[sl])]
        lo, hi = np.percentile(p, 1), np.percentile(p, 99)
        pad = 0.1 * max(hi - lo, 1.0)
        ax2.set_ylim(min(lo, 0) - pad, hi + pad)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
