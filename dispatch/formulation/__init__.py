"""MILP pieces, one module per constraint family, each `add(builder, arrays, opts)`.

`PIECES` is the registry; `build_model` assembles the listed pieces in order (later pieces use the
variable blocks earlier ones created). Variable blocks (all (T, G) unless noted):
u, v, w (on / start / stop, binary), delta (T, G, S) start-up category, p (output above p_min),
seg (T, G, K) cost segments, zseg (T, M) segment-order binaries at concave curve breaks, oil (T, G)
oil-support binaries, hs_short (T, G) heating-season shortfall, pol_slack (T, 3) policy slacks,
r_up, r_dn (spinning reserve), ren (T, R) renewable output, shed, overgen (T, B) per node (B = 1 on a
copper plate), tie (T, K) zonal tie flows, ov_up, ov_dn (T, L) line overloads, short_up, short_dn
(T,); storage blocks (T, N) as in storage/formulation.py; demand-response blocks (T, D) as in
formulation/demand.py; microgrid blocks mg_pcc, mg_shed, mg_over (T, M); EV blocks ev_ch, ev_s,
ev_short (T, E).
"""
from dispatch.builder import Builder
from dispatch.formulation import (balance, costs, demand, ev, heating, microgrid, network, policy, ramping,
                                  reserves, startup, status)
from storage import formulation as storage

PIECES = {
    "status": status.add,
    "startup": startup.add,
    "costs": costs.add,
    "ramping": ramping.add,
    "storage": storage.add,
    "demand": demand.add,
    "ev": ev.add,
    "microgrid": microgrid.add,
    "reserves": reserves.add,
    "balance": balance.add,
    "network": network.add,
    "heating": heating.add,
    "policy": policy.add,
}
DEFAULT_PIECES = ("status", "startup", "costs", "ramping", "storage", "demand", "ev", "reserves", "balance",
                  "microgrid", "network", "heating", "policy")


def build_model(arrays, opts=None, pieces=DEFAULT_PIECES) -> Builder:
    b = Builder()
    for name in pieces:
        PIECES[name](b, arrays, opts or {})
    return b
