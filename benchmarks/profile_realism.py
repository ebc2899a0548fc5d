"""Realism of the synthetic profiles: the same statistics for the synthetic series and real data.

    python benchmarks/profile_realism.py                 # print the tables, update the doc
    python benchmarks/profile_realism.py --seeds 10 --no-write

Sources (read in place from ../shared/data beside the repo, or $NPSIM_SHARED_DATA, or --data;
see SOURCES.md there; nothing is copied):
  synthetic   profiles.synthetic with default parameters, year 2025, seeds 1..N (N = --seeds)
  RTS-GMLC    DAY_AHEAD wind (4 plants) and PV (25 plants) per unit of PMax in SourceData/gen.csv,
              regional load (3 regions) per unit of its maximum; 2020, 8784 h
  FTS-213     data_time_series_20200214.mat: PWind_all, PSolar_all, PLoad_all, areas 1-5
              (cells 0-4, 365 x 24 per unit); 8760 h from 1 January
  FTS-213 CSV Time_series_data/Wind_data.csv, 15-minute per unit, averaged to hours
              (Load_data.csv equals PLoad_all to the last digit and is not repeated)
Statistics per series, then shown as the mean over series (min-max): mean (capacity factor or load
factor), hourly ramps (std, median and 99th percentile of |ramp|, excess kurtosis), lag-24 h
autocorrelation, share of hours below 1 % (wind), diurnal peak/trough hour, seasonal means
(DJF/MAM/JJA/SON), wind inter-site correlation (mean of the pairwise correlations), plus tables of
the 24 hourly means and 12 monthly means (mean over series). The Markdown goes to stdout and
between the markers in docs/synthetic-profiles.md (unless --no-write).
"""
import argparse
import csv
import os
import sys
from datetime import datetime
from itertools import combinations
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from profiles import synthetic  # noqa: E402

DOC = REPO / "docs" / "synthetic-profiles.md"
BEGIN, END = "<!-- realism-tables:begin -->", "<!-- realism-tables:end -->"
SEASONS = {"DJF": (12, 1, 2), "MAM": (3, 4, 5), "JJA": (6, 7, 8), "SON": (9, 10, 11)}
KINDS = ("wind", "solar", "load")


def data_dir(arg):
    if arg:
        return Path(arg)
    if os.environ.get("NPSIM_SHARED_DATA"):
        return Path(os.environ["NPSIM_SHARED_DATA"])
    return REPO.parent / "shared" / "data"


class Source:
    """Series of one kind from one source: x (sites, H) per unit, month (H,) 1-12, hour (H,)."""

    def __init__(self, name, x, month, hour):
        self.name, self.x, self.month, self.hour = name, np.asarray(x, float), month, hour


def _months_hours(start: datetime, n: int):
    t = np.datetime64(start, "h") + np.arange(n)
    d = t.astype("datetime64[D]")
    return d.astype("datetime64[M]").astype(int) % 12 + 1, (t - d).astype(int)


def synthetic_sources(seeds):
    start = datetime(2025, 1, 1)
    n = synthetic.year_hours(start)
    month, hour = _months_hours(start, n)
    out = {k: Source(f"synthetic ({len(seeds)} seeds)",
                     [getattr(synthetic, k)(start, n, s) for s in seeds], month, hour) for k in KINDS}
    # inter-site pairs: independent seeds, and with a shared weather (common_seed, correlation 0.7)
    out["pairs_independent"] = [(synthetic.wind(start, n, s), synthetic.wind(start, n, s + 100)) for s in seeds]
    out["pairs_common"] = [(synthetic.wind(start, n, s, common_seed=500 + s),
                            synthetic.wind(start, n, s + 100, common_seed=500 + s)) for s in seeds]
    return out


def _read_csv(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def rts_sources(root: Path):
    base = root / "RTS-GMLC" / "RTS_Data"
    if not base.is_dir():
        return {}
    head, rows = _read_csv(base / "SourceData" / "gen.csv")
    uid, pmax = head.index("GEN UID"), head.index("PMax MW")
    cap = {r[uid]: float(r[pmax]) for r in rows}
    out = {}
    for kind, rel in (("wind", "WIND/DAY_AHEAD_wind.csv"), ("solar", "PV/DAY_AHEAD_pv.csv"),
                      ("load", "Load/DAY_AHEAD_regional_Load.csv")):
        head, rows = _read_csv(base / "timeseries_data_files" / rel)
        a = np.array(rows, float)
        month, hour = a[:, 1].astype(int), a[:, 3].astype(int) - 1
        x = a[:, 4:].T
        if kind == "load":
            x = x / x.max(axis=1, keepdims=True)
            what = f"{len(x)} regions"
        else:
            x = x / np.array([cap[c] for c in head[4:]])[:, None]
            what = f"{len(x)} plants"
        out[kind] = Source(f"RTS-GMLC ({what})", x, month, hour)
    return out


def fts_sources(root: Path):
    base = root / "FTS-213"
    mat = base / "Formatted_data" / "data_time_series_20200214.mat"
    if not mat.is_file():
        return {}
    from scipy.io import loadmat
    m = loadmat(mat)
    month, hour = _months_hours(datetime(2025, 1, 1), 8760)   # a 365-day year from 1 January
    out = {k: Source("FTS-213 (5 areas)", [np.asarray(m[v][i, 0], float).ravel() for i in range(5)], month, hour)
           for k, v in (("wind", "PWind_all"), ("solar", "PSolar_all"), ("load", "PLoad_all"))}
    wcsv = base / "Time_series_data" / "Wind_data.csv"
    if wcsv.is_file():
        head, rows = _read_csv(wcsv)
        a = np.array([r[2:] for r in rows], float)
        x = a.reshape(-1, 4, a.shape[1]).mean(axis=1).T             # 15 min -> hourly means
        out["wind_csv"] = Source("FTS-213 CSV 15 min→h (5 areas)", x, month, hour)
    return out


def series_stats(x, month, hour, kind):
    """Statistics of one series x (H,)."""
    r = np.diff(x)
    rc = r - r.mean()
    s = {"mean": x.mean(),
         "ramp_std": r.std(),
         "ramp_med": np.median(np.abs(r)),
         "ramp_p99": np.quantile(np.abs(r), 0.99),
         "ramp_kurt": (rc ** 4).mean() / (rc ** 2).mean() ** 2 - 3,
         "ac24": np.corrcoef(x[:-24], x[24:])[0, 1],
         "diurnal": np.array([x[hour == h].mean() for h in range(24)]),
         "monthly": np.array([x[month == m].mean() for m in range(1, 13)])}
    for k, ms in SEASONS.items():
        s[k] = x[np.isin(month, ms)].mean()
    s["peak_h"] = int(np.argmax(s["diurnal"]))
    s["trough_h"] = int(np.argmin(s["diurnal"]))
    s["low"] = (x < 0.01).mean()
    s["min"] = x.min()
    if kind == "load":
        s["mean"] = x.mean() / x.max()
    return s


def pairwise_corr(x):
    return [np.corrcoef(a, b)[0, 1] for a, b in combinations(x, 2)]


def fmt(vals, digits=3):
    vals = np.asarray(vals, float)
    if vals.size == 1:
        return f"{vals[0]:.{digits}f}"
    return f"{vals.mean():.{digits}f} ({vals.min():.{digits}f}–{vals.max():.{digits}f})"


ROWS = {
    "wind": [("capacity factor", "mean"), ("std of hourly ramp", "ramp_std"), ("median \\|ramp\\|", "ramp_med"),
             ("99th pct \\|ramp\\|", "ramp_p99"), ("ramp excess kurtosis", "ramp_kurt"),
             ("lag-24 h autocorrelation", "ac24"), ("share of hours < 1 %", "low")],
    "solar": [("capacity factor", "mean"), ("std of hourly ramp", "ramp_std"), ("99th pct \\|ramp\\|", "ramp_p99"),
              ("lag-24 h autocorrelation", "ac24")],
    "load": [("load factor (mean / max)", "mean"), ("minimum (p.u. of max)", "min"), ("std of hourly ramp", "ramp_std"),
             ("99th pct \\|ramp\\|", "ramp_p99"), ("lag-24 h autocorrelation", "ac24")],
}


def kind_table(kind, sources, syn):
    cols = [s for s in sources if s is not None]
    stats = [[series_stats(x, s.month, s.hour, kind) for x in s.x] for s in cols]
    lines = [f"| {kind} | " + " | ".join(s.name for s in cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for label, key in ROWS[kind]:
        digits = 1 if key == "ramp_kurt" else 3
        lines.append(f"| {label} | " + " | ".join(fmt([st[key] for st in sts], digits) for sts in stats) + " |")
    lines.append("| diurnal peak / trough hour | " + " | ".join(
        "{} / {}".format(int(np.argmax(np.mean([st['diurnal'] for st in sts], 0))),
                         int(np.argmin(np.mean([st['diurnal'] for st in sts], 0))))
        for sts in stats) + " |")
    lines.append("| DJF / MAM / JJA / SON mean | " + " | ".join(
        " / ".join(f"{np.mean([st[k] for st in sts]):.3f}" for k in SEASONS) for sts in stats) + " |")
    if kind == "wind":
        cells = [fmt(pairwise_corr(s.x), 2) if len(s.x) > 1 else "—" for s in cols]
        cells[0] = fmt([np.corrcoef(a, b)[0, 1] for a, b in syn["pairs_independent"]], 2) + " independent; " + \
            fmt([np.corrcoef(a, b)[0, 1] for a, b in syn["pairs_common"]], 2) + " common_seed, correlation 0.7"
        lines.append("| inter-site correlation | " + " | ".join(cells) + " |")
    return lines, {s.name: sts for s, sts in zip(cols, stats)}


def profile_table(title, key, n, per_kind, labels):
    heads, series = [], []
    for kind, by_source in per_kind.items():
        for name, sts in by_source.items():
            heads.append(f"{kind} {labels(name)}")
            series.append(np.mean([st[key] for st in sts], axis=0))
    lines = [f"| {title} | " + " | ".join(heads) + " |", "|---" * (len(heads) + 1) + "|"]
    for i in range(n):
        lines.append(f"| {i if key == 'diurnal' else i + 1} | " + " | ".join(f"{s[i]:.2f}" for s in series) + " |")
    return lines


def build(root: Path, seeds):
    syn = synthetic_sources(seeds)
    rts, fts = rts_sources(root), fts_sources(root)
    if not rts or not fts:
        print(f"note: data missing under {root} (RTS-GMLC: {bool(rts)}, FTS-213: {bool(fts)})", file=sys.stderr)
    out, per_kind = [], {}
    for kind in KINDS:
        srcs = [syn[kind], rts.get(kind), fts.get(kind)] + ([fts.get("wind_csv")] if kind == "wind" else [])
        lines, per_kind[kind] = kind_table(kind, srcs, syn)
        out += lines + [""]

    def short(name):
        return name.split(" (")[0].replace("synthetic", "syn").replace("FTS-213 CSV 15 min→h", "FTS CSV")

    out += ["Mean over series, hour of day (clock time of the data; the hour starting at h):", ""]
    out += profile_table("hour", "diurnal", 24, per_kind, short) + [""]
    out += ["Mean over series, month:", ""]
    out += profile_table("month", "monthly", 12, per_kind, short)
    return "\n".join(out) + "\n"


def write_doc(text):
    DOC.parent.mkdir(exist_ok=True)
    block = f"{BEGIN}\n{text}{END}"
    if DOC.is_file():
        doc = DOC.read_text()
        if BEGIN in doc and END in doc:
            doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
        else:
            doc = doc.rstrip() + "\n\n" + block + "\n"
    else:
        doc = "# Synthetic profiles\n\n" + block + "\n"
    DOC.write_text(doc)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="folder holding RTS-GMLC/ and FTS-213/ (default ../shared/data)")
    ap.add_argument("--seeds", type=int, default=5, help="synthetic seeds 1..N (default 5)")
    ap.add_argument("--no-write", action="store_true", help=f"print only; do not update {DOC.relative_to(REPO)}")
    a = ap.parse_args(argv)
    text = build(data_dir(a.data), list(range(1, a.seeds + 1)))
    print(text)
    if not a.no_write:
        write_doc(text)
        print(f"wrote {DOC.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
