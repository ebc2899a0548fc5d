"""Compile a Case for one time window into `SystemArrays`: plain numpy, time-first (T, n).

Costs are folded here once: a fuel curve becomes a money curve (fuel × price + fuel × CO2 factor ×
carbon price) with a matching CO2 curve, start-up fuel becomes start-up cost and CO2. Both engines
and the checker read only these arrays.
"""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class InitialState:
    """Unit state just before the window's first hour (all (G,))."""
    on: np.ndarray          # bool
    hours: np.ndarray       # float, hours in the current state (>= 1)
    p_mw: np.ndarray        # output in the last hour (0 when off)
    reserve_up_mw: np.ndarray | None = None  # spinning reserve held in the last hour (None = 0)
    soc_mwh: np.ndarray | None = None        # (N,) storage energy at the end of the last hour
    pump_units: np.ndarray | None = None     # (N,) int, storage units charging in the last hour
    gen_units: np.ndarray | None = None      # (N,) int, storage units discharging in the last hour
    dr_owed_mwh: np.ndarray | None = None    # (D,) shiftable energy moved away and not yet put back
    dr_call_hours: np.ndarray | None = None  # (D,) int, hours into a running interruption (0 = none)
    ev_energy_mwh: np.ndarray | None = None  # (E,) energy delivered to the EVs still plugged in

    def __post_init__(self):
        if self.reserve_up_mw is None:
            self.reserve_up_mw = np.zeros_like(self.p_mw)
        if self.soc_mwh is None:
            self.soc_mwh = np.zeros(0)
        n = self.soc_mwh.size
        self.pump_units = np.zeros(n, np.int64) if self.pump_units is None else self.pump_units
        self.gen_units = np.zeros(n, np.int64) if self.gen_units is None else self.gen_units
        self.dr_owed_mwh = np.zeros(0) if self.dr_owed_mwh is None else self.dr_owed_mwh
        self.dr_call_hours = np.zeros(self.dr_owed_mwh.size, np.int64) if self.dr_call_hours is None \
            else self.dr_call_hours
        self.ev_energy_mwh = np.zeros(0) if self.ev_energy_mwh is None else self.ev_energy_mwh

    def copy(self):
        return InitialState(self.on.copy(), self.hours.copy(), self.p_mw.copy(), self.reserve_up_mw.copy(),
                            self.soc_mwh.copy(), self.pump_units.copy(), self.gen_units.copy(),
                            self.dr_owed_mwh.copy(), self.dr_call_hours.copy(), self.ev_energy_mwh.copy())


@dataclass
class StorageArrays:
    """N storage stations (batteries, pumped hydro); all (N,). Power MW, energy MWh."""
    names: list
    tech: list
    units: np.ndarray            # int, identical units per station
    charge_mw: np.ndarray        # station charge (pump) capacity
    discharge_mw: np.ndarray     # station discharge (turbine) capacity
    energy_mwh: np.ndarray
    eta_charge: np.ndarray       # stored / charged
    eta_discharge: np.ndarray    # delivered / withdrawn
    soc_min_mwh: np.ndarray
    soc_max_mwh: np.ndarray
    soc_final_mwh: np.ndarray    # least energy at the end of each optimisation window
    self_discharge_per_h: np.ndarray
    degradation_cost_per_mwh: np.ndarray
    exclusive: np.ndarray        # bool: a unit does not charge and discharge in one hour
    fixed_speed: np.ndarray      # bool: a pumping unit draws exactly charge_mw / units
    pump_min_share: np.ndarray   # least pumping power of a running unit, share of its rating
    mode_change_cost: np.ndarray # per unit start of pumping or of generating
    reserve_eligible: np.ndarray # bool
    spill_allowed: np.ndarray    # bool: reservoirs (and pumped hydro with inflow) may spill
    min_release_mw: np.ndarray   # least generation + spill every hour

    @property
    def N(self):
        return len(self.names)

    @classmethod
    def empty(cls) -> "StorageArrays":
        """No storage (N = 0)."""
        z = np.zeros(0)
        return cls([], [], np.zeros(0, np.int64), z, z, z, z, z, z, z, z, z, z, np.zeros(0, bool),
                   np.zeros(0, bool), z, z, np.zeros(0, bool), np.zeros(0, bool), z)

    @property
    def needs_units(self) -> np.ndarray:
        """(N,) bool: stations whose unit counts are decision variables (integers)."""
        return self.exclusive | self.fixed_speed | (self.pump_min_share > 0) | (self.mode_change_cost > 0)


def storage_arrays(system) -> StorageArrays:
    st = system.storage
    f = lambda attr: np.array([getattr(x, attr) for x in st], float)  # noqa: E731
    e = f("energy_mwh")
    return StorageArrays(
        names=[x.name for x in st], tech=[x.technology for x in st],
        units=np.array([x.units for x in st], np.int64), charge_mw=f("charge_mw"), discharge_mw=f("discharge_mw"),
        energy_mwh=e, eta_charge=f("charge_efficiency"), eta_discharge=f("discharge_efficiency"),
        soc_min_mwh=f("soc_min") * e, soc_max_mwh=f("soc_max") * e, soc_final_mwh=f("soc_final") * e,
        self_discharge_per_h=f("self_discharge_per_h"), degradation_cost_per_mwh=f("degradation_cost_per_mwh"),
        exclusive=np.array([x.exclusive and not x.ternary for x in st], bool),
        fixed_speed=np.array([x.pump_speed == "fixed" for x in st], bool),
        pump_min_share=f("pump_min_share"), mode_change_cost=f("mode_change_cost"),
        reserve_eligible=np.array([x.reserve_eligible for x in st], bool),
        spill_allowed=np.array([x.technology != "battery" for x in st], bool),
        min_release_mw=f("min_release_mw"),
    )


def storage_inflow(system, prof, first_hour: int, T: int) -> np.ndarray:
    """(T, N) natural inflow in MW of generation: `inflow_mw`, or `monthly_energy_mwh` spread
    evenly over the hours of each calendar month."""
    out = np.zeros((T, len(system.storage)))
    stamps = np.datetime64(system.start.replace(tzinfo=None), "h") + first_hour + np.arange(T)
    month = stamps.astype("datetime64[M]")
    hours_in_month = ((month + 1).astype("datetime64[h]") - month.astype("datetime64[h]")).astype(float)
    month_idx = month.astype(int) % 12
    for k, x in enumerate(system.storage):
        if x.monthly_energy_mwh is not None:
            out[:, k] = np.asarray(x.monthly_energy_mwh)[month_idx] / hours_in_month
        else:
            out[:, k] = prof.get(x.inflow_mw, first_hour, T)
    return out


@dataclass
class DemandArrays:
    """D demand-response contracts (see grid.schema `demand_response`). Power MW, energy MWh."""
    names: list
    shiftable: np.ndarray       # (D,) bool (else interruptible)
    load_mw: np.ndarray         # (T, D) the hourly demand of the load each contract acts on
    load_index: np.ndarray      # (D,) int, which load (case order): contracts on one load share it
    weight: np.ndarray          # (D, B) share of each contract at each network node (a load's bus: one-hot;
    #                             a load spread over the net: its load shares; copper plate: (D, 1) ones)
    share: np.ndarray           # (D,) shiftable share
    max_shift_mw: np.ndarray    # (D,) inf = no limit beyond the share
    block_end: np.ndarray       # (T, D) bool: hour t closes a block (owed energy back to 0): every
    #                             window_h data hours, and the last hour of the run and of the data
    hours_to_block_end: np.ndarray   # (T, D) hours after t up to the block's end
    capacity_mw: np.ndarray     # (D,) interruptible
    cost_per_mwh: np.ndarray    # (D,) per MWh moved away (shiftable) or cut (interruptible)
    max_hours_per_call: np.ndarray   # (D,) int
    calls_left: np.ndarray      # (D,) calls the window may start (from the run's budget)
    hours_left: np.ndarray      # (D,) hours the window may call
    reserve: np.ndarray         # (D,) bool: uncalled interruptible capacity counts as reserve up

    @property
    def D(self):
        return len(self.names)

    @classmethod
    def empty(cls, T: int) -> "DemandArrays":
        z = np.zeros(0)
        return cls([], np.zeros(0, bool), np.zeros((T, 0)), np.zeros(0, np.int64), np.zeros((0, 1)), z, z,
                   np.zeros((T, 0), bool),
                   np.zeros((T, 0)), z, z, np.zeros(0, np.int64), z, z, np.zeros(0, bool))


def demand_arrays(system, first_hour: int, T: int, loads: list, budgets: dict | None,
                  last_hour: int | None = None) -> DemandArrays:
    """The window's demand-response arrays; `loads` = (T,) series per load in case order;
    `budgets` = {"calls": (D,), "hours": (D,)} left for this window (None: the whole year's)."""
    dr = system.demand_response
    if not dr:
        return DemandArrays.empty(T)
    pos = {ld.name: k for k, ld in enumerate(system.loads)}
    f = lambda attr: np.array([getattr(d, attr) for d in dr], float)  # noqa: E731
    hour = first_hour + np.arange(T)
    window = np.array([d.window_h for d in dr], np.int64)
    if system.nodes is None:
        weight = np.ones((len(dr), 1))
    else:
        B = system.grid.B if system.grid is not None else len(system.network["zones"])
        weight = np.zeros((len(dr), B))
        for k, node in enumerate(system.nodes["demand_response"]):
            if node >= 0:
                weight[k, node] = 1.0
            else:
                weight[k] = system.grid.load_share
    return DemandArrays(
        names=[d.name for d in dr], shiftable=np.array([d.kind == "shiftable" for d in dr], bool),
        load_mw=np.column_stack([loads[pos[d.load]] for d in dr]),
        load_index=np.array([pos[d.load] for d in dr], np.int64), weight=weight,
        share=f("share"), max_shift_mw=np.array([np.inf if d.max_shift_mw is None else d.max_shift_mw for d in dr]),
        block_end=(((hour[:, None] + 1) % window[None, :]) == 0) | (hour[:, None] == last_hour),
        hours_to_block_end=np.minimum((window[None, :] - 1 - hour[:, None] % window[None, :]),
                                      np.inf if last_hour is None else last_hour - hour[:, None]).astype(float),
        capacity_mw=f("capacity_mw"),
        cost_per_mwh=np.array([d.cost_per_mwh if d.kind == "shiftable" else d.price_per_mwh for d in dr], float),
        max_hours_per_call=np.array([d.max_hours_per_call for d in dr], np.int64),
        calls_left=budgets["calls"] if budgets else f("max_calls_per_year"),
        hours_left=budgets["hours"] if budgets else f("max_hours_per_year"),
        reserve=np.array([d.reserve and d.kind == "interruptible" for d in dr], bool))


@dataclass
class EVArrays:
    """E electric-vehicle fleets (T, E) in MW / MWh. Energy delivered to the plugged-in vehicles
    S(t) = S(t−1) + charge(t) − departing energy(t) + shortfall(t), 0 ≤ S ≤ need."""
    names: list
    weight: np.ndarray          # (E, B) node shares (like DemandArrays.weight)
    charger_mw: np.ndarray      # (T, E) plugged-in vehicles × charger power
    need_mwh: np.ndarray        # (T, E) energy the plugged-in vehicles need in all
    depart_mwh: np.ndarray      # (T, E) energy leaving with the departing vehicles
    smart: np.ndarray           # (E,) bool
    unmanaged_mw: np.ndarray    # (T, E) charging of unmanaged fleets (full power until full)

    @property
    def E(self):
        return len(self.names)

    @classmethod
    def empty(cls, T: int, B: int) -> "EVArrays":
        z = np.zeros((T, 0))
        return cls([], np.zeros((0, B)), z, z, z, np.zeros(0, bool), z)


def ev_arrays(system, prof, first_hour: int, T: int, e0: np.ndarray) -> EVArrays:
    """The window's EV arrays; e0 (E,) = energy already delivered to the vehicles plugged in."""
    fleets = system.ev_fleets
    B = 1 if system.nodes is None else (system.grid.B if system.grid is not None else len(system.network["zones"]))
    if not fleets:
        return EVArrays.empty(T, B)
    weight = np.zeros((len(fleets), B))
    for k, e in enumerate(fleets):
        node = system.nodes["ev_fleets"][k] if system.nodes else 0
        if node >= 0:
            weight[k, node] = 1.0
        else:
            weight[k] = system.grid.load_share
    col = lambda key, scale: np.column_stack([prof.get(getattr(e, key), first_hour, T) * scale(e) for e in fleets])  # noqa: E731
    cap = col("plugged", lambda e: e.vehicles * e.charger_kw / 1000.0)
    need = col("plugged", lambda e: e.vehicles * e.energy_per_vehicle_kwh / 1000.0)
    dep = col("departing", lambda e: e.vehicles * e.energy_per_vehicle_kwh / 1000.0)
    unmanaged = np.zeros((T, len(fleets)))
    s = np.asarray(e0, float).copy()
    for t in range(T):     # full power from plug-in until the vehicles are full
        unmanaged[t] = np.clip(np.minimum(cap[t], need[t] - (s - dep[t])), 0.0, None)
        s = np.clip(s + unmanaged[t] - dep[t], 0.0, None)
    return EVArrays([e.name for e in fleets], weight, cap, need, dep,
                    np.array([e.mode == "smart" for e in fleets], bool), unmanaged)


@dataclass
class MicrogridArrays:
    """M microgrids: member masks, local demand, PCC limits by hour (0 while islanded)."""
    names: list
    thermal: np.ndarray         # (M, G) bool
    ren: np.ndarray             # (M, R) bool
    storage: np.ndarray         # (M, N) bool
    dr: np.ndarray              # (M, D) bool
    ev: np.ndarray              # (M, E) bool
    demand_mw: np.ndarray       # (T, M) Σ member loads
    import_mw: np.ndarray       # (T, M) PCC import limit
    export_mw: np.ndarray       # (T, M) PCC export limit
    islanded: np.ndarray        # (T, M) bool
    weight: np.ndarray          # (M, B) where local shed / over-generation sits (the member loads' nodes)

    @property
    def M(self):
        return len(self.names)

    @classmethod
    def empty(cls, T, G, R, N, D, B, E=0) -> "MicrogridArrays":
        return cls([], np.zeros((0, G), bool), np.zeros((0, R), bool), np.zeros((0, N), bool), np.zeros((0, D), bool),
                   np.zeros((0, E), bool), np.zeros((T, 0)), np.zeros((T, 0)), np.zeros((T, 0)),
                   np.zeros((T, 0), bool), np.zeros((0, B)))


def microgrid_arrays(system, first_hour: int, T: int, loads: list) -> MicrogridArrays:
    """The window's microgrid arrays; `loads` = (T,) series per load in case order."""
    B = 1 if system.nodes is None else (system.grid.B if system.grid is not None else len(system.network["zones"]))
    sec = lambda attr: [x.name for x in getattr(system, attr)]  # noqa: E731
    th, rn, st, dr, ld, ev = (sec(x) for x in ("thermal", "renewables", "storage", "demand_response", "loads",
                                               "ev_fleets"))
    mgs = system.microgrids
    if not mgs:
        return MicrogridArrays.empty(T, len(th), len(rn), len(st), len(dr), B, len(ev))
    mask = lambda names: np.array([[n in m.elements for n in names] for m in mgs], bool).reshape(len(mgs), len(names))  # noqa: E731
    lmask = mask(ld)
    demand = np.column_stack([sum((loads[k] for k in np.nonzero(lmask[i])[0]), np.zeros(T)) for i in range(len(mgs))])
    hour = first_hour + np.arange(T)
    isl = np.column_stack([np.any([(hour >= h0) & (hour < h0 + n) for h0, n in m.islanded] or [np.zeros(T, bool)],
                                  axis=0) for m in mgs])
    weight = np.zeros((len(mgs), B))
    for i in range(len(mgs)):
        for k in np.nonzero(lmask[i])[0]:
            w = np.zeros(B)
            if system.nodes is None:
                w[0] = 1.0
            elif system.nodes["loads"][k] >= 0:
                w[system.nodes["loads"][k]] = 1.0
            else:
                w = system.grid.load_share.copy()
            weight[i] += w * max(loads[k].sum(), 1e-9)
        weight[i] /= weight[i].sum()
    return MicrogridArrays(
        names=[m.name for m in mgs], thermal=mask(th), ren=mask(rn), storage=mask(st), dr=mask(dr), ev=mask(ev),
        demand_mw=demand,
        import_mw=np.where(isl, 0.0, np.array([m.import_mw for m in mgs])[None, :]),
        export_mw=np.where(isl, 0.0, np.array([m.export_mw for m in mgs])[None, :]), islanded=isl, weight=weight)


@dataclass
class NetworkArrays:
    """Nodes (buses for model dc, zones for zonal) and what joins them. B nodes, L branches, K ties,
    A balance areas (islands of a dc net, or zones). Power MW."""
    model: str                      # "dc" or "zonal"
    node_names: list                # (B,)
    area_of_node: np.ndarray        # (B,) int: the balance row each node belongs to
    thermal_node: np.ndarray        # (G,) int
    ren_node: np.ndarray            # (R,) int
    storage_node: np.ndarray        # (N,) int
    demand_mw: np.ndarray           # (T, B) load + export − import at each node
    overload_cost: float            # currency/MWh above a branch or tie rating
    branch_names: list = field(default_factory=list)             # (L,)
    ptdf: np.ndarray = None         # (L, B) MW of flow per MW injected (withdrawn at the island slack)
    rating_mw: np.ndarray = None    # (L,) inf = unlimited
    monitored: np.ndarray = None    # (L,) bool: limits in the model (all, or the lazily found binding set)
    from_node: np.ndarray = None    # (L,) int
    to_node: np.ndarray = None      # (L,) int
    lazy: bool = False
    lazy_rounds: int = 0
    tie_names: list = field(default_factory=list)                # (K,)
    tie_from: np.ndarray = None     # (K,) int zone
    tie_to: np.ndarray = None       # (K,) int zone
    tie_cap_mw: np.ndarray = None   # (K,) from → to
    tie_rev_mw: np.ndarray = None   # (K,) to → from

    @property
    def B(self):
        return len(self.node_names)

    @property
    def A(self):
        return int(self.area_of_node.max(initial=0)) + 1

    @property
    def L(self):
        return len(self.branch_names)

    @property
    def K(self):
        return len(self.tie_names)


def network_arrays(system, T: int, load_by_el, flow_by_el, monitored=None) -> NetworkArrays | None:
    """The window's network arrays (None on a copper plate). load_by_el / flow_by_el: lists of (T,)
    series per load and per interchange element, in case order."""
    net = system.network
    if net is None:
        return None
    nodes = system.nodes
    if net["model"] == "dc":
        g = system.grid
        names, area = list(g.bus_names), g.island.copy()
    else:
        names = [z["name"] for z in net["zones"]]
        area = np.arange(len(names))
    B = len(names)
    demand = np.zeros((T, B))
    for k, series in enumerate(load_by_el):
        pos = nodes["loads"][k]
        if pos < 0:
            demand += series[:, None] * system.grid.load_share[None, :]
        else:
            demand[:, pos] += series
    x_nodes = nodes["interchange"]
    for k, (x, series) in enumerate(zip(system.interchange, flow_by_el)):
        demand[:, x_nodes[k]] += series if x.direction == "export" else -series
    out = NetworkArrays(model=net["model"], node_names=names, area_of_node=area, thermal_node=nodes["thermal"],
                        ren_node=nodes["renewables"], storage_node=nodes["storage"], demand_mw=demand,
                        overload_cost=net["overload_per_mwh"])
    if net["model"] == "dc":
        g = system.grid
        out.branch_names, out.ptdf, out.rating_mw = list(g.branch_names), g.ptdf, g.rating_mw
        out.from_node, out.to_node = g.from_bus, g.to_bus
        limited = np.isfinite(g.rating_mw)
        out.lazy, out.lazy_rounds = net["lazy"], net["lazy_rounds"]
        out.monitored = (np.zeros(g.L, bool) if net["lazy"] else limited.copy()) if monitored is None else \
            monitored & limited
    else:
        ties = net["ties"]
        out.tie_names = [t["name"] for t in ties]
        out.tie_from = np.array([names.index(t["from_zone"]) for t in ties], np.int64)
        out.tie_to = np.array([names.index(t["to_zone"]) for t in ties], np.int64)
        out.tie_cap_mw = np.array([t["capacity_mw"] for t in ties], float)
        out.tie_rev_mw = np.array([t["capacity_mw"] if t["reverse_capacity_mw"] is None else t["reverse_capacity_mw"]
                                   for t in ties], float)
    return out


@dataclass
class SystemArrays:
    """One window of the problem. T hours, G thermal units, R renewables, L curve points, S start
    categories. Money in the case currency, power MW, energy MWh, CO2 t."""
    first_hour: int                 # data hour index of t = 0
    T: int
    thermal_names: list
    thermal_tech: list
    p_min_mw: np.ndarray            # (G,)
    p_max_mw: np.ndarray            # (G,)
    ramp_up_mw_per_h: np.ndarray    # (G,) on output above p_min
    ramp_down_mw_per_h: np.ndarray  # (G,)
    startup_ramp_mw_per_h: np.ndarray   # (G,) largest output in a start-up hour
    shutdown_ramp_mw_per_h: np.ndarray  # (G,) largest output in the hour before a shut-down
    min_up_h: np.ndarray            # (G,) int
    min_down_h: np.ndarray          # (G,) int
    must_run: np.ndarray            # (T, G) bool
    reserve_eligible: np.ndarray    # (G,) bool
    curve_mw: np.ndarray            # (G, L) points, padded by repeating the last
    curve_cost_per_h: np.ndarray    # (G, L) currency/h at each point (fuel, carbon included)
    curve_co2_t_per_h: np.ndarray   # (G, L)
    curve_fuel_per_h: np.ndarray    # (G, L) fuel units/h (0 for money curves)
    n_points: np.ndarray            # (G,) int, valid points per unit
    startup_lag_h: np.ndarray       # (G, S) int, padded with a huge lag
    startup_cost: np.ndarray        # (G, S) currency per start (fuel, carbon included)
    startup_co2_t: np.ndarray       # (G, S)
    n_startup: np.ndarray           # (G,) int (>= 1; a unit without categories has one at cost 0)
    shutdown_cost: np.ndarray       # (G,)
    initial: InitialState
    renewable_names: list
    renewable_tech: list
    available_mw: np.ndarray        # (T, R)
    min_output_mw: np.ndarray       # (T, R)
    curtailment_cost: np.ndarray    # (R,) currency/MWh
    load_mw: np.ndarray             # (T,) sum of loads
    export_mw: np.ndarray           # (T,)
    import_mw: np.ndarray           # (T,)
    reserve_up_mw: np.ndarray       # (T,)
    reserve_down_mw: np.ndarray     # (T,)
    voll: float
    overgen_cost: float
    reserve_short_cost: float
    storage: StorageArrays = None     # N storage stations (None: none)
    storage_inflow_mw: np.ndarray = None   # (T, N) natural inflow (None: none)
    meta: dict = field(default_factory=dict)
    oil_below_mw: np.ndarray = None        # (G,) oil-assisted combustion below this output (0: none)
    oil_cost_per_h: np.ndarray = None      # (G,) currency per oil-assisted hour (carbon included)
    oil_co2_t_per_h: np.ndarray = None     # (G,)
    season_min_mw: np.ndarray = None       # (T, G) heating-season least output (0: none)
    must_run_short_cost: float = 0.0       # currency/MWh below season_min_mw
    deep_below_mw: np.ndarray = None       # (G,) pre-retrofit minimum: output below it is deep cycling
    dpr_threshold_mw: np.ndarray = None    # (G, K) deep-peak-regulation tier thresholds (highest first)
    dpr_price_per_mwh: np.ndarray = None   # (G, K) payment per MWh of depth in each tier (0: unpaid)
    non_fossil: np.ndarray = None          # (G,) bool: nuclear and biomass units count as non-fossil
    policy: dict | None = None             # limits over these hours (dispatch.policy.limits), or None
    network: NetworkArrays | None = None   # nodes and branches/ties; None = copper plate
    demand: DemandArrays | None = None     # demand-response contracts (None: none)
    microgrids: MicrogridArrays | None = None   # (None: none)
    ev: EVArrays | None = None             # EV fleets (None: none)

    def __post_init__(self):
        if self.storage is None:
            self.storage = StorageArrays.empty()
        if self.storage_inflow_mw is None:
            self.storage_inflow_mw = np.zeros((self.T, self.storage.N))
        G = self.p_min_mw.size
        for name in ("oil_below_mw", "oil_cost_per_h", "oil_co2_t_per_h"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(G))
        if self.season_min_mw is None:
            self.season_min_mw = np.zeros((self.T, G))
        if self.deep_below_mw is None:
            self.deep_below_mw = self.p_min_mw.copy()
        if self.dpr_threshold_mw is None:
            self.dpr_threshold_mw = np.zeros((G, 0))
            self.dpr_price_per_mwh = np.zeros((G, 0))
        if self.non_fossil is None:
            self.non_fossil = np.zeros(G, bool)
        if self.demand is None:
            self.demand = DemandArrays.empty(self.T)
        if self.ev is None:
            self.ev = EVArrays.empty(self.T, 1 if self.network is None else self.network.B)
        if self.microgrids is None:
            self.microgrids = MicrogridArrays.empty(self.T, G, self.R, self.storage.N, self.demand.D,
                                                    1 if self.network is None else self.network.B, self.ev.E)

    @property
    def has_oil(self) -> np.ndarray:
        """(G,) bool: units with oil-assisted combustion above their minimum."""
        return self.oil_below_mw > self.p_min_mw + 1e-9

    @property
    def G(self):
        return self.p_min_mw.size

    @property
    def R(self):
        return len(self.renewable_names)

    @property
    def net_demand_mw(self):
        """Load + exports − imports (T,): what thermal, renewables and slacks must cover."""
        return self.load_mw + self.export_mw - self.import_mw


def initial_state_for(system, prof, first_hour: int) -> InitialState:
    """The case's initial state before `first_hour`; EV fleets start with half of the energy their
    plugged-in vehicles need (an assumption: they have been charging for a while)."""
    st = initial_state(system)
    st.ev_energy_mwh = np.array([0.5 * prof.get(e.plugged, first_hour, 1)[0] * e.vehicles * e.energy_per_vehicle_kwh
                                 / 1000.0 for e in system.ev_fleets], float)
    return st


def initial_state(system) -> InitialState:
    """The case's `initial` unit state (just before the first simulated hour)."""
    th = system.thermal
    return InitialState(np.array([g.initial_on for g in th], bool),
                        np.array([g.initial_hours for g in th], float),
                        np.array([g.initial_p_mw for g in th], float),
                        soc_mwh=np.array([x.soc_initial * x.energy_mwh for x in system.storage], float),
                        dr_owed_mwh=np.zeros(len(system.demand_response)))


def heating_mask(system, first_hour: int, T: int) -> np.ndarray:
    """(T, G) bool: hours inside each unit's heating season (start..end inclusive, each year)."""
    stamps = np.datetime64(system.start.replace(tzinfo=None), "h") + first_hour + np.arange(T)
    day = stamps.astype("datetime64[D]")
    month = (day.astype("datetime64[M]").astype(int) % 12) + 1
    dom = (day - day.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    md = month * 100 + dom
    out = np.zeros((T, len(system.thermal)), bool)
    for i, g in enumerate(system.thermal):
        if g.heating_season is None:
            continue
        a, b = (int(x.replace("-", "")) for x in g.heating_season[:2])   # "MM-DD" (validated) → MMDD
        out[:, i] = (md >= a) & (md <= b) if a <= b else (md >= a) | (md <= b)
    return out


def compile_window(case, first_hour: int, T: int, state: InitialState | None = None,
                   policy: dict | None = None, monitored: np.ndarray | None = None,
                   dr_budgets: dict | None = None, run_end: int | None = None) -> SystemArrays:
    """Arrays for hours [first_hour, first_hour + T) of the case's data; `policy` = the limits over
    these hours (dispatch.policy), None when the case has none; `monitored` = (L,) bool branches
    whose limits start in the model (lazy dc networks; default none when lazy, else all);
    `dr_budgets` = interruptible calls and hours left for these hours (default: a year's);
    `run_end` = the data hour after the run (shifted load returns by then; default the window end)."""
    sysm, prof = case.system, case.profiles
    th = sysm.thermal
    G = len(th)
    L = max((len(g.curve_mw) for g in th), default=1)
    S = max((max(1, len(g.startup)) for g in th), default=1)
    carbon = sysm.carbon_price_per_t
    curve_mw = np.zeros((G, L))
    cost = np.zeros((G, L))
    co2 = np.zeros((G, L))
    fuel = np.zeros((G, L))
    npts = np.zeros(G, np.int64)
    lag = np.full((G, S), 10 ** 9, np.int64)
    su_cost = np.zeros((G, S))
    su_co2 = np.zeros((G, S))
    nsu = np.ones(G, np.int64)
    for i, g in enumerate(th):
        n = len(g.curve_mw)
        npts[i] = n
        mw = np.asarray(g.curve_mw, float)
        if g.curve_fuel_per_h is not None:
            f = sysm.fuel(g.fuel)
            fu = np.asarray(g.curve_fuel_per_h, float)
            c = fu * f.price
            e = fu * f.co2_t_per_unit
        else:
            fu = np.zeros(n)
            c = np.asarray(g.curve_cost_per_h, float)
            e = mw * g.co2_t_per_mwh
        c = c + carbon * e
        for arr, vals in ((curve_mw, mw), (cost, c), (co2, e), (fuel, fu)):
            arr[i, :n] = vals
            arr[i, n:] = vals[-1]
        if g.startup:
            nsu[i] = len(g.startup)
            fco2 = sysm.fuel(g.fuel).co2_t_per_unit if g.fuel else 0.0
            fprice = sysm.fuel(g.fuel).price if g.fuel else 0.0
            for s, cat in enumerate(g.startup):
                lag[i, s] = cat.lag_h
                su_co2[i, s] = cat.fuel * fco2
                su_cost[i, s] = cat.cost + cat.fuel * fprice + carbon * su_co2[i, s]
        else:
            lag[i, 0] = 0
    must = np.tile(np.array([g.must_run for g in th], bool), (T, 1))

    R = len(sysm.renewables)
    avail = np.zeros((T, R))
    minout = np.zeros((T, R))
    for j, r in enumerate(sysm.renewables):
        if r.profile_mw is not None:
            avail[:, j] = prof.get(r.profile_mw, first_hour, T)
        else:
            avail[:, j] = r.capacity_mw * prof.get(r.profile, first_hour, T)
        minout[:, j] = np.minimum(prof.get(r.min_profile_mw, first_hour, T), avail[:, j])
    cur_default = sysm.penalties["curtailment_per_mwh"]
    curt = np.array([cur_default if r.curtailment_per_mwh is None else r.curtailment_per_mwh
                     for r in sysm.renewables], float)

    def scaled(el, scale_attr):
        if el.profile_mw is not None:
            return prof.get(el.profile_mw, first_hour, T)
        return getattr(el, scale_attr) * prof.get(el.profile, first_hour, T)

    loads = [scaled(ld, "peak_mw") for ld in sysm.loads]
    load = np.sum(loads, axis=0) if loads else np.zeros(T)
    flows = [scaled(x, "capacity_mw") for x in sysm.interchange]
    exp = np.zeros(T)
    imp = np.zeros(T)
    for x, f in zip(sysm.interchange, flows):
        (exp if x.direction == "export" else imp)[:] += f

    vre = np.array([r.technology in ("wind", "solar") for r in sysm.renewables], bool)
    largest = max((g.p_max_mw for g in th), default=0.0)

    def requirement(rule):
        req = prof.get(rule.profile_mw, first_hour, T) + rule.load_share * load + rule.fixed_mw
        if R:
            req = req + rule.renewable_share * avail[:, vre].sum(axis=1)
        if rule.largest_unit:
            req = req + largest
        return req

    f = lambda attr: np.array([getattr(g, attr) for g in th], float)  # noqa: E731
    ini = state or initial_state_for(sysm, prof, first_hour)
    end = run_end or first_hour + T     # shifted load is back by the run's (or the data's) last hour
    last_hour = (end if case.data_hours is None else min(end, case.data_hours)) - 1
    pen = sysm.penalties
    season = heating_mask(sysm, first_hour, T)
    share = np.array([g.heating_season[2] if g.heating_season else 0.0 for g in th], float)
    dpr = sysm.deep_peak_regulation or {"technologies": [], "tiers": []}
    paid = np.array([g.technology in dpr["technologies"] for g in th], bool)
    tiers = dpr["tiers"]
    pmax = f("p_max_mw")
    return SystemArrays(
        first_hour=first_hour, T=T,
        thermal_names=[g.name for g in th], thermal_tech=[g.technology for g in th],
        p_min_mw=f("p_min_mw"), p_max_mw=f("p_max_mw"),
        ramp_up_mw_per_h=f("ramp_up_mw_per_h"), ramp_down_mw_per_h=f("ramp_down_mw_per_h"),
        startup_ramp_mw_per_h=f("startup_ramp_mw_per_h"), shutdown_ramp_mw_per_h=f("shutdown_ramp_mw_per_h"),
        min_up_h=f("min_up_h").astype(np.int64), min_down_h=f("min_down_h").astype(np.int64),
        must_run=must, reserve_eligible=np.array([g.reserve_eligible for g in th], bool),
        curve_mw=curve_mw, curve_cost_per_h=cost, curve_co2_t_per_h=co2, curve_fuel_per_h=fuel, n_points=npts,
        startup_lag_h=lag, startup_cost=su_cost, startup_co2_t=su_co2, n_startup=nsu,
        shutdown_cost=f("shutdown_cost"),
        initial=ini.copy(),
        renewable_names=[r.name for r in sysm.renewables], renewable_tech=[r.technology for r in sysm.renewables],
        available_mw=avail, min_output_mw=minout, curtailment_cost=curt,
        load_mw=load, export_mw=exp, import_mw=imp,
        reserve_up_mw=requirement(sysm.reserve_up), reserve_down_mw=requirement(sysm.reserve_down),
        voll=pen["voll_per_mwh"], overgen_cost=pen["overgeneration_per_mwh"],
        reserve_short_cost=pen["reserve_shortfall_per_mwh"],
        storage=storage_arrays(sysm), storage_inflow_mw=storage_inflow(sysm, prof, first_hour, T),
        meta={"currency": sysm.currency, "name": sysm.name},
        oil_below_mw=f("oil_below_mw"), oil_cost_per_h=f("oil_cost_per_h") + carbon * f("oil_co2_t_per_h"),
        oil_co2_t_per_h=f("oil_co2_t_per_h"),
        season_min_mw=np.where(season, share[None, :] * pmax[None, :], 0.0),
        must_run_short_cost=pen["must_run_shortfall_per_mwh"],
        deep_below_mw=np.array([g.p_min_mw if g.pre_retrofit_p_min_mw is None else g.pre_retrofit_p_min_mw
                                for g in th], float),
        dpr_threshold_mw=pmax[:, None] * np.array([t["below_share"] for t in tiers], float)[None, :],
        dpr_price_per_mwh=paid[:, None] * np.array([t["price_per_mwh"] for t in tiers], float)[None, :],
        non_fossil=np.array([g.technology in ("nuclear", "biomass") for g in th], bool),
        policy=policy,
        network=network_arrays(sysm, T, loads, flows, monitored),
        demand=demand_arrays(sysm, first_hour, T, loads, dr_budgets, last_hour),
        microgrids=microgrid_arrays(sysm, first_hour, T, loads),
        ev=ev_arrays(sysm, prof, first_hour, T, ini.ev_energy_mwh),
    )
