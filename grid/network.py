"""Transmission networks from pandapower: loading, branch ratings, PTDF, islands, AC power flow.

This is the only module that imports pandapower, always inside functions (importing
`pandapower.networks` costs seconds; `npsim --help` must stay instant).

A network comes from a built-in pandapower case (`pandapower: case39`), a pandapower JSON file
or a MATPOWER case (`.m` via pandapower's `from_mpc`, which reads it with `matpowercaseframes`; a
`.mat` file with scipy). Buses are numbered by their pandapower index; elements of the case name
their bus by that index or by the bus's `name`.

Ratings (MW; the DC model treats MVA as MW): lines `max_i_ka × vn_kv × √3`, transformers
`sn_mva`, both × `max_loading_percent` / 100 when the net has it, × `rating_scale`. A branch
without a usable rating (0, NaN or ≥ 9000 MW — pandapower's case118/case300 carry 9900 MVA fillers)
gets `default_rating_mw`, or with `missing_rating: base_flow` the rule
`base_flow_factor × |its DC flow at the net's own dispatch|` (at least `min_rating_mw`), or stays
unlimited.

PTDF (L, B): flow on each in-service branch (from → to) per MW injected at each bus and withdrawn
at the island's slack bus, from pandapower's internal model (`_pd2ppc` + `makePTDF`), so it equals
pandapower's `rundcpp` flows; phase-shifting transformers are refused (their shift adds flows a
PTDF does not carry).
"""
from dataclasses import dataclass

import numpy as np

from grid.errors import InputError

FILLER_RATING_MW = 9000.0   # ratings at or above this are treated as missing


@dataclass(frozen=True)
class Network:
    """A DC network: B buses, L in-service branches (lines first, then transformers)."""
    bus_ids: np.ndarray        # (B,) pandapower bus index
    bus_names: list            # (B,) labels: the bus name, or its index as text
    branch_names: list         # (L,) "line 3", "trafo 0" or the element's name
    from_bus: np.ndarray       # (L,) position (0..B-1) of the from bus
    to_bus: np.ndarray         # (L,)
    rating_mw: np.ndarray      # (L,) inf = unlimited
    ptdf: np.ndarray           # (L, B)
    island: np.ndarray         # (B,) int, connected component of each bus (0 = the largest)
    load_share: np.ndarray     # (B,) the net's own load by bus, as shares of its total (for loads without a bus)
    source: str                # what the net was loaded from

    @property
    def B(self) -> int:
        return self.bus_ids.size

    @property
    def L(self) -> int:
        return len(self.branch_names)

    @property
    def n_islands(self) -> int:
        return int(self.island.max(initial=0)) + 1

    def position(self, ref, path, field) -> int:
        """Bus position of a reference (pandapower index as a number or text, or a bus name)."""
        text = str(ref)
        for k, name in enumerate(self.bus_names):
            if name == text:
                return k
        try:
            idx = int(float(text))
        except ValueError:
            idx = None
        hits = np.nonzero(self.bus_ids == idx)[0] if idx is not None else []
        if len(hits):
            return int(hits[0])
        raise InputError(path, field, ref, f"a bus of the network ({self.source}): an index "
                         f"{int(self.bus_ids.min())}..{int(self.bus_ids.max())} or a bus name")


def load_net(spec: dict, folder, path):
    """The pandapower net named by the `network` section (`pandapower` or `file`)."""
    import pandapower as pp
    if (spec.get("pandapower") is None) == (spec.get("file") is None):
        raise InputError(path, "network.pandapower", spec.get("pandapower"),
                         "give exactly one of pandapower (a built-in case name) or file")
    if spec.get("pandapower") is not None:
        import pandapower.networks as pn
        name = spec["pandapower"]
        fn = getattr(pn, name, None)
        if not callable(fn) or name.startswith("_"):
            raise InputError(path, "network.pandapower", name,
                             "a network function of pandapower.networks, e.g. case39, case24_ieee_rts, case300")
        return fn()
    from pathlib import Path
    f = Path(spec["file"])
    f = f if f.is_absolute() else Path(folder) / f
    if not f.is_file():
        raise InputError(path, "network.file", spec["file"], f"an existing file ({f} not found)")
    try:
        if f.suffix == ".json":
            return pp.from_json(str(f))
        if f.suffix in (".m", ".mat"):
            from pandapower.converter import from_mpc
            return from_mpc(str(f))
    except Exception as e:  # noqa: BLE001 - any reader failure is bad input
        raise InputError(path, "network.file", spec["file"], f"a readable network ({type(e).__name__}: {e})") from None
    raise InputError(path, "network.file", spec["file"], "a .json (pandapower), .m or .mat (MATPOWER) file")


def _dc_model(net):
    """(ppci, bus lookup, PTDF (L_in_service, B_ppci) per island slack, island of each ppci bus)."""
    import networkx as nx
    import pandapower as pp
    from pandapower.pd2ppc import _pd2ppc
    from pandapower.pypower.makePTDF import makePTDF

    pp.rundcpp(net)
    _, ppci = _pd2ppc(net)
    bus, branch = ppci["bus"], ppci["branch"]
    nb = bus.shape[0]
    g = nx.Graph()
    g.add_nodes_from(range(nb))
    g.add_edges_from(zip(branch[:, 0].real.astype(int), branch[:, 1].real.astype(int)))
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    island = np.zeros(nb, np.int64)
    for k, c in enumerate(comps):
        island[list(c)] = k
    ptdf = np.zeros((branch.shape[0], nb))
    for k, c in enumerate(comps):
        cb = np.array(sorted(c))
        slack = [i for i in cb if bus[i, 1] == 3] or [int(cb[0])]
        rows = np.nonzero(np.isin(branch[:, 0].real.astype(int), cb))[0]
        if rows.size == 0:
            continue
        sub_bus = bus[cb].copy()
        remap = -np.ones(nb, np.int64)
        remap[cb] = np.arange(cb.size)
        sub_bus[:, 0] = np.arange(cb.size)
        sub_br = branch[rows].copy()
        sub_br[:, 0] = remap[sub_br[:, 0].real.astype(int)]
        sub_br[:, 1] = remap[sub_br[:, 1].real.astype(int)]
        h = makePTDF(ppci["baseMVA"], sub_bus, sub_br, int(remap[slack[0]]))
        ptdf[np.ix_(rows, cb)] = h
    return ppci, net._pd2ppc_lookups["bus"], ptdf, island


def build_network(net, spec: dict, source: str, path) -> Network:
    """A `Network` from a pandapower net and the `network` section (ratings, islands)."""
    if len(net.trafo) and np.any(np.abs(net.trafo.shift_degree.values) > 1e-9):
        raise InputError(path, "network", source, "a net without phase-shifting transformers (shift_degree ≠ 0)")
    ppci, lookup, ptdf_i, island_i = _dc_model(net)
    line = net.line[net.line.in_service]
    trafo = net.trafo[net.trafo.in_service]
    n_br = len(line) + len(trafo)
    if ptdf_i.shape[0] != n_br:
        raise InputError(path, "network", source, "a net whose in-service lines and transformers are all branches "
                         f"of its DC model ({ptdf_i.shape[0]} != {n_br}; impedance elements are not supported)")
    buses = net.bus.index.values
    pos = lookup[buses]                       # ppci bus of each pandapower bus
    ptdf = ptdf_i[:, pos]
    island = island_i[pos]
    vn = net.bus.vn_kv
    rating = np.concatenate([
        line.max_i_ka.values * vn.loc[line.from_bus].values * np.sqrt(3)
        * (line.max_loading_percent.values / 100 if "max_loading_percent" in line else 1.0),
        trafo.sn_mva.values * (trafo.max_loading_percent.values / 100 if "max_loading_percent" in trafo else 1.0),
    ]).astype(float) * spec["rating_scale"]
    missing = ~np.isfinite(rating) | (rating <= 0) | (rating >= FILLER_RATING_MW * spec["rating_scale"])
    if spec["missing_rating"] == "base_flow":
        base = np.concatenate([net.res_line.p_from_mw.values[line.index.map(net.res_line.index.get_loc)],
                               net.res_trafo.p_hv_mw.values[trafo.index.map(net.res_trafo.index.get_loc)]])
        rating = np.where(missing, np.maximum(spec["base_flow_factor"] * np.abs(base), spec["min_rating_mw"]), rating)
    elif spec["default_rating_mw"] is not None:
        rating = np.where(missing, spec["default_rating_mw"], rating)
    else:
        rating = np.where(missing, np.inf, rating)
    index_of = {b: k for k, b in enumerate(buses)}
    names = []
    for kind, tab in (("line", line), ("trafo", trafo)):
        for i, nm in zip(tab.index, tab.name if "name" in tab else [None] * len(tab)):
            names.append(str(nm) if isinstance(nm, str) and nm else f"{kind} {i}")
    if len(set(names)) != len(names):   # duplicate element names: fall back to kind + index
        names = [f"line {i}" for i in line.index] + [f"trafo {i}" for i in trafo.index]
    load = np.zeros(buses.size)
    if len(net.load):
        act = net.load[net.load.in_service]
        np.add.at(load, [index_of[b] for b in act.bus.values], act.p_mw.values * act.scaling.values)
    share = load / load.sum() if load.sum() > 0 else np.full(buses.size, 1.0 / buses.size)
    bus_names = [str(n) if isinstance(n, str) and n else str(b) for b, n in
                 zip(buses, net.bus.name if "name" in net.bus else [None] * buses.size)]
    if len(set(bus_names)) != len(bus_names):
        bus_names = [str(b) for b in buses]
    return Network(
        bus_ids=buses.astype(np.int64), bus_names=bus_names, branch_names=names,
        from_bus=np.array([index_of[b] for b in np.concatenate([line.from_bus.values, trafo.hv_bus.values])], np.int64),
        to_bus=np.array([index_of[b] for b in np.concatenate([line.to_bus.values, trafo.lv_bus.values])], np.int64),
        rating_mw=rating, ptdf=ptdf, island=island, load_share=share, source=source)
