"""Transmission networks from pandapower: loading, branch ratings, PTDF, islands, AC power flow.

This is the only module that imports pandapower, always inside functions (importing
`pandapower.networks` costs seconds; `npsim --help` must stay instant).

A network comes from a built-in pandapower case (`pandapower: case39`), a pandapower JSON file
or a MATPOWER case (`.m` via pandapower's `from_mpc`, which reads it with `matpowercaseframes`; a
`.mat` file with scipy). Elements of the case name their bus by the bus's `name` in the net (e.g.
case39's buses are named 1..39, while their pandapower indices are 0..38); a net whose buses have no
distinct names is addressed by pandapower index. An island without a slack of its own gets one (an
external grid at its first bus) for the DC and AC models; out-of-service buses are refused.

Ratings (MW; the DC model treats MVA as MW): lines `max_i_ka × vn_kv × √3`, transformers
`sn_mva`, both × `max_loading_percent` / 100 when the net has it, × `rating_scale`; impedance
elements (MATPOWER branches between voltage levels) have none. A branch without a usable rating (0, NaN or ≥ 9000 MW — pandapower's case118/case300 carry 9900 MVA fillers)
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
    """A DC network: B buses, L in-service branches (lines, transformers, impedances in pandapower's
    internal order)."""
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
        """Bus position of a reference: the bus's name in the net (its pandapower index as text
        when the net's buses have no distinct names)."""
        text = str(ref)
        for k, name in enumerate(self.bus_names):
            if name == text:
                return k
        named = any(n != str(b) for n, b in zip(self.bus_names, self.bus_ids))
        example = ", ".join(self.bus_names[:3])
        raise InputError(path, field, ref, f"a bus of the network ({self.source}): "
                         + ("a bus name" if named else "a pandapower bus index") + f", e.g. {example}")


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
        if f.suffix == ".mat":
            from pandapower.converter.matpower import from_mpc
            return from_mpc(str(f))
        if f.suffix == ".m":
            return _from_m_file(f)
    except Exception as e:  # noqa: BLE001 - any reader failure is bad input
        raise InputError(path, "network.file", spec["file"], f"a readable network ({type(e).__name__}: {e})") from None
    raise InputError(path, "network.file", spec["file"], "a .json (pandapower), .m or .mat (MATPOWER) file")


def _from_m_file(f):
    """A MATPOWER .m case through pandapower's from_mpc (matpowercaseframes reads it as UTF-8;
    a file with other bytes in its comments, like FTS-213's, is re-read as Latin-1 first)."""
    import tempfile
    from pathlib import Path

    from pandapower.converter.matpower import from_mpc
    raw = Path(f).read_bytes()
    try:
        raw.decode("utf-8")
        return from_mpc(str(f))
    except UnicodeDecodeError:
        with tempfile.TemporaryDirectory() as tmp:
            g = Path(tmp) / Path(f).name
            g.write_text(raw.decode("latin-1"), encoding="utf-8")
            return from_mpc(str(g))


def _with_island_slacks(net, prefer=None):
    """A copy of `net` where every connected island has a slack: islands with neither an external
    grid nor a slack generator get an external grid at their first bus (or at the first bus of
    `prefer`, a set of bus indices, inside the island)."""
    import copy

    import networkx as nx
    import pandapower as pp
    import pandapower.topology as top
    net = copy.deepcopy(net)
    g = top.create_nxgraph(net, respect_switches=True)
    slack = set(net.ext_grid.bus[net.ext_grid.in_service].values)
    if len(net.gen) and "slack" in net.gen:
        slack |= set(net.gen.bus[net.gen.slack & net.gen.in_service].values)
    for comp in nx.connected_components(g):
        if not comp & slack:
            inside = sorted(comp & set(prefer or ())) or sorted(comp)
            pp.create_ext_grid(net, inside[0], vm_pu=1.0)
    return net


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
    if not net.bus.in_service.all():
        off = ", ".join(str(b) for b in net.bus.index[~net.bus.in_service][:5])
        raise InputError(path, "network", source, f"a net whose buses are all in service (not: {off})")
    net = _with_island_slacks(net)
    ppci, lookup, ptdf_i, island_i = _dc_model(net)
    # branch kinds in the order of pandapower's internal branch table
    kinds = {"line": ("from_bus", "to_bus", "p_from_mw"), "trafo": ("hv_bus", "lv_bus", "p_hv_mw"),
             "impedance": ("from_bus", "to_bus", "p_from_mw")}
    order = sorted(net._pd2ppc_lookups["branch"].items(), key=lambda kv: kv[1][0])
    unknown = [k for k, _ in order if k not in kinds]
    if unknown:
        raise InputError(path, "network", source, f"a net of lines, transformers and impedances ({unknown[0]} found)")
    tabs = [(k, net[k][net[k].in_service]) for k, _ in order]
    n_br = sum(len(t) for _, t in tabs)
    if ptdf_i.shape[0] != n_br:
        raise InputError(path, "network", source, f"a net whose in-service branches are those of its DC model "
                         f"({ptdf_i.shape[0]} != {n_br})")
    buses = net.bus.index.values
    pos = lookup[buses]                       # ppci bus of each pandapower bus
    ptdf = ptdf_i[:, pos]
    island = island_i[pos]
    vn = net.bus.vn_kv

    def rating_of(kind, tab):
        pct = np.nan_to_num(tab.max_loading_percent.values.astype(float), nan=100.0) / 100 \
            if "max_loading_percent" in tab else 1.0
        if kind == "line":
            return tab.max_i_ka.values * vn.loc[tab.from_bus].values * np.sqrt(3) * pct
        if kind == "trafo":
            return tab.sn_mva.values * pct
        return np.full(len(tab), np.nan)          # impedances carry no thermal rating

    rating = np.concatenate([rating_of(k, t) for k, t in tabs] or [np.zeros(0)]).astype(float) * spec["rating_scale"]
    missing = ~np.isfinite(rating) | (rating <= 0) | (rating >= FILLER_RATING_MW * spec["rating_scale"])
    if spec["missing_rating"] == "base_flow":
        base = np.concatenate([net[f"res_{k}"][kinds[k][2]].values[t.index.map(net[f"res_{k}"].index.get_loc)]
                               for k, t in tabs])
        rating = np.where(missing, np.maximum(spec["base_flow_factor"] * np.abs(base), spec["min_rating_mw"]), rating)
    elif spec["default_rating_mw"] is not None:
        rating = np.where(missing, spec["default_rating_mw"], rating)
    else:
        rating = np.where(missing, np.inf, rating)
    index_of = {b: k for k, b in enumerate(buses)}
    names = []
    for kind, tab in tabs:
        for i, nm in zip(tab.index, tab.name if "name" in tab else [None] * len(tab)):
            names.append(str(nm) if isinstance(nm, str) and nm else f"{kind} {i}")
    if len(set(names)) != len(names):   # duplicate element names: fall back to kind + index
        names = [f"{kind} {i}" for kind, tab in tabs for i in tab.index]
    ends = [np.concatenate([t[kinds[k][j]].values for k, t in tabs] or [np.zeros(0, int)]) for j in (0, 1)]
    load = np.zeros(buses.size)
    if len(net.load):
        act = net.load[net.load.in_service]
        np.add.at(load, [index_of[b] for b in act.bus.values], act.p_mw.values * act.scaling.values)
    share = load / load.sum() if load.sum() > 0 else np.full(buses.size, 1.0 / buses.size)
    def label(b, n):
        if n is None or (isinstance(n, float) and not np.isfinite(n)) or (isinstance(n, str) and not n):
            return str(b)
        return str(int(n)) if isinstance(n, (int, np.integer)) or (isinstance(n, float) and n.is_integer()) else str(n)
    bus_names = [label(b, n) for b, n in zip(buses, net.bus.name if "name" in net.bus else [None] * buses.size)]
    if len(set(bus_names)) != len(bus_names):
        bus_names = [str(b) for b in buses]
    return Network(
        bus_ids=buses.astype(np.int64), bus_names=bus_names, branch_names=names,
        from_bus=np.array([index_of[b] for b in ends[0]], np.int64),
        to_bus=np.array([index_of[b] for b in ends[1]], np.int64),
        rating_mw=rating, ptdf=ptdf, island=island, load_share=share, source=source)


def ac_power_flow(spec: dict, source_path, thermal_mw, thermal_on, other_mw, load_mw, power_factor=0.95):
    """AC power flow (pandapower Newton-Raphson) of each hour's bus injections on the net of the
    `network` section. Arrays are (T, B) by bus position: thermal output (MW) and whether any unit
    is on at the bus, other injections (renewables + storage discharge − charge, MW, at unity power
    factor), and withdrawals (load + export − import, MW, at `power_factor` lagging).

    The net's own generators, static generators and loads are replaced (shunts stay): all of a
    bus's injections become one voltage-controlling `gen` (set point = the net's generator set
    point there, else 1.0 p.u.; in service when a thermal unit is on or renewables/storage inject:
    grid codes ask wind, solar and storage plants for reactive capability), at a slack bus static
    generators; external grids stay as slacks and take the losses, and an island without one gets
    one (at a bus with thermal units if it has any).
    `rating_scale` k stands for k parallel circuits, so line and impedance-element impedances are
    divided by k (line capacitance and transformer ratings multiplied by k); the DC model is
    unchanged by this (a PTDF depends only on relative reactances). Loading is apparent power at
    the sending end over the model's rating (`rating_scale` and the missing-rating rule included;
    unrated branches are not counted). Returns a list of per-hour
    dicts: converged (False also when an island's buses have no result), vm_min_pu, vm_max_pu,
    buses_out_of_range (outside each bus's min/max_vm_pu, default 0.95-1.05), max_loading_percent,
    branches_over_100, losses_mw, slack_mw."""
    import warnings

    import pandapower as pp

    raw = load_net(spec, ".", source_path)
    model = build_network(raw, spec, "acflow", source_path)
    buses = raw.bus.index.values
    vm_set = {}
    for b, vm in zip(raw.gen.bus.values, raw.gen.vm_pu.values):
        vm_set.setdefault(b, vm)
    has_thermal = set(buses[np.asarray(thermal_on).any(axis=0)])
    net = _with_island_slacks(raw, prefer=has_thermal)
    k = spec["rating_scale"]      # ratings × k stand for k parallel circuits: impedances ÷ k
    if k != 1.0:
        for col in ("r_ohm_per_km", "x_ohm_per_km"):
            net.line[col] = net.line[col] / k
        net.line["c_nf_per_km"] = net.line["c_nf_per_km"] * k
        net.trafo["sn_mva"] = net.trafo["sn_mva"] * k
        if len(net.impedance):
            for col in [c for c in net.impedance.columns if c.startswith(("rft", "xft", "rtf", "xtf"))]:
                net.impedance[col] = net.impedance[col] / k
    slack = set(net.ext_grid.bus.values)
    for tab in ("gen", "sgen", "load", "storage"):
        if len(net[tab]):
            net[tab].drop(net[tab].index, inplace=True)
    lo = net.bus.min_vm_pu.values if "min_vm_pu" in net.bus else np.full(buses.size, 0.95)
    hi = net.bus.max_vm_pu.values if "max_vm_pu" in net.bus else np.full(buses.size, 1.05)
    lo, hi = np.where(np.isfinite(lo), lo, 0.95), np.where(np.isfinite(hi), hi, 1.05)
    gen_idx, sgen_th, sgen_other, load_idx = {}, {}, {}, {}
    for k, b in enumerate(buses):
        if b in slack:
            sgen_th[k] = pp.create_sgen(net, b, p_mw=0.0)
        else:
            gen_idx[k] = pp.create_gen(net, b, p_mw=0.0, vm_pu=float(vm_set.get(b, 1.0)))
        sgen_other[k] = pp.create_sgen(net, b, p_mw=0.0)
        load_idx[k] = pp.create_load(net, b, p_mw=0.0, q_mvar=0.0)
    tan = np.tan(np.arccos(power_factor))
    g_rows = np.array(list(gen_idx.values()), np.int64)
    g_pos = np.array(list(gen_idx.keys()), np.int64)
    s_rows = np.array(list(sgen_th.values()), np.int64)
    s_pos = np.array(list(sgen_th.keys()), np.int64)
    o_rows = np.array([sgen_other[k] for k in range(buses.size)], np.int64)
    l_rows = np.array([load_idx[k] for k in range(buses.size)], np.int64)
    branch_kinds = [k for k in ("line", "trafo", "impedance") if len(raw[k])]   # pandapower's branch order
    out = []
    for t in range(thermal_mw.shape[0]):
        net.gen.loc[g_rows, "p_mw"] = thermal_mw[t, g_pos] + other_mw[t, g_pos]
        net.gen.loc[g_rows, "in_service"] = thermal_on[t, g_pos] | (np.abs(other_mw[t, g_pos]) > 1e-6)
        if s_rows.size:
            net.sgen.loc[s_rows, "p_mw"] = thermal_mw[t, s_pos]
            net.sgen.loc[o_rows[s_pos], "p_mw"] = other_mw[t, s_pos]
        net.load.loc[l_rows, "p_mw"] = load_mw[t]
        net.load.loc[l_rows, "q_mvar"] = load_mw[t] * tan
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pp.runpp(net, numba=True)
        except Exception:  # noqa: BLE001 - pandapower raises several kinds on divergence
            out.append({"hour": t, "converged": False})
            continue
        vm = net.res_bus.vm_pu.values
        if not np.isfinite(vm).all():          # an island pandapower left unsolved
            out.append({"hour": t, "converged": False})
            continue
        sides = {"line": ("p_from_mw", "q_from_mvar"), "trafo": ("p_hv_mw", "q_hv_mvar"),
                 "impedance": ("p_from_mw", "q_from_mvar")}
        flow_s = np.concatenate([np.hypot(net[f"res_{k}"][sides[k][0]].values, net[f"res_{k}"][sides[k][1]].values)
                                 [net[k].in_service.values] for k in branch_kinds])
        rated = np.isfinite(model.rating_mw)
        loading = 100.0 * flow_s[rated] / model.rating_mw[rated]
        losses = float(sum(net[f"res_{k}"].pl_mw.sum() for k in branch_kinds))
        out.append({"hour": t, "converged": True, "vm_min_pu": float(np.nanmin(vm)), "vm_max_pu": float(np.nanmax(vm)),
                    "buses_out_of_range": int(((vm < lo - 1e-9) | (vm > hi + 1e-9)).sum()),
                    "max_loading_percent": float(np.nanmax(loading)) if loading.size else 0.0,
                    "branches_over_100": int((loading > 100.0 + 1e-9).sum()), "losses_mw": losses,
                    "slack_mw": float(net.res_ext_grid.p_mw.sum())})
    return out
