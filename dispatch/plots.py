"""PNG plots of a run (matplotlib; drawn on a bare Agg `Figure`, pyplot's global state is untouched).

  dispatch_stack       one week: stacked output by technology, curtailment (hatched) above the
                       renewables used, load, load + export, net load, unserved energy, and the
                       marginal price in a lower panel (dates on the x axis)
  curtailment_heatmap  curtailed MWh by hour of day (rows 0-23) and day (columns), with the daily
                       total above it; for runs of two weeks or more
  energy_bar           energy by technology over the run (GWh) with curtailment stacked, hatched,
                       on each renewable technology; import, load and export for reference

Pure helpers, tested without drawing: `week_windows`, `hour_of_day0`, `by_hour_of_day`,
`curtailment_matrix`, `price_limits`, `energy_by_technology`. Colours per technology come from
TECH_COLORS everywhere (`tech_color` gives a stable fallback for technologies not listed).
"""
import zlib
from collections import namedtuple
from datetime import date, datetime, timedelta

import numpy as np

TECH_COLORS = {
    "nuclear": "#7b3294", "coal": "#4d4d4d", "chp": "#8c6d31", "biomass": "#6b8e23", "gas": "#e08214",
    "oil": "#b2182b", "other": "#999999", "hydro_ror": "#2166ac", "wind": "#4393c3", "solar": "#fdb863",
    "csp": "#f46d43", "import": "#80cdc1", "storage": "#762a83", "hydro_reservoir": "#053061",
}
# not technologies, but drawn the same way in every plot
EXPORT_COLOR = "#01665e"
CURTAIL_COLOR = "#d6604d"     # hatch colour of curtailed energy in the dispatch stack (and heat map bars)
CURTAIL_FACE = "#fde0d2"
UNSERVED_COLOR = "#e41a1c"
NET_LOAD_COLOR = "#c51b7d"
PRICE_COLOR = "#1a9850"
_FALLBACK = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]

THERMAL_ORDER = ["nuclear", "coal", "chp", "biomass", "gas", "oil", "other"]   # bottom of the stack first
RENEWABLE_ORDER = ["hydro_ror", "wind", "solar", "csp"]
NET_LOAD_TECHS = ("wind", "solar", "hydro_ror")   # subtracted (available output) in the net load
LABELS = {"hydro_ror": "hydro (run-of-river)", "chp": "CHP", "csp": "CSP (solar thermal)",
          "hydro_reservoir": "hydro (reservoir)", "storage": "storage discharge"}
CURTAIL_HATCH = "////"
SHORT = {"hydro_ror": "hydro"}

EPS_MW = 1e-6                 # below this, MW (MWh) values are solver round-off: not drawn
DPI = 100
STACK_SIZE = (13.0, 8.0)      # inches; PNG pixels = size × DPI
HEATMAP_SIZE = (13.0, 6.5)
BAR_SIZE = (12.0, 7.0)
FONT = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "legend.fontsize": 10,
        "xtick.labelsize": 10, "ytick.labelsize": 10, "figure.titlesize": 14}


def tech_color(name: str) -> str:
    """The colour of a technology: TECH_COLORS, else a fixed pick from a fallback palette."""
    if name in TECH_COLORS:
        return TECH_COLORS[name]
    return _FALLBACK[zlib.crc32(name.encode()) % len(_FALLBACK)]


def tech_label(name: str) -> str:
    return LABELS.get(name, name)


def _ordered(techs, order):
    return sorted(set(techs), key=lambda t: (order.index(t) if t in order else len(order), t))


def week_windows(values: np.ndarray, width: int = 168) -> int:
    """Start index of the `width`-hour window with the largest sum of `values` (T,)."""
    if values.size <= width:
        return 0
    c = np.concatenate([[0.0], np.cumsum(values)])
    return int(np.argmax(c[width:] - c[:-width]))


# ---------------------------------------------------------------- time helpers

def _start_datetime(start_time):
    """`start_time` (ISO text, date, datetime or None) as a naive wall-clock datetime, plus a label
    of its UTC offset ('' when naive)."""
    if start_time is None:
        return None, ""
    if isinstance(start_time, str):
        start_time = datetime.fromisoformat(start_time)
    elif isinstance(start_time, date) and not isinstance(start_time, datetime):
        start_time = datetime(start_time.year, start_time.month, start_time.day)
    tz = ""
    if start_time.tzinfo is not None:
        off = start_time.utcoffset()
        tz = f"UTC{'+' if off >= timedelta(0) else '-'}{abs(off) // timedelta(hours=1):02d}:" \
             f"{(abs(off) % timedelta(hours=1)) // timedelta(minutes=1):02d}"
    return start_time.replace(tzinfo=None), tz


def hour_of_day0(start_time, first_hour: int) -> int:
    """Hour of day (0-23) of data hour `first_hour`, when data hour 0 is at `start_time`
    (None = midnight)."""
    t0, _ = _start_datetime(start_time)
    h = 0 if t0 is None else t0.hour
    return int((h + first_hour) % 24)


def by_hour_of_day(values, hour0: int) -> np.ndarray:
    """Hourly `values` (T,) laid out as a (24, n_days) matrix: row = hour of day, column = calendar
    day. `hour0` is the hour of day of values[0]; cells before the first or after the last hour
    are NaN. n_days = ceil((hour0 + T) / 24)."""
    v = np.asarray(values, float).ravel()
    if not 0 <= hour0 < 24:
        raise ValueError(f"hour0 = {hour0}: allowed 0..23")
    n_days = max(1, -(-(hour0 + v.size) // 24))
    flat = np.full(n_days * 24, np.nan)
    flat[hour0:hour0 + v.size] = v
    return flat.reshape(n_days, 24).T


def price_limits(p) -> tuple:
    """(low, high) y limits for a price series that leave off only outliers such as scarcity
    prices (VOLL, reserve shortfall) or over-generation prices: values more than 6 spreads from the
    median, spread = max(interquartile range, half the 90th percentile of |price|, 1). Everything
    else is shown, zero too when it is near, with a little padding. NaNs are ignored."""
    p = np.asarray(p, float)
    p = p[np.isfinite(p)]
    if p.size == 0:
        return 0.0, 1.0
    q25, med, q75 = np.percentile(p, [25, 50, 75])
    spread = max(q75 - q25, 0.5 * np.percentile(np.abs(p), 90), 1.0)
    inside = p[np.abs(p - med) <= 6 * spread]
    bot, top = float(inside.min()), float(inside.max())
    if 0 < bot and (bot < 0.5 * top or bot == top):
        bot = 0.0                      # show zero when it is near (or the price flat): read against it
    elif bot < 0 and (top < 0.5 * bot or bot == top):
        top = 0.0
    pad = 0.08 * max(top - bot, 1.0)
    return bot - pad, top + pad


def curtailment_matrix(a, s, start_time=None, percent: bool = False) -> np.ndarray:
    """Curtailment of all renewables as a (24, n_days) matrix (see `by_hour_of_day`): MWh in each
    hour, or with `percent` the share of the available output curtailed (0 where nothing was
    available). Days are calendar days of `start_time` + data hour; NaN outside the run."""
    h0 = hour_of_day0(start_time, s.first_hour)
    m = by_hour_of_day(s.curtail_mw.sum(axis=1), h0)
    if not percent:
        return m
    av = by_hour_of_day(a.available_mw.sum(axis=1), h0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(av > 0, 100.0 * m / np.where(av > 0, av, 1.0), np.where(np.isnan(av), np.nan, 0.0))


# ---------------------------------------------------------------- energy aggregation

EnergyRow = namedtuple("EnergyRow", "name group mwh curtailed_mwh")
EnergyRow.__doc__ = """One bar of the energy plot: `group` is 'thermal', 'import', 'renewable',
'unserved' (supply side) or 'load', 'export' (demand side); `mwh` the energy used (renewables:
output used), `curtailed_mwh` what was available but curtailed (renewables only, else 0)."""


def energy_by_technology(a, s) -> list:
    """Energy over the run by technology, as EnergyRow's in plotting order: thermal techs, import,
    renewable techs (used + curtailed), unserved energy (only if above EPS_MW per hour), then load and export."""
    rows = []
    for tech in _ordered(a.thermal_tech, THERMAL_ORDER):
        cols = [i for i, t in enumerate(a.thermal_tech) if t == tech]
        rows.append(EnergyRow(tech, "thermal", float(s.p_mw[:, cols].sum()), 0.0))
    if a.import_mw.any():
        rows.append(EnergyRow("import", "import", float(a.import_mw.sum()), 0.0))
    for tech in _ordered(a.renewable_tech, RENEWABLE_ORDER):
        cols = [i for i, t in enumerate(a.renewable_tech) if t == tech]
        rows.append(EnergyRow(tech, "renewable", float(s.renewable_mw[:, cols].sum()),
                              float(s.curtail_mw[:, cols].sum())))
    for name, res in (("hydro_reservoir", True), ("storage", False)):
        cols = [k for k, t in enumerate(a.storage.tech) if (t == "hydro_reservoir") == res]
        if cols:
            rows.append(EnergyRow(name, "storage", float(s.discharge_mw[:, cols].sum()), 0.0))
    if s.shed_mw.sum() > EPS_MW * s.T:
        rows.append(EnergyRow("unserved", "unserved", float(s.shed_mw.sum()), 0.0))
    rows.append(EnergyRow("load", "load", float(a.load_mw.sum()), 0.0))
    if a.export_mw.any():
        rows.append(EnergyRow("export", "export", float(a.export_mw.sum()), 0.0))
    if s.storage_names:
        rows.append(EnergyRow("storage charging", "storage_charge", float(s.charge_mw.sum()), 0.0))
    return rows


def _stack_layers(a, s, sl):
    """[(name, (n,) MW)] bottom to top: thermal techs, import, renewables used, storage discharge."""
    layers = []
    for tech in _ordered(a.thermal_tech, THERMAL_ORDER):
        cols = [i for i, t in enumerate(a.thermal_tech) if t == tech]
        layers.append((tech, s.p_mw[sl][:, cols].sum(axis=1)))
    if a.import_mw.any():
        layers.append(("import", a.import_mw[sl]))
    for tech in _ordered(a.renewable_tech, RENEWABLE_ORDER):
        cols = [i for i, t in enumerate(a.renewable_tech) if t == tech]
        layers.append((tech, s.renewable_mw[sl][:, cols].sum(axis=1)))
    for name, res in (("hydro_reservoir", True), ("storage", False)):
        cols = [k for k, t in enumerate(a.storage.tech) if (t == "hydro_reservoir") == res]
        if cols:
            layers.append((name, s.discharge_mw[sl][:, cols].sum(axis=1)))
    return layers


def _denoise(y):
    """Solver round-off (|y| <= EPS_MW) set to 0, so it is neither drawn nor put in a legend."""
    return np.where(np.abs(y) > EPS_MW, y, 0.0)


def _figure(size, **kw):
    from matplotlib.figure import Figure
    return Figure(figsize=size, dpi=DPI, layout="constrained", **kw)


def _edges(y):
    """Values per hour → values at the n + 1 hour edges for steps-post drawing."""
    y = np.asarray(y, float)
    return np.append(y, y[-1]) if y.size else y


def _fmt_num(v: float) -> str:
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 0.01:
        return f"{v:.2f}"
    return f"{v:.1e}"


# ---------------------------------------------------------------- dispatch stack

def dispatch_stack(path, a, s, start: int, width: int, title: str, start_time=None):
    """Stacked output by technology for rows [start, start + width) of the schedule, with
    curtailment, load, load + export, net load, unserved energy and the marginal price in a lower
    panel. `a` = SystemArrays of the run, `s` = Schedule, `start_time` = timestamp of data hour 0
    (ISO text or datetime; None = x axis in hours of the data)."""
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch
    import matplotlib.patheffects as pe
    from matplotlib.lines import Line2D

    sl = slice(max(0, start), min(max(0, start) + width, s.T))
    n = sl.stop - sl.start
    if n <= 0:
        raise ValueError(f"no hours to plot: start {start}, width {width}, run of {s.T} h")
    t0, tz = _start_datetime(start_time)
    first = s.first_hour + sl.start
    if t0 is not None:
        times = [t0 + timedelta(hours=first + k) for k in range(n + 1)]
        x = mdates.date2num(times)
    else:
        x = np.arange(first, first + n + 1, dtype=float)
    cur = a.meta.get("currency", "")

    with matplotlib.rc_context(FONT):
        fig = _figure(STACK_SIZE)
        gs = fig.add_gridspec(2, 1, height_ratios=[3.0, 1.1])
        ax = fig.add_subplot(gs[0])
        axp = fig.add_subplot(gs[1], sharex=ax)
        handles = []
        base = np.zeros(n)
        for name, y in _stack_layers(a, s, sl):
            if not np.any(y):
                continue
            ax.fill_between(x, _edges(base), _edges(base + y), step="post", color=tech_color(name), linewidth=0)
            handles.append(Patch(facecolor=tech_color(name), label=tech_label(name)))
            base = base + y
        charge = _denoise(s.charge_mw[sl].sum(axis=1))
        if charge.any():   # storage charging is extra demand: drawn below zero
            ax.fill_between(x, _edges(-charge), _edges(np.zeros(n)), step="post", color=tech_color("storage"),
                            alpha=0.45, linewidth=0)
            handles.append(Patch(facecolor=tech_color("storage"), alpha=0.45, label="storage charging (below 0)"))
        shed = _denoise(s.shed_mw[sl])
        if shed.any():
            ax.fill_between(x, _edges(base), _edges(base + shed), step="post", color=UNSERVED_COLOR, linewidth=0)
            handles.append(Patch(facecolor=UNSERVED_COLOR, label=f"unserved ({_fmt_num(shed.sum())} MWh)"))
            base = base + shed
        curt = _denoise(s.curtail_mw[sl].sum(axis=1))
        if curt.any():
            ax.fill_between(x, _edges(base), _edges(base + curt), step="post", facecolor=CURTAIL_FACE,
                            edgecolor=CURTAIL_COLOR, hatch=CURTAIL_HATCH, linewidth=0)
            handles.append(Patch(facecolor=CURTAIL_FACE, edgecolor=CURTAIL_COLOR, hatch=CURTAIL_HATCH,
                                 label=f"curtailed ({_fmt_num(curt.sum())} MWh)"))
        handles = handles[::-1]           # legend reads top of the stack first
        load = a.load_mw[sl]
        ax.plot(x, _edges(load), drawstyle="steps-post", color="black", linewidth=2.0)
        handles.append(Line2D([], [], color="black", linewidth=2.0, label="load"))
        demand = load + a.export_mw[sl]
        if a.export_mw[sl].any():
            ax.plot(x, _edges(demand), drawstyle="steps-post", color="black", linestyle="--", linewidth=1.4)
            handles.append(Line2D([], [], color="black", linestyle="--", linewidth=1.4, label="load + export"))
        nl = np.array([t in NET_LOAD_TECHS for t in a.renewable_tech], bool)
        if nl.any():
            net = demand - a.available_mw[sl][:, nl].sum(axis=1)
            ax.plot(x, _edges(net), drawstyle="steps-post", color=NET_LOAD_COLOR, linewidth=2.0, linestyle="-.",
                    path_effects=[pe.Stroke(linewidth=4.0, foreground="white"), pe.Normal()])
            present = [SHORT.get(t, t) for t in _ordered([t for t in a.renewable_tech if t in NET_LOAD_TECHS],
                                                       RENEWABLE_ORDER)]
            handles.append(Line2D([], [], color=NET_LOAD_COLOR, linewidth=2.0, linestyle="-.",
                                  label="net load = load + export\n − available " + ", ".join(present)))
        ax.axhline(0, color="#555555", linewidth=0.8)
        ax.set_ylabel("power (MW)")
        ax.grid(axis="y", color="#dddddd", linewidth=0.7)
        ax.set_axisbelow(True)
        ax.set_xlim(x[0], x[-1])
        ax.tick_params(labelbottom=False)
        fig.legend(handles=handles, loc="outside right upper", frameon=False, handlelength=2.2)

        # price panel
        p = s.price[sl]
        fin = np.isfinite(p)
        axp.axhline(0, color="#555555", linewidth=0.8)
        axp.grid(axis="y", color="#dddddd", linewidth=0.7)
        axp.set_ylabel(f"price\n({cur}/MWh)" if cur else "price\n(per MWh)")
        if fin.any():
            lo, hi = price_limits(p)
            axp.plot(x, _edges(p), drawstyle="steps-post", color=PRICE_COLOR, linewidth=1.6)
            axp.set_ylim(lo, hi)
            mid = (x[:-1] + x[1:]) / 2
            notes = []
            above, below = fin & (p > hi), fin & (p < lo)
            if above.any():
                axp.plot(mid[above], np.full(above.sum(), hi), linestyle="none", marker="^", markersize=9,
                         color=PRICE_COLOR, markeredgecolor="black", clip_on=False, zorder=5)
                notes.append(f"▲ {above.sum()} h above the scale, up to {_fmt_num(p[fin].max())} {cur}/MWh")
            if below.any():
                axp.plot(mid[below], np.full(below.sum(), lo), linestyle="none", marker="v", markersize=9,
                         color=PRICE_COLOR, markeredgecolor="black", clip_on=False, zorder=5)
                notes.append(f"▼ {below.sum()} h below the scale, down to {_fmt_num(p[fin].min())} {cur}/MWh")
            axp.set_title("marginal price of energy", loc="left", fontsize=10)
            if notes:                  # above the panel, so it never hides a price
                axp.set_title(";  ".join(notes), loc="right", fontsize=9.5, color="#333333")
        else:
            axp.text(0.5, 0.5, "no marginal prices in this run (pricing LP not solved)", transform=axp.transAxes,
                     ha="center", va="center", color="#666666")
            axp.set_yticks([])

        if t0 is not None:
            days = n / 24
            if days <= 16:
                axp.xaxis.set_major_locator(mdates.DayLocator())
                axp.xaxis.set_major_formatter(mdates.DateFormatter("%a\n%d %b"))
                axp.xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18]))
            else:
                loc = mdates.AutoDateLocator()
                axp.xaxis.set_major_locator(loc)
                axp.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
            for axis in (ax, axp):
                axis.grid(axis="x", which="major", color="#aaaaaa", linewidth=0.8)
            axp.set_xlabel("date (ticks at midnight)" + (f", {tz}" if tz else ""))
            last = t0 + timedelta(hours=first + n - 1)
            period = f"{times[0]:%a %d %b %Y %H:%M} – {last:%a %d %b %Y %H:%M} ({n} h)"
        else:
            axp.set_xlabel("hour of the data")
            period = f"hours {first}–{first + n - 1} of the data ({n} h)"
        fig.suptitle(f"{title}\n{period}")
        fig.savefig(path, dpi=DPI)


# ---------------------------------------------------------------- curtailment heat map

def curtailment_heatmap(path, a, s, start_time=None, percent: bool = False):
    """Curtailed energy by hour of day (rows, 0-23 from the top) and day (columns), with the daily
    total above. `percent=True` shows curtailment as % of the available renewable output instead.
    Meant for runs of two weeks or more (a year gives 365 columns)."""
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    t0, tz = _start_datetime(start_time)
    m = curtailment_matrix(a, s, t0, percent)
    m_curt = m if not percent else curtailment_matrix(a, s, t0)
    curt = s.curtail_mw.sum(axis=1)
    avail = a.available_mw.sum(axis=1)
    unit = "curtailed (% of available)" if percent else "curtailed energy (MWh in the hour)"
    n_days = m.shape[1]
    if t0 is not None:
        day0 = datetime.combine((t0 + timedelta(hours=s.first_hour)).date(), datetime.min.time())
        xe = mdates.date2num([day0 + timedelta(days=d) for d in range(n_days + 1)])
    else:
        xe = np.arange(n_days + 1, dtype=float)
    daily = np.nansum(m_curt, axis=0)
    big = daily.max(initial=0.0) >= 1000
    daily_u = daily / 1000 if big else daily
    total, total_av = float(curt.sum()), float(avail.sum())

    with matplotlib.rc_context(FONT):
        fig = _figure(HEATMAP_SIZE)
        gs = fig.add_gridspec(2, 2, height_ratios=[1.0, 3.2], width_ratios=[50, 1])
        ax = fig.add_subplot(gs[1, 0])
        axt = fig.add_subplot(gs[0, 0], sharex=ax)
        cax = fig.add_subplot(gs[1, 1])
        fig.add_subplot(gs[0, 1]).axis("off")
        # YlOrRd without its palest eighth, so that small values stand out from white (= none)
        cmap = ListedColormap(colormaps["YlOrRd"](np.linspace(0.12, 1.0, 256))).with_extremes(
            bad="#d9d9d9", under="white")
        vmax = float(np.nanmax(m)) if np.isfinite(m).any() and np.nanmax(m) > EPS_MW else 1.0
        mesh = ax.pcolormesh(xe, np.arange(25), m, cmap=cmap, vmin=vmax * 1e-6, vmax=vmax, shading="flat")
        cb = fig.colorbar(mesh, cax=cax)
        cb.set_label(unit)
        ax.set_ylim(24, 0)
        ax.set_yticks(np.arange(0, 24, 3) + 0.5, [f"{h:02d}:00" for h in range(0, 24, 3)])
        ax.set_ylabel("hour of day (start of hour)")
        axt.bar((xe[:-1] + xe[1:]) / 2, daily_u, width=0.85 * (xe[1] - xe[0]), color=CURTAIL_COLOR)
        axt.set_ylabel(("GWh" if big else "MWh") + "\nper day")
        axt.set_title("curtailed energy per day", loc="left", fontsize=10)
        axt.grid(axis="y", color="#dddddd", linewidth=0.7)
        axt.set_axisbelow(True)
        axt.tick_params(labelbottom=False)
        ax.set_xlim(xe[0], xe[-1])
        if t0 is not None:
            if n_days > 62:
                loc = mdates.MonthLocator()
                ax.xaxis.set_major_locator(loc)
                ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc, formats=["%Y", "%b", "%d", "%H:%M",
                                                                                    "%H:%M", "%S.%f"]))
                ax.set_xlabel("month" + (f" ({tz})" if tz else ""))
            else:
                step = max(1, int(np.ceil(n_days / 16)))
                centres = (xe[:-1] + xe[1:]) / 2          # labels sit in the middle of their column
                ax.set_xticks(centres[::step], [(day0 + timedelta(days=d)).strftime("%a\n%d %b")
                                                for d in range(0, n_days, step)])
                ax.set_xticks(xe, minor=True)
                ax.tick_params(axis="x", which="major", length=0)
                ax.set_xlabel("day" + (f" ({tz})" if tz else ""))
            last = t0 + timedelta(hours=s.first_hour + s.T - 1)
            period = f"{t0 + timedelta(hours=s.first_hour):%d %b %Y %H:%M} – {last:%d %b %Y %H:%M}"
        else:
            ax.set_xlabel("day of the run")
            period = f"hours {s.first_hour}–{s.first_hour + s.T - 1} of the data"
        rate = f" = {100 * total / total_av:.1f} % of {_fmt_num(total_av / 1000)} GWh available" if total_av > 0 else ""
        name = a.meta.get("name", "")
        fig.suptitle(f"{name + ': ' if name else ''}curtailment by hour of day and day, {period}\n"
                     f"total {_fmt_num(total / 1000)} GWh curtailed{rate}   (white = none, grey = outside the run)")
        fig.savefig(path, dpi=DPI)


# ---------------------------------------------------------------- energy by technology

def energy_bar(path, a, s, start_time=None):
    """Horizontal bars of energy by technology over the run in GWh (values printed), curtailment
    stacked hatched on each renewable technology; unserved energy, load and export below."""
    import matplotlib
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    rows = energy_by_technology(a, s)
    noise = EPS_MW * s.T                      # a sum of round-off is not shown as curtailment
    t0, _ = _start_datetime(start_time)
    colors = {"unserved": UNSERVED_COLOR, "load": "white", "export": EXPORT_COLOR,
              "storage_charge": tech_color("storage")}
    labels = {"unserved": "unserved energy", "load": "load", "export": "export", "import": "import",
              "storage": "storage discharge", "storage charging": "storage charging"}

    with matplotlib.rc_context(FONT):
        fig = _figure(BAR_SIZE)
        ax = fig.add_subplot()
        supply = [r for r in rows if r.group not in ("load", "export", "storage_charge")]
        demand = [r for r in rows if r.group in ("load", "export", "storage_charge")]
        y, ypos = 0.0, []
        for _ in supply:
            ypos.append(y)
            y += 1
        y += 0.6                                         # gap between supply and demand
        for _ in demand:
            ypos.append(y)
            y += 1
        ordered = supply + demand
        xmax = max([(r.mwh + r.curtailed_mwh) / 1000 for r in ordered] + [1e-9])
        for yy, r in zip(ypos, ordered):
            used, cut = r.mwh / 1000, r.curtailed_mwh / 1000
            c = colors.get(r.group, tech_color(r.name))
            ax.barh(yy, used, color=c, edgecolor="black" if r.group == "load" else c, height=0.7)
            text = f"{_fmt_num(used)} GWh"
            if r.curtailed_mwh > noise:
                ax.barh(yy, cut, left=used, facecolor="white", edgecolor=c, hatch=CURTAIL_HATCH,
                        height=0.7, linewidth=1.0)
                share = 100 * r.curtailed_mwh / (r.mwh + r.curtailed_mwh)
                text += f" used\n+ {_fmt_num(cut)} GWh curtailed ({share:.1f} % of available)"
            ax.text(used + cut + 0.01 * xmax, yy, text, va="center", ha="left", fontsize=10, linespacing=1.1)
        ax.set_yticks(ypos, [labels.get(r.name, tech_label(r.name)) if r.group != "renewable"
                             else tech_label(r.name) for r in ordered])
        ax.set_ylim(y - 0.4, -0.6)
        ax.set_xlim(0, xmax * 1.6)
        ax.set_xlabel("energy over the run (GWh)")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if xmax >= 5 else f"{v:g}"))
        ax.grid(axis="x", color="#dddddd", linewidth=0.7)
        ax.set_axisbelow(True)
        if demand:
            ysep = (ypos[len(supply) - 1] + ypos[len(supply)]) / 2 if supply else ypos[0] - 0.8
            ax.axhline(ysep, color="#888888", linewidth=0.8, linestyle=":")
            ax.text(xmax * 1.58, ysep - 0.1, "supply ↑", ha="right", va="bottom", fontsize=9, color="#555555")
            ax.text(xmax * 1.58, ysep + 0.1, "demand ↓", ha="right", va="top", fontsize=9, color="#555555")
        if any(r.curtailed_mwh > noise for r in rows):
            fig.legend(handles=[Patch(facecolor="white", edgecolor="#444444", hatch=CURTAIL_HATCH,
                                      label="curtailed: available renewable output that was not used")],
                       loc="outside lower center", frameon=False)
        gen = sum(r.mwh for r in supply if r.group != "unserved")
        dem = sum(r.mwh for r in demand)
        name = a.meta.get("name", "")
        when = f" from {t0 + timedelta(hours=s.first_hour):%d %b %Y %H:%M}" if t0 is not None else ""
        days = f" ({s.T / 24:.0f} days)" if s.T >= 48 else ""
        shed = sum(r.mwh for r in supply if r.group == "unserved")
        unserved = f" (+ unserved {_fmt_num(shed / 1000)} GWh)" if shed > 0 else ""
        fig.suptitle(f"{name + ': ' if name else ''}energy by technology, {s.T} h{days}{when}\n"
                     f"supply {_fmt_num(gen / 1000)} GWh{unserved},  "
                     f"demand (load, export, storage charging) {_fmt_num(dem / 1000)} GWh")
        fig.savefig(path, dpi=DPI)
