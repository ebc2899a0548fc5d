"""Reading series files (CSV, Parquet) with length, NaN, non-numeric and sign checks."""
import csv
from pathlib import Path

import numpy as np

from grid.errors import InputError


def read_table(path) -> dict[str, np.ndarray]:
    """Read every column of a CSV (header row, one row per hour) or Parquet file.

    Returns {column name: float64 array (H,)}; a column named `time` or `timestamp` is skipped.
    Raises InputError naming the file, row and column of the first non-numeric or empty cell.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "", allowed="profile file not found")
    if path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise InputError(path, "", allowed="empty file; expected a header row and one row per hour")
    header = [h.strip() for h in rows[0]]
    keep = [j for j, h in enumerate(header) if h.lower() not in ("time", "timestamp", "datetime", "hour")]
    data = {header[j]: np.empty(len(rows) - 1) for j in keep}
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(path, f"line {i}", None, f"has {len(row)} cells, the header has {len(header)}",
                             show_value=False)
        for j in keep:
            cell = row[j].strip()
            try:
                data[header[j]][i - 2] = float(cell)
            except ValueError:
                raise InputError(path, f"line {i}, column {header[j]}", cell, "a number") from None
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


def check_series(values: np.ndarray, where_file, where_field, lo=0.0, hi=None, unit="") -> np.ndarray:
    """Check a series for NaN/inf and range; returns it as float64 (H,)."""
    v = np.asarray(values, dtype=float)
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        raise InputError(where_file, where_field, None, f"missing or non-finite value at hour {bad[0]}",
                         show_value=False)
    if lo is not None and v.size and v.min() < lo - 1e-9:
        h = int(np.argmin(v))
        raise InputError(where_file, f"{where_field} at hour {h}", float(v[h]), f"allowed >= {lo:g}" + (f" ({unit})" if unit else ""))
    if hi is not None and v.size and v.max() > hi + 1e-9:
        h = int(np.argmax(v))
        raise InputError(where_file, f"{where_field} at hour {h}", float(v[h]), f"allowed <= {hi:g}" + (f" ({unit})" if unit else ""))
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

