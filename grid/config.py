"""YAML case files: reading, overlays and validation against `grid.schema.CASE`.

`load_case_dict(path, overlays)` returns a validated document with every default filled in and
profile file paths made absolute. Every problem raises `InputError` naming the file and the field
path (``thermal[3].p_min_mw``).
"""
import copy
import difflib
import math
import re
from datetime import datetime
from pathlib import Path

import yaml

from grid.errors import InputError
from grid.schema import CASE, REQUIRED, TECHNOLOGIES_THERMAL, Spec


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (only true/false, so keys like `on:` stay strings), dates
    kept as text (checked where they are used) and duplicate keys rejected."""

    def construct_mapping(self, node, deep=False):
        """As SafeLoader, but a key given twice in one mapping is an error, not a silent overwrite."""
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key_node.value}'",
                                                            key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in res if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for ch, res in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
# YAML 1.2 floats: PyYAML (YAML 1.1) reads 1e4 or 2E-3 (no dot) as text
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+$"),
                              list("-+0123456789"))


def read_text(path) -> str:
    """A UTF-8 text file's content; InputError naming the file when it cannot be read."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "", allowed="file not found") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as e:
        raise InputError(path, "", allowed=f"cannot read: {e.__class__.__name__}") from None


def read_yaml(path) -> dict:
    """Parse one YAML file into a mapping (InputError on syntax errors or a non-mapping)."""
    path = Path(path)
    text = read_text(path)
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError(path, "", allowed=f"YAML syntax error at {where}: {problem}") from None
    if not isinstance(doc, dict):
        raise InputError(path, "", allowed="the file must hold a YAML mapping (key: value lines)")
    return doc


def merge(base, overlay):
    """Overlay merge (DESIGN.md): mappings merge recursively; lists of named mappings merge by
    `name` (same name → fields replaced, new name → appended, `remove: true` → deleted);
    any other value replaces. Neither input is modified."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for k, v in overlay.items():
            out[k] = merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    if _named_list(base) and _named_list(overlay):
        out = [copy.deepcopy(x) for x in base]
        index = {x["name"]: i for i, x in enumerate(out)}
        removed = set()
        for item in overlay:
            name = item["name"]
            if item.get("remove") is True:
                removed.add(name)
            elif name in index:
                out[index[name]] = merge(out[index[name]], item)
            else:
                index[name] = len(out)
                out.append(copy.deepcopy(item))
        return [x for x in out if x["name"] not in removed]
    return copy.deepcopy(overlay)


def _named_list(x):
    return isinstance(x, list) and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in x)


def load_case_dict(path, overlays=()) -> dict:
    """Read, merge overlays onto, and validate a case file; returns the resolved document.

    Profile file paths are resolved relative to the file that names them and stored absolute.
    """
    path = Path(path)
    doc = read_yaml(path)
    _absolutise_profile_files(doc, path.parent)
    for ov in overlays:
        odoc = read_yaml(ov)
        odoc.pop("version", None)
        _absolutise_profile_files(odoc, Path(ov).parent)
        _check_overlay_removals(odoc, ov)
        doc = merge(doc, odoc)
    return validate(doc, path)


def _absolutise_profile_files(doc, folder: Path):
    """Make file paths (profiles, the network file) absolute, relative to the YAML's folder."""
    profs = doc.get("profiles")
    if isinstance(profs, dict):
        for spec in profs.values():
            if isinstance(spec, dict) and isinstance(spec.get("file"), str):
                spec["file"] = str((folder / spec["file"]).resolve())
    net = doc.get("network")
    if isinstance(net, dict) and isinstance(net.get("file"), str):
        net["file"] = str((folder / net["file"]).resolve())


def _check_overlay_removals(odoc, path):
    for key, val in odoc.items():
        if isinstance(val, list):
            for i, item in enumerate(val):
                if isinstance(item, dict) and "name" not in item:
                    raise InputError(path, f"{key}[{i}].name", None, "overlay list items need a name")


# ---------------------------------------------------------------- validation

def validate(doc: dict, path) -> dict:
    """Check `doc` against the schema, fill defaults and run the cross-field checks."""
    out = _check_map(doc, CASE, "", path)
    _cross_checks(out, path)
    return out


def _check_map(doc, fields: dict, prefix: str, path) -> dict:
    if not isinstance(doc, dict):
        raise InputError(path, prefix.rstrip(".") or "<top>", doc, "a mapping")
    for key in doc:
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            if isinstance(key, bool) and "on" in fields:  # a YAML 1.1 writer turned `on:` into `true:`
                close = ["on"]
            hint = f"unknown key; did you mean '{close[0]}'?" if close else \
                "unknown key; allowed: " + ", ".join(fields)
            raise InputError(path, f"{prefix}{key}", None, hint, show_value=False)
    out = {}
    for key, spec in fields.items():
        fp = f"{prefix}{key}"
        if key in doc and doc[key] is not None:
            out[key] = _check_value(doc[key], spec, fp, path)
        elif key in doc and doc[key] is None and spec.default is None:
            out[key] = None
        elif spec.default is REQUIRED:
            raise InputError(path, fp, None, f"required field is missing ({spec.desc}: {spec.allowed()})",
                             show_value=False)
        elif spec.kind == "map":
            out[key] = None if spec.default is None else _check_map(spec.default, spec.fields, fp + ".", path)
        else:
            out[key] = copy.deepcopy(spec.default)
    return out


def _check_value(v, spec: Spec, fp: str, path):
    k = spec.kind
    if k == "map":
        return _check_map(v, spec.fields, fp + ".", path)
    if k == "list":
        if not isinstance(v, list):
            raise InputError(path, fp, v, "a list of mappings")
        items = [_check_map(item, spec.fields, f"{fp}[{i}].", path) for i, item in enumerate(v)]
        if "name" in spec.fields:
            seen = {}
            for i, item in enumerate(items):
                if item["name"] in seen:
                    raise InputError(path, f"{fp}[{i}].name", item["name"],
                                     f"duplicate name (also {fp}[{seen[item['name']]}])")
                seen[item["name"]] = i
        return items
    if k == "any":
        return copy.deepcopy(v)
    if k == "bool":
        if not isinstance(v, bool):
            raise InputError(path, fp, v, spec.allowed())
        return v
    if k == "str":
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise InputError(path, fp, v, spec.allowed())
        return str(v)
    if k == "enum":
        if v not in spec.choices:
            close = difflib.get_close_matches(str(v), spec.choices, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InputError(path, fp, v, spec.allowed() + hint)
        return v
    if k == "series":
        if isinstance(v, str):
            return v
        return check_number(v, spec, fp, path)
    if k == "floats":
        if not isinstance(v, list) or not v:
            raise InputError(path, fp, v, spec.allowed())
        return [check_number(x, spec, f"{fp}[{i}]", path) for i, x in enumerate(v)]
    if k == "strs":
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise InputError(path, fp, v, spec.allowed())
        return list(v)
    if k in ("float", "int"):
        return check_number(v, spec, fp, path)
    raise AssertionError(k)


def check_number(v, spec: Spec, fp, path):
    """A number within `spec`'s range (an int for kind "int"); InputError naming `fp` otherwise."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InputError(path, fp, v, spec.allowed())
    x = float(v)
    if not math.isfinite(x):
        raise InputError(path, fp, v, spec.allowed())
    if spec.kind == "int":
        if not x.is_integer():
            raise InputError(path, fp, v, spec.allowed())
        x = int(x)
    if spec.lo is not None and (x < spec.lo or (spec.lo_open and x <= spec.lo)):
        raise InputError(path, fp, v, spec.allowed())
    if spec.hi is not None and x > spec.hi:
        raise InputError(path, fp, v, spec.allowed())
    return x


def _cross_checks(doc: dict, path):
    """Checks that involve more than one field."""
    profiles = doc["profiles"]
    if not isinstance(profiles, dict):
        raise InputError(path, "profiles", profiles, "a mapping of name: series spec")
    fuels = {f["name"] for f in doc["fuels"]}
    try:
        tz = datetime.fromisoformat(doc["time"]["start"]).tzinfo
    except ValueError:
        raise InputError(path, "time.start", doc["time"]["start"],
                         "an ISO date or datetime, e.g. 2025-01-01 or 2025-01-01T00:00") from None
    if tz is not None:
        raise InputError(path, "time.start", doc["time"]["start"],
                         "a local date or datetime without a time zone, e.g. 2025-01-01T00:00")

    def series_ref(v, fp):
        if isinstance(v, str) and v not in profiles:
            close = difflib.get_close_matches(v, list(profiles), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise InputError(path, fp, v, "not a name in `profiles`" + hint)

    def one_of_scaled(el, fp, scale_key):
        has_pu, has_mw = el["profile"] is not None, el["profile_mw"] is not None
        if has_pu == has_mw:
            raise InputError(path, f"{fp}.profile_mw", el["profile_mw"],
                             f"give exactly one of profile (with {scale_key}) or profile_mw")
        if has_pu and el[scale_key] is None:
            raise InputError(path, f"{fp}.{scale_key}", None, "required with profile; a number >= 0 (MW)",
                             show_value=False)
        if has_mw and el[scale_key] is not None:
            raise InputError(path, f"{fp}.{scale_key}", el[scale_key],
                             "used only with profile (per unit); profile_mw is already in MW: remove one")
        for key in ("profile", "profile_mw", "min_profile_mw"):
            if key in el:
                series_ref(el[key], f"{fp}.{key}")

    for i, g in enumerate(doc["thermal"]):
        fp = f"thermal[{i}]"
        if g["p_min_mw"] > g["p_max_mw"]:
            raise InputError(path, f"{fp}.p_min_mw", g["p_min_mw"], f"allowed <= p_max_mw ({g['p_max_mw']}) (MW)")
        for key in ("startup_ramp_mw_per_h", "shutdown_ramp_mw_per_h"):
            if g[key] is not None and g[key] < g["p_min_mw"]:
                raise InputError(path, f"{fp}.{key}", g[key],
                                 f"allowed >= p_min_mw ({g['p_min_mw']}), or the unit could never start or stop (MW/h)")
        has_cost, has_fuel = g["cost_curve"] is not None, g["fuel_curve"] is not None
        if has_fuel and g["co2_t_per_mwh"] > 0:
            raise InputError(path, f"{fp}.co2_t_per_mwh", g["co2_t_per_mwh"],
                             "only for cost_curve units; a fuel_curve unit emits from its fuel (co2_t_per_unit)")
        if has_cost == has_fuel:
            raise InputError(path, f"{fp}.cost_curve", None, "give exactly one of cost_curve or fuel_curve",
                             show_value=False)
        curve, ykey = (g["cost_curve"], "cost_per_h") if has_cost else (g["fuel_curve"], "fuel_per_h")
        cname = "cost_curve" if has_cost else "fuel_curve"
        _check_curve(curve["mw"], curve[ykey], g, f"{fp}.{cname}", ykey, path)
        if has_fuel and g["fuel"] is None:
            raise InputError(path, f"{fp}.fuel", None, "required with fuel_curve: a name in `fuels`",
                             show_value=False)
        if g["fuel"] is not None and g["fuel"] not in fuels:
            close = difflib.get_close_matches(g["fuel"], sorted(fuels), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else \
                (" (" + ", ".join(sorted(fuels)) + ")" if fuels else " (the case has no fuels)")
            raise InputError(path, f"{fp}.fuel", g["fuel"], "not a name in `fuels`" + hint)
        lags = [s["lag_h"] for s in g["startup"]]
        for j in range(1, len(lags)):
            if lags[j] <= lags[j - 1]:
                raise InputError(path, f"{fp}.startup[{j}].lag_h", lags[j],
                                 f"allowed > startup[{j - 1}].lag_h ({lags[j - 1]}): categories go hottest first (h)")
        if lags and lags[0] > max(math.ceil(g["min_down_h"] - 1e-9), 1):
            raise InputError(path, f"{fp}.startup[0].lag_h", lags[0],
                             f"allowed <= min_down_h ({g['min_down_h']}) so every restart has a category (h)")
        fuel = next((f for f in doc["fuels"] if f["name"] == g["fuel"]), None)
        per_fuel = fuel["price"] + fuel["co2_t_per_unit"] * doc["carbon_price_per_t"] if fuel else 0.0
        totals = [c["cost"] + c["fuel"] * per_fuel for c in g["startup"]]
        for k in range(1, len(totals)):
            if totals[k] < totals[k - 1] - 1e-9:
                raise InputError(path, f"{fp}.startup[{k}].cost", g["startup"][k]["cost"],
                                 f"a colder start may not cost less than a hotter one (total {totals[k]:g} < "
                                 f"{totals[k - 1]:g} of startup[{k - 1}], fuel and carbon included)")
        for k in range(1, len(g["startup"])):
            if g["startup"][k]["fuel"] < g["startup"][k - 1]["fuel"]:
                raise InputError(path, f"{fp}.startup[{k}].fuel", g["startup"][k]["fuel"],
                                 f"allowed >= startup[{k - 1}].fuel ({g['startup'][k - 1]['fuel']}): a colder start "
                                 "burns at least as much fuel (and emits at least as much CO2)")
        if any(s["fuel"] > 0 for s in g["startup"]) and g["fuel"] is None:
            raise InputError(path, f"{fp}.startup", None, "start-up fuel needs the unit's `fuel`", show_value=False)
        if g["oil_assist"] is not None and g["oil_assist"]["below_mw"] > g["p_max_mw"]:
            raise InputError(path, f"{fp}.oil_assist.below_mw", g["oil_assist"]["below_mw"],
                             f"allowed <= p_max_mw ({g['p_max_mw']}) (MW)")
        if g["heating_season"] is not None:
            for key in ("start", "end"):
                _month_day(g["heating_season"][key], f"{fp}.heating_season.{key}", path)
        ini = g["initial"]
        if g["must_run"] and not ini["on"] and ini["hours"] < math.ceil(g["min_down_h"] - 1e-9):
            raise InputError(path, f"{fp}.initial.hours", ini["hours"],
                             f"a must-run unit that starts off must have been off >= min_down_h ({g['min_down_h']}) (h)")
        if ini["on"]:
            if not (g["p_min_mw"] - 1e-6 <= ini["p_mw"] <= g["p_max_mw"] + 1e-6):
                raise InputError(path, f"{fp}.initial.p_mw", ini["p_mw"],
                                 f"an on unit's output lies in [p_min_mw, p_max_mw] = [{g['p_min_mw']}, {g['p_max_mw']}] (MW)")
            if ini["hours"] < 1:
                raise InputError(path, f"{fp}.initial.hours", ini["hours"], "an on unit has been on >= 1 h")
        elif ini["p_mw"] != 0:
            raise InputError(path, f"{fp}.initial.p_mw", ini["p_mw"], "an off unit has output 0 (MW)")
        elif ini["hours"] < 1:
            raise InputError(path, f"{fp}.initial.hours", ini["hours"], "an off unit has been off >= 1 h")
    for i, r in enumerate(doc["renewables"]):
        one_of_scaled(r, f"renewables[{i}]", "capacity_mw")
    for i, ld in enumerate(doc["loads"]):
        one_of_scaled(ld, f"loads[{i}]", "peak_mw")
    for i, x in enumerate(doc["interchange"]):
        one_of_scaled(x, f"interchange[{i}]", "capacity_mw")
    for d in ("up", "down"):
        series_ref(doc["reserves"][d]["profile_mw"], f"reserves.{d}.profile_mw")
    if not doc["loads"]:
        raise InputError(path, "loads", [], "at least one load is required")
    for i, st in enumerate(doc["storage"]):
        fp = f"storage[{i}]"
        if st["soc_min"] > st["soc_max"]:
            raise InputError(path, f"{fp}.soc_min", st["soc_min"], f"allowed <= soc_max ({st['soc_max']})")
        for key in ("soc_initial", "soc_final"):
            v = st[key]
            if v is not None and not (st["soc_min"] - 1e-9 <= v <= st["soc_max"] + 1e-9):
                raise InputError(path, f"{fp}.{key}", v,
                                 f"allowed within [soc_min, soc_max] = [{st['soc_min']}, {st['soc_max']}]")
        if st["technology"] == "battery" and (st["units"] != 1 or st["ternary"] or st["pump_speed"] != "variable"):
            raise InputError(path, f"{fp}.technology", "battery",
                             "units, ternary and pump_speed are pumped-hydro settings (a battery has units: 1)")
        hydro_keys = [k for k in ("inflow_mw", "monthly_energy_mwh", "min_release_mw") if st[k] not in (0.0, None)]
        if st["technology"] == "battery" and hydro_keys:
            raise InputError(path, f"{fp}.{hydro_keys[0]}", st[hydro_keys[0]], "only for pumped_hydro and hydro_reservoir")
        if st["technology"] == "hydro_reservoir" and st["charge_mw"] is not None:
            raise InputError(path, f"{fp}.charge_mw", st["charge_mw"], "a hydro_reservoir has no pumps (use pumped_hydro)")
        if st["monthly_energy_mwh"] is not None:
            if len(st["monthly_energy_mwh"]) != 12:
                raise InputError(path, f"{fp}.monthly_energy_mwh", st["monthly_energy_mwh"], "12 values, January to December")
            if st["inflow_mw"] != 0.0:
                raise InputError(path, f"{fp}.inflow_mw", st["inflow_mw"], "give inflow_mw or monthly_energy_mwh, not both")
        series_ref(st["inflow_mw"], f"{fp}.inflow_mw")
    pol = doc["policies"]
    if pol["co2_cap_t"] is not None:
        for i, g in enumerate(doc["thermal"]):
            fuel = next((f for f in doc["fuels"] if f["name"] == g["fuel"]), None)
            curve = g["fuel_curve"] or g["cost_curve"]
            per_h = [y * fuel["co2_t_per_unit"] for y in g["fuel_curve"]["fuel_per_h"]] if g["fuel_curve"] and fuel \
                else [m * g["co2_t_per_mwh"] for m in curve["mw"]]
            rate = max((e / m for e, m in zip(per_h, curve["mw"]) if m > 0), default=0.0)
            if pol["co2_excess_per_t"] * rate >= doc["penalties"]["voll_per_mwh"]:
                raise InputError(path, "policies.co2_excess_per_t", pol["co2_excess_per_t"],
                                 f"< voll_per_mwh / {rate:.3g} t/MWh (the emission rate of thermal[{i}] "
                                 f"{g['name']}) = {doc['penalties']['voll_per_mwh'] / rate:.4g}, or the cap would "
                                 "shed load instead of exceeding it (currency/tCO2)")
    members = {}
    names = {el["name"]: sec for sec in ("thermal", "renewables", "storage", "loads", "demand_response", "ev_fleets")
             for el in doc[sec]}
    for k, m in enumerate(doc["microgrids"]):
        for j, el in enumerate(m["elements"]):
            if el not in names:
                close = difflib.get_close_matches(el, list(names), n=1)
                raise InputError(path, f"microgrids[{k}].elements[{j}]", el, "a thermal unit, renewable, storage, "
                                 "load, demand-response or EV-fleet name" + (f"; did you mean '{close[0]}'?" if close else ""))
            if el in members:
                raise InputError(path, f"microgrids[{k}].elements[{j}]", el, f"in one microgrid only (also in "
                                 f"{members[el]})")
            members[el] = m["name"]
        if not any(names[e] == "loads" for e in m["elements"]):
            raise InputError(path, f"microgrids[{k}].elements", m["elements"], "at least one load")
    for sec in ("demand_response", "ev_fleets"):   # contracts and fleets sit where their load is
        for k, el in enumerate(doc[sec]):
            if members.get(el["name"]) != members.get(el["load"]):
                raise InputError(path, f"{sec}[{k}].name", el["name"],
                                 f"in the same microgrid as its load {el['load']!r} "
                                 f"({members.get(el['load']) or 'none'}): list both or neither in `elements`")
    loads = [ld["name"] for ld in doc["loads"]]
    for k, e in enumerate(doc["ev_fleets"]):
        if e["load"] not in loads:
            close = difflib.get_close_matches(e["load"], loads, n=1)
            raise InputError(path, f"ev_fleets[{k}].load", e["load"],
                             "a name in `loads`" + (f"; did you mean '{close[0]}'?" if close else ""))
        for key in ("plugged", "departing"):
            series_ref(e[key], f"ev_fleets[{k}].{key}")
    for k, d in enumerate(doc["demand_response"]):
        if d["load"] not in loads:
            close = difflib.get_close_matches(d["load"], loads, n=1)
            raise InputError(path, f"demand_response[{k}].load", d["load"],
                             "a name in `loads`" + (f"; did you mean '{close[0]}'?" if close else ""))
        if d["kind"] == "shiftable" and d["share"] <= 0:
            raise InputError(path, f"demand_response[{k}].share", d["share"], "> 0 for a shiftable load (fraction)")
        if d["kind"] == "interruptible" and d["capacity_mw"] <= 0:
            raise InputError(path, f"demand_response[{k}].capacity_mw", d["capacity_mw"],
                             "> 0 for an interruptible contract (MW)")
    net = doc["network"]
    if net is not None:
        zones = [z["name"] for z in net["zones"]]
        if net["model"] == "dc" and net["pandapower"] is None and net["file"] is None:
            raise InputError(path, "network.pandapower", None, "model dc needs a net: pandapower (a built-in case "
                             "name, e.g. case39) or file", show_value=False)
        if net["model"] == "zonal" and not zones:
            raise InputError(path, "network.zones", [], "model zonal needs at least one zone")
        for k, tie in enumerate(net["ties"]):
            for key in ("from_zone", "to_zone"):
                if tie[key] not in zones:
                    raise InputError(path, f"network.ties[{k}].{key}", tie[key], "one of " + ", ".join(zones or ["(no zones)"]))
            if tie["from_zone"] == tie["to_zone"]:
                raise InputError(path, f"network.ties[{k}].to_zone", tie["to_zone"], "a zone other than from_zone")
    dpr = doc["deep_peak_regulation"]
    for k, t in enumerate(dpr["technologies"]):
        if t not in TECHNOLOGIES_THERMAL:
            raise InputError(path, f"deep_peak_regulation.technologies[{k}]", t,
                             "one of " + ", ".join(TECHNOLOGIES_THERMAL))
    for k in range(1, len(dpr["tiers"])):
        if dpr["tiers"][k]["below_share"] >= dpr["tiers"][k - 1]["below_share"]:
            raise InputError(path, f"deep_peak_regulation.tiers[{k}].below_share", dpr["tiers"][k]["below_share"],
                             f"allowed < tiers[{k - 1}].below_share ({dpr['tiers'][k - 1]['below_share']}): "
                             "highest threshold first")
    all_names = {}
    for sec in ("thermal", "renewables", "loads", "interchange", "storage", "demand_response", "microgrids",
                "ev_fleets"):
        for i, el in enumerate(doc[sec]):
            if el["name"] in all_names:
                raise InputError(path, f"{sec}[{i}].name", el["name"], f"already used by {all_names[el['name']]}")
            all_names[el["name"]] = f"{sec}[{i}]"


def _month_day(text, fp, path) -> tuple[int, int]:
    """(month, day) of an "MM-DD" text (two digits each, not 02-29); InputError otherwise."""
    allowed = "a day of the year as MM-DD with two digits each, e.g. 11-01 (not 02-29, which most years lack)"
    if not re.fullmatch(r"\d\d-\d\d", str(text)) or str(text) == "02-29":
        raise InputError(path, fp, text, allowed)
    try:
        d = datetime.strptime("2001-" + str(text), "%Y-%m-%d")
    except ValueError:
        raise InputError(path, fp, text, allowed) from None
    return d.month, d.day


def _check_curve(mw, y, g, fp, ykey, path):
    if len(mw) != len(y):
        raise InputError(path, f"{fp}.{ykey}", y, f"needs one value per mw point ({len(mw)})")
    if any(b <= a for a, b in zip(mw, mw[1:])):
        raise InputError(path, f"{fp}.mw", mw, "points must increase strictly (MW)")
    if abs(mw[0] - g["p_min_mw"]) > 1e-6 or abs(mw[-1] - g["p_max_mw"]) > 1e-6:
        raise InputError(path, f"{fp}.mw", mw,
                         f"must run from p_min_mw to p_max_mw ({g['p_min_mw']} … {g['p_max_mw']}) (MW)")
    if len(mw) == 1 and g["p_min_mw"] != g["p_max_mw"]:
        raise InputError(path, f"{fp}.mw", mw, "needs at least two points when p_min_mw < p_max_mw")
    for i in range(len(y) - 1):
        if y[i + 1] < y[i]:
            raise InputError(path, f"{fp}.{ykey}", y,
                             f"must not decrease with output (point {i + 2} is below point {i + 1}); "
                             "non-convex curves are allowed (modelled with segment binaries)")
