"""Tests of dispatch.plots on hand-built arrays (no solver): the pure helpers against hand numbers,
and every plot function writes a PNG of the documented pixel size.

System: 3 thermal units (coal, gas, coal), 3 renewables (wind, solar, wind), an import and an
export line. Row t of every series is a simple function of t so sums can be done by hand.
"""
import struct
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from dispatch import plots
from dispatch.compile import InitialState, SystemArrays
from dispatch.results import Schedule

BIG = 10 ** 9


def make_arrays(T: int, first_hour: int = 0, import_mw: float = 0.0) -> SystemArrays:
    """A minimal valid SystemArrays of T hours (only the series matter for the plots)."""
    G, R = 3, 3
    t = np.arange(T, dtype=float)
    return SystemArrays(
        first_hour=first_hour, T=T, thermal_names=["c1", "g1", "c2"], thermal_tech=["coal", "gas", "coal"],
        p_min_mw=np.array([50.0, 20.0, 50.0]), p_max_mw=np.array([200.0, 100.0, 200.0]),
        ramp_up_mw_per_h=np.full(G, 200.0), ramp_down_mw_per_h=np.full(G, 200.0),
        startup_ramp_mw_per_h=np.full(G, 200.0), shutdown_ramp_mw_per_h=np.full(G, 200.0),
        min_up_h=np.ones(G, np.int64), min_down_h=np.ones(G, np.int64),
        must_run=np.zeros((T, G), bool), reserve_eligible=np.ones(G, bool),
        curve_mw=np.array([[50.0, 200.0]] * G), curve_cost_per_h=np.array([[1000.0, 4000.0]] * G),
        curve_co2_t_per_h=np.zeros((G, 2)), curve_fuel_per_h=np.zeros((G, 2)), n_points=np.full(G, 2),
        startup_lag_h=np.array([[0, BIG]] * G), startup_cost=np.zeros((G, 2)), startup_co2_t=np.zeros((G, 2)),
        n_startup=np.ones(G, np.int64), shutdown_cost=np.zeros(G),
        initial=InitialState(on=np.ones(G, bool), hours=np.full(G, 10.0), p_mw=np.full(G, 50.0)),
        renewable_names=["w1", "s1", "w2"], renewable_tech=["wind", "solar", "wind"],
        available_mw=np.column_stack([60 + 0 * t, 40 * (t % 24 >= 8) * (t % 24 < 16), 30 + 0 * t]),
        min_output_mw=np.zeros((T, R)), curtailment_cost=np.full(R, 1.0),
        load_mw=300 + 10 * (t % 3), export_mw=np.full(T, 20.0), import_mw=np.full(T, import_mw),
        reserve_up_mw=np.zeros(T), reserve_down_mw=np.zeros(T),
        voll=8000.0, overgen_cost=5000.0, reserve_short_cost=4000.0,
        meta={"currency": "CNY", "name": "tiny"},
    )


def make_schedule(a: SystemArrays, curtail=None, shed=None, price=None) -> Schedule:
    """Renewables use their availability minus `curtail` (T, R) (default: w1 curtails 10 MW in
    every even hour); thermal covers the rest, split 1 : 0 : 1 between c1 and c2 plus 5 MW of gas."""
    T = a.T
    if curtail is None:
        curtail = np.zeros((T, 3))
        curtail[::2, 0] = 10.0
    ren = a.available_mw - curtail
    shed = np.zeros(T) if shed is None else shed
    residual = a.load_mw + a.export_mw - a.import_mw - ren.sum(axis=1) - shed
    p = np.column_stack([(residual - 5) / 2, np.full(T, 5.0), (residual - 5) / 2])
    commit = np.ones((T, 3), np.int8)
    z = np.zeros((T, 3))
    return Schedule(
        first_hour=a.first_hour, thermal_names=a.thermal_names, renewable_names=a.renewable_names,
        commit=commit, startup=np.zeros_like(commit), shutdown=np.zeros_like(commit),
        p_mw=p, reserve_up_mw=z, reserve_down_mw=z, renewable_mw=ren, curtail_mw=curtail,
        shed_mw=shed, overgen_mw=np.zeros(T), reserve_up_short_mw=np.zeros(T), reserve_down_short_mw=np.zeros(T),
        price=np.full(T, 300.0) if price is None else price,
    )


def png_size(path):
    """(width, height) in pixels from a PNG's IHDR chunk."""
    data = open(path, "rb").read(24)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def expected(size):
    return round(size[0] * plots.DPI), round(size[1] * plots.DPI)


# ---------------------------------------------------------------- pure helpers

def test_by_hour_of_day_midday_start():
    v = np.arange(1.0, 31.0)                 # 30 hours, the first at 13:00
    m = plots.by_hour_of_day(v, 13)
    assert m.shape == (24, 2)                # 13:00 day 0 .. 18:00 day 1
    assert np.isnan(m[:13, 0]).all()
    assert m[13, 0] == 1 and m[23, 0] == 11
    assert m[0, 1] == 12 and m[18, 1] == 30
    assert np.isnan(m[19:, 1]).all()
    assert np.nansum(m) == v.sum()


def test_by_hour_of_day_whole_days():
    v = np.arange(48.0)
    m = plots.by_hour_of_day(v, 0)
    assert m.shape == (24, 2) and not np.isnan(m).any()
    np.testing.assert_array_equal(m[:, 1], np.arange(24.0, 48.0))
    with pytest.raises(ValueError):
        plots.by_hour_of_day(v, 24)


def test_hour_of_day0():
    assert plots.hour_of_day0("2025-01-01T00:00", 2160) == 0       # 2160 = 90 days
    assert plots.hour_of_day0("2025-01-01T06:00", 2165) == 11
    assert plots.hour_of_day0(datetime(2025, 1, 1, 22), 5) == 3
    assert plots.hour_of_day0("2025-01-01T00:00+08:00", 5) == 5      # wall clock of the case
    assert plots.hour_of_day0(None, 49) == 1


def test_curtailment_matrix_by_hand_midday_start():
    # data hour 0 = 2025-03-01 00:00; the run starts at data hour 37 = 2 March 13:00, 30 hours
    a = make_arrays(30, first_hour=37)
    curt = np.zeros((30, 3))
    curt[0, 0] = 10          # 2 Mar 13:00
    curt[0, 2] = 5           # same hour, second wind farm: summed
    curt[11, 1] = 7          # 3 Mar 00:00
    curt[29, 0] = 2          # 3 Mar 18:00, the last hour
    s = make_schedule(a, curtail=curt)
    m = plots.curtailment_matrix(a, s, "2025-03-01T00:00")
    assert m.shape == (24, 2)
    assert m[13, 0] == 15 and m[0, 1] == 7 and m[18, 1] == 2
    assert np.isnan(m[:13, 0]).all() and np.isnan(m[19:, 1]).all()
    assert np.nansum(m) == 24
    # percent of available: w1 60 + w2 30 always, s1 40 in run rows with 8 <= t % 24 < 16
    pct = plots.curtailment_matrix(a, s, "2025-03-01T00:00", percent=True)
    assert pct[13, 0] == pytest.approx(100 * 15 / 90)       # run row 0: no solar
    assert pct[0, 1] == pytest.approx(100 * 7 / 130)        # run row 11: solar available
    assert pct[18, 1] == pytest.approx(100 * 2 / 90)        # run row 29: 29 % 24 = 5, no solar
    assert pct[14, 0] == 0 and np.isnan(pct[0, 0])


def test_price_limits():
    lo, hi = plots.price_limits(np.linspace(0.0, 500.0, 101))
    assert lo == pytest.approx(-40) and hi == pytest.approx(540)    # everything shown, 8 % padding
    # a flat price with a few curtailment hours at -10 and a few scarcity hours (3 % of the week)
    p = np.r_[np.full(152, 300.0), np.full(6, -10.0), np.full(5, 450.0), [4300.0] * 4, [8000.0]]
    lo, hi = plots.price_limits(p)
    assert lo == pytest.approx(-10 - 0.08 * 460) and hi == pytest.approx(450 + 0.08 * 460)
    lo, hi = plots.price_limits(np.r_[np.full(100, 300.0), [-5000.0]])   # over-generation price
    assert -5000 < lo < 0 < 300 < hi
    lo, hi = plots.price_limits(np.full(10, -20.0))
    assert lo < -20 < 0 <= hi
    assert plots.price_limits(np.full(5, np.nan)) == (0.0, 1.0)
    lo, hi = plots.price_limits(np.r_[np.full(10, 300.0), np.nan])
    assert lo <= 0 < 300 < hi


def test_energy_by_technology_hand_sums():
    T = 6
    a = make_arrays(T, import_mw=15.0)
    shed = np.array([0, 0, 0, 0, 4.0, 0])
    s = make_schedule(a, shed=shed)
    rows = plots.energy_by_technology(a, s)
    assert [(r.name, r.group) for r in rows] == [
        ("coal", "thermal"), ("gas", "thermal"), ("import", "import"), ("wind", "renewable"),
        ("solar", "renewable"), ("unserved", "unserved"), ("load", "load"), ("export", "export")]
    by = {r.name: r for r in rows}
    # load 300, 310, 320, 300, 310, 320; export 20; import 15; solar 0 (hours 0-5 are before 08:00)
    load = 300 + 310 + 320 + 300 + 310 + 320
    assert by["load"].mwh == load
    assert by["export"].mwh == 6 * 20
    assert by["import"].mwh == 6 * 15
    # wind: w1 60 and w2 30 available every hour, w1 curtails 10 in hours 0, 2, 4
    assert by["wind"].mwh == 6 * 90 - 30 and by["wind"].curtailed_mwh == 30
    assert by["solar"].mwh == 0 and by["solar"].curtailed_mwh == 0
    assert by["gas"].mwh == 6 * 5
    # coal covers load + export − import − wind − shed − gas
    assert by["coal"].mwh == pytest.approx(load + 120 - 90 - (540 - 30) - 4 - 30)
    assert by["unserved"].mwh == 4
    assert all(r.curtailed_mwh == 0 for r in rows if r.group != "renewable")
    # supply = demand
    sup = sum(r.mwh for r in rows if r.group not in ("load", "export"))
    assert sup == pytest.approx(by["load"].mwh + by["export"].mwh)


def test_energy_rows_without_import_or_shed():
    a = make_arrays(24)
    rows = plots.energy_by_technology(a, make_schedule(a, shed=np.full(24, 1e-12)))   # round-off only
    names = [r.name for r in rows]
    assert "import" not in names and "unserved" not in names
    solar = next(r for r in rows if r.name == "solar")
    assert solar.mwh == 8 * 40                                     # 08:00-15:00 at 40 MW


def test_tech_color_fallback_is_stable():
    assert plots.tech_color("wind") == plots.TECH_COLORS["wind"]
    assert plots.tech_color("ccgt") == plots.tech_color("ccgt") and plots.tech_color("ccgt").startswith("#")


# ---------------------------------------------------------------- the PNGs

def test_dispatch_stack_png(tmp_path):
    a = make_arrays(200, first_hour=30, import_mw=15.0)
    shed = np.zeros(200)
    shed[50:53] = 25.0
    price = np.full(200, 300.0)
    price[::2] = -10.0
    price[51] = 8000.0                                             # a scarcity spike, clipped
    price[60:70] = np.nan
    s = make_schedule(a, shed=shed, price=price)
    path = tmp_path / "stack.png"
    plots.dispatch_stack(path, a, s, 20, 168, "tiny: dispatch", "2025-01-01T00:00")
    assert path.stat().st_size > 10_000
    assert png_size(path) == expected(plots.STACK_SIZE)


def test_dispatch_stack_variants(tmp_path):
    a = make_arrays(48)
    s = make_schedule(a, price=np.full(48, np.nan))               # not priced
    start = datetime(2025, 6, 1, tzinfo=timezone(timedelta(hours=8)))
    for name, st in (("dates.png", start), ("hours.png", None)):
        plots.dispatch_stack(tmp_path / name, a, s, 0, 168, "tiny", st)  # window longer than the run
        assert png_size(tmp_path / name) == expected(plots.STACK_SIZE)
    # the positional signature used by api.Run.plot
    plots.dispatch_stack(tmp_path / "api.png", a, s, 10, 24, "tiny: dispatch", start.isoformat())
    assert (tmp_path / "api.png").stat().st_size > 0


def test_curtailment_heatmap_png(tmp_path):
    a = make_arrays(15 * 24, first_hour=13)                        # 15 days from 13:00: 16 columns
    s = make_schedule(a)
    for percent in (False, True):
        path = tmp_path / f"heat{percent}.png"
        plots.curtailment_heatmap(path, a, s, "2025-01-01T00:00", percent=percent)
        assert path.stat().st_size > 10_000
        assert png_size(path) == expected(plots.HEATMAP_SIZE)


def test_curtailment_heatmap_long_run(tmp_path):
    a = make_arrays(120 * 24)                                       # month labels
    s = make_schedule(a)
    path = tmp_path / "heat.png"
    plots.curtailment_heatmap(path, a, s, "2025-01-01")
    assert png_size(path) == expected(plots.HEATMAP_SIZE)


def test_energy_bar_png(tmp_path):
    a = make_arrays(48, import_mw=15.0)
    shed = np.zeros(48)
    shed[3] = 4.0
    s = make_schedule(a, shed=shed)
    path = tmp_path / "energy.png"
    plots.energy_bar(path, a, s)
    assert path.stat().st_size > 10_000
    assert png_size(path) == expected(plots.BAR_SIZE)
