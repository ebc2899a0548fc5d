"""The frozen `System`: element tables built from a validated case document.

Units: MW, MWh, h, currency (the case's `currency`), tCO2. Series fields hold either a profile
name (str) or a number broadcast to every hour; `profiles` turns them into arrays.
"""
import math
from dataclasses import dataclass

import numpy as np
from datetime import datetime

from grid.errors import InputError
from grid.retrofit import apply_retrofits, capital_recovery_factor


@dataclass(frozen=True)
class Fuel:
    name: str
    price: float            # currency per fuel unit
    unit: str
    co2_t_per_unit: float   # tCO2 per fuel unit


@dataclass(frozen=True)
class StartupCategory:
    lag_h: int              # hours off from which the category applies (rounded up)
    cost: float             # currency per start
    fuel: float             # fuel units per start


@dataclass(frozen=True)
class ThermalUnit:
    name: str
    technology: str
    p_min_mw: float
    p_max_mw: float
    ramp_up_mw_per_h: float
    ramp_down_mw_per_h: float
    startup_ramp_mw_per_h: float
    shutdown_ramp_mw_per_h: float
    min_up_h: int
    min_down_h: int
    must_run: bool
    reserve_eligible: bool
    curve_mw: tuple          # (L,) output points, p_min … p_max
    curve_cost_per_h: tuple | None   # (L,) money curve, or None
    curve_fuel_per_h: tuple | None   # (L,) fuel curve, or None
    fuel: str | None
    co2_t_per_mwh: float
    startup: tuple           # StartupCategory, hottest first
    shutdown_cost: float
    initial_on: bool
    initial_hours: float
    initial_p_mw: float
    oil_below_mw: float = 0.0          # oil-assisted combustion below this output (0 = none)
    oil_cost_per_h: float = 0.0        # currency per hour of oil support
    oil_co2_t_per_h: float = 0.0       # tCO2 per hour of oil support
    heating_season: tuple | None = None   # (start "MM-DD", end "MM-DD", min output share of p_max)
    bus: str | None = None             # network bus reference (model dc)
    zone: str | None = None            # zone name (model zonal)
    retrofit: str | None = None        # name of the retrofit package applied, if any
    pre_retrofit_p_min_mw: float | None = None   # minimum stable load before the retrofit (None: p_min_mw)


@dataclass(frozen=True)
class Renewable:
    name: str
    technology: str
    capacity_mw: float | None
    profile: object          # p.u. series (with capacity_mw) or None
    profile_mw: object       # MW series or None
    min_profile_mw: object
    curtailment_per_mwh: float | None
    bus: str | None = None
    zone: str | None = None


@dataclass(frozen=True)
class Load:
    name: str
    peak_mw: float | None
    profile: object
    profile_mw: object
    bus: str | None = None
    zone: str | None = None


@dataclass(frozen=True)
class Interchange:
    name: str
    direction: str           # "export" or "import"
    capacity_mw: float | None
    profile: object
    profile_mw: object
    bus: str | None = None
    zone: str | None = None


@dataclass(frozen=True)
class Storage:
    name: str
    technology: str          # "battery" or "pumped_hydro"
    units: int
    discharge_mw: float      # station totals
    charge_mw: float
    energy_mwh: float
    charge_efficiency: float
    discharge_efficiency: float
    soc_min: float           # fractions of energy_mwh
    soc_max: float
    soc_initial: float
    soc_final: float
    self_discharge_per_h: float
    degradation_cost_per_mwh: float
    exclusive: bool
    ternary: bool
    pump_speed: str          # "variable" or "fixed"
    pump_min_share: float
    mode_change_cost: float
    reserve_eligible: bool
    inflow_mw: object               # series reference (MW of generation)
    monthly_energy_mwh: tuple | None  # 12 monthly inflow energies, or None
    min_release_mw: float
    bus: str | None = None
    zone: str | None = None
    capex_per_kw: float = 0.0       # currency per kW of discharge_mw
    capex_per_kwh: float = 0.0      # currency per kWh of energy_mwh
    lifetime_years: float = 15.0
    discount_rate: float = 0.06

    @property
    def annualized_capex(self) -> float:
        """Capital cost (power + energy part) as an equal yearly payment, currency/year."""
        capex = 1000.0 * (self.capex_per_kw * self.discharge_mw + self.capex_per_kwh * self.energy_mwh)
        return capex * capital_recovery_factor(self.discount_rate, self.lifetime_years)


DEFAULT_ROUND_TRIP = {"battery": 0.85, "pumped_hydro": 0.75, "hydro_reservoir": 1.0}


def _storage(d: dict) -> Storage:
    eta = math.sqrt(DEFAULT_ROUND_TRIP[d["technology"]])
    ch = d["charge_efficiency"] or eta
    dis = d["discharge_efficiency"] or (d["charge_efficiency"] or eta)
    reservoir = d["technology"] == "hydro_reservoir"
    return Storage(**dict(d, charge_mw=0.0 if reservoir else (d["charge_mw"] or d["discharge_mw"]),
                          charge_efficiency=ch, discharge_efficiency=dis,
                          soc_final=d["soc_initial"] if d["soc_final"] is None else d["soc_final"],
                          monthly_energy_mwh=None if d["monthly_energy_mwh"] is None else tuple(d["monthly_energy_mwh"])))


@dataclass(frozen=True)
class DemandResponse:
    name: str
    kind: str                 # "shiftable" or "interruptible"
    load: str                 # name of the load it acts on
    share: float              # shiftable: share of the load's hourly demand that may move away
    window_h: int             # shiftable: energy conserved within blocks of this many data hours
    max_shift_mw: float | None
    cost_per_mwh: float       # shiftable: per MWh moved away
    capacity_mw: float        # interruptible
    price_per_mwh: float      # interruptible: per MWh cut
    max_hours_per_call: int
    max_calls_per_year: int
    max_hours_per_year: float
    reserve: bool


@dataclass(frozen=True)
class EVFleet:
    name: str
    load: str                 # the chargers sit with this load (its node, its microgrid)
    vehicles: float
    charger_kw: float
    energy_per_vehicle_kwh: float
    plugged: object           # series reference: share of the fleet plugged in
    departing: object         # series reference: share of the fleet leaving in the hour
    mode: str                 # "smart" or "unmanaged"


@dataclass(frozen=True)
class Microgrid:
    name: str
    elements: tuple           # names of member thermal units, renewables, storage, loads, contracts
    import_mw: float
    export_mw: float
    islanded: tuple           # ((first data hour, hours), ...)


@dataclass(frozen=True)
class ReserveRule:
    profile_mw: object
    load_share: float
    renewable_share: float
    fixed_mw: float
    largest_unit: bool


@dataclass(frozen=True)
class System:
    name: str
    description: str
    currency: str
    start: datetime          # timestamp of hour 0 of the profiles
    first_hour: int          # default first simulated hour
    hours: int               # default simulated hours
    decided_h: int
    lookahead_h: int
    engine: dict
    penalties: dict
    carbon_price_per_t: float
    fuels: tuple
    thermal: tuple
    renewables: tuple
    loads: tuple
    interchange: tuple
    storage: tuple
    reserve_up: ReserveRule
    reserve_down: ReserveRule
    profiles: dict           # name -> raw spec (number, file spec, synthetic spec)
    source: str              # path of the case file
    document: dict           # the validated document (for the resolved-config output)
    retrofits: tuple = ()    # RetrofitPackage (grid.retrofit), already applied to `thermal`
    deep_peak_regulation: dict | None = None   # {technologies: [...], tiers: [{below_share, price_per_mwh}]}
    policies: dict | None = None               # the validated `policies` section
    network: dict | None = None                # the validated `network` section (None: copper plate)
    demand_response: tuple = ()                # DemandResponse contracts
    microgrids: tuple = ()                     # Microgrid
    ev_fleets: tuple = ()                      # EVFleet
    grid: object = None                        # grid.network.Network (model dc), else None
    nodes: dict | None = None                  # element → node position, see `node_map`

    def fuel(self, name) -> Fuel:
        return next(f for f in self.fuels if f.name == name)

    @property
    def annualized_capex(self) -> dict:
        """{element name: currency/year} for retrofit packages and storage with a capital cost."""
        out = {p.name: p.annualized_capex for p in self.retrofits}
        out.update({x.name: x.annualized_capex for x in self.storage if x.annualized_capex > 0})
        return out


def _microgrid(m: dict, k: int, start: datetime, path) -> Microgrid:
    """A Microgrid with its islanding windows as data-hour ranges."""
    windows = []
    for j, w in enumerate(m["islanded"]):
        when = parse_start(w["start"], path, f"microgrids[{k}].islanded[{j}].start")
        hour = (when - start).total_seconds() / 3600.0
        if hour < 0 or not float(hour).is_integer():
            raise InputError(path, f"microgrids[{k}].islanded[{j}].start", w["start"],
                             f"a whole hour at or after time.start ({start.isoformat()})")
        windows.append((int(hour), w["hours"]))
    return Microgrid(m["name"], tuple(m["elements"]), m["import_mw"], m["export_mw"], tuple(windows))


def parse_start(text: str, path, field="time.start") -> datetime:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        raise InputError(path, field, text, "an ISO date or datetime, e.g. 2025-01-01 or 2025-01-01T00:00") from None


def build_system(doc: dict, path) -> System:
    """Turn a validated case document (grid.config.validate) into a frozen System (with its
    network, when the case has one)."""
    sysm = _build_system(doc, path)
    if sysm.network is None:
        return sysm
    import dataclasses
    from pathlib import Path
    grid = None
    if sysm.network["model"] == "dc":
        from grid.network import build_network, load_net
        spec = sysm.network
        net = load_net(spec, Path(path).parent, path)
        grid = build_network(net, spec, spec["pandapower"] or spec["file"], path)
        if grid.n_islands > 1 and spec["islands"] == "error":
            small = [grid.bus_names[b] for b in np.nonzero(grid.island > 0)[0][:8]]
            raise InputError(path, "network.islands", "error",
                             f"the net has {grid.n_islands} islands (buses {', '.join(small)} are not connected to "
                             "the main one): set islands: separate for a balance per island, or fix the net")
    return dataclasses.replace(sysm, grid=grid, nodes=node_map(sysm, grid, path))


def node_map(sysm: "System", grid, path) -> dict:
    """{section: (n,) int node positions} for thermal, renewables, storage, interchange (bus positions
    for model dc, zone positions for zonal), loads and demand response (the node of its load; −1 =
    spread by the net's load shares)."""
    model = sysm.network["model"]
    zones = [z["name"] for z in sysm.network["zones"]]
    out = {}
    for sec in ("thermal", "renewables", "storage", "loads", "interchange"):
        pos = []
        for i, el in enumerate(getattr(sysm, sec)):
            ref = el.bus if model == "dc" else el.zone
            key = "bus" if model == "dc" else "zone"
            if ref is None:
                if sec == "loads" and model == "dc":
                    pos.append(-1)
                    continue
                raise InputError(path, f"{sec}[{i}].{key}", None,
                                 f"required with network.model {model}: " +
                                 ("a bus of the network" if model == "dc" else "one of " + ", ".join(zones)),
                                 show_value=False)
            if model == "dc":
                pos.append(grid.position(ref, path, f"{sec}[{i}].bus"))
            elif ref in zones:
                pos.append(zones.index(ref))
            else:
                raise InputError(path, f"{sec}[{i}].zone", ref, "one of " + ", ".join(zones or ["(no zones)"]))
        out[sec] = np.array(pos, np.int64)
    load_pos = {ld.name: k for k, ld in enumerate(sysm.loads)}
    out["demand_response"] = np.array([out["loads"][load_pos[d.load]] for d in sysm.demand_response], np.int64)
    out["ev_fleets"] = np.array([out["loads"][load_pos[e.load]] for e in sysm.ev_fleets], np.int64)
    for k, m in enumerate(sysm.microgrids):   # its local shed sits at one node
        at = {int(out["loads"][load_pos[n]]) for n in m.elements if n in load_pos}
        if len(at) > 1 or -1 in at:
            raise InputError(path, f"microgrids[{k}].elements", list(m.elements),
                             "member loads at one bus or zone (each with its `bus`/`zone`): a microgrid's local "
                             "shed is placed there")
    return out


def _build_system(doc: dict, path) -> System:
    thermal = []
    entries, packages = apply_retrofits(doc, path)
    for g in entries:
        ini = g["initial"]
        oil, season = g["oil_assist"], g["heating_season"]
        cc, fc = g["cost_curve"], g["fuel_curve"]
        curve = cc or fc
        thermal.append(ThermalUnit(
            name=g["name"], technology=g["technology"],
            p_min_mw=g["p_min_mw"], p_max_mw=g["p_max_mw"],
            ramp_up_mw_per_h=g["ramp_up_mw_per_h"] or g["p_max_mw"],
            ramp_down_mw_per_h=g["ramp_down_mw_per_h"] or g["p_max_mw"],
            startup_ramp_mw_per_h=g["startup_ramp_mw_per_h"] or g["p_min_mw"] or g["p_max_mw"],
            shutdown_ramp_mw_per_h=g["shutdown_ramp_mw_per_h"] or g["p_min_mw"] or g["p_max_mw"],
            min_up_h=max(1, math.ceil(g["min_up_h"] - 1e-9)),
            min_down_h=max(1, math.ceil(g["min_down_h"] - 1e-9)),
            must_run=g["must_run"], reserve_eligible=g["reserve_eligible"],
            curve_mw=tuple(curve["mw"]),
            curve_cost_per_h=tuple(cc["cost_per_h"]) if cc else None,
            curve_fuel_per_h=tuple(fc["fuel_per_h"]) if fc else None,
            fuel=g["fuel"], co2_t_per_mwh=g["co2_t_per_mwh"],
            startup=tuple(StartupCategory(max(1, math.ceil(s["lag_h"] - 1e-9)), s["cost"], s["fuel"])
                          for s in g["startup"]),
            shutdown_cost=g["shutdown_cost"],
            initial_on=ini["on"], initial_hours=ini["hours"], initial_p_mw=ini["p_mw"],
            oil_below_mw=oil["below_mw"] if oil else 0.0, oil_cost_per_h=oil["cost_per_h"] if oil else 0.0,
            oil_co2_t_per_h=oil["co2_t_per_h"] if oil else 0.0,
            heating_season=(season["start"], season["end"], season["min_output_share"]) if season else None,
            retrofit=g.get("retrofit"), pre_retrofit_p_min_mw=g.get("pre_retrofit_p_min_mw"), bus=g["bus"], zone=g["zone"],
        ))
    r_up, r_dn = (ReserveRule(**doc["reserves"][d]) for d in ("up", "down"))
    start = parse_start(doc["time"]["start"], path)
    return System(
        name=doc["name"], description=doc["description"], currency=doc["currency"],
        start=parse_start(doc["time"]["start"], path),
        first_hour=doc["time"]["first_hour"], hours=doc["time"]["hours"],
        decided_h=doc["horizon"]["decided_h"], lookahead_h=doc["horizon"]["lookahead_h"],
        engine=dict(doc["engine"]), penalties=dict(doc["penalties"]),
        carbon_price_per_t=doc["carbon_price_per_t"],
        fuels=tuple(Fuel(**f) for f in doc["fuels"]),
        thermal=tuple(thermal),
        renewables=tuple(Renewable(**r) for r in doc["renewables"]),
        loads=tuple(Load(**ld) for ld in doc["loads"]),
        interchange=tuple(Interchange(**x) for x in doc["interchange"]),
        storage=tuple(_storage(x) for x in doc["storage"]),
        reserve_up=r_up, reserve_down=r_dn,
        profiles=dict(doc["profiles"]), source=str(path), document=doc,
        retrofits=packages, deep_peak_regulation=doc["deep_peak_regulation"], policies=doc["policies"],
        network=doc["network"] if doc["network"] and doc["network"]["model"] != "copper_plate" else None,
        demand_response=tuple(DemandResponse(**d) for d in doc["demand_response"]),
        microgrids=tuple(_microgrid(m, k, start, path) for k, m in enumerate(doc["microgrids"])),
        ev_fleets=tuple(EVFleet(**e) for e in doc["ev_fleets"]),
    )
