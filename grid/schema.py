"""The case schema: one spec per field (type, unit, default, allowed range, description).

The validator in `grid.config` walks a YAML document against `CASE`; the README field tables are
generated from the same specs (`python -m grid.schema` prints them), so the two never drift.

Kinds:
- ``float`` / ``int`` / ``bool`` / ``str``: scalars (``int`` accepts whole floats such as 8.0).
- ``enum``: one of ``choices``.
- ``series``: the name of an entry in ``profiles`` or a number broadcast to every hour.
- ``floats``: a list of numbers.
- ``strs``: a list of texts (e.g. unit names).
- ``map``: a mapping with its own ``fields``.
- ``list``: a list of mappings with ``fields`` (named elements: each needs a unique ``name``).
- ``any``: free-form (profile specs are checked by `profiles`).
"""
from dataclasses import dataclass, field as dc_field
from typing import Any

REQUIRED = object()


@dataclass(frozen=True)
class Spec:
    kind: str
    desc: str = ""
    unit: str = ""
    default: Any = REQUIRED
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    choices: tuple = ()
    fields: dict = dc_field(default_factory=dict)

    def allowed(self) -> str:
        """Human text of the allowed values, used in error messages and docs."""
        if self.kind == "enum":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind in ("float", "int", "floats", "series"):
            what = {"float": "a number", "int": "a whole number", "floats": "a list of numbers",
                    "series": "a profile name or a number"}[self.kind]
            if self.lo is not None and self.lo == self.hi and not self.lo_open:
                s = "exactly " + _fmt(self.lo)
            else:
                rng = []
                if self.lo is not None:
                    rng.append(("> " if self.lo_open else ">= ") + _fmt(self.lo))
                if self.hi is not None:
                    rng.append("<= " + _fmt(self.hi))
                s = what + (" " + " and ".join(rng) if rng else "")
            return s + (f" ({self.unit})" if self.unit else "")
        if self.kind == "str":
            return "text"
        if self.kind == "strs":
            return "a list of texts"
        if self.kind == "map":
            return "a mapping"
        if self.kind == "list":
            return "a list of mappings"
        return ""


def _fmt(x):
    return str(int(x)) if float(x).is_integer() else str(x)


def F(desc, unit="", default=REQUIRED, lo=None, hi=None, lo_open=False):
    return Spec("float", desc, unit, default, lo, hi, lo_open)


def I(desc, unit="", default=REQUIRED, lo=None, hi=None):
    return Spec("int", desc, unit, default, lo, hi)


def B(desc, default=REQUIRED):
    return Spec("bool", desc, default=default)


def S(desc, default=REQUIRED):
    return Spec("str", desc, default=default)


def E(desc, choices, default=REQUIRED):
    return Spec("enum", desc, default=default, choices=tuple(choices))


def SER(desc, unit="", default=REQUIRED, lo=0.0, hi=None):
    return Spec("series", desc, unit, default, lo, hi)


def FL(desc, unit="", default=REQUIRED, lo=None, hi=None):
    return Spec("floats", desc, unit, default, lo, hi)


def STRS(desc, default=REQUIRED):
    return Spec("strs", desc, default=default)


def M(desc, fields, default=REQUIRED):
    return Spec("map", desc, default=default, fields=fields)


def L(desc, fields, default=REQUIRED):
    return Spec("list", desc, default=default, fields=fields)


TECHNOLOGIES_THERMAL = ("coal", "gas", "oil", "nuclear", "chp", "biomass", "other")
TECHNOLOGIES_RENEWABLE = ("wind", "solar", "hydro_ror", "csp", "other")

RESERVE_FIELDS = {
    "profile_mw": SER("requirement given directly as a series", "MW", default=0.0),
    "load_share": F("share of the hour's load", "fraction", 0.0, 0.0, 1.0),
    "renewable_share": F("share of the hour's available wind and solar", "fraction", 0.0, 0.0, 1.0),
    "fixed_mw": F("constant contingency requirement", "MW", 0.0, 0.0),
    "largest_unit": B("add the p_max_mw of the largest thermal unit", False),
}

THERMAL_FIELDS = {
    "name": S("unique unit name"),
    "technology": E("technology, for reporting", TECHNOLOGIES_THERMAL, "other"),
    "bus": S("network bus (network.model dc): pandapower bus index or bus name", None),
    "zone": S("zone name (network.model zonal)", None),
    "p_min_mw": F("minimum stable output while on", "MW", REQUIRED, 0.0),
    "p_max_mw": F("maximum output", "MW", REQUIRED, 0.0, lo_open=True),
    "ramp_up_mw_per_h": F("ramp-up limit between on hours (on output above p_min)", "MW/h", None, 0.0, lo_open=True),
    "ramp_down_mw_per_h": F("ramp-down limit between on hours (on output above p_min)", "MW/h", None, 0.0, lo_open=True),
    "startup_ramp_mw_per_h": F("largest output in the start-up hour (default p_min_mw)", "MW/h", None, 0.0, lo_open=True),
    "shutdown_ramp_mw_per_h": F("largest output in the hour before a shut-down (default p_min_mw)", "MW/h", None, 0.0, lo_open=True),
    "min_up_h": F("minimum up time; fractions are rounded up to whole hours", "h", 1.0, 0.0, 8784.0),
    "min_down_h": F("minimum down time; fractions are rounded up to whole hours", "h", 1.0, 0.0, 8784.0),
    "must_run": B("committed in every hour", False),
    "reserve_eligible": B("may provide spinning reserve", True),
    "cost_curve": M("production cost as a money curve (points from p_min to p_max)", {
        "mw": FL("output points, first = p_min_mw, last = p_max_mw, increasing", "MW", REQUIRED, 0.0),
        "cost_per_h": FL("total cost per hour at each point", "currency/h", REQUIRED, 0.0),
    }, None),
    "fuel_curve": M("production as a fuel curve (points from p_min to p_max), priced by `fuel`", {
        "mw": FL("output points, first = p_min_mw, last = p_max_mw, increasing", "MW", REQUIRED, 0.0),
        "fuel_per_h": FL("fuel burnt per hour at each point", "fuel unit/h", REQUIRED, 0.0),
    }, None),
    "fuel": S("name of an entry in `fuels` (required with fuel_curve)", None),
    "co2_t_per_mwh": F("CO2 per MWh for a unit with a money curve (fuel units emit from fuel)", "tCO2/MWh", 0.0, 0.0),
    "startup": L("start-up categories, hottest first: lag_h = hours off from which the category applies", {
        "lag_h": F("hours off from which this category applies; the first must be <= min_down_h", "h", REQUIRED, 0.0),
        "cost": F("start-up cost", "currency", 0.0, 0.0),
        "fuel": F("start-up fuel (priced and emitting like the unit's fuel)", "fuel unit", 0.0, 0.0),
    }, []),
    "shutdown_cost": F("cost of each shut-down", "currency", 0.0, 0.0),
    "oil_assist": M("oil-assisted combustion below a load (a binary per unit-hour; usually set by a retrofit)", {
        "below_mw": F("output below which oil support burns", "MW", REQUIRED, 0.0),
        "cost_per_h": F("cost of each hour with oil support", "currency/h", REQUIRED, 0.0),
        "co2_t_per_h": F("CO2 of each hour with oil support", "tCO2/h", 0.0, 0.0),
    }, None),
    "heating_season": M("CHP heating-season must-run: least electric output between two dates (each year)", {
        "start": S("first day, MM-DD (e.g. 11-01)"),
        "end": S("last day, MM-DD (e.g. 04-15); may be earlier than start (the season spans new year)"),
        "min_output_share": F("least output while in season", "fraction of p_max_mw", REQUIRED, 0.0, 1.0),
    }, None),
    "initial": M("state at hour 0 of the data", {
        "on": B("on at t0", False),
        "hours": F("hours in that state at t0", "h", 1000.0, 0.0),
        "p_mw": F("output at t0 (0 when off)", "MW", 0.0, 0.0),
    }, {}),
}

RENEWABLE_FIELDS = {
    "name": S("unique name"),
    "technology": E("technology", TECHNOLOGIES_RENEWABLE, "other"),
    "bus": S("network bus (network.model dc): pandapower bus index or bus name", None),
    "zone": S("zone name (network.model zonal)", None),
    "capacity_mw": F("installed capacity; `profile` is then per unit of it", "MW", None, 0.0),
    "profile": SER("availability per unit of capacity_mw", "p.u.", None, 0.0, 1.0),
    "profile_mw": SER("availability in MW (instead of capacity_mw × profile)", "MW", None),
    "min_profile_mw": SER("minimum output (must-take part)", "MW", 0.0),
    "curtailment_per_mwh": F("curtailment penalty for this plant (default: penalties.curtailment_per_mwh)", "currency/MWh", None, 0.0),
}

LOAD_FIELDS = {  # with a dc network, a load without `bus` is spread over the net's loads pro rata
    "name": S("unique name"),
    "peak_mw": F("peak load; `profile` is then per unit of it", "MW", None, 0.0),
    "bus": S("network bus (network.model dc): pandapower bus index or bus name", None),
    "zone": S("zone name (network.model zonal)", None),
    "profile": SER("load per unit of peak_mw", "p.u.", None, 0.0),
    "profile_mw": SER("load in MW (instead of peak_mw × profile)", "MW", None),
}

INTERCHANGE_FIELDS = {
    "name": S("unique name"),
    "direction": E("export leaves the system like a load; import enters like must-take supply", ("export", "import")),
    "bus": S("network bus (network.model dc): pandapower bus index or bus name", None),
    "zone": S("zone name (network.model zonal)", None),
    "capacity_mw": F("line capacity; `profile` is then per unit of it", "MW", None, 0.0),
    "profile": SER("scheduled flow per unit of capacity_mw", "p.u.", None, 0.0, 1.0),
    "profile_mw": SER("scheduled flow in MW", "MW", None),
}

STORAGE_FIELDS = {
    "name": S("unique name"),
    "technology": E("battery, pumped_hydro or hydro_reservoir (sets defaults: round-trip efficiency; a reservoir "
                    "has no pumps and stores MWh of generation)", ("battery", "pumped_hydro", "hydro_reservoir")),
    "units": I("identical units in the station (pumped hydro); a battery is 1", "", 1, 1, 64),
    "bus": S("network bus (network.model dc): pandapower bus index or bus name", None),
    "zone": S("zone name (network.model zonal)", None),
    "discharge_mw": F("discharge (turbine) capacity of the station", "MW", REQUIRED, 0.0, lo_open=True),
    "charge_mw": F("charge (pump) capacity of the station (default discharge_mw)", "MW", None, 0.0, lo_open=True),
    "energy_mwh": F("energy capacity", "MWh", REQUIRED, 0.0, lo_open=True),
    "charge_efficiency": F("share of charged energy stored (default: sqrt of 0.85 battery / 0.75 pumped hydro)",
                           "fraction", None, 0.0, 1.0, lo_open=True),
    "discharge_efficiency": F("share of stored energy delivered (default as charge_efficiency)", "fraction", None,
                              0.0, 1.0, lo_open=True),
    "soc_min": F("lowest state of charge", "fraction of energy_mwh", 0.0, 0.0, 1.0),
    "soc_max": F("highest state of charge", "fraction of energy_mwh", 1.0, 0.0, 1.0),
    "soc_initial": F("state of charge before the first simulated hour", "fraction of energy_mwh", 0.5, 0.0, 1.0),
    "soc_final": F("least state of charge at the end of every optimisation window (default soc_initial)",
                   "fraction of energy_mwh", None, 0.0, 1.0),
    "self_discharge_per_h": F("share of the stored energy lost per hour", "fraction/h", 0.0, 0.0, 0.5),
    "degradation_cost_per_mwh": F("wear cost per MWh discharged", "currency/MWh", 0.0, 0.0),
    "exclusive": B("a unit cannot charge and discharge in the same hour (binaries)", True),
    "ternary": B("pumped hydro: a unit may pump and generate at once (ternary set); overrides exclusive", False),
    "pump_speed": E("fixed-speed pumps run at their rated power only; variable-speed in a range",
                    ("variable", "fixed"), "variable"),
    "pump_min_share": F("variable-speed pumps: least pumping power of a running unit", "fraction of unit rating",
                        0.0, 0.0, 1.0),
    "mode_change_cost": F("cost of each unit start of pumping or of generating", "currency", 0.0, 0.0),
    "reserve_eligible": B("may provide spinning reserve (within power and energy headroom)", True),
    "inflow_mw": SER("natural inflow in MW of generation (reservoirs and pumped hydro)", "MW", 0.0),
    "monthly_energy_mwh": FL("inflow given as 12 monthly energies (Jan..Dec), spread evenly over each month's "
                             "hours, instead of inflow_mw", "MWh", None, 0.0),
    "min_release_mw": F("least release (generation + spill) every hour, e.g. environmental flow", "MW", 0.0, 0.0),
    "capex_per_kw": F("capital cost per kW of discharge_mw (new assets; 0 = sunk)", "currency/kW", 0.0, 0.0),
    "capex_per_kwh": F("capital cost per kWh of energy_mwh (added to capex_per_kw)", "currency/kWh", 0.0, 0.0),
    "lifetime_years": F("economic lifetime for annualising capex", "years", 15.0, 1.0, 100.0),
    "discount_rate": F("discount rate for annualising capex", "fraction/year", 0.06, 0.0, 1.0),
}

RETROFIT_FIELDS = {
    "name": S("unique package name"),
    "units": STRS("thermal units retrofitted, by name (or use coal_share)", None),
    "coal_share": F("instead of `units`: retrofit this share of the capacity of `technology` units, in `order`",
                    "fraction of capacity", None, 0.0, 1.0, lo_open=True),
    "technology": E("technology that coal_share selects from", ("coal", "chp"), "coal"),
    "order": E("which units coal_share takes first (ties by name)", ("largest_first", "smallest_first"),
               "largest_first"),
    "p_min_share": F("new minimum stable load (at most the old one)", "fraction of p_max_mw", REQUIRED, 0.05, 1.0),
    "heat_rate_factor": F("heat rate at the new minimum relative to the full-load heat rate (fuel or cost per "
                          "MWh); fuel is linear between the new and the old minimum, so deep cycling is dearer "
                          "per MWh than the curve above: a non-convex curve, modelled exactly", "", 1.17, 1.0, 1.25),
    "ramp_share_per_h": F("new ramp up/down limit, if higher than the old", "fraction of p_max_mw per h", None,
                          0.0, 1.0, lo_open=True),
    "min_up_h": F("new minimum up time, if shorter", "h", None, 0.0, 8784.0),
    "min_down_h": F("new minimum down time, if shorter (hot start-up lag shortened to match)", "h", None,
                    0.0, 8784.0),
    "startup_cost_factor": F("multiplies start-up costs and start-up fuel", "", 1.0, 0.0, 1.0),
    "oil_assist_below_share": F("oil-assisted combustion below this load", "fraction of p_max_mw", None, 0.0, 1.0),
    "oil_assist_cost_per_mw_h": F("oil support cost per hour per MW of p_max_mw", "currency/(MW·h)", 0.0, 0.0),
    "oil_assist_co2_t_per_mw_h": F("oil support CO2 per hour per MW of p_max_mw", "tCO2/(MW·h)", 0.0, 0.0),
    "capex_per_kw": F("capital cost per kW of p_max_mw", "currency/kW", 0.0, 0.0),
    "lifetime_years": F("economic lifetime for annualising capex", "years", 15.0, 1.0, 100.0),
    "discount_rate": F("discount rate for annualising capex", "fraction/year", 0.06, 0.0, 1.0),
}

CASE = {
    "version": I("schema version", "", REQUIRED, 1, 1),
    "name": S("case name", "case"),
    "description": S("free text", ""),
    "currency": S("currency of every cost", "CNY"),
    "time": M("time axis of the data", {
        "start": S("ISO date/datetime of hour 0 of the profiles", "2025-01-01T00:00"),
        "resolution_h": F("time step (only 1 h is supported)", "h", 1.0, 1.0, 1.0),
        "first_hour": I("default first simulated hour (0-based index into the profiles)", "h", 0, 0),
        "hours": I("default number of simulated hours", "h", 168, 1, 8784 * 50),
    }, {}),
    "horizon": M("rolling horizon", {
        "decided_h": I("hours decided per window", "h", 24, 1, 8784),
        "lookahead_h": I("extra hours optimised but not kept", "h", 24, 0, 8784),
    }, {}),
    "engine": M("solver options", {
        "name": E("engine", ("milp", "fast"), "milp"),
        "mip_gap": F("relative MIP gap per window", "fraction", 0.005, 0.0, 1.0),
        "time_limit_s": F("solver time limit per window", "s", 120.0, 0.0, lo_open=True),
        "threads": I("solver threads", "", 1, 1, 256),
        "prices": B("re-solve the LP with commitment fixed to get hourly prices", True),
        "iterations": I("fast engine: most subgradient iterations per window (it stops earlier once the "
                        "bound stalls)", "", 300, 1, 100000),
        "polish": E("fast engine: re-optimise each window's dispatch with HiGHS, commitment fixed — storage "
                    "unit counts free (a small MIP), fixed (an LP), or no polish (numba only)",
                    ("storage", "lp", "none"), "none"),
    }, {}),
    "penalties": M("slack penalties", {
        "voll_per_mwh": F("value of lost load (shedding)", "currency/MWh", 8000.0, 0.0),
        "overgeneration_per_mwh": F("output above load (must-run surplus)", "currency/MWh", 5000.0, 0.0),
        "curtailment_per_mwh": F("renewable curtailment (0 reproduces pglib-uc)", "currency/MWh", 0.0, 0.0),
        "reserve_shortfall_per_mwh": F("unmet spinning reserve", "currency/MWh", 4000.0, 0.0),
        "must_run_shortfall_per_mwh": F("output below a heating-season minimum", "currency/MWh", 5000.0, 0.0),
    }, {}),
    "carbon_price_per_t": F("carbon price", "currency/tCO2", 0.0, 0.0),
    "fuels": L("fuels", {
        "name": S("unique name"),
        "price": F("price per fuel unit", "currency/fuel unit", REQUIRED, 0.0),
        "unit": S("the fuel unit, e.g. tce, GJ, MMBtu", "unit"),
        "co2_t_per_unit": F("CO2 per fuel unit", "tCO2/fuel unit", 0.0, 0.0),
    }, []),
    "thermal": L("thermal units", THERMAL_FIELDS, []),
    "renewables": L("wind, solar and run-of-river plants", RENEWABLE_FIELDS, []),
    "loads": L("loads", LOAD_FIELDS, []),
    "interchange": L("fixed interchange schedules", INTERCHANGE_FIELDS, []),
    "storage": L("batteries and pumped-hydro stations", STORAGE_FIELDS, []),
    "retrofits": L("flexible-coal retrofit packages (煤电灵活性改造) applied to thermal units", RETROFIT_FIELDS, []),
    "deep_peak_regulation": M("deep peak regulation compensation (深度调峰): paid per MWh of depth below each "
                              "tier's threshold while on; reported as unit revenue, a transfer outside system cost", {
        "technologies": STRS("thermal technologies that are paid", ["coal", "chp"]),
        "tiers": L("tiers, highest threshold first; each MWh of depth is paid at the tier it falls in", {
            "below_share": F("tier threshold", "fraction of p_max_mw", REQUIRED, 0.0, 1.0),
            "price_per_mwh": F("payment per MWh of depth in this tier", "currency/MWh", REQUIRED, 0.0),
        }, []),
    }, {}),
    "policies": M("limits over the simulated hours, spread over rolling windows pro rata (README \"Policy limits\")", {
        "co2_cap_t": F("CO2 cap over all hours of the profile data; a run gets the share of its hours' "
                       "residual demand (load + export − import − wind and solar available, >= 0)", "tCO2", None, 0.0),
        "renewable_utilisation_min": F("least share of available wind + solar energy used", "fraction", None,
                                       0.0, 1.0),
        "non_fossil_share_min": F("least non-fossil generation (renewables, nuclear, biomass, hydro reservoirs) "
                                  "as a share of net demand (load + export − import)", "fraction", None, 0.0, 1.0),
        "co2_excess_per_t": F("penalty on CO2 above the cap; keep it below VOLL / the highest emission rate "
                              "(t/MWh) so that a cap never sheds load", "currency/tCO2", 2000.0, 0.0),
        "energy_shortfall_per_mwh": F("penalty on energy below a utilisation or non-fossil floor", "currency/MWh",
                                      3000.0, 0.0),
    }, {}),
    "network": M("transmission network; without it the system is a copper plate (README \"Networks\")", {
        "model": E("copper_plate (one balance), dc (PTDF line limits from a pandapower net) or zonal (zones "
                   "joined by tie lines)", ("copper_plate", "dc", "zonal"), "copper_plate"),
        "pandapower": S("a built-in pandapower network, e.g. case39, case24_ieee_rts, case300", None),
        "file": S("a pandapower JSON (.json) or MATPOWER (.m, .mat) file, relative to the case file", None),
        "rating_scale": F("multiplies every branch rating", "", 1.0, 0.0, lo_open=True),
        "missing_rating": E("branches without a usable rating (0, NaN or >= 9000 MW): default_rating_mw (none: "
                            "unlimited) or base_flow (base_flow_factor × |DC flow at the net's own dispatch|)",
                            ("default", "base_flow"), "default"),
        "default_rating_mw": F("rating of branches without one (missing_rating: default); none = unlimited", "MW",
                               None, 0.0, lo_open=True),
        "base_flow_factor": F("missing_rating: base_flow multiplier", "", 1.5, 0.0, lo_open=True),
        "min_rating_mw": F("missing_rating: base_flow floor", "MW", 50.0, 0.0),
        "lazy": B("add only the line limits that bind (solve, check every flow, add violated lines, re-solve)", True),
        "lazy_rounds": I("at most this many re-solves per window before all limits are added", "", 10, 1, 100),
        "overload_per_mwh": F("penalty on flow above a line or tie rating", "currency/MWh", 20000.0, 0.0),
        "islands": E("several islands: an error, or a separate balance per island", ("error", "separate"), "error"),
        "zones": L("zones (model zonal)", {"name": S("zone name")}, []),
        "ties": L("tie lines between zones (model zonal)", {
            "name": S("unique tie name"),
            "from_zone": S("zone at the sending end (positive flow)"),
            "to_zone": S("zone at the receiving end"),
            "capacity_mw": F("limit from → to", "MW", REQUIRED, 0.0),
            "reverse_capacity_mw": F("limit to → from (default capacity_mw)", "MW", None, 0.0),
        }, []),
    }, None),
    "microgrids": L("microgrids (智能微电网): elements behind a point of common coupling (README \"Microgrids\")", {
        "name": S("unique name"),
        "elements": STRS("names of the thermal units, renewables, storage, loads and demand-response contracts "
                         "inside (each element in at most one microgrid)"),
        "import_mw": F("largest import from the main grid through the PCC", "MW", REQUIRED, 0.0),
        "export_mw": F("largest export to the main grid through the PCC", "MW", REQUIRED, 0.0),
        "islanded": L("scheduled islanding: the PCC carries nothing, the microgrid balances alone", {
            "start": S("first islanded hour, ISO date/datetime"),
            "hours": I("length", "h", REQUIRED, 1, 8784),
        }, []),
    }, []),
    "demand_response": L("demand-side flexibility of loads (README \"Demand response\")", {
        "name": S("unique name"),
        "kind": E("shiftable: a share of a load moves within blocks of window_h hours, energy conserved; "
                  "interruptible: a contract to cut load at a price", ("shiftable", "interruptible")),
        "load": S("name of the load this applies to (it sits at that load's bus, zone or microgrid)"),
        "share": F("shiftable: share of the load's hourly demand that may be moved away", "fraction", 0.0, 0.0, 1.0),
        "window_h": I("shiftable: energy is conserved within each block of this many hours from the data start",
                      "h", 24, 1, 8784),
        "max_shift_mw": F("shiftable: largest move up or down in one hour (default: no limit beyond share)", "MW",
                          None, 0.0),
        "cost_per_mwh": F("shiftable: cost per MWh moved away (discomfort, contract payment)", "currency/MWh", 0.0,
                          0.0),
        "capacity_mw": F("interruptible: load that can be cut", "MW", 0.0, 0.0),
        "price_per_mwh": F("interruptible: payment per MWh cut", "currency/MWh", 0.0, 0.0),
        "max_hours_per_call": I("interruptible: longest call", "h", 4, 1, 8784),
        "max_calls_per_year": I("interruptible: calls per year (a run gets its share of the year's hours, rounded "
                                "up; windows draw from what is left)", "", 20, 0, 8784),
        "max_hours_per_year": F("interruptible: hours called per year (spread like the calls)", "h", 80.0, 0.0),
        "reserve": B("interruptible: capacity not called counts as spinning reserve up", False),
    }, []),
    "ev_fleets": L("electric-vehicle fleets charging from the grid (README \"EV fleets\")", {
        "name": S("unique name"),
        "load": S("name of the load whose bus, zone or microgrid the chargers share"),
        "vehicles": F("vehicles in the fleet", "", REQUIRED, 0.0, lo_open=True),
        "charger_kw": F("charging power per plugged-in vehicle", "kW", 7.0, 0.0, lo_open=True),
        "energy_per_vehicle_kwh": F("energy each vehicle needs between arriving and departing", "kWh", 20.0, 0.0),
        "plugged": SER("share of the fleet plugged in, per hour", "p.u.", REQUIRED, 0.0, 1.0),
        "departing": SER("share of the fleet leaving (unplugging) in each hour", "p.u.", REQUIRED, 0.0, 1.0),
        "mode": E("smart: charging optimised within the plug-in windows; unmanaged: full power from plug-in "
                  "until the vehicles are full", ("smart", "unmanaged"), "smart"),
    }, []),
    "reserves": M("spinning reserve requirements", {
        "up": M("upward reserve", RESERVE_FIELDS, {}),
        "down": M("downward reserve", RESERVE_FIELDS, {}),
    }, {}),
    "profiles": Spec("any", "named series: a number, {file, column, scale} or {synthetic, seed, ...}", default={}),
}


def field_table(spec: dict = CASE, prefix: str = "") -> list[tuple[str, str, str, str, str]]:
    """Rows (field path, unit, default, allowed, description) for the README tables."""
    rows = []
    for key, s in spec.items():
        path = f"{prefix}{key}"
        default = "required" if s.default is REQUIRED else ("—" if s.default is None else repr(s.default))
        if s.kind in ("map", "list"):
            rows.append((path, "", "" if s.kind == "list" else "", s.allowed(), s.desc))
            rows += field_table(s.fields, path + ("[]." if s.kind == "list" else "."))
        else:
            rows.append((path, s.unit, default, s.allowed(), s.desc))
    return rows


if __name__ == "__main__":
    print("| field | unit | default | allowed | description |\n|---|---|---|---|---|")
    for r in field_table():
        print("| `" + r[0] + "` | " + " | ".join(x.replace("|", "/") for x in r[1:]) + " |")
