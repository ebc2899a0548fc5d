"""pglib-uc (IEEE PES Power Grid Lib, unit commitment) JSON instance → npsim case files.

`convert_pglib(json_path, outdir)` writes OUTDIR/case.yaml and OUTDIR/profiles.csv (every series at
full float precision) and returns the case path. Solved as one window of all T hours
(`horizon: {decided_h: T, lookahead_h: 0}`, `time.hours: T`, curtailment cost 0), the case is the
reference formulation's problem (../shared/data/pglib-uc/FORMULATION.md):

  thermal_generators   → `thermal`: cost_curve from piecewise_production, ramp_up/down limits,
                         start-up/shut-down limits, min up/down, must_run, start-up categories
                         (lag_h, cost), initial state (on, hours in that state, output at t0)
  renewable_generators → `renewables`: profile_mw = power_output_maximum, min_profile_mw =
                         power_output_minimum, technology guessed from the name
  demand               → one load with profile_mw;  reserves → `reserves.up.profile_mw`
  penalties            → curtailment 0; shedding, over-generation and reserve shortfall at
                         `penalty_per_mwh` (≥ 1e5 and ≥ the dearest single start-up) so the
                         slacks stay zero on feasible instances (check shed == 0 in results)

Adjustments where the pglib data cannot be written literally (each leaves the reference model
unchanged, see the comments in `_thermal`): a 0 MW start-up/shut-down limit (p_min = 0) becomes
1e-9 MW; several cost points all at p_min = p_max become one; a single start-up category's lag
above min down is lowered to it; an off unit's output at t0 is written as 0. Not representable,
so an InputError: 0 h in the initial state (npsim needs >= 1 h), and a first lag above min down
with several categories (restarts in between would pay the coldest cost: costs falling with hours
off). No pglib-uc instance has either. Anything else npsim's validation rejects is an InputError naming the
JSON file, the unit and the field.

Known modelling difference (not a conversion issue): for a unit off at t0, the reference forbids
a hotter start-up category s in hours t < lag_{s+1} once the unit *would* have been off lag_{s+1}
hours counting from before t0, even if it started and stopped again inside the window; npsim
counts hours off from the actual last stop, so it may price such a restart hotter (cheaper). It
cannot bind on the rts_gmlc days checked (06-09, 07-06, 08-12, 09-20): no unit with more than
one category starts there.
"""
import json
import math
import re
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import yaml

from grid.config import read_text
from grid.errors import InputError

# Stand-in for a start-up/shut-down limit of 0 MW (possible only with p_min = 0; npsim needs a
# limit > 0). The start-up row becomes p + r ≤ 1e-9 instead of ≤ 0: below HiGHS's primal
# feasibility tolerance (1e-7) and the checker's (1e-4), so the model is the same to solver
# precision.
TINY_RAMP_MW = 1e-9
PENALTY_FLOOR = 1e5          # currency/MWh: least price of shedding / over-generation / reserve shortfall
CASE_FILE, PROFILES_FILE = "case.yaml", "profiles.csv"

THERMAL_NUMBERS = ("power_output_minimum", "power_output_maximum", "ramp_up_limit", "ramp_down_limit",
                   "ramp_startup_limit", "ramp_shutdown_limit", "time_up_minimum", "time_down_minimum",
                   "power_output_t0", "time_up_t0", "time_down_t0")


# ----------------------------------------------------------------------------- reading

class _Reader:
    """Field access on the parsed JSON with InputErrors naming the file and the JSON path."""

    def __init__(self, path: Path):
        self.path = path

    def get(self, obj, key, where):
        fp = f"{where}.{key}" if where else key
        if not isinstance(obj, dict):
            raise InputError(self.path, where or "<top>", None, "a JSON object", show_value=False)
        if key not in obj:
            raise InputError(self.path, fp, None, "required field is missing", show_value=False)
        return obj[key], fp

    def num(self, obj, key, where, lo=None, integer=False) -> float:
        v, fp = self.get(obj, key, where)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(self.path, fp, v, "a finite number")
        if integer and not float(v).is_integer():
            raise InputError(self.path, fp, v, "a whole number")
        if lo is not None and v < lo:
            raise InputError(self.path, fp, v, f"a number >= {lo:g}")
        return v

    def flag(self, obj, key, where) -> bool:
        v, fp = self.get(obj, key, where)
        if not isinstance(v, (bool, int, float)) or v not in (0, 1):
            raise InputError(self.path, fp, v, "0 or 1")
        return bool(v)

    def series(self, obj, key, where, T) -> np.ndarray:
        v, fp = self.get(obj, key, where)
        if not isinstance(v, list):
            raise InputError(self.path, fp, v, f"a list of time_periods ({T}) numbers")
        if len(v) != T:
            raise InputError(self.path, fp, None, f"{len(v)} values; needs one per time period ({T})",
                             show_value=False)
        for h, x in enumerate(v):
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
                raise InputError(self.path, f"{fp}[{h}]", x, "a finite number")
            if x < 0:
                raise InputError(self.path, f"{fp}[{h}]", x, "a number >= 0 (MW)")
        return np.asarray(v, float)

    def mapping(self, obj, key, where, default=None) -> dict:
        if default is not None and isinstance(obj, dict) and key not in obj:
            return default
        v, fp = self.get(obj, key, where)
        if not isinstance(v, dict):
            raise InputError(self.path, fp, None, "a JSON object of name: data", show_value=False)
        return v


def read_instance(json_path) -> dict:
    """Parse a pglib-uc instance file; returns the JSON document (InputError on any problem
    reading it: missing file, not JSON, not an object)."""
    path = Path(json_path)
    text = read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, "", allowed=f"not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    if not isinstance(doc, dict):
        raise InputError(path, "", allowed="a JSON object (a pglib-uc instance)")
    return doc


# ----------------------------------------------------------------------------- mapping

def _renewable_technology(name: str) -> str:
    n = name.upper()
    if "WIND" in n:
        return "wind"
    if "CSP" in n:
        return "csp"
    if "PV" in n:          # PV and RTPV (rooftop)
        return "solar"
    if "HYDRO" in n:
        return "hydro_ror"
    return "other"


def _thermal_technology(name: str) -> str:
    n = name.upper()
    if "NUCLEAR" in n:
        return "nuclear"
    if re.search(r"(^|_)(CC|CT)(_|$)", n):   # RTS-GMLC combined cycle / combustion turbine
        return "gas"
    return "other"


def _thermal(rd: _Reader, name: str, g: dict, T: int) -> dict:
    """One pglib thermal generator → one npsim `thermal` entry."""
    where = f"thermal_generators.{name}"
    x = {k: rd.num(g, k, where, lo=0.0) for k in THERMAL_NUMBERS}
    must_run, on0 = rd.flag(g, "must_run", where), rd.flag(g, "unit_on_t0", where)
    pmin, pmax = x["power_output_minimum"], x["power_output_maximum"]

    pts, fp = rd.get(g, "piecewise_production", where)
    if not isinstance(pts, list) or not pts:
        raise InputError(rd.path, fp, pts, "a non-empty list of {mw, cost} points")
    mw = [rd.num(p, "mw", f"{fp}[{i}]") for i, p in enumerate(pts)]
    cost = [rd.num(p, "cost", f"{fp}[{i}]") for i, p in enumerate(pts)]
    if pmin == pmax and len(mw) > 1 and all(m == pmin for m in mw):
        # A fixed-output unit given several points all at p_min: in the reference every λ_l has
        # P_l − P_1 = 0, so p = 0 and c = Σ (CP_l − CP_1)·λ_l, minimised at CP_1 — one point
        # (p_min, CP_1) is the same model, and npsim wants strictly increasing points.
        mw, cost = mw[:1], cost[:1]

    cats, fp = rd.get(g, "startup", where)
    if not isinstance(cats, list):
        raise InputError(rd.path, fp, cats, "a list of {lag, cost} start-up categories")
    startup = [{"lag_h": rd.num(c, "lag", f"{fp}[{i}]", lo=0.0), "cost": rd.num(c, "cost", f"{fp}[{i}]", lo=0.0)}
               for i, c in enumerate(cats)]
    dt = max(math.ceil(x["time_down_minimum"] - 1e-9), 1)
    if startup and startup[0]["lag_h"] > dt:
        if len(startup) == 1:
            # One category: the reference has no category row for the last (only) category, so
            # its lag never matters; npsim wants lag_h <= min_down_h.
            startup[0]["lag_h"] = dt
        else:
            # Restarts after dt..lag_0 − 1 hours off would pay the coldest cost in the reference:
            # start-up cost falling with hours off, which npsim does not model (no instance of
            # pglib-uc has it).
            raise InputError(rd.path, f"{fp}[0].lag", startup[0]["lag_h"],
                             f"with several categories, the first lag must be <= time_down_minimum ({dt})")

    su, sd = x["ramp_startup_limit"], x["ramp_shutdown_limit"]
    # A 0 MW start-up/shut-down limit (p_min = 0 units of ferc): see TINY_RAMP_MW.
    su = su if su > 0 else TINY_RAMP_MW
    sd = sd if sd > 0 else TINY_RAMP_MW

    if on0:
        hours = x["time_up_t0"]
        # Written as given: npsim accepts [p_min − 1e-6, p_max + 1e-6] (float noise) like the
        # reference; an output further outside is an InputError from validation (the reference
        # would be infeasible above p_max: U0·(P0 − Pmin) ≤ U0·(Pmax − Pmin) − …).
        p0 = x["power_output_t0"]
        hfield = "time_up_t0"
    else:
        hours = x["time_down_t0"]
        # The reference multiplies P0 by U0 everywhere, so an off unit's output at t0 is unused.
        p0 = 0.0
        hfield = "time_down_t0"
    if hours < 1:
        # Not representable: npsim requires >= 1 h in the initial state, and 1 h instead of 0 would
        # shorten the reference's forced on/off period (min(UT − UT0, T) / min(DT − DT0, T)).
        raise InputError(rd.path, f"{where}.{hfield}", hours,
                         f"a unit {'on' if on0 else 'off'} at t0 must have been so for >= 1 h "
                         "(npsim cannot represent 0 h in the initial state)")
    return {
        "name": name, "technology": _thermal_technology(name),
        "p_min_mw": pmin, "p_max_mw": pmax,
        "ramp_up_mw_per_h": x["ramp_up_limit"], "ramp_down_mw_per_h": x["ramp_down_limit"],
        "startup_ramp_mw_per_h": su, "shutdown_ramp_mw_per_h": sd,
        "min_up_h": x["time_up_minimum"], "min_down_h": x["time_down_minimum"],
        "must_run": must_run,
        "cost_curve": {"mw": mw, "cost_per_h": cost},
        "startup": startup,
        "initial": {"on": on0, "hours": hours, "p_mw": p0},
    }


def _start_of(path: Path) -> str:
    """time.start from a file name beginning with a date (rts_gmlc/2020-06-09.json), else 2000-01-01."""
    m = re.match(r"(\d{4}-\d{2}-\d{2})", path.stem)
    if m:
        try:
            datetime.fromisoformat(m.group(1))
            return m.group(1) + "T00:00"
        except ValueError:
            pass
    return "2000-01-01T00:00"


def _penalty(thermal: list) -> float:
    """Price of every slack: at least PENALTY_FLOOR and at least the dearest single start-up
    (rounded up to a power of ten), so shedding even 1 MWh never beats starting a unit."""
    top = max((c["cost"] for g in thermal for c in g["startup"]), default=0.0)
    return float(max(PENALTY_FLOOR, 10.0 ** math.ceil(math.log10(top)) if top > 0 else 0.0))


def pglib_case(json_path) -> tuple[dict, dict]:
    """The npsim case document and its series {column name: (T,) array} for one instance.
    Profile specs in the document point at PROFILES_FILE."""
    path = Path(json_path)
    doc = read_instance(path)
    rd = _Reader(path)
    T = int(rd.num(doc, "time_periods", "", lo=1, integer=True))
    demand = rd.series(doc, "demand", "", T)
    reserves = rd.series(doc, "reserves", "", T)
    gens = rd.mapping(doc, "thermal_generators", "")
    rens = rd.mapping(doc, "renewable_generators", "", default={})
    thermal = [_thermal(rd, str(name), g, T) for name, g in gens.items()]

    series: dict[str, np.ndarray] = {"demand": demand}
    renewables = []
    for name, r in rens.items():
        where = f"renewable_generators.{name}"
        hi = rd.series(r, "power_output_maximum", where, T)
        lo = rd.series(r, "power_output_minimum", where, T)
        bad = np.flatnonzero(lo > hi + 1e-9)
        if bad.size:  # the reference would be infeasible
            h = int(bad[0])
            raise InputError(path, f"{where}.power_output_minimum[{h}]", float(lo[h]),
                             f"<= power_output_maximum[{h}] ({hi[h]})")
        series[f"{name}:max"] = hi
        ren = {"name": str(name), "technology": _renewable_technology(str(name)), "profile_mw": f"{name}:max"}
        if lo.any():
            series[f"{name}:min"] = lo
            ren["min_profile_mw"] = f"{name}:min"
        renewables.append(ren)
    used = {g["name"] for g in thermal} | {r["name"] for r in renewables}
    load_name = "demand"
    while load_name in used:
        load_name += "_"
    if reserves.any():
        series["reserves"] = reserves
    pen = _penalty(thermal)
    case = {
        "version": 1,
        # also the default output folder name of `npsim run`: no spaces or slashes
        "name": re.sub(r"[^A-Za-z0-9_.-]+", "_", f"pglib-uc_{path.parent.name}_{path.stem}"),
        "description": f"Converted from pglib-uc {path.parent.name}/{path.name} by `npsim convert pglib-uc` "
                       "(IEEE PES PGLib-UC, CC-BY 4.0; Knueven, Ostrowski, Watson 2020). Solve as one "
                       "window of all hours to reproduce the reference formulation.",
        "currency": "USD",
        "time": {"start": _start_of(path), "resolution_h": 1.0, "first_hour": 0, "hours": T},
        "horizon": {"decided_h": T, "lookahead_h": 0},
        "engine": {"name": "milp", "mip_gap": 1e-3, "time_limit_s": 120.0, "threads": 1, "prices": True},
        "penalties": {"voll_per_mwh": pen, "overgeneration_per_mwh": pen, "curtailment_per_mwh": 0.0,
                      "reserve_shortfall_per_mwh": pen},
        "thermal": thermal,
        "renewables": renewables,
        "loads": [{"name": load_name, "profile_mw": "demand"}],
        "reserves": {"up": {"profile_mw": "reserves" if "reserves" in series else 0.0}},
        "profiles": {k: {"file": PROFILES_FILE, "column": k} for k in series},
    }
    return case, series


def _validate(case: dict, path: Path):
    """Run npsim's case validation on the converted document; errors name the JSON file and the
    unit (`thermal[3] (GEN12).p_min_mw`)."""
    from grid.config import validate

    try:
        validate(json.loads(json.dumps(case)), path)
    except InputError as e:
        field = str(e.field or "")
        m = re.match(r"(thermal|renewables)\[(\d+)\]", field)
        if m:
            el = case[m.group(1)][int(m.group(2))]["name"]
            field = f"{m.group(0)} ({el}){field[m.end():]}"
        raise InputError(path, f"converted case {field}", e.value, e.allowed,
                         show_value=e.value is not None) from None


def convert_pglib(json_path, outdir) -> Path:
    """Write OUTDIR/case.yaml + OUTDIR/profiles.csv for a pglib-uc instance; returns the case path.

    The folder is written to a temporary folder beside OUTDIR and renamed into place. OUTDIR may
    be new, empty, or an earlier conversion (holding only case.yaml and profiles.csv); anything
    else is refused. Bad input raises InputError naming the JSON file and field.
    """
    from dispatch.case import load_case
    from dispatch.outputs import atomic_folder
    from profiles.io import write_csv

    src = Path(json_path)
    out = Path(outdir)
    if out.exists():
        if not out.is_dir():
            raise InputError(out, "OUTDIR", str(out), "a folder (a file of that name exists)")
        extra = sorted(p.name for p in out.iterdir() if p.name not in (CASE_FILE, PROFILES_FILE))
        if extra:
            raise InputError(out, "OUTDIR", str(out),
                             f"a new or empty folder, or an earlier conversion (it holds {extra[0]!r})")
    case, series = pglib_case(src)
    _validate(case, src)
    T = case["time"]["hours"]
    start = datetime.fromisoformat(case["time"]["start"])
    with atomic_folder(out, marker=CASE_FILE) as tmp:
        header = (f"# npsim case converted from pglib-uc {src.parent.name}/{src.name}: {len(case['thermal'])} "
                  f"thermal units, {len(case['renewables'])} renewables, {T} h.\n"
                  f"# Series are in {PROFILES_FILE}. Run it as one window: npsim run {CASE_FILE}\n")
        (tmp / CASE_FILE).write_text(header + yaml.safe_dump(case, sort_keys=False, allow_unicode=True, width=110),
                                     encoding="utf-8")
        times = [(start + timedelta(hours=h)).isoformat() for h in range(T)]
        write_csv(tmp / PROFILES_FILE, series, index_name="time", index=times)
        try:  # the written files must load as a case (profiles included)
            load_case(tmp / CASE_FILE)
        except InputError as e:
            raise InputError(src, "converted case", None, str(e), show_value=False) from None
    return out / CASE_FILE
