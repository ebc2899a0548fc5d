"""`Schedule`: what an engine decided, as time-first arrays with labels.

Shapes: T hours, G thermal units, R renewables. Power in MW (hourly average, so numerically also
MWh per hour). Engines fill every field; `prices` is NaN where no pricing LP was solved.
"""
from dataclasses import dataclass, field

import numpy as np

from dispatch.compile import InitialState


@dataclass
class Schedule:
    first_hour: int                  # data hour index of row 0
    thermal_names: list
    renewable_names: list
    commit: np.ndarray               # (T, G) int8, 1 = on
    startup: np.ndarray              # (T, G) int8, 1 = started in this hour (off in the hour before)
    shutdown: np.ndarray             # (T, G) int8, 1 = off in this hour, on in the hour before
    p_mw: np.ndarray                 # (T, G) output
    reserve_up_mw: np.ndarray        # (T, G) spinning reserve up
    reserve_down_mw: np.ndarray      # (T, G) spinning reserve down
    renewable_mw: np.ndarray         # (T, R) output used
    curtail_mw: np.ndarray           # (T, R) available − used
    shed_mw: np.ndarray              # (T,) unserved load
    overgen_mw: np.ndarray           # (T,) output above load that could not be avoided
    reserve_up_short_mw: np.ndarray  # (T,)
    reserve_down_short_mw: np.ndarray  # (T,)
    price: np.ndarray                # (T,) marginal price of energy, currency/MWh (NaN if not priced)
    objective: float = np.nan        # the engine's own objective over these hours (sum of windows)
    lower_bound: float = np.nan      # proven bound (single-window runs), NaN otherwise
    gap: float = np.nan              # largest relative gap of any window
    windows: list = field(default_factory=list)  # per window: dict(first_hour, hours, status, gap, time_s, ...)
    objective_by_hour: np.ndarray | None = None  # (T,) the engine's objective split by hour
    storage_names: list = field(default_factory=list)
    charge_mw: np.ndarray | None = None          # (T, N) storage charging (pumping) power
    discharge_mw: np.ndarray | None = None       # (T, N) storage discharging (turbine) power
    soc_mwh: np.ndarray | None = None            # (T, N) stored energy at the end of each hour
    storage_reserve_up_mw: np.ndarray | None = None    # (T, N)
    storage_reserve_down_mw: np.ndarray | None = None  # (T, N)
    pump_units: np.ndarray | None = None         # (T, N) int, units charging (pumping)
    gen_units: np.ndarray | None = None          # (T, N) int, units discharging (generating)
    spill_mw: np.ndarray | None = None           # (T, N) water released past the turbines (MW of generation)
    oil_assist: np.ndarray | None = None         # (T, G) int8, 1 = oil-assisted combustion in this hour
    must_run_short_mw: np.ndarray | None = None  # (T, G) output below the heating-season minimum
    policy_slack: np.ndarray | None = None       # (T, 3) CO2 above the cap (t), renewable and non-fossil
    #                                              energy below their floors (MWh); see formulation/policy.py
    node_names: list = field(default_factory=list)    # B network nodes (buses or zones); none on a copper plate
    node_price: np.ndarray | None = None         # (T, B) nodal (zonal) marginal prices, currency/MWh
    node_shed_mw: np.ndarray | None = None       # (T, B) unserved load by node (sums to shed_mw)
    node_overgen_mw: np.ndarray | None = None    # (T, B)
    branch_names: list = field(default_factory=list)  # L branches of a dc network
    flow_mw: np.ndarray | None = None            # (T, L) flow from → to
    overload_mw: np.ndarray | None = None        # (T, L) flow above the rating (penalised)
    tie_names: list = field(default_factory=list)     # K zonal ties
    tie_flow_mw: np.ndarray | None = None        # (T, K) flow from_zone → to_zone
    dr_names: list = field(default_factory=list)      # D demand-response contracts
    dr_down_mw: np.ndarray | None = None         # (T, D) demand moved away (shiftable) or cut (interruptible)
    dr_up_mw: np.ndarray | None = None           # (T, D) demand put back (shiftable)
    dr_called: np.ndarray | None = None          # (T, D) int8, 1 = interruptible contract called
    dr_reserve_mw: np.ndarray | None = None      # (T, D) uncalled interruptible capacity offered as reserve up
    dr_owed_mwh: np.ndarray | None = None        # (T, D) shiftable energy moved away, not yet put back
    mg_names: list = field(default_factory=list)      # M microgrids
    mg_pcc_mw: np.ndarray | None = None          # (T, M) import (+) / export (−) through the PCC
    mg_shed_mw: np.ndarray | None = None         # (T, M) local unserved load (part of shed_mw)
    mg_overgen_mw: np.ndarray | None = None      # (T, M) local over-generation (part of overgen_mw)
    ev_names: list = field(default_factory=list)      # E EV fleets
    ev_charge_mw: np.ndarray | None = None       # (T, E) charging power
    ev_energy_mwh: np.ndarray | None = None      # (T, E) energy delivered to the vehicles still plugged in
    ev_short_mwh: np.ndarray | None = None       # (T, E) energy departing vehicles lacked

    STORAGE_FIELDS = ("charge_mw", "discharge_mw", "soc_mwh", "storage_reserve_up_mw", "storage_reserve_down_mw",
                      "pump_units", "gen_units", "spill_mw")

    def __post_init__(self):
        for name in self.STORAGE_FIELDS:   # no storage: (T, 0) arrays
            if getattr(self, name) is None:
                setattr(self, name, np.zeros((self.p_mw.shape[0], len(self.storage_names)),
                                             np.int64 if name.endswith("units") else float))
        T, G = self.p_mw.shape
        if self.oil_assist is None:
            self.oil_assist = np.zeros((T, G), np.int8)
        if self.must_run_short_mw is None:
            self.must_run_short_mw = np.zeros((T, G))
        if self.policy_slack is None:
            self.policy_slack = np.zeros((T, 3))
        if self.dr_called is None:
            self.dr_called = np.zeros((T, len(self.dr_names)), np.int8)
        for name, labels in (("node_price", "node_names"), ("node_shed_mw", "node_names"),
                             ("node_overgen_mw", "node_names"), ("flow_mw", "branch_names"),
                             ("overload_mw", "branch_names"), ("tie_flow_mw", "tie_names"),
                             ("dr_down_mw", "dr_names"), ("dr_up_mw", "dr_names"), ("dr_reserve_mw", "dr_names"),
                             ("dr_owed_mwh", "dr_names"), ("mg_pcc_mw", "mg_names"), ("mg_shed_mw", "mg_names"),
                             ("mg_overgen_mw", "mg_names"), ("ev_charge_mw", "ev_names"),
                             ("ev_energy_mwh", "ev_names"), ("ev_short_mwh", "ev_names")):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros((T, len(getattr(self, labels)))))

    @property
    def T(self):
        return self.p_mw.shape[0]

    def take(self, n: int) -> "Schedule":
        """The first n hours (the decided part of a window)."""
        kw = {k: (v[:n] if isinstance(v, np.ndarray) else v) for k, v in self.__dict__.items()}
        kw["windows"] = list(self.windows)
        for k in ("storage_names", "node_names", "branch_names", "tie_names", "dr_names", "mg_names", "ev_names"):
            kw[k] = list(getattr(self, k))
        if self.objective_by_hour is not None:
            kw["objective"] = float(kw["objective_by_hour"].sum())
        if n < self.T:
            kw["lower_bound"] = np.nan  # a bound holds for the whole window only
        return Schedule(**kw)

    @staticmethod
    def concat(parts: list["Schedule"]) -> "Schedule":
        """Join consecutive schedules (windows) into one."""
        first = parts[0]
        kw = {}
        for k, v in first.__dict__.items():
            if isinstance(v, np.ndarray) or (k == "objective_by_hour" and v is not None):
                kw[k] = np.concatenate([getattr(p, k) for p in parts], axis=0)
            else:
                kw[k] = v
        kw["objective"] = float(sum(p.objective for p in parts))
        kw["windows"] = [w for p in parts for w in p.windows]
        kw["gap"] = max((w.get("gap", 0.0) for w in kw["windows"]), default=np.nan)
        kw["lower_bound"] = first.lower_bound if len(parts) == 1 else np.nan
        return Schedule(**kw)

    def end_state(self, before: InitialState) -> InitialState:
        """Unit, storage and demand-response state after the last hour, given the state before the
        first (exact hand-off)."""
        u = self.commit.astype(bool)
        T = u.shape[0]
        last = u[-1]
        # length of the final run of equal status, counted back from the last hour
        same = u == last[None, :]
        run = np.where(same.all(axis=0), T, np.argmin(same[::-1], axis=0))
        carried = same.all(axis=0) & (before.on == last)
        hours = run + np.where(carried, before.hours, 0.0)
        called = self.dr_called.astype(bool)
        run = np.where(called.all(axis=0), T, np.argmin(called[::-1], axis=0)) if called.size else np.zeros(0, int)
        call_hours = np.where(called.all(axis=0), run + before.dr_call_hours, run) if called.size else run
        return InitialState(last.copy(), hours.astype(float), np.where(last, self.p_mw[-1], 0.0),
                            np.where(last, self.reserve_up_mw[-1], 0.0), self.soc_mwh[-1].copy(),
                            self.pump_units[-1].copy(), self.gen_units[-1].copy(),
                            self.dr_owed_mwh[-1].copy(), np.asarray(call_hours, np.int64),
                            self.ev_energy_mwh[-1].copy())
