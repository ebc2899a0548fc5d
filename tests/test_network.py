"""Networks: PTDF against pandapower, a hand-computed 3-bus congestion case (flows and nodal
prices), lazy vs up-front limits, zones with tie lines, islands, bad inputs, checker mutations."""
import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from dispatch.case import load_case
from dispatch.check import check
from dispatch.compile import compile_window
from dispatch.simulate import engine_options, simulate
from grid.errors import InputError
from casehelp import linear_unit

pp = pytest.importorskip("pandapower")


def three_bus_json(path, rating_02_mw=60.0, island=False, island_slack=True):
    """Three 110 kV buses in a triangle of identical lines (x = 0.4 Ω/km × 10 km); the line 0-2 is
    rated `rating_02_mw`, the others 1000 MW. With `island`, a fourth bus hangs off nothing."""
    net = pp.create_empty_network()
    for k in range(4 if island else 3):
        pp.create_bus(net, vn_kv=110.0, name=f"b{k}")
    pp.create_ext_grid(net, 0)
    ka = lambda mw: mw / (110.0 * np.sqrt(3))  # noqa: E731
    for a, b, mw in ((0, 1, 1000.0), (1, 2, 1000.0), (0, 2, rating_02_mw)):
        pp.create_line_from_parameters(net, a, b, 10.0, r_ohm_per_km=0.01, x_ohm_per_km=0.4, c_nf_per_km=0.0,
                                       max_i_ka=ka(mw), name=f"l{a}{b}")
    if island:
        pp.create_bus(net, vn_kv=110.0, name="b4")
        pp.create_line_from_parameters(net, 3, 4, 10.0, r_ohm_per_km=0.01, x_ohm_per_km=0.4, c_nf_per_km=0.0,
                                       max_i_ka=ka(100.0), name="l34")
        pp.create_gen(net, 3, p_mw=0.0, slack=island_slack)
    pp.to_json(net, str(path))


def three_bus_case(tmp_path, lazy=True, model="dc", hours=2, **extra):
    """A at bus 0 (10 CNY/MWh), B at bus 2 (50 CNY/MWh), 150 MW of load at bus 2."""
    three_bus_json(tmp_path / "net.json")
    doc = {"version": 1, "name": "three_bus", "time": {"start": "2025-01-01", "hours": hours},
           "horizon": {"decided_h": hours, "lookahead_h": 0}, "engine": {"mip_gap": 1e-6, "time_limit_s": 30},
           "network": {"model": model, "file": "net.json", "lazy": lazy},
           "thermal": [linear_unit("A", 0, 300, 0, 10, bus="b0"), linear_unit("B", 0, 300, 0, 50, bus="b2")],
           "loads": [{"name": "load", "profile_mw": 150, "bus": "b2"}]}
    doc.update(extra)
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    return load_case(tmp_path / "case.yaml")


def solve(case, hours=None):
    hours = hours or case.system.hours
    s = simulate(case, 0, hours, engine_options(case.system))
    a = compile_window(case, 0, hours)
    violations, costs = check(a, s)
    assert violations == []
    return a, s, costs


def test_ptdf_flows_equal_pandapower_dc_flows():
    import pandapower.networks as pn
    from grid.network import build_network
    spec = {"rating_scale": 1.0, "missing_rating": "default", "default_rating_mw": None,
            "base_flow_factor": 1.5, "min_rating_mw": 50.0}
    net = pn.case118()
    g = build_network(net, spec, "case118", "test")
    pp.rundcpp(net)
    inj = -net.res_bus.p_mw.values                       # rundcpp of the net's own dispatch
    ref = np.concatenate([net.res_line.p_from_mw.values, net.res_trafo.p_hv_mw.values])
    assert g.ptdf.shape == (186, 118)
    np.testing.assert_allclose(g.ptdf @ inj, ref, atol=1e-6)
    assert np.isinf(g.rating_mw).all()                   # case118's 9900 MVA fillers count as missing


FTS213 = Path(__file__).resolve().parents[2] / "shared" / "data" / "FTS-213" / "Formatted_data" / "case213_20200811.m"


@pytest.mark.skipif(not FTS213.is_file(), reason="../shared/data/FTS-213 not present")
def test_fts213_matpower_case_ptdf():
    # the north-west China test system's MATPOWER case (non-UTF-8 comments, 53 impedance branches)
    from grid.network import build_network, load_net
    net = load_net({"file": str(FTS213)}, ".", "test")
    spec = {"rating_scale": 1.0, "missing_rating": "default", "default_rating_mw": None,
            "base_flow_factor": 1.5, "min_rating_mw": 50.0}
    g = build_network(net, spec, "FTS-213", "test")
    pp.rundcpp(net)
    assert (g.B, g.L, g.n_islands) == (213, 422, 1)
    ref = np.concatenate([net.res_line.p_from_mw.values, net.res_impedance.p_from_mw.values])
    np.testing.assert_allclose(g.ptdf @ -net.res_bus.p_mw.values, ref, atol=1e-6)
    assert np.isinf(g.rating_mw[369:]).all() and np.isfinite(g.rating_mw[:369]).all()


@pytest.mark.parametrize("lazy", [True, False])
def test_three_bus_congestion_flows_and_prices(tmp_path, lazy):
    # A alone would send 2/3 of 150 MW over the 60 MW line 0-2: the limit allows A = 90 MW
    # (flow 0-2 = 2/3 · 90 = 60, 0-1-2 carries 30), B makes up 60 MW. Cost 90·10 + 60·50 = 3900 per
    # hour. Prices: 10 at bus 0, 50 at bus 2, and at bus 1 a 50/50 mix of A and B keeps the flow on
    # 0-2 unchanged: 30 CNY/MWh.
    a, s, c = solve(three_bus_case(tmp_path, lazy=lazy))
    np.testing.assert_allclose(s.p_mw, [[90, 60]] * 2, atol=1e-6)
    assert s.branch_names == ["l01", "l12", "l02"]
    np.testing.assert_allclose(s.flow_mw, [[30, 30, 60]] * 2, atol=1e-6)
    np.testing.assert_allclose(s.node_price, [[10, 30, 50]] * 2, atol=1e-6)
    assert c.objective == pytest.approx(2 * 3900, abs=1e-6)
    assert s.windows[0]["lines_monitored"] == (1 if lazy else 3)
    assert s.windows[0]["lazy_rounds_used"] == (1 if lazy else 0)


def test_uncongested_three_bus_has_one_price(tmp_path):
    case = three_bus_case(tmp_path, network={"model": "dc", "file": "net.json", "rating_scale": 10.0})
    a, s, c = solve(case)
    np.testing.assert_allclose(s.p_mw[:, 0], 150, atol=1e-6)
    np.testing.assert_allclose(s.node_price, 10, atol=1e-6)


def test_overload_slack_when_no_dispatch_fits(tmp_path):
    # B cannot run (capacity 0 → use a 10 MW B): A must carry 140 MW, 2/3 of it = 93.3 MW on the
    # 60 MW line: shedding (8000/MWh) vs overload (20000/MWh)? Shedding is cheaper per MW of relief:
    # shedding 1 MW at bus 2 relieves 2/3 MW, so shed s: 2/3 (140 − s) = 60 → s = 50.
    case = three_bus_case(tmp_path, thermal=[linear_unit("A", 0, 300, 0, 10, bus="b0"),
                                             linear_unit("B", 0, 10, 0, 50, bus="b2")])
    a, s, c = solve(case)
    np.testing.assert_allclose(s.shed_mw, 50, atol=1e-6)
    np.testing.assert_allclose(s.node_shed_mw[:, 2], 50, atol=1e-6)
    np.testing.assert_allclose(s.overload_mw, 0, atol=1e-6)


def test_zonal_tie_limit_splits_prices(tmp_path):
    # zone north: A (10 CNY/MWh); zone south: B (50) and 150 MW of load; the 100 MW tie carries 100
    doc = {"version": 1, "name": "zonal", "time": {"start": "2025-01-01", "hours": 2},
           "horizon": {"decided_h": 2, "lookahead_h": 0}, "engine": {"mip_gap": 1e-6},
           "network": {"model": "zonal", "zones": [{"name": "north"}, {"name": "south"}],
                       "ties": [{"name": "n-s", "from_zone": "north", "to_zone": "south", "capacity_mw": 100,
                                 "reverse_capacity_mw": 20}]},
           "thermal": [linear_unit("A", 0, 300, 0, 10, zone="north"), linear_unit("B", 0, 300, 0, 50, zone="south")],
           "loads": [{"name": "load", "profile_mw": 150, "zone": "south"}]}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    a, s, c = solve(load_case(tmp_path / "case.yaml"))
    np.testing.assert_allclose(s.tie_flow_mw[:, 0], 100, atol=1e-6)
    np.testing.assert_allclose(s.p_mw, [[100, 50]] * 2, atol=1e-6)
    np.testing.assert_allclose(s.node_price, [[10, 50]] * 2, atol=1e-6)
    assert c.objective == pytest.approx(2 * (1000 + 2500), abs=1e-6)


@pytest.mark.parametrize("island_slack", [True, False])
def test_islands_are_an_error_or_separate_balances(tmp_path, island_slack):
    # the second island needs no slack of its own in the net (npsim adds one for its models)
    three_bus_json(tmp_path / "net.json", rating_02_mw=1000.0, island=True, island_slack=island_slack)
    doc = {"version": 1, "name": "isl", "time": {"start": "2025-01-01", "hours": 1},
           "horizon": {"decided_h": 1, "lookahead_h": 0}, "engine": {"mip_gap": 1e-6},
           "network": {"model": "dc", "file": "net.json"},
           "thermal": [linear_unit("A", 0, 300, 0, 10, bus="b0"), linear_unit("C", 0, 300, 0, 70, bus="b4")],
           "loads": [{"name": "main", "profile_mw": 100, "bus": "b2"}, {"name": "far", "profile_mw": 40, "bus": "b3"}]}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as e:
        load_case(tmp_path / "case.yaml")
    assert "network.islands" in str(e.value) and "2 islands" in str(e.value)
    doc["network"]["islands"] = "separate"
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    a, s, c = solve(load_case(tmp_path / "case.yaml"), 1)
    # each island balances alone: A serves 100 MW, C serves 40 MW (at 70) although A is cheaper
    np.testing.assert_allclose(s.p_mw, [[100, 40]], atol=1e-6)
    np.testing.assert_allclose(s.node_price[0, [0, 3]], [10, 70], atol=1e-6)


@pytest.mark.parametrize("change, field, words", [
    ({"thermal": [linear_unit("A", 0, 300, 0, 10, bus="b9")]}, "thermal[0].bus", "a bus of the network"),
    ({"thermal": [linear_unit("A", 0, 300, 0, 10)]}, "thermal[0].bus", "required with network.model dc"),
    ({"network": {"model": "dc", "pandapower": "case_nope"}}, "network.pandapower", "pandapower.networks"),
    ({"network": {"model": "dc", "file": "nope.json"}}, "network.file", "not found"),
    ({"network": {"model": "dc"}}, "network.pandapower", "model dc needs a net"),
    ({"network": {"model": "zonal", "zones": [{"name": "n"}],
                  "ties": [{"name": "t", "from_zone": "n", "to_zone": "s", "capacity_mw": 1}]}},
     "network.ties[0].to_zone", "one of n"),
])
def test_bad_network_inputs(tmp_path, change, field, words):
    with pytest.raises(InputError) as e:
        three_bus_case(tmp_path, **change)
    assert field in str(e.value) and words in str(e.value)


# ----------------------------------------------------------------- checker rules
@pytest.fixture(scope="module")
def congested(tmp_path_factory):
    return solve(three_bus_case(tmp_path_factory.mktemp("n")))[:2]


def _rules(a, s):
    return {v.rule for v in check(a, s)[0]}


def test_mutation_flow_above_rating(congested):
    a, s = copy.deepcopy(congested)
    s.p_mw[0] = [120, 30]                  # balanced, but 2/3 · 120 = 80 MW on the 60 MW line
    s.flow_mw[0] = [40, 40, 80]
    s.objective = np.nan
    assert _rules(a, s) == {"line_limits"}


def test_mutation_reported_flow_differs(congested):
    a, s = copy.deepcopy(congested)
    s.flow_mw[1, 0] += 5
    assert _rules(a, s) == {"line_limits"}


def test_mutation_node_shed_not_adding_up(congested):
    a, s = copy.deepcopy(congested)
    s.node_shed_mw[0, 2] = 5.0             # shed and over-generation at bus 2 cancel in the injections
    s.node_overgen_mw[0, 2] = 5.0          # (flows unchanged) but are missing from the system totals
    assert _rules(a, s) == {"network_balance"}


def test_mutation_tie_above_capacity(tmp_path):
    doc = {"version": 1, "name": "zonal", "time": {"start": "2025-01-01", "hours": 1},
           "horizon": {"decided_h": 1, "lookahead_h": 0}, "engine": {"mip_gap": 1e-6},
           "network": {"model": "zonal", "zones": [{"name": "north"}, {"name": "south"}],
                       "ties": [{"name": "n-s", "from_zone": "north", "to_zone": "south", "capacity_mw": 100}]},
           "thermal": [linear_unit("A", 0, 300, 0, 10, zone="north"), linear_unit("B", 0, 300, 0, 50, zone="south")],
           "loads": [{"name": "load", "profile_mw": 150, "zone": "south"}]}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    a, s, _ = solve(load_case(tmp_path / "case.yaml"), 1)
    s.p_mw[0] = [150, 0]
    s.tie_flow_mw[0, 0] = 150
    s.objective = np.nan
    assert _rules(a, s) == {"tie_limits"}


def test_every_network_rule_has_a_mutation():
    import inspect
    import sys
    src = inspect.getsource(sys.modules[__name__])
    for rule in ("network_balance", "line_limits", "tie_limits"):
        assert f'== {{"{rule}"}}' in src


def test_acflow_on_a_finished_run(tmp_path, capsys):
    from dispatch.cli import main
    case = three_bus_case(tmp_path, hours=3)
    del case
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "case.yaml"), "--out", str(out), "--quiet"]) == 0
    assert (out / "net.json").is_file()                   # the folder is self-contained
    assert main(["check", str(out)]) == 0
    capsys.readouterr()
    rc = main(["acflow", str(out), "--hours", "1-2"])
    text = capsys.readouterr().out
    import json
    res = json.loads((out / "acflow.json").read_text())
    assert res["hours"] == 2 and res["non_converged_hours"] == []
    # the 60 MW line is loaded to its DC limit; AC adds reactive flow, so it shows just above 100 %
    assert 100.0 < res["max_loading_percent"] < 102.0 and rc == 1
    assert 0 < res["losses_mwh"] < 0.01 * 2 * 150
    assert "voltage" in text and "losses" in text
    assert main(["acflow", str(out), "--hours", "2-7"]) == 2


def test_acflow_refuses_a_copper_plate_run(tmp_path, capsys):
    from dispatch.cli import main
    three_bus_case(tmp_path, model="copper_plate", hours=1)
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "case.yaml"), "--out", str(out), "--quiet"]) == 0
    assert main(["acflow", str(out)]) == 2
    err = capsys.readouterr().err
    assert "network.model" in err and "dc" in err


def test_default_system_has_a_network_and_a_copper_plate_variant():
    from pathlib import Path
    from dispatch import api
    configs = Path(__file__).resolve().parents[1] / "configs"
    case = api.load()
    g = case.system.grid
    assert (case.system.network["model"], g.B, g.L, g.n_islands) == ("dc", 39, 46, 1)
    assert np.isfinite(g.rating_mw).all() and g.rating_mw.min() > 0
    assert all(n is not None for n in case.system.nodes["thermal"])
    plain = api.load(configs / "default.yaml", [configs / "variants" / "copper_plate.yaml"])
    assert plain.system.network is None and plain.system.grid is None


@pytest.mark.parametrize("bus", ["b2", None])
def test_interruptible_load_on_a_network(tmp_path, bus):
    # a 20 MW contract at 30 CNY/MWh on the bus-2 load: cheaper than B (50) at bus 2, so it is called
    # and B runs 20 MW less; spread over the net's loads (None: the case's own load shares put it
    # all at bus 2 too, since that is the only load) the result is the same
    load = {"name": "load", "profile_mw": 150, "bus": bus} if bus else {"name": "load", "profile_mw": 150}
    three_bus_json(tmp_path / "net.json")
    import pandapower as pp_
    net = pp_.from_json(str(tmp_path / "net.json"))
    pp_.create_load(net, 2, p_mw=1.0)
    pp_.to_json(net, str(tmp_path / "net.json"))
    doc = {"version": 1, "name": "dr_net", "time": {"start": "2025-01-01", "hours": 2},
           "horizon": {"decided_h": 2, "lookahead_h": 0}, "engine": {"mip_gap": 1e-6},
           "network": {"model": "dc", "file": "net.json"},
           "thermal": [linear_unit("A", 0, 300, 0, 10, bus="b0"), linear_unit("B", 0, 300, 0, 50, bus="b2")],
           "loads": [load],
           "demand_response": [{"name": "cut", "kind": "interruptible", "load": "load", "capacity_mw": 20,
                                "price_per_mwh": 30, "max_calls_per_year": 8760, "max_hours_per_year": 8760}]}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    a, s, c = solve(load_case(tmp_path / "case.yaml"))
    np.testing.assert_allclose(s.dr_down_mw[:, 0], 20, atol=1e-6)
    np.testing.assert_allclose(s.p_mw, [[90, 40]] * 2, atol=1e-6)
    np.testing.assert_allclose(s.flow_mw[:, 2], 60, atol=1e-6)


def test_acflow_loading_uses_the_scaled_ratings(tmp_path, capsys):
    from dispatch.cli import main
    three_bus_case(tmp_path, hours=2, network={"model": "dc", "file": "net.json", "rating_scale": 3.0})
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "case.yaml"), "--out", str(out), "--quiet"]) == 0
    assert main(["acflow", str(out)]) == 0       # 100 MW on the 180 MW line: about 56 %
    import json
    res = json.loads((out / "acflow.json").read_text())
    assert 50 < res["max_loading_percent"] < 60


def test_microgrid_on_a_network(tmp_path):
    # a park at bus 1 (10 MW load, 4 MW genset at 70 CNY/MWh, import ≤ 8 MW) beside the congested
    # triangle: it imports 8 MW and runs its genset 2 MW; the line limits still hold
    case = three_bus_case(tmp_path, thermal=[linear_unit("A", 0, 300, 0, 10, bus="b0"),
                                             linear_unit("B", 0, 300, 0, 50, bus="b2"),
                                             linear_unit("G", 0, 4, 0, 70, bus="b1")],
                          loads=[{"name": "load", "profile_mw": 150, "bus": "b2"},
                                 {"name": "park", "profile_mw": 10, "bus": "b1"}],
                          microgrids=[{"name": "mg", "elements": ["park", "G"], "import_mw": 8, "export_mw": 0}])
    a, s, c = solve(case)
    np.testing.assert_allclose(s.mg_pcc_mw[:, 0], 8, atol=1e-6)
    np.testing.assert_allclose(s.p_mw[:, 2], 2, atol=1e-6)
    assert (np.abs(s.flow_mw[:, 2]) <= 60 + 1e-6).all()
