"""A thin highspy wrapper: named variable blocks → column ranges, vectorised COO row assembly.

Formulation pieces add variables as numpy-shaped blocks (`add_var("u", (T, G), ...)` returns an
int array of column indices of that shape) and rows in bulk from (row, column, coefficient)
triplets — never a Python loop per row. `solve()` hands the model to HiGHS as a CSR matrix.
"""
import os
import sys
from dataclasses import dataclass

import numpy as np

INF = np.inf


@dataclass
class SolveResult:
    status: str            # HiGHS model status text
    has_solution: bool
    x: np.ndarray | None   # column values (n,)
    row_dual: np.ndarray | None
    objective: float       # solver objective (incumbent), nan without one
    bound: float           # proven dual bound (MIP) or objective (LP)
    gap: float             # relative MIP gap (0 for LP)
    time_s: float


_BANNER_SHOWN = False


def _new_highs():
    """A silent Highs instance. HiGHS prints a banner to stdout when the first instance of a
    process is made; that one is made with stdout pointed at /dev/null."""
    import highspy

    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    h.silent()
    return h


class Builder:
    """Collects columns and rows of one MILP/LP window."""

    def __init__(self):
        self.blocks: dict[str, np.ndarray] = {}
        self._lb, self._ub, self._cost, self._int = [], [], [], []
        self.n_col = 0
        self._rows, self._cols, self._vals = [], [], []
        self._rlo, self._rhi = [], []
        self.n_row = 0
        self.row_blocks: dict[str, np.ndarray] = {}
        self.offset_by_hour = None    # (T,) constant objective terms per hour, or None
        self._extra_cost = []
        self._bounds = []             # (cols, lb, ub) overrides, applied in order
        self._cache = None

    # ----------------------------------------------------------- columns
    def add_var(self, name, shape, lb=0.0, ub=INF, cost=0.0, integer=False) -> np.ndarray:
        """Add a block of columns; lb/ub/cost broadcast to `shape`. Returns column indices."""
        if name in self.blocks:
            raise ValueError(f"variable block {name!r} added twice")
        n = int(np.prod(shape))
        idx = np.arange(self.n_col, self.n_col + n).reshape(shape)
        self._lb.append(np.broadcast_to(np.asarray(lb, float), shape).ravel())
        self._ub.append(np.broadcast_to(np.asarray(ub, float), shape).ravel())
        self._cost.append(np.broadcast_to(np.asarray(cost, float), shape).ravel())
        self._int.append(np.full(n, 1 if integer else 0, np.int32))
        self.n_col += n
        self.blocks[name] = idx
        return idx

    def add_cost(self, cols, cost):
        """Add `cost` (broadcast to cols' shape) to the objective coefficients of existing columns."""
        self._extra_cost.append((np.asarray(cols).ravel(), np.broadcast_to(np.asarray(cost, float), np.shape(cols)).ravel()))

    def set_bounds(self, cols, lb, ub):
        """Change the bounds of existing columns (lb/ub broadcast to cols' shape)."""
        cols = np.asarray(cols).ravel()
        self._bounds.append((cols, np.broadcast_to(np.asarray(lb, float), cols.shape),
                             np.broadcast_to(np.asarray(ub, float), cols.shape)))

    def add_offset(self, by_hour):
        """Add constant objective terms, one per hour (T,)."""
        by_hour = np.asarray(by_hour, float)
        self.offset_by_hour = by_hour if self.offset_by_hour is None else self.offset_by_hour + by_hour

    def objective_by_hour(self, x, T) -> np.ndarray:
        """Objective of solution x split by hour (T,): every block is time-first."""
        cost = self.arrays()[0]
        out = np.zeros(T) if self.offset_by_hour is None else self.offset_by_hour.copy()
        for cols in self.blocks.values():
            out += (cost[cols] * x[cols]).reshape(T, -1).sum(axis=1)
        return out

    def var(self, name) -> np.ndarray:
        return self.blocks[name]

    # -------------------------------------------------------------- rows
    def add_rows(self, name, n, lo, hi, *terms) -> np.ndarray:
        """Add `n` rows lo <= Σ terms <= hi. Each term is (cols, coefs) with cols of shape (n,)
        (one entry per row; a column index < 0 drops the entry) or (rows, cols, coefs) with row
        numbers 0..n-1 for rows that take several entries of one kind. Returns row indices."""
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        base = self.n_row
        for term in terms:
            if len(term) == 2:
                cols, coefs = term
                rows = np.arange(n)
            else:
                rows, cols, coefs = term
            cols = np.asarray(cols)
            coefs = np.broadcast_to(np.asarray(coefs, float), cols.shape).ravel()
            rows, cols = np.broadcast_to(np.asarray(rows), cols.shape).ravel() if len(term) == 3 else rows, cols.ravel()
            keep = (cols >= 0) & (coefs != 0)
            self._rows.append(rows[keep] + base)
            self._cols.append(cols[keep])
            self._vals.append(coefs[keep])
        self._rlo.append(np.broadcast_to(np.asarray(lo, float), (n,)).ravel())
        self._rhi.append(np.broadcast_to(np.asarray(hi, float), (n,)).ravel())
        self.n_row += n
        idx = np.arange(base, base + n)
        self.row_blocks[name] = np.concatenate([self.row_blocks[name], idx]) if name in self.row_blocks else idx
        return idx

    def add_terms(self, rows, cols, coefs):
        """Add entries to existing rows (absolute row indices), e.g. a later piece's variables in the
        balance rows. rows, cols, coefs broadcast to one shape."""
        rows, cols = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
        coefs = np.broadcast_to(np.asarray(coefs, float), rows.shape)
        keep = (cols >= 0) & (coefs != 0)
        self._rows.append(rows[keep].ravel())
        self._cols.append(cols[keep].ravel())
        self._vals.append(coefs[keep].ravel())
        self._cache = None

    # ------------------------------------------------------------- solve
    def arrays(self):
        """The model as arrays: (cost, lb, ub, integrality, row_lo, row_hi, CSR start, index, value).
        Assembled once; adding columns, rows or costs afterwards assembles it again."""
        key = (self.n_col, self.n_row, len(self._extra_cost), len(self._bounds))
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._assemble())
        return self._cache[1]

    def _assemble(self):
        cat = lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt)  # noqa: E731
        rows, cols, vals = cat(self._rows, np.int64), cat(self._cols, np.int64), cat(self._vals, float)
        order = np.lexsort((cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        if rows.size:  # merge duplicate (row, col) entries
            new = np.ones(rows.size, bool)
            new[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
            starts = np.flatnonzero(new)
            vals = np.add.reduceat(vals, starts)
            rows, cols = rows[starts], cols[starts]
        start = np.zeros(self.n_row + 1, np.int32)
        np.cumsum(np.bincount(rows, minlength=self.n_row), out=start[1:])
        cost = cat(self._cost, float)
        for ecols, ecost in self._extra_cost:
            np.add.at(cost, ecols, ecost)
        lb, ub = cat(self._lb, float), cat(self._ub, float)
        for bcols, blo, bhi in self._bounds:
            lb[bcols], ub[bcols] = blo, bhi
        return (cost, lb, ub, cat(self._int, np.int32),
                cat(self._rlo, float), cat(self._rhi, float), start, cols.astype(np.int32), vals)

    def solve(self, mip_gap=1e-4, time_limit_s=None, threads=1, relax_integers=False, fix=None,
              options=None) -> SolveResult:
        """Solve with HiGHS. `fix` = {block name: values} fixes those columns (e.g. commitment for
        the pricing LP); `relax_integers` drops integrality (an LP)."""
        import highspy

        cost, lb, ub, integ, rlo, rhi, start, index, value = self.arrays()
        lb, ub = lb.copy(), ub.copy()
        for name, vals in (fix or {}).items():
            cols = self.blocks[name].ravel()
            v = np.asarray(vals, float).ravel()
            lb[cols] = v
            ub[cols] = v
        is_mip = bool(integ.any()) and not relax_integers
        h = _new_highs()
        h.setOptionValue("threads", int(threads))
        if time_limit_s is not None:
            h.setOptionValue("time_limit", float(time_limit_s))
        if is_mip:
            h.setOptionValue("mip_rel_gap", float(mip_gap))
        for k, v in (options or {}).items():
            h.setOptionValue(k, v)
        inf = highspy.kHighsInf
        lb = np.where(np.isinf(lb), -inf, lb)
        ub = np.where(np.isinf(ub), inf, ub)
        rlo = np.where(np.isinf(rlo), -inf, rlo)
        rhi = np.where(np.isinf(rhi), inf, rhi)
        offset = 0.0 if self.offset_by_hour is None else float(self.offset_by_hour.sum())
        st = h.passModel(self.n_col, self.n_row, int(index.size), 2, 1, offset,
                         cost, lb, ub, rlo, rhi, start, index, value,
                         integ if is_mip else np.zeros_like(integ))
        if st == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the model (passModel error)")
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        info = h.getInfo()
        t = h.getRunTime()
        sol = h.getSolution()
        has = bool(sol.value_valid) and info.primal_solution_status >= 2
        if is_mip:
            has = has and np.isfinite(info.objective_function_value)
            obj = info.objective_function_value if has else np.nan
            bound = info.mip_dual_bound
            gap = info.mip_gap if has else np.inf
        else:
            obj = info.objective_function_value if has else np.nan
            bound, gap = obj, 0.0
        x = np.asarray(sol.col_value) if has else None
        dual = np.asarray(sol.row_dual) if (has and not is_mip and sol.dual_valid) else None
        return SolveResult(status, has, x, dual, float(obj), float(bound), float(gap), float(t))
