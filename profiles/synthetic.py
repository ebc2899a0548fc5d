"""Seeded synthetic hourly series for a north-west-China-style grid: load, solar, wind (per unit).

Every generator takes the clock time of hour 0 (`start`, a datetime read as China Standard Time,
UTC+8, unless `utc_offset_h` says otherwise), a number of hours `hours` and a seed, and returns a
float64 array of shape (hours,). Value i is the mean over the hour [start + i h, start + (i+1) h).

- load (p.u. of the annual peak): daily shape with a morning peak, an afternoon shoulder and an
  evening peak that follows sunset (lighting), weekday/weekend, Chinese public holidays (Spring
  Festival with a deep dip and slow recovery, Labour Day 1-5 May, National Day 1-7 Oct, New Year
  1 Jan), heating and cooling load from a daily temperature (continental climate, ~38 N: January
  about -5 C, July about 24 C) with weather anomalies persisting a few days, hourly AR(1) noise.
- solar (p.u. of DC capacity): sun position (declination and equation of time after Spencer 1971,
  hour angle from longitude and time zone), clear-sky beam from air mass (Kasten-Young) and site
  altitude (Laue 1970), diffuse and ground-reflected light on an equator-facing tilted array,
  cell-temperature derating, times a cloud process: a day-to-day AR(1) (persistence 0.55 per day,
  cloudier in July/August) plus an hourly AR(1) (0.6 per hour), combined in logit space so the
  hourly swings are largest on partly cloudy days. Exactly 0 when the sun is down all hour.
- wind (p.u. of capacity): the wind vector as two components, each a synoptic AR(1) (time
  constant 72 h: weather systems every 2-5 days) plus a mesoscale AR(1) (10 h) and hourly
  turbulence whose level varies slowly (gusty spells: heavy-tailed ramps), so the speed is close to
  Rayleigh (Weibull k = 2); times a diurnal factor (strongest around 02:00, weakest around 14:00)
  and a seasonal factor (windy spring and winter, calm August/September); through a wind-farm
  power curve (cut-in 3, rated 12, cut-out 25 m/s, smoothed for the spread of speeds across a
  farm); the mean speed is solved so the mean over the year is `mean_cf`. Sites with the same
  `common_seed` share a weather component: their hourly outputs correlate about `correlation`.

Every series is the prefix of the series generated for one year (or the whole span, if longer)
from the same start and seed: a one-week spec gives the first week of the year's numbers, the load
is per unit of the peak of that year, and the wind is calibrated over that year. Each random
component draws from its own stream (`numpy.random.default_rng((seed, component))`).
"""
import difflib
import math
from datetime import datetime, timedelta

import numpy as np

from grid.errors import InputError

KINDS = ("load", "solar", "wind", "flat", "daily")

# Spring Festival (lunar new year's day) 2020-2035; other years use `spring_festival`'s estimate.
SPRING_FESTIVAL = {
    2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29),
    2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23),
    2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
}
# Load multiplier around the Spring Festival by day offset (0 = new year's day): workers leave
# from two weeks before, the holiday week (eve to day 6) is deepest, factories reopen slowly up
# to the Lantern Festival (day 15).
_SF_DAYS = np.array([-15, -8, -2, -1, 0, 3, 6, 7, 10, 16])
_SF_FACTOR = np.array([1.0, 0.96, 0.88, 0.82, 0.76, 0.76, 0.81, 0.86, 0.93, 1.0])
# Other public holidays: (month, first day, last day, load multiplier on those days).
_HOLIDAYS = ((1, 1, 1, 0.94), (5, 1, 5, 0.92), (10, 1, 7, 0.90))
# Wind speed multiplier at mid-month (Jan..Dec): north-west China, windy spring, calm late summer.
_WIND_MONTH = np.array([1.02, 1.03, 1.08, 1.12, 1.08, 1.00, 0.96, 0.91, 0.91, 0.95, 1.00, 1.02])
# Climate of the load and PV temperature: daily mean air temperature (C) = A - B cos(2 pi (doy - D)/365).
_T_MEAN, _T_SWING, _T_COLDEST_DOY = 9.5, 14.5, 17
_SITE_LAT, _SITE_LON = 38.0, 100.0      # where the load's sunset (evening peak) is computed
_HEAT_BASE, _COOL_BASE = 12.0, 17.0      # C: heating below, cooling above (daily mean)


def _year_span(start: datetime) -> int:
    """Hours from `start` to the same clock time one year later (8760 or 8784)."""
    try:
        nxt = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        nxt = start.replace(year=start.year + 1, day=28) + timedelta(days=1)
    return int(round((nxt - start).total_seconds() / 3600))


def _calendar(start: datetime, hours: int) -> dict:
    """Calendar fields of each hour (H,): hour of day, 0-based day of year, weekday (0 = Monday),
    year, month (1-12), day of month, day index from the first day, fractional hour of start."""
    s = start.replace(tzinfo=None)
    t0 = np.datetime64(s.replace(minute=0, second=0, microsecond=0), "h")
    t = t0 + np.arange(hours)
    days = t.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years = days.astype("datetime64[Y]")
    return {
        "hour": (t - days).astype(int),
        "doy": (days - years.astype("datetime64[D]")).astype(int),
        "weekday": (days.astype(int) + 3) % 7,          # 1970-01-01 was a Thursday
        "year": years.astype(int) + 1970,
        "month": months.astype(int) % 12 + 1,
        "dom": (days - months.astype("datetime64[D]")).astype(int) + 1,
        "day": (days - days[0]).astype(int),
        "days": days,
        "minute": (s.minute + s.second / 60) / 60.0,
    }


def _rng(seed: int, component: int):
    return np.random.default_rng((int(seed), component))


def _ar1(e: np.ndarray, phi: float) -> np.ndarray:
    """AR(1) filter x[i] = phi x[i-1] + sqrt(1 - phi^2) e[i], x[0] = e[0] (0 < phi < 1): a
    unit-variance stationary output (n,) for unit-variance white input e (n,).

    Vectorised in blocks: within a block x[s+j] = phi^j (phi x[s-1] + sum_k<=j phi^-k u[s+k]),
    the block short enough that phi^-j stays below 1e100 (one block per year for phi >= 0.97)."""
    e = np.asarray(e, float)
    u = math.sqrt(1.0 - phi * phi) * e
    if u.size:
        u[0] = e[0]
    out = np.empty_like(u)
    block = max(1, int(230.0 / -math.log(phi)))
    carry = 0.0
    for s in range(0, u.size, block):
        j = np.arange(min(block, u.size - s))
        up = phi ** j
        x = up * (phi * carry + np.cumsum(u[s:s + j.size] / up))
        out[s:s + j.size] = x
        carry = x[-1]
    return out


def _periodic_interp(doy: np.ndarray, monthly: np.ndarray) -> np.ndarray:
    """Smooth periodic interpolation of 12 mid-month values over day of year (H,)."""
    knots = 365.25 / 12 * (np.arange(14) - 0.5)
    vals = np.concatenate([monthly[-1:], monthly, monthly[:1]])
    return np.interp(doy + 0.5, knots, vals)


def _air_temperature(doy) -> np.ndarray:
    """Climatological daily mean air temperature (C) by 0-based day of year."""
    return _T_MEAN - _T_SWING * np.cos(2 * np.pi * (np.asarray(doy) - _T_COLDEST_DOY) / 365.25)


def _sun(doy, solar_hour, lat_deg):
    """Declination (rad), hour angle (rad) and sin(elevation) for day of year and solar hour."""
    g = 2 * np.pi * np.asarray(doy) / 365.0
    decl = (0.006918 - 0.399912 * np.cos(g) + 0.070257 * np.sin(g) - 0.006758 * np.cos(2 * g)
            + 0.000907 * np.sin(2 * g) - 0.002697 * np.cos(3 * g) + 0.00148 * np.sin(3 * g))
    omega = np.radians(15.0 * (solar_hour - 12.0))
    lat = np.radians(lat_deg)
    sin_el = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(omega)
    return decl, omega, sin_el


def _equation_of_time_h(doy) -> np.ndarray:
    """Apparent minus mean solar time (h), Spencer (1971); within +-0.27 h."""
    g = 2 * np.pi * np.asarray(doy) / 365.0
    return 229.18 / 60 * (0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g)
                          - 0.014615 * np.cos(2 * g) - 0.040849 * np.sin(2 * g))


def _clock_to_solar_h(doy, longitude_deg, utc_offset_h) -> np.ndarray:
    """Hours to add to clock time to get apparent solar time."""
    return (longitude_deg - 15.0 * utc_offset_h) / 15.0 + _equation_of_time_h(doy)


def sunset_clock_h(doy, latitude_deg=_SITE_LAT, longitude_deg=_SITE_LON, utc_offset_h=8.0) -> np.ndarray:
    """Clock time of sunset (h, 0-24) by 0-based day of year (same shape as doy)."""
    decl, _, _ = _sun(doy, 12.0, latitude_deg)
    cos_w = np.clip(-np.tan(np.radians(latitude_deg)) * np.tan(decl), -1, 1)
    return 12.0 + np.degrees(np.arccos(cos_w)) / 15.0 - _clock_to_solar_h(doy, longitude_deg, utc_offset_h)


def spring_festival(year: int) -> np.datetime64:
    """Date of the Spring Festival (datetime64[D]): the table for 2020-2035, else the second mean
    new moon after the winter solstice in China time (can be a day off)."""
    if year in SPRING_FESTIVAL:
        m, d = SPRING_FESTIVAL[year]
        return np.datetime64(f"{year:04d}-{m:02d}-{d:02d}")
    synodic = 29.530588861
    ref = np.datetime64("2000-01-06T18:14", "m")           # a new moon (UTC)
    solstice = np.datetime64(f"{year - 1:04d}-12-21T12:00", "m")
    k = math.floor((solstice - ref).astype(float) / (synodic * 1440)) + 1   # first new moon after
    moon = ref + np.timedelta64(int(round((k + 1) * synodic * 1440)), "m") + np.timedelta64(8 * 60, "m")
    return moon.astype("datetime64[D]")


def holiday_factor(cal: dict, depth: float = 1.0) -> np.ndarray:
    """Load multiplier (H,) for Chinese public holidays; `depth` scales the dips (0 = none)."""
    years, idx = np.unique(cal["year"], return_inverse=True)
    sf = np.array([spring_festival(int(y)) for y in years], dtype="datetime64[D]")[idx]
    f = np.interp((cal["days"] - sf).astype(int), _SF_DAYS, _SF_FACTOR)
    for month, d0, d1, val in _HOLIDAYS:
        on = (cal["month"] == month) & (cal["dom"] >= d0) & (cal["dom"] <= d1)
        f[on] = np.minimum(f[on], val)
    return 1.0 - depth * (1.0 - f)


def _gauss24(h, centre, width):
    d = (np.asarray(h) - centre + 12.0) % 24.0 - 12.0
    return np.exp(-0.5 * (d / width) ** 2)


def load(start, hours, seed, weekend_factor=0.93, seasonal_amplitude=0.10, noise=0.02, holiday_depth=1.0):
    """Load per unit of its annual peak, float64 (hours,).

    weekend_factor: load on Saturday/Sunday relative to a weekday (daytime hours take the full
    cut, the night half of it). seasonal_amplitude: heating uplift of a climatologically average
    mid-January day (cooling in mid-July: 0.8 of it); heating and cooling scale with the day's
    temperature, which carries a weather anomaly (std 3.5 C in winter, 2 C in summer, day-to-day
    persistence 0.75).
    noise: std of the hourly AR(1) noise (persistence 0.9 per hour), relative.
    holiday_depth: scales the holiday dips (1 = default table, 0 = no holidays).
    The peak over one year from `start` (or the whole span, if longer) is 1.0.
    """
    n = max(hours, _year_span(start))
    cal = _calendar(start, n)
    h = cal["hour"] + 0.5
    doy = cal["doy"]
    # daily shape (weekday, spring), clock time: night trough, morning peak, afternoon shoulder,
    # evening peak an hour after sunset (about 19:00 in December, 21:30 in June at 38 N, 100 E)
    evening = np.clip(sunset_clock_h(doy) + 1.0, 18.5, 21.5)
    shape = (0.84 - 0.09 * _gauss24(h, 4.0, 2.6) + 0.07 * _gauss24(h, 10.5, 1.8)
             + 0.03 * _gauss24(h, 15.5, 2.0) + 0.11 * _gauss24(h, evening, 1.6))
    day_w = _gauss24(h, 13.0, 4.0)                            # 1 at midday, ~0 at night
    weekend = np.where(cal["weekday"] >= 5, 1.0 - (1.0 - weekend_factor) * (0.5 + 0.5 * day_w), 1.0)
    hol = holiday_factor(cal, holiday_depth)
    day_mult = np.where(hol < 1.0, hol, weekend)
    # heating and cooling from the day's temperature (climate + persistent weather anomaly)
    spread = 2.75 + 0.75 * np.cos(2 * np.pi * (doy - _T_COLDEST_DOY) / 365.25)
    anomaly = spread * _ar1(_rng(seed, 1).standard_normal(cal["day"][-1] + 1), 0.75)[cal["day"]]
    temp = _air_temperature(doy) + anomaly
    hdd = np.clip(_HEAT_BASE - temp, 0, None)
    cdd = np.clip(temp - _COOL_BASE, 0, None)
    hdd_jan = _HEAT_BASE - (_T_MEAN - _T_SWING)
    cdd_jul = (_T_MEAN + _T_SWING) - _COOL_BASE
    heat_shape = 1.0 + 0.12 * np.cos(2 * np.pi * (h - 3.0) / 24)          # storage heating at night
    cool_shape = 0.7 + 0.3 * _gauss24(h, 15.5, 3.5) / _gauss24(np.arange(24) + 0.5, 15.5, 3.5).mean()
    weather = (1.0 + seasonal_amplitude * hdd / hdd_jan * heat_shape
               + 0.8 * seasonal_amplitude * cdd / cdd_jul * cool_shape)
    hourly = 1.0 + noise * _ar1(_rng(seed, 2).standard_normal(n), 0.9)
    x = shape * day_mult * weather * hourly
    return (x / x.max())[:hours]


def solar(start, hours, seed, latitude_deg=38.0, cloudiness=0.3, longitude_deg=100.0, tilt_deg=None,
          altitude_m=1500.0, utc_offset_h=8.0):
    """Solar availability per unit of DC capacity, float64 (hours,); exactly 0 when the sun is down.

    latitude_deg, longitude_deg: site (degrees north, east); tilt_deg: array tilt toward the
    equator (default latitude - 3); altitude_m: site altitude (thinner air: more beam);
    utc_offset_h: time zone of the clock (8 = Beijing: solar noon near 13:20 at 100 E);
    cloudiness: mean cloud index (0-1, seasonal: x1.25 in mid-July, x0.75 in mid-January).
    Output = plane-of-array irradiance / 1000 W/m2 x 0.78 (inverter, wiring, soiling, availability) x
    (1 - 0.0037/C above 25 C cell temperature), capped at 1.
    """
    n = max(hours, _year_span(start))
    cal = _calendar(start, n)
    doy = cal["doy"]
    tilt = float(latitude_deg) - 3.0 if tilt_deg is None else float(tilt_deg)
    # sun at four instants in each hour, averaged: exact sunrise/sunset hours
    sub = (np.arange(4) + 0.5) / 4
    clock = cal["hour"][:, None] + cal["minute"] + sub[None, :]
    solar_h = clock + _clock_to_solar_h(doy, longitude_deg, utc_offset_h)[:, None]
    decl, omega, sin_el = _sun(doy[:, None], solar_h, latitude_deg)
    up = sin_el > 0
    el_deg = np.degrees(np.arcsin(np.clip(sin_el, 0, 1)))
    air_mass = np.where(up, 1.0 / (np.clip(sin_el, 1e-6, 1) + 0.50572 * (el_deg + 6.07995) ** -1.6364), np.inf)
    e0 = 1.0 + 0.033 * np.cos(2 * np.pi * doy / 365.0)[:, None]
    a = 0.14 * altitude_m / 1000.0
    dni = np.where(up, 1361.0 * e0 * ((1 - a) * 0.7 ** (air_mass ** 0.678) + a), 0.0)
    beam_h = dni * np.clip(sin_el, 0, None)
    dhi = 0.1 * dni * np.clip(sin_el, 0, None) + 0.06 * beam_h   # diffuse ~14 % of global
    ghi = beam_h + dhi
    lat_eff = np.radians(latitude_deg - math.copysign(tilt, latitude_deg))
    cos_inc = np.sin(lat_eff) * np.sin(decl) + np.cos(lat_eff) * np.cos(decl) * np.cos(omega)
    beam_poa = dni * np.clip(cos_inc, 0, None) * up
    ct = math.cos(math.radians(tilt))
    diff_poa = dhi * (1 + ct) / 2 + 0.2 * ghi * (1 - ct) / 2
    beam_poa, diff_poa = beam_poa.mean(axis=1), diff_poa.mean(axis=1)
    # clouds: day-to-day AR(1) in logit space plus an hourly AR(1); the logistic makes the hourly
    # swings largest on partly cloudy days
    season = 1.0 + 0.25 * np.cos(2 * np.pi * (doy - 200) / 365.25)
    m = np.clip(cloudiness * season, 0.01, 0.99)
    z_day = _ar1(_rng(seed, 1).standard_normal(cal["day"][-1] + 1), 0.55)[cal["day"]]
    z_hour = _ar1(_rng(seed, 2).standard_normal(n), 0.6)
    cloud = 1.0 / (1.0 + np.exp(-(np.log(m / (1 - m)) + 1.5 * z_day + 1.5 * z_hour)))
    poa = beam_poa * (1 - cloud) + diff_poa * (1 + 0.4 * cloud)
    t_cell = _air_temperature(doy) + 6.0 * np.cos(2 * np.pi * (cal["hour"] + 0.5 - 15) / 24) + 0.025 * poa
    out = poa / 1000.0 * 0.78 * (1 - 0.0037 * (t_cell - 25.0))
    out[~up.any(axis=1)] = 0.0
    return np.clip(out, 0.0, 1.0)[:hours]


# wind model constants
_TAU_SYN, _TAU_MESO, _TAU_VOL = 72.0, 10.0, 48.0   # h
_W_SYN, _W_MESO, _W_TURB = 0.80, 0.45, 0.08     # component weights (normalised below)
_VOL = 0.35                                     # log-std of the gustiness (meso + turbulence) level
_DIURNAL_AMP, _DIURNAL_PEAK_H = 0.09, 2.0      # speed x (1 + A cos(2 pi (h - peak)/24))
_GH_NODES = np.array([-2.856970, -1.355626, 0.0, 1.355626, 2.856970])   # Gauss-Hermite, N(0,1)
_GH_WEIGHTS = np.array([0.011257, 0.222076, 0.533333, 0.222076, 0.011257])
_FARM_SPREAD = 0.10                            # relative spread of speeds across a farm


def _turbine(speed):
    """Generic turbine power (p.u.) at hub-height speed (m/s): cubic from cut-in 3 to rated 12 m/s,
    0 above cut-out 25 m/s."""
    p = np.clip((speed ** 3 - 27.0) / (1728.0 - 27.0), 0.0, 1.0)
    return np.where(speed > 25.0, 0.0, p)


def farm_power(speed):
    """Wind-farm power curve (p.u.) at the farm's mean speed (m/s), any shape: the turbine curve
    averaged over a normal spread of speeds (10 %) across the farm."""
    speed = np.asarray(speed, float)
    out = np.zeros_like(speed)
    for x, w in zip(_GH_NODES, _GH_WEIGHTS):
        out += w * _turbine(speed * (1 + _FARM_SPREAD * x))
    return out


def _wind_components(seed, n, tag, site=None):
    """Two Gaussian-like wind components (2, n), unit variance: synoptic + (mesoscale +
    turbulence) x a slowly varying gustiness level (stormy spells: heavier-tailed ramps).
    `site` (0, 1, ...) marks one farm of a region: the synoptic part is the region's (seed, tag),
    the mesoscale, turbulence and gustiness parts are the farm's own."""
    w = np.array([_W_SYN, _W_MESO, _W_TURB])
    w = w / np.sqrt((w ** 2).sum())
    own = tag if site is None else tag + 1000 * (site + 1)
    gust = np.exp(_VOL * _ar1(_rng(seed, own + 50).standard_normal(n), math.exp(-1 / _TAU_VOL)) - _VOL ** 2)
    out = np.empty((2, n))
    for k in range(2):
        e = _rng(seed, own + 10 * k).standard_normal((3, n))
        if site is not None:
            e[0] = _rng(seed, tag + 10 * k).standard_normal(n)
        out[k] = (w[0] * _ar1(e[0], math.exp(-1 / _TAU_SYN))
                  + gust * (w[1] * _ar1(e[1], math.exp(-1 / _TAU_MESO)) + w[2] * e[2]))
    return out


def wind(start, hours, seed, mean_cf=0.24, common_seed=None, correlation=0.7, sites=1):
    """Wind availability per unit of capacity, float64 (hours,), in [0, 1].

    mean_cf: mean over one year from `start` (or the whole span, if longer); the mean wind speed
    is solved for it (targets above about 0.6 are out of reach and give the highest mean).
    common_seed, correlation (0-1): sites with the same common_seed share a weather component.
    Each wind component is sqrt(r) x common + sqrt(1 - r) x own with r = sqrt(correlation),
    which makes the correlation of two such sites' hourly outputs about `correlation` (0.7
    gives 0.6-0.75 over a year; 0 gives independent sites; 1 the same weather, the outputs
    then differing only by mean_cf). Without common_seed every site is independent (two sites
    correlate within +-0.15 over a year, from the shared diurnal and seasonal shapes).
    sites: the series is the mean of this many farms that share the region's synoptic weather
    but have their own mesoscale and turbulent parts — the spatial smoothing of a regional fleet
    (1 = one farm; 8-16 for a multi-GW region cuts the largest hourly ramps by about a half).
    With sites > 1 and common_seed, regions share only the synoptic part of the common weather,
    so they correlate somewhat less than `correlation`.
    """
    n = max(hours, _year_span(start))
    cal = _calendar(start, n)
    rho = math.sqrt(float(correlation))            # weather correlation giving about `correlation` in output
    speeds = []
    for site in ([None] if int(sites) == 1 else range(int(sites))):
        comp = _wind_components(seed, n, 1, site)
        if common_seed is not None:                # shared weather; with sites, only its synoptic part
            comp = math.sqrt(1 - rho) * comp + math.sqrt(rho) * _wind_components(common_seed, n, 101, site)
        speeds.append(np.hypot(comp[0], comp[1]) / math.sqrt(math.pi / 2))  # Rayleigh, mean 1
    speed = np.array(speeds)                                               # (sites, n)
    speed *= _periodic_interp(cal["doy"], _WIND_MONTH)
    speed *= 1 + _DIURNAL_AMP * np.cos(2 * np.pi * (cal["hour"] + 0.5 - _DIURNAL_PEAK_H) / 24)
    return np.clip(farm_power(speed * _solve_mean_speed(speed, mean_cf)).mean(axis=0), 0.0, 1.0)[:hours]


def _solve_mean_speed(speed, mean_cf, lo=0.5, hi=14.0):
    """Mean speed k (m/s) with mean(farm_power(k x speed)) = mean_cf, by the Illinois method on
    [lo, hi] (mean power rises with k there; a target above the value at `hi`, about 0.6 for
    Rayleigh speeds, gives `hi`)."""
    def f(k):
        return farm_power(speed * k).mean() - mean_cf
    fa, fb = f(lo), f(hi)
    if fb <= 0:
        return hi
    if fa >= 0:
        return lo
    side = 0
    for _ in range(60):
        c = (lo * fb - hi * fa) / (fb - fa)
        fc = f(c)
        if abs(fc) < 1e-9 or hi - lo < 1e-9:
            return c
        if fc > 0:
            hi, fb = c, fc
            if side == -1:
                fa *= 0.5
            side = -1
        else:
            lo, fa = c, fc
            if side == 1:
                fb *= 0.5
            side = 1
    return c


# parameter name -> (lowest, highest, inclusive?, text) for the checks in `generate`
_PARAMS = {
    "load": {"weekend_factor": (0.5, 1.2, True, "a number from 0.5 to 1.2"),
             "seasonal_amplitude": (0.0, 0.5, True, "a number from 0 to 0.5"),
             "noise": (0.0, 0.2, True, "a number from 0 to 0.2"),
             "holiday_depth": (0.0, 1.3, True, "a number from 0 to 1.3 (1 = default dips, 0 = no holidays)")},
    "solar": {"latitude_deg": (-66.0, 66.0, True, "a number from -66 to 66 (degrees north)"),
              "cloudiness": (0.0, 1.0, False, "a number > 0 and < 1"),
              "longitude_deg": (-180.0, 180.0, True, "a number from -180 to 180 (degrees east)"),
              "tilt_deg": (0.0, 90.0, True, "a number from 0 to 90 (degrees)"),
              "altitude_m": (-500.0, 6000.0, True, "a number from -500 to 6000 (m)"),
              "utc_offset_h": (-12.0, 14.0, True, "a number from -12 to 14 (h)")},
    "wind": {"mean_cf": (0.0, 0.8, False, "a number > 0 and < 0.8"),
             "common_seed": (0, None, True, "a whole number >= 0"),
             "correlation": (0.0, 1.0, True, "a number from 0 to 1"),
             "sites": (1, 50, True, "a whole number from 1 to 50")},
    "flat": {},
    "daily": {},
}


def generate(spec: dict, start: datetime, default_hours: int, where_file, where_field) -> np.ndarray:
    """Generate the series a `{synthetic: kind, seed: N, hours: H, scale: s, ...}` spec describes:
    float64 (H,), the generator's output times `scale`. Bad specs raise InputError naming
    `where_file` and the field `where_field.<key>`."""
    spec = dict(spec)
    kind = spec.pop("synthetic")
    if kind not in KINDS:
        raise InputError(where_file, f"{where_field}.synthetic", kind, "one of " + ", ".join(KINDS))
    seed = spec.pop("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(where_file, f"{where_field}.seed", seed, "a whole number >= 0")
    hours = spec.pop("hours", default_hours)
    if isinstance(hours, bool) or not isinstance(hours, int) or hours < 1:
        raise InputError(where_file, f"{where_field}.hours", hours, "a whole number >= 1 (h)")
    scale = spec.pop("scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not (math.isfinite(scale) and scale >= 0):
        raise InputError(where_file, f"{where_field}.scale", scale, "a number >= 0")
    allowed = _PARAMS[kind]
    if kind == "daily":      # the same 24 clock-hour values every day (e.g. EVs plugged in at night)
        values = spec.pop("values", None)
        if not isinstance(values, list) or len(values) != 24 or not all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x >= 0 for x in values):
            raise InputError(where_file, f"{where_field}.values", values, "24 numbers >= 0, for clock hours 0..23")
        clock = (start.hour + np.arange(hours)) % 24
        if spec:
            k = next(iter(spec))
            raise InputError(where_file, f"{where_field}.{k}", spec[k], "unknown parameter of synthetic daily; "
                             "allowed: seed, hours, scale, values")
        return np.asarray(values, float)[clock] * float(scale)
    for k, v in spec.items():
        if k not in allowed:
            names = ("seed", "hours", "scale") + tuple(allowed)
            close = difflib.get_close_matches(str(k), names, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(names)
            raise InputError(where_file, f"{where_field}.{k}", v, f"unknown parameter of synthetic {kind}; {hint}")
        lo, hi, inclusive, text = allowed[k]
        if k == "common_seed":
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise InputError(where_file, f"{where_field}.{k}", v, text)
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(where_file, f"{where_field}.{k}", v, "a number")
        if k == "sites" and not float(v).is_integer():
            raise InputError(where_file, f"{where_field}.{k}", v, text)
        ok = math.isfinite(v) and ((lo <= v <= hi) if inclusive else (lo < v < hi))
        if not ok:
            raise InputError(where_file, f"{where_field}.{k}", v, text)
    if kind == "wind" and "correlation" in spec and "common_seed" not in spec:
        raise InputError(where_file, f"{where_field}.correlation", spec["correlation"],
                         "needs common_seed (the shared weather it correlates with)")
    fn = {"load": load, "solar": solar, "wind": wind}.get(kind)
    base = np.ones(hours) if fn is None else fn(start, hours, seed, **spec)
    return base * float(scale)


def year_hours(start: datetime) -> int:
    """8784 for a span starting in a leap year, else 8760."""
    y = start.year
    return 8784 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 8760
