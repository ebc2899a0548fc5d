"""`npsim acflow OUTDIR [--hours A-B]`: AC power flow of chosen hours of a finished dc-network run.

The schedule's injections are summed by bus (thermal output; renewables + storage discharge −
charge; load + export − import) and solved hour by hour with pandapower's Newton-Raphson
(grid.network.ac_power_flow). Reported per hour: convergence, voltage range and buses outside
their limits, largest branch loading and branches above 100 %, losses, slack output. Written to
OUTDIR/acflow.csv and OUTDIR/acflow.json (each to a temporary file, then renamed); the summary is
printed. Exit 0 when every hour converged within limits, 1 otherwise, 2 on bad input.
"""
import json
import os
import re
from pathlib import Path

import numpy as np

from dispatch.outputs import load_output
from grid.errors import InputError
from profiles.io import write_csv

COLUMNS = ("converged", "vm_min_pu", "vm_max_pu", "buses_out_of_range", "max_loading_percent", "branches_over_100",
           "losses_mw", "slack_mw")


def parse_hours(text, T: int) -> range:
    """Hours A-B (0-based, inclusive) of a run of T hours; all when text is None."""
    if text is None:
        return range(T)
    m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", str(text)) or re.fullmatch(r"\s*(\d+)\s*", str(text))
    if not m:
        raise InputError("command line", "--hours", text, f"A-B, hours of the run 0..{T - 1} (e.g. 0-23)")
    a = int(m.group(1))
    b = int(m.group(2)) if m.lastindex == 2 else a
    if not (0 <= a <= b < T):
        raise InputError("command line", "--hours", text, f"A-B with 0 <= A <= B <= {T - 1} (the run's hours)")
    return range(a, b + 1)


def bus_injections(a, s):
    """(thermal MW, thermal on, other injections MW, withdrawals MW), each (T, B) by bus."""
    net = a.network
    T, B = s.T, net.B
    th, on, other = np.zeros((T, B)), np.zeros((T, B), bool), np.zeros((T, B))
    np.add.at(th, (slice(None), net.thermal_node), s.p_mw)
    np.logical_or.at(on, (slice(None), net.thermal_node), np.asarray(s.commit) >= 0.5)
    np.add.at(other, (slice(None), net.ren_node), s.renewable_mw)
    if a.storage.N:
        np.add.at(other, (slice(None), net.storage_node), s.discharge_mw - s.charge_mw)
    withdraw = net.demand_mw - np.asarray(s.node_shed_mw) + np.asarray(s.node_overgen_mw)
    return th, on, other, withdraw


def run_acflow(out: Path, hours_text=None) -> int:
    from grid.network import ac_power_flow

    case, summary, a, s = load_output(out)
    if a.network is None or a.network.model != "dc":
        raise InputError(out / "case.yaml", "network.model", (case.system.network or {}).get("model", "copper_plate"),
                         "dc: an AC power flow needs a pandapower net (see README \"Networks\")")
    hours = parse_hours(hours_text, s.T)
    th, on, other, withdraw = bus_injections(a, s)
    sel = np.array(list(hours))
    spec = case.system.network
    rows = ac_power_flow(spec, out / "case.yaml", th[sel], on[sel], other[sel], withdraw[sel])
    table = {c: np.array([r.get(c, np.nan) for r in rows], float) for c in COLUMNS}
    data_hours = [s.first_hour + int(h) for h in sel]
    ok = table["converged"] > 0.5
    res = {
        "hours": len(rows), "first_hour": data_hours[0], "last_hour": data_hours[-1],
        "non_converged_hours": [h for h, c in zip(data_hours, ok) if not c],
        "hours_with_voltage_violations": int((table["buses_out_of_range"][ok] > 0).sum()),
        "hours_with_overloaded_branches": int((table["branches_over_100"][ok] > 0).sum()),
        "vm_min_pu": float(np.nanmin(table["vm_min_pu"])) if ok.any() else None,
        "vm_max_pu": float(np.nanmax(table["vm_max_pu"])) if ok.any() else None,
        "max_loading_percent": float(np.nanmax(table["max_loading_percent"])) if ok.any() else None,
        "losses_mwh": float(np.nansum(table["losses_mw"])),
        "losses_share_of_load": float(np.nansum(table["losses_mw"]) / max(withdraw[sel].sum(), 1e-9)),
    }
    tmp_csv, tmp_json = out / ".acflow.csv.tmp", out / ".acflow.json.tmp"
    write_csv(tmp_csv, table, index_name="hour", index=data_hours)
    tmp_json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp_csv, out / "acflow.csv")
    os.replace(tmp_json, out / "acflow.json")
    print(f"npsim acflow {out}: hours {res['first_hour']}..{res['last_hour']} ({res['hours']} h), "
          f"{len(res['non_converged_hours'])} not converged")
    if ok.any():
        print(f"  voltage        {res['vm_min_pu']:.3f} .. {res['vm_max_pu']:.3f} p.u.; "
              f"{res['hours_with_voltage_violations']} h with buses outside their limits")
        print(f"  loading        max {res['max_loading_percent']:.1f} %; {res['hours_with_overloaded_branches']} h "
              f"with branches above 100 % (AC flows include reactive power and losses)")
        print(f"  losses         {res['losses_mwh']:,.1f} MWh ({100 * res['losses_share_of_load']:.2f} % of withdrawals)")
    print(f"  output         {out}/acflow.csv, acflow.json")
    bad = res["non_converged_hours"] or res["hours_with_voltage_violations"] or res["hours_with_overloaded_branches"]
    return 1 if bad else 0
