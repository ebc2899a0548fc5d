"""Policy limits over a run and their spread over rolling windows (and the interruptible-load
budgets, spread the same greedy way: a window may use whatever the run has left).

Run limits (`run_limits`), from the case's `policies` section:
- CO2 cap: `co2_cap_t` holds for all hours of the profile data (e.g. a year); a run over part of
  it gets the share of its hours' residual demand (load + export − import − available wind and
  solar, at least 0: what thermal units and storage must cover): cap_run = co2_cap_t × Σ_run
  residual / Σ_data residual (with only constant profiles, which have no length, the data counts
  as 8760 h: cap_run = co2_cap_t × hours / 8760).
- Renewable utilisation: wind + solar used ≥ `renewable_utilisation_min` × their available energy
  over the run's hours.
- Non-fossil share: renewables + nuclear/biomass + hydro-reservoir output ≥ `non_fossil_share_min` ×
  net demand (load + export − import) over the run's hours.

Spread rule (`RunLimits.window`): the window starting at run hour o that optimises hours
[o, o + n) gets the remaining limit (run limit minus what earlier windows realised in their
decided hours) pro rata to its weight: remaining × W[o, min(o + n, H)) / W[o, H), with W the
hourly weights — forecast residual demand for the CO2 cap, available wind + solar for
utilisation, net demand for the non-fossil floor — and H the run's hours. The limit covers only the window's hours inside
the run (`rows_hours`); look-ahead hours past the run's end are not constrained. So a window that
overshoots its share leaves less to the next, and the last window must close the gap: realised
totals meet the run limit unless a window's slack (penalised, reported) was used.
"""
import numpy as np

from dispatch.check import POLICY_KINDS, policy_totals, recompute_costs
from dispatch.compile import compile_window

LIMIT_KEYS = {"co2_cap": "co2_cap_t", "renewable_utilisation": "renewable_min_mwh",
              "non_fossil_share": "non_fossil_min_mwh"}


def active(system) -> bool:
    pol = system.policies or {}
    return any(pol.get(k) is not None for k in ("co2_cap_t", "renewable_utilisation_min", "non_fossil_share_min"))


def _weights(a) -> dict:
    """Hourly weights (T,) of each limit over the arrays' hours."""
    vre = np.array([t in ("wind", "solar") for t in a.renewable_tech], bool)
    vre_mw = a.available_mw[:, vre].sum(axis=1)
    return {"co2_cap": np.maximum(a.net_demand_mw - vre_mw, 0.0), "renewable_utilisation": vre_mw,
            "non_fossil_share": a.net_demand_mw.copy()}


class RunLimits:
    """The run's policy limits and hourly weights over its hours [first, first + hours).
    `totals` = {kind: run limit or None}; `penalties` from the case."""

    def __init__(self, case, first: int, hours: int):
        sysm = case.system
        pol = sysm.policies or {}
        dh = case.data_hours
        a = compile_window(case, first, hours)
        self.first, self.hours = first, hours
        self.weights = w = _weights(a)
        cap = pol.get("co2_cap_t")
        if cap is not None and dh is not None:
            resid_all = _weights(compile_window(case, 0, dh))["co2_cap"].sum()
            cap = cap * w["co2_cap"].sum() / resid_all if resid_all > 0 else cap * hours / dh
        elif cap is not None:
            cap = cap * hours / 8760.0
        share_r, share_nf = pol.get("renewable_utilisation_min"), pol.get("non_fossil_share_min")
        self.totals = {
            "co2_cap": cap,
            "renewable_utilisation": None if share_r is None else share_r * float(w["renewable_utilisation"].sum()),
            "non_fossil_share": None if share_nf is None else share_nf * float(w["non_fossil_share"].sum()),
        }
        self.penalties = {"co2_excess_per_t": pol.get("co2_excess_per_t", 0.0),
                          "energy_shortfall_per_mwh": pol.get("energy_shortfall_per_mwh", 0.0)}
        self.realised = {k: 0.0 for k in POLICY_KINDS}

    def run_policy(self) -> dict:
        """The limits over the whole run (for the checker and the report)."""
        return self._policy(dict(self.totals), self.hours, self.hours)

    def _policy(self, limits: dict, slack_hours: int, rows_hours: int) -> dict:
        out = {LIMIT_KEYS[k]: (None if v is None else float(v)) for k, v in limits.items()}
        out.update(self.penalties, slack_hours=slack_hours, rows_hours=rows_hours)
        return out

    def window(self, start: int, n_opt: int, n_dec: int) -> dict:
        """Limits for the window at data hour `start` optimising n_opt hours: over its hours inside
        the run, with slack in its n_dec decided hours only."""
        o = start - self.first
        inside = min(n_opt, self.hours - o)
        limits = {}
        for k, total in self.totals.items():
            if total is None:
                limits[k] = None
                continue
            w = self.weights[k]
            remaining = total - self.realised[k]
            num, den = w[o:o + inside].sum(), w[o:self.hours].sum()
            limits[k] = remaining * (num / den if den > 0 else inside / (self.hours - o))
        return self._policy(limits, n_dec, inside)

    def record(self, case, part, state_before):
        """Add the decided part's realised totals (recomputed like the checker does)."""
        a = compile_window(case, part.first_hour, part.T, state_before)
        real = policy_totals(a, part, recompute_costs(a, part))
        for k in POLICY_KINDS:
            self.realised[k] += real[k]


def dr_run_budgets(system, hours: int) -> dict | None:
    """Interruptible calls and hours a run of `hours` hours may use: the yearly limits × hours /
    8760, rounded up to whole calls and hours (so a week may call a contract at least once), and
    never more than the year's. None without contracts."""
    dr = system.demand_response
    if not dr:
        return None
    share = hours / 8760.0
    up = lambda x: min(float(np.ceil(x * share - 1e-9)), x)  # noqa: E731
    return {"calls": np.array([up(d.max_calls_per_year) for d in dr], float),
            "hours": np.array([up(d.max_hours_per_year) for d in dr], float)}


def dr_used(part, before) -> dict:
    """Calls started and hours called in a schedule's hours, per contract (D,); `before` is the
    InitialState (a call running at its start is not a new one)."""
    called = np.asarray(part.dr_called) >= 1
    prev = np.vstack([(np.asarray(before.dr_call_hours) > 0)[None, :], called[:-1]])
    return {"calls": (called & ~prev).sum(axis=0).astype(float), "hours": called.sum(axis=0).astype(float)}
