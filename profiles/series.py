"""Resolve a case's `profiles` section into arrays and slice element series by hour range."""
import difflib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grid.errors import InputError
from grid.system import System
from profiles import io, synthetic


@dataclass
class Profiles:
    """Named hourly series of a case.

    arrays: {name: float64 (H_name,)} for file and synthetic series; scalars: {name: float}.
    `hours` is the number of hours every array covers (the data range), or None when all are
    scalars.
    """
    arrays: dict
    scalars: dict
    hours: int | None
    source: str

    def get(self, ref, first: int, n: int) -> np.ndarray:
        """Values of a series reference (a profile name or a number) for hours [first, first+n)."""
        if ref is None:
            return np.zeros(n)
        if not isinstance(ref, str):
            return np.full(n, float(ref))
        if ref in self.scalars:
            return np.full(n, self.scalars[ref])
        return self.arrays[ref][first:first + n]


def load_profiles(system: System, default_hours: int | None = None) -> Profiles:
    """Read or generate every series named in `system.profiles` and check it.

    Synthetic series cover one year from `time.start` unless they give `hours`. Negative values
    are errors for every series; the ≤ 1 p.u. check for renewables is done by `check_references`.
    """
    path = system.source
    arrays, scalars, cache = {}, {}, {}
    year = default_hours or synthetic.year_hours(system.start)
    for name, spec in system.profiles.items():
        field = f"profiles.{name}"
        if isinstance(spec, bool):
            raise InputError(path, field, spec, "a number, {file, column} or {synthetic, seed}")
        if isinstance(spec, (int, float)):
            if not (math.isfinite(spec) and spec >= 0):
                raise InputError(path, field, spec, "a number >= 0")
            scalars[name] = float(spec)
            continue
        if not isinstance(spec, dict):
            raise InputError(path, field, spec, "a number, {file, column} or {synthetic, seed}")
        if "synthetic" in spec:
            arr = synthetic.generate(spec, system.start, year, path, field)
            arrays[name] = io.check_series(arr, path, field)
            continue
        if "file" not in spec:
            raise InputError(path, field, spec, "a mapping needs `file` (with `column`) or `synthetic`")
        for key in spec:
            if key not in ("file", "column", "scale"):
                close = difflib.get_close_matches(str(key), ("file", "column", "scale"), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "allowed: file, column, scale"
                raise InputError(path, f"{field}.{key}", None, "unknown key; " + hint, show_value=False)
        fpath = spec["file"]
        if not isinstance(fpath, str):
            raise InputError(path, f"{field}.file", fpath, "a file name (CSV or Parquet), relative to the case file")
        if not Path(fpath).is_file():
            raise InputError(path, f"{field}.file", fpath, "file not found")
        if fpath not in cache:
            cache[fpath] = io.read_table(fpath)
        table = cache[fpath]
        col = spec.get("column", name)
        if not isinstance(col, str):
            raise InputError(path, f"{field}.column", col, "a column name (text)")
        if col not in table:
            close = difflib.get_close_matches(str(col), list(table), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"columns: {', '.join(table)}"
            raise InputError(fpath, f"column {col!r}", None, f"not in the file ({hint}); named by {field}.column",
                             show_value=False)
        scale = spec.get("scale", 1.0)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not (math.isfinite(scale) and scale >= 0):
            raise InputError(path, f"{field}.scale", scale, "a number >= 0")
        first_line = None if Path(fpath).suffix.lower() in (".parquet", ".pq") else 2
        arrays[name] = io.check_series(table[col], fpath, f"column {col}", first_line=first_line) * float(scale)
    for name, a in arrays.items():
        if a.size == 0:
            raise InputError(path, f"profiles.{name}", None, "the series has no rows (one per hour needed)",
                             show_value=False)
    hours = min((a.size for a in arrays.values()), default=None)
    return Profiles(arrays, scalars, hours, path)


def check_ev_profiles(system: System, prof: Profiles):
    """EV fleets: vehicles leave only if plugged in the hour before (departing(t) ≤ plugged(t−1))
    and unplug only by departing (plugged(t−1) − plugged(t) ≤ departing(t)), hour by hour."""
    for k, e in enumerate(system.ev_fleets):
        n = prof.hours or 8760
        plugged = prof.get(e.plugged, 0, n)
        dep = prof.get(e.departing, 0, n)
        prev = np.concatenate([plugged[:1], plugged[:-1]])
        for bad, what in ((dep[1:] - prev[1:] > 1e-9, "more vehicles depart than were plugged in the hour before"),
                          (prev[1:] - plugged[1:] - dep[1:] > 1e-9, "vehicles unplug without departing")):
            if bad.any():
                h = int(np.argmax(bad)) + 1
                raise InputError(system.source, f"ev_fleets[{k}].departing (hour {h})", float(dep[h]),
                                 f"departing(t) <= plugged(t-1) and plugged(t-1) - plugged(t) <= departing(t): {what}")


def check_references(system: System, prof: Profiles):
    """Per-unit series (renewable availability, interchange, EV plugged-in and departing shares)
    must not exceed 1.0."""
    refs = [(section, i, "profile", el.profile) for section, items in
            (("renewables", system.renewables), ("interchange", system.interchange)) for i, el in enumerate(items)]
    refs += [("ev_fleets", i, key, getattr(e, key)) for i, e in enumerate(system.ev_fleets)
             for key in ("plugged", "departing")]
    for section, i, key, ref in refs:
        allowed = "a per-unit value <= 1" + (" of capacity_mw (use profile_mw for MW)" if key == "profile"
                                             else " of the fleet")
        if isinstance(ref, str) and ref in prof.scalars and prof.scalars[ref] > 1.0 + 1e-9:
            raise InputError(system.source, f"{section}[{i}].{key} ({ref})", prof.scalars[ref], allowed)
        if isinstance(ref, str) and ref in prof.arrays:
            a = prof.arrays[ref]
            if a.size and a.max() > 1.0 + 1e-9:
                h = int(np.argmax(a))
                raise InputError(system.source, f"{section}[{i}].{key} ({ref}) at hour {h}", float(a[h]), allowed)
