"""Reading series files (CSV, Parquet) with length, NaN, non-numeric and sign checks."""
import csv
from pathlib import Path

import numpy as np

from grid.errors import InputError


def read_table(path) -> dict[str, np.ndarray]:
    """Read every column of a CSV (header row, one row per hour) or Parquet file.

    Returns {column name: float64 array (H,)}; unnamed columns and a column named `time`,
    `timestamp`, `datetime` or `hour` are skipped. Hour h is on line h + 2 of a CSV; blank lines at the end are ignored.
    Raises InputError naming the file, line and column of the first non-numeric or empty cell
    (NaN and inf cells are read; `check_series` rejects them in input series).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "", allowed="profile file not found")
    if path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except (UnicodeDecodeError, csv.Error) as e:
        raise InputError(path, "", allowed=f"not a readable UTF-8 CSV file ({e.__class__.__name__})") from None
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError(path, "", allowed="empty file; expected a header row and one row per hour")
    header = [h.strip() for h in rows[0]]
    for j, h in enumerate(header):
        if h and h in header[:j]:
            raise InputError(path, f"line 1, column {j + 1}", h, "column names must be unique")
    keep = [j for j, h in enumerate(header) if h and h.lower() not in ("time", "timestamp", "datetime", "hour")]
    data = {header[j]: np.empty(len(rows) - 1) for j in keep}
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(path, f"line {i}", None, f"has {len(row)} cells, the header has {len(header)}",
                             show_value=False)
        for j in keep:
            cell = row[j].strip()
            where = f"line {i}, column {header[j]}"
            if not cell:
                raise InputError(path, where, None, "empty cell; a number is required", show_value=False)
            try:
                data[header[j]][i - 2] = float(cell)
            except ValueError:
                raise InputError(path, where, cell, "a number") from None
    return data


def _read_parquet(path) -> dict[str, np.ndarray]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(path, "", allowed="Parquet needs pyarrow: pip install 'npsim[parquet]'") from None
    table = pq.read_table(path)
    out = {}
    for name in table.column_names:
        if name.lower() in ("time", "timestamp", "datetime", "hour"):
            continue
        try:
            out[name] = np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=float)
        except (TypeError, ValueError):
            raise InputError(path, f"column {name}", None, "numbers only", show_value=False) from None
    return out


def check_series(values: np.ndarray, where_file, where_field, lo=0.0, hi=None, unit="",
                 first_line=None) -> np.ndarray:
    """Check a series for NaN/inf and range; returns it as float64 (H,).

    `first_line`: the file line of hour 0 (2 for a CSV), so messages name the line as well.
    """
    v = np.asarray(values, dtype=float)

    def at(h):
        return f"{where_field} at hour {h}" + (f" (line {h + first_line})" if first_line is not None else "")

    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        h = int(bad[0])
        raise InputError(where_file, at(h), float(v[h]), "a finite number (NaN and inf are not allowed)")
    suffix = f" ({unit})" if unit else ""
    if lo is not None and v.size and v.min() < lo - 1e-9:
        h = int(np.argmin(v))
        raise InputError(where_file, at(h), float(v[h]), f"allowed >= {lo:g}{suffix}")
    if hi is not None and v.size and v.max() > hi + 1e-9:
        h = int(np.argmax(v))
        raise InputError(where_file, at(h), float(v[h]), f"allowed <= {hi:g}{suffix}")
    return v


def write_csv(path, columns: dict[str, np.ndarray], index_name=None, index=None):
    """Write columns to CSV at full precision (repr of float64), one row per hour."""
    names = list(columns)
    n = len(next(iter(columns.values()))) if columns else 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(([index_name] if index_name else []) + names)
        cols = [np.asarray(columns[c]) for c in names]
        for i in range(n):
            row = [repr(float(c[i])) if c.dtype.kind == "f" else str(c[i]) for c in cols]
            w.writerow(([str(index[i])] if index_name else []) + row)

