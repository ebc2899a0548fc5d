"""Flexible-coal retrofit packages (煤电灵活性改造) and capital-cost annualisation.

A package (`retrofits:` in the case) names thermal units, or takes a share of the capacity of one
technology (largest or smallest units first), and changes each unit's data before the model sees
it:

- minimum stable load p_min → `p_min_share` · p_max (must not rise);
- the production curve gains a point at the new minimum whose heat rate is `heat_rate_factor` ×
  the full-load heat rate (fuel or cost per MWh at p_max); fuel is linear between the new and the
  old minimum. With realistic factors (+17 % at 30 % load against +9 % at 50 %) the deep segment
  costs more per MWh than the segment above the old minimum: the curve is non-convex and the MILP
  models it exactly with a segment binary (dispatch/formulation/costs.py);
- ramp limits rise to `ramp_share_per_h` · p_max (never fall), min up/down fall to the new values
  (never rise; a hot start-up lag above the new min down time is shortened to it), start-up costs
  and start-up fuel are scaled by `startup_cost_factor`;
- optional oil-assisted combustion below `oil_assist_below_share` · p_max, at a cost (and CO2) per
  hour per MW of p_max;
- capital cost `capex_per_kw` on p_max, annualised with `discount_rate` over `lifetime_years`.

The pre-retrofit minimum is kept (`pre_retrofit_p_min_mw`): output below it is "deep cycling".
"""
import copy
import math
from dataclasses import dataclass

from grid.errors import InputError


@dataclass(frozen=True)
class RetrofitPackage:
    name: str
    units: tuple                 # unit names the package applies to
    capacity_mw: float           # Σ p_max of those units
    capex: float                 # currency, capex_per_kw × 1000 × capacity_mw
    annualized_capex: float      # currency/year


def capital_recovery_factor(rate: float, years: float) -> float:
    """Annuity factor r(1+r)^n / ((1+r)^n − 1) (1/n at r = 0): capex × factor = equal yearly payment."""
    if rate == 0:
        return 1.0 / years
    q = (1.0 + rate) ** years
    return rate * q / (q - 1.0)


def _select(pkg: dict, thermal: list, fp: str, path) -> list:
    """Indices of the thermal units the package applies to."""
    if (pkg["units"] is None) == (pkg["coal_share"] is None):
        raise InputError(path, f"{fp}.units", pkg["units"], "give exactly one of units (names) or coal_share")
    names = {g["name"]: i for i, g in enumerate(thermal)}
    if pkg["units"] is not None:
        out = []
        for k, n in enumerate(pkg["units"]):
            if n not in names:
                raise InputError(path, f"{fp}.units[{k}]", n, "a name in `thermal`")
            out.append(names[n])
        return out
    pool = [i for i, g in enumerate(thermal) if g["technology"] == pkg["technology"]]
    if not pool:
        raise InputError(path, f"{fp}.technology", pkg["technology"], "a technology that some thermal units have")
    sign = -1.0 if pkg["order"] == "largest_first" else 1.0
    pool.sort(key=lambda i: (sign * thermal[i]["p_max_mw"], thermal[i]["name"]))
    total = sum(thermal[i]["p_max_mw"] for i in pool)
    out, cap = [], 0.0
    for i in pool:   # whole units until the share is reached (the last one may overshoot it)
        if cap >= pkg["coal_share"] * total - 1e-6:
            break
        out.append(i)
        cap += thermal[i]["p_max_mw"]
    return out


def _retrofit_unit(g: dict, pkg: dict, fp: str, path) -> dict:
    """The unit's document entry with the package applied (a copy)."""
    g = copy.deepcopy(g)
    pmax, old_min = g["p_max_mw"], g["p_min_mw"]
    new_min = pkg["p_min_share"] * pmax
    if new_min > old_min + 1e-6:
        raise InputError(path, f"{fp}.p_min_share", pkg["p_min_share"],
                         f"allowed <= {old_min / pmax:.4g} for {g['name']} (its p_min_mw / p_max_mw): a retrofit "
                         "lowers the minimum")
    g["pre_retrofit_p_min_mw"] = old_min
    if new_min < old_min - 1e-6:
        key, ykey = ("cost_curve", "cost_per_h") if g["cost_curve"] is not None else ("fuel_curve", "fuel_per_h")
        curve = g[key]
        rate_full = curve[ykey][-1] / pmax
        y_new = new_min * pkg["heat_rate_factor"] * rate_full
        if y_new > curve[ykey][0] + 1e-9:
            raise InputError(path, f"{fp}.heat_rate_factor", pkg["heat_rate_factor"],
                             f"allowed <= {curve[ykey][0] / (new_min * rate_full):.4g} for {g['name']} (fuel at the "
                             "new minimum may not exceed fuel at the old one)")
        curve["mw"] = [new_min] + list(curve["mw"])
        curve[ykey] = [y_new] + list(curve[ykey])
        if g["startup_ramp_mw_per_h"] is None:     # it could always start at its old minimum
            g["startup_ramp_mw_per_h"] = old_min
        if g["shutdown_ramp_mw_per_h"] is None:
            g["shutdown_ramp_mw_per_h"] = old_min
        g["p_min_mw"] = new_min
    if pkg["ramp_share_per_h"] is not None:
        for key in ("ramp_up_mw_per_h", "ramp_down_mw_per_h"):
            g[key] = max(g[key] or pmax, pkg["ramp_share_per_h"] * pmax)
    for key in ("min_up_h", "min_down_h"):
        if pkg[key] is not None:
            g[key] = min(g[key], pkg[key])
    if g["startup"] and g["startup"][0]["lag_h"] > max(math.ceil(g["min_down_h"] - 1e-9), 1):
        g["startup"][0]["lag_h"] = max(math.ceil(g["min_down_h"] - 1e-9), 1)
    for cat in g["startup"]:
        cat["cost"] *= pkg["startup_cost_factor"]
        cat["fuel"] *= pkg["startup_cost_factor"]
    if pkg["oil_assist_below_share"] is not None:
        g["oil_assist"] = {"below_mw": pkg["oil_assist_below_share"] * pmax,
                           "cost_per_h": pkg["oil_assist_cost_per_mw_h"] * pmax,
                           "co2_t_per_h": pkg["oil_assist_co2_t_per_mw_h"] * pmax}
    g["retrofit"] = pkg["name"]
    return g


def apply_retrofits(doc: dict, path) -> tuple[list, tuple]:
    """(thermal entries with every package applied, RetrofitPackage tuple). Each retrofitted entry
    gains `retrofit` (package name) and `pre_retrofit_p_min_mw`; InputError on a bad package."""
    thermal = list(doc["thermal"])
    used = {}
    packages = []
    for k, pkg in enumerate(doc["retrofits"]):
        fp = f"retrofits[{k}]"
        idx = _select(pkg, thermal, fp, path)
        for i in idx:
            name = thermal[i]["name"]
            if name in used:
                raise InputError(path, f"{fp}.units", name, f"a unit takes one package (already in {used[name]})")
            used[name] = pkg["name"]
            thermal[i] = _retrofit_unit(thermal[i], pkg, fp, path)
        cap = sum(thermal[i]["p_max_mw"] for i in idx)
        capex = pkg["capex_per_kw"] * 1000.0 * cap
        packages.append(RetrofitPackage(pkg["name"], tuple(thermal[i]["name"] for i in idx), cap, capex,
                                        capex * capital_recovery_factor(pkg["discount_rate"], pkg["lifetime_years"])))
    return thermal, tuple(packages)
