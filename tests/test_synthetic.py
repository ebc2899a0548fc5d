"""Synthetic load, solar and wind: pinned statistics, calendar, seeds, site correlation, spec checks.

Reference values (docs/synthetic-profiles.md, benchmarks/profile_realism.py): wind CF 0.24 with
hourly-ramp std ~0.125 and 99th percentile |ramp| ~0.47 (RTS-GMLC 0.11 / 0.43, FTS-213 0.15 /
0.57), solar CF ~0.16, load factor ~0.80.
"""
import time
from datetime import datetime
from functools import lru_cache

import numpy as np
import pytest

from grid.errors import InputError
from profiles import synthetic

START = datetime(2025, 1, 1)
SEEDS = (1, 2, 3, 4, 5)


@lru_cache(maxsize=None)
def series(kind, seed, year=2025, **kw):
    start = datetime(year, 1, 1)
    x = getattr(synthetic, kind)(start, synthetic.year_hours(start), seed, **kw)
    x.setflags(write=False)
    return x


def months(year=2025):
    n = synthetic.year_hours(datetime(year, 1, 1))
    t = np.datetime64(f"{year}-01-01T00", "h") + np.arange(n)
    return t.astype("datetime64[M]").astype(int) % 12 + 1


def mean_in(x, month_list, year=2025):
    return x[np.isin(months(year), month_list)].mean()


def week(x, first_day):
    return x[24 * first_day:24 * (first_day + 7)].mean()


# --- capacity factors and ranges ---------------------------------------------------------------

def test_wind_capacity_factor_hits_mean_cf():
    for s in SEEDS:
        w = series("wind", s)
        assert w.mean() == pytest.approx(0.24, abs=1e-4)        # default mean_cf
        assert w.min() >= 0.0 and w.max() <= 1.0
        assert w.max() > 0.95                                   # reaches rated output
    assert series("wind", 1, mean_cf=0.27).mean() == pytest.approx(0.27, abs=1e-4)


def test_solar_capacity_factor_at_38n():
    cf = [series("solar", s).mean() for s in SEEDS]
    assert all(0.15 <= c <= 0.18 for c in cf), cf
    assert 0.155 <= np.mean(cf) <= 0.175
    for s in SEEDS:
        x = series("solar", s)
        assert x.min() >= 0.0 and x.max() <= 1.0
    # further north: less sun
    assert series("solar", 1, latitude_deg=45.0).mean() < series("solar", 1, latitude_deg=30.0).mean()
    # more clouds: less output
    assert series("solar", 1, cloudiness=0.5).mean() < series("solar", 1).mean() - 0.01


def test_load_peak_is_one_and_load_factor_in_range():
    for s in SEEDS:
        x = series("load", s)
        assert x.max() == pytest.approx(1.0)
        assert 0.75 <= x.mean() <= 0.85
        assert 0.45 <= x.min() <= 0.7


# --- shapes --------------------------------------------------------------------------------------

def test_solar_is_zero_at_night_and_follows_the_sun():
    x = series("solar", 1, year=2024)
    hour = np.arange(x.size) % 24
    assert x[(hour < 5) | (hour >= 22)].max() == 0.0
    daily = x.reshape(-1, 24)
    # longer days in June than in December (hours with output)
    assert (daily[152:181] > 0).sum(axis=1).mean() > (daily[335:366] > 0).sum(axis=1).mean() + 3
    # solar noon near 13:20 Beijing time at 100 E: the mean profile peaks at 12:00-14:00
    assert np.argmax(daily.mean(axis=0)) in (12, 13)
    # a sunny hour is not the same as a cloudy one: day-to-day spread
    noon = daily[:, 13]
    assert noon.std() > 0.1


def test_seasonal_shapes():
    wind = np.mean([series("wind", s) for s in SEEDS], axis=0)
    late_summer = mean_in(wind, [8, 9])
    assert mean_in(wind, [3, 4, 5]) > 1.3 * late_summer
    assert mean_in(wind, [12, 1, 2]) > 1.2 * late_summer
    sol = np.mean([series("solar", s) for s in SEEDS], axis=0)
    assert mean_in(sol, [6, 7, 8]) > 1.05 * mean_in(sol, [12, 1, 2])
    assert mean_in(sol, [3, 4, 5]) > mean_in(sol, [12, 1, 2])
    load = np.mean([series("load", s) for s in SEEDS], axis=0)
    shoulder = max(mean_in(load, [4, 5]), mean_in(load, [9, 10]))
    assert mean_in(load, [12, 1]) > shoulder + 0.01        # winter heating
    assert mean_in(load, [7, 8]) > shoulder + 0.01         # summer cooling


def test_diurnal_shapes():
    hour = np.arange(8760) % 24
    wind = np.mean([series("wind", s) for s in SEEDS], axis=0)
    night, midday = wind[hour <= 3].mean(), wind[(hour >= 11) & (hour <= 15)].mean()
    assert night > 1.25 * midday                             # north-west China: windier at night
    load = series("load", 1).reshape(-1, 24).mean(axis=0)
    assert np.argmax(load) in (19, 20, 21)                   # evening peak
    assert np.argmin(load) in (2, 3, 4, 5)                   # night trough
    assert load[10] > load[4] + 0.08                         # morning rise
    # evening peak follows sunset: later in June than in December
    d = series("load", 1).reshape(-1, 24)
    assert np.argmax(d[160:190].mean(axis=0)) > np.argmax(d[340:365].mean(axis=0))


def test_weekend_dip():
    x = series("load", 1).reshape(-1, 24).mean(axis=1)
    wd = (np.arange(365) + 2) % 7                             # 2025-01-01 was a Wednesday (0 = Monday)
    weekday, weekend = x[wd < 5].mean(), x[wd >= 5].mean()
    assert 0.92 * weekday < weekend < 0.98 * weekday


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2031])
def test_spring_festival_week_dips(year):
    start = datetime(year - 1, 12, 1)                         # weeks before a late-January festival
    x = synthetic.load(start, 24 * 120, 7)
    sf = int((synthetic.spring_festival(year) - np.datetime64(f"{year - 1}-12-01")).astype(int))
    holiday = week(x, sf - 1)                                 # eve to day 5
    around = [week(x, sf - 22), week(x, sf - 29), week(x, sf + 21), week(x, sf + 28)]
    assert holiday < 0.88 * min(around)
    assert holiday < 0.85 * np.mean(around)
    # and without holidays, no dip
    y = synthetic.load(start, 24 * 120, 7, holiday_depth=0)
    assert week(y, sf - 1) > 0.95 * np.mean([week(y, sf - 22), week(y, sf + 21)])


def test_other_holidays_dip():
    x = series("load", 2)
    for first in (120, 273):                                  # 1 May, 1 October 2025
        assert week(x, first) < 0.95 * min(week(x, first - 14), week(x, first + 14))
    # New Year's day below the next weekday (2 January)
    d = x.reshape(-1, 24).mean(axis=1)
    assert d[0] < d[1]


def test_spring_festival_table_and_estimate():
    assert synthetic.spring_festival(2025) == np.datetime64("2025-01-29")
    assert synthetic.spring_festival(2026) == np.datetime64("2026-02-17")
    assert synthetic.spring_festival(2033) == np.datetime64("2033-01-31")
    assert sorted(synthetic.SPRING_FESTIVAL) == list(range(2020, 2036))
    for y, (m, d) in synthetic.SPRING_FESTIVAL.items():
        assert (m, d) >= (1, 21) and (m, d) <= (2, 20)
    # outside the table: the second mean new moon after the winter solstice (within a day here)
    table = dict(synthetic.SPRING_FESTIVAL)
    try:
        for y in range(2020, 2034):
            synthetic.SPRING_FESTIVAL.pop(y)
            est = synthetic.spring_festival(y)
            synthetic.SPRING_FESTIVAL[y] = table[y]
            exact = np.datetime64(f"{y}-{table[y][0]:02d}-{table[y][1]:02d}")
            assert abs((est - exact).astype(int)) <= 1, y
    finally:
        synthetic.SPRING_FESTIVAL.clear()
        synthetic.SPRING_FESTIVAL.update(table)
    assert np.datetime64("2040-01-21") <= synthetic.spring_festival(2040) <= np.datetime64("2040-02-20")


# --- variability --------------------------------------------------------------------------------

def test_wind_ramps_and_persistence_match_data():
    for s in SEEDS:
        w = series("wind", s)
        r = np.diff(w)
        assert 0.09 <= r.std() <= 0.16                       # RTS-GMLC 0.11, FTS-213 0.12-0.20
        assert 0.35 <= np.quantile(np.abs(r), 0.99) <= 0.60  # RTS-GMLC 0.40-0.47, FTS-213 0.46-0.80
        kurt = ((r - r.mean()) ** 4).mean() / r.var() ** 2 - 3
        assert kurt > 3.0                                     # heavy-tailed ramps (data: 4-9)
        ac24 = np.corrcoef(w[:-24], w[24:])[0, 1]
        assert 0.15 <= ac24 <= 0.55
        assert 0.12 <= (w < 0.01).mean() <= 0.30              # calm hours (data: 0.15-0.25)
        # synoptic persistence: 6-h autocorrelation well above 24-h
        assert np.corrcoef(w[:-6], w[6:])[0, 1] > ac24 + 0.25


def test_solar_and_load_ramps():
    for s in SEEDS[:3]:
        r = np.diff(series("solar", s))
        assert 0.07 <= r.std() <= 0.12                       # FTS-213 0.09-0.10
        r = np.diff(series("load", s))
        assert 0.01 <= r.std() <= 0.04                       # RTS-GMLC 0.026, FTS-213 0.016-0.055
        assert np.quantile(np.abs(r), 0.99) < 0.1


# --- seeds, spans, calendar ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["load", "solar", "wind"])
def test_seed_reproducibility(kind):
    f = getattr(synthetic, kind)
    a, b, c = f(START, 8760, 3), f(START, 8760, 3), f(START, 8760, 4)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)
    assert a.dtype == np.float64 and a.shape == (8760,)


@pytest.mark.parametrize("kind", ["load", "solar", "wind"])
def test_short_span_is_prefix_of_the_year(kind):
    f = getattr(synthetic, kind)
    year = f(START, 8760, 5)
    assert np.array_equal(f(START, 168, 5), year[:168])
    assert f(START, 1, 5).shape == (1,)
    two = f(START, 2 * 8760, 5)                                # longer than a year: whole span
    assert two.shape == (17520,) and np.all(np.isfinite(two))


def test_leap_year_length_and_29_february():
    start = datetime(2024, 1, 1)
    assert synthetic.year_hours(start) == 8784
    assert synthetic.year_hours(datetime(2025, 1, 1)) == 8760
    assert synthetic.year_hours(datetime(2100, 1, 1)) == 8760
    for kind in ("load", "solar", "wind"):
        x = getattr(synthetic, kind)(start, 8784, 2)
        assert x.shape == (8784,) and np.all(np.isfinite(x))
    out = synthetic.generate({"synthetic": "load", "seed": 1}, start, 8784, "case.yaml", "profiles.load")
    assert out.shape == (8784,)
    # 29 Feb is an ordinary Thursday, 1 March a Friday: the weekly pattern continues across it
    d = synthetic.load(start, 8784, 1).reshape(-1, 24).mean(axis=1)
    assert d.size == 366
    # the last day of the leap year has its sunshine at midday like any day
    sol = synthetic.solar(start, 8784, 1)
    assert sol[-24:-20].max() == 0.0 and sol[-12:-9].max() > 0.0


def test_start_mid_year_uses_that_days_calendar():
    # 1 April start: hour 0 is night, no holiday dip in the first week; Labour Day 30 days later
    x = synthetic.load(datetime(2025, 4, 1), 8760, 3)
    assert np.argmax(x[:24]) >= 18
    assert week(x, 30) < 0.95 * week(x, 16)
    assert synthetic.solar(datetime(2025, 6, 21, 12), 2, 1).max() > 0.0   # midday start


# --- site correlation ---------------------------------------------------------------------------

def test_wind_sites_with_a_common_seed_correlate():
    for s in (1, 2, 3):
        a = synthetic.wind(START, 8760, s, common_seed=40 + s, correlation=0.7)
        b = synthetic.wind(START, 8760, s + 10, common_seed=40 + s, correlation=0.7, mean_cf=0.27)
        c = synthetic.wind(START, 8760, s + 20)
        d = synthetic.wind(START, 8760, s + 30)
        assert np.corrcoef(a, b)[0, 1] > 0.5
        assert 0.5 < np.corrcoef(a, b)[0, 1] < 0.85          # about the requested 0.7
        assert abs(np.corrcoef(c, d)[0, 1]) < 0.2
        assert abs(np.corrcoef(a, c)[0, 1]) < 0.2
        assert b.mean() == pytest.approx(0.27, abs=1e-4)
    lo = np.corrcoef(synthetic.wind(START, 8760, 1, common_seed=9, correlation=0.3),
                     synthetic.wind(START, 8760, 2, common_seed=9, correlation=0.3))[0, 1]
    hi = np.corrcoef(synthetic.wind(START, 8760, 1, common_seed=9, correlation=0.95),
                     synthetic.wind(START, 8760, 2, common_seed=9, correlation=0.95))[0, 1]
    assert 0.1 < lo < 0.5 < 0.85 < hi
    # correlation 0 with a common seed: independent; a common seed changes the series
    z = np.corrcoef(synthetic.wind(START, 8760, 1, common_seed=9, correlation=0.0),
                    synthetic.wind(START, 8760, 2, common_seed=9, correlation=0.0))[0, 1]
    assert abs(z) < 0.2
    assert not np.allclose(synthetic.wind(START, 8760, 1), synthetic.wind(START, 8760, 1, common_seed=9))


# --- the case-file interface --------------------------------------------------------------------

def gen(spec, hours=8760):
    return synthetic.generate(spec, START, hours, "case.yaml", "profiles.p")


def test_generate_keeps_the_old_parameters_and_scales():
    w = gen({"synthetic": "wind", "seed": 21, "mean_cf": 0.27})
    assert w.mean() == pytest.approx(0.27, abs=1e-4)
    s = gen({"synthetic": "solar", "seed": 31, "latitude_deg": 38, "cloudiness": 0.3})
    assert 0.15 <= s.mean() <= 0.18
    ld = gen({"synthetic": "load", "seed": 11, "weekend_factor": 0.9, "seasonal_amplitude": 0.08, "noise": 0.01})
    assert ld.max() == pytest.approx(1.0)
    assert np.array_equal(gen({"synthetic": "wind", "seed": 2, "scale": 2.5}), 2.5 * synthetic.wind(START, 8760, 2))
    assert np.array_equal(gen({"synthetic": "flat", "hours": 5}), np.ones(5))
    assert gen({"synthetic": "load", "hours": 48}).shape == (48,)
    new = gen({"synthetic": "wind", "seed": 3, "common_seed": 7, "correlation": 0.6})
    assert np.array_equal(new, synthetic.wind(START, 8760, 3, common_seed=7, correlation=0.6))
    gen({"synthetic": "solar", "longitude_deg": 87.6, "tilt_deg": 30, "altitude_m": 900, "utc_offset_h": 8})
    gen({"synthetic": "load", "holiday_depth": 0})


@pytest.mark.parametrize("spec, field, words", [
    ({"synthetic": "wave"}, "profiles.p.synthetic", "one of load, solar, wind, flat"),
    ({"synthetic": "wind", "seed": -1}, "profiles.p.seed", "whole number"),
    ({"synthetic": "wind", "seed": 1.5}, "profiles.p.seed", "whole number"),
    ({"synthetic": "wind", "hours": 0}, "profiles.p.hours", ">= 1"),
    ({"synthetic": "wind", "scale": -1}, "profiles.p.scale", ">= 0"),
    ({"synthetic": "wind", "mean_cff": 0.3}, "profiles.p.mean_cff", "did you mean 'mean_cf'"),
    ({"synthetic": "wind", "mean_cf": 0.9}, "profiles.p.mean_cf", "< 0.8"),
    ({"synthetic": "wind", "mean_cf": 0}, "profiles.p.mean_cf", "> 0"),
    ({"synthetic": "wind", "mean_cf": "high"}, "profiles.p.mean_cf", "a number"),
    ({"synthetic": "wind", "common_seed": -2}, "profiles.p.common_seed", "whole number"),
    ({"synthetic": "wind", "common_seed": 2.5}, "profiles.p.common_seed", "whole number"),
    ({"synthetic": "wind", "common_seed": 1, "correlation": 1.5}, "profiles.p.correlation", "0 to 1"),
    ({"synthetic": "wind", "correlation": 0.5}, "profiles.p.correlation", "needs common_seed"),
    ({"synthetic": "solar", "cloudiness": 1.2}, "profiles.p.cloudiness", "> 0 and < 1"),
    ({"synthetic": "solar", "latitude_deg": 80}, "profiles.p.latitude_deg", "-66 to 66"),
    ({"synthetic": "solar", "tilt_deg": True}, "profiles.p.tilt_deg", "a number"),
    ({"synthetic": "solar", "latitude": 38}, "profiles.p.latitude", "did you mean 'latitude_deg'"),
    ({"synthetic": "load", "weekend_factor": 0.1}, "profiles.p.weekend_factor", "0.5 to 1.2"),
    ({"synthetic": "load", "noise": float("nan")}, "profiles.p.noise", "0 to 0.2"),
    ({"synthetic": "load", "holiday_depth": -1}, "profiles.p.holiday_depth", "0 to 1.3"),
    ({"synthetic": "flat", "mean_cf": 0.2}, "profiles.p.mean_cf", "unknown parameter of synthetic flat"),
])
def test_generate_rejects_bad_specs(spec, field, words):
    with pytest.raises(InputError) as e:
        gen(spec)
    assert e.value.field == field
    assert str(e.value).startswith("case.yaml: " + field)
    assert words in str(e.value)


def test_generation_is_fast():
    start = datetime(2024, 1, 1)
    for kind in ("load", "solar", "wind"):
        f = getattr(synthetic, kind)
        best = min(_timed(f, start) for _ in range(3))
        assert best < 0.15, (kind, best)                     # typically 10-20 ms per year


def _timed(f, start):
    t = time.perf_counter()
    f(start, 8784, 1)
    return time.perf_counter() - t


def test_wind_sites_smooth_ramps_and_keep_the_mean():
    from datetime import datetime
    one = synthetic.wind(datetime(2025, 1, 1), 8760, 21, mean_cf=0.26)
    region = synthetic.wind(datetime(2025, 1, 1), 8760, 21, mean_cf=0.26, sites=12)
    assert region.mean() == pytest.approx(0.26, abs=0.005)
    p99 = lambda x: np.percentile(np.abs(np.diff(x)), 99)  # noqa: E731
    assert p99(region) < 0.6 * p99(one)
    assert np.corrcoef(one, region)[0, 1] > 0.6     # the same regional weather


def test_wind_sites_must_be_whole():
    from datetime import datetime
    from grid.errors import InputError
    with pytest.raises(InputError, match=r"wind\.sites = 2\.5"):
        synthetic.generate({"synthetic": "wind", "sites": 2.5}, datetime(2025, 1, 1), 24, "c.yaml", "profiles.wind")
