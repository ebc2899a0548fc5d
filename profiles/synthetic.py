"""Seeded synthetic hourly series: load, solar and wind availability (per unit).

Each generator takes the timestamp of hour 0, a number of hours and a seed and returns a float64
array (H,). Shapes:
- load: daily two-peak shape, weekday/weekend, seasonal (winter heating + summer cooling), AR(1)
  noise; normalised so the peak over the generated span is 1.0 p.u.
- solar: clear-sky output from the sun's elevation (latitude, day of year, hour), times a
  day-to-day cloudiness process (AR(1) over days) with hourly flicker; 0 at night.
- wind: hourly wind speed as an AR(1) "weather" process (persistence of about a day) with a
  diurnal (stronger at night) and seasonal (stronger in winter/spring) modulation, through a
  generic power curve (cut-in 3 m/s, rated 12 m/s, cut-out 25 m/s), scaled to a target mean.
These are teaching-grade shapes; their statistics are pinned by tests.
"""
import difflib
import math
from datetime import datetime

import numpy as np

from grid.errors import InputError

KINDS = ("load", "solar", "wind", "flat")


def _calendar(start: datetime, hours: int):
    t = np.datetime64(start.replace(tzinfo=None), "h") + np.arange(hours)
    days = t.astype("datetime64[D]")
    hour = (t - days).astype(int)
    year_start = days.astype("datetime64[Y]").astype("datetime64[D]")
    doy = (days - year_start).astype(int)                      # 0-based day of year
    weekday = (days.astype(int) + 3) % 7                        # 0 = Monday (1970-01-01 was a Thursday)
    return hour, doy, weekday


def _ar1(rng, n, phi, sigma):
    e = rng.normal(0.0, sigma, n)
    x = np.empty(n)
    x[0] = e[0] / np.sqrt(max(1e-12, 1 - phi * phi))
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    return x


def load(start, hours, seed, weekend_factor=0.93, seasonal_amplitude=0.08, noise=0.02):
    """Load per unit of its peak (H,)."""
    rng = np.random.default_rng(seed)
    hour, doy, wd = _calendar(start, hours)
    daily = (0.78 + 0.10 * np.exp(-0.5 * ((hour - 11) / 2.5) ** 2)
             + 0.14 * np.exp(-0.5 * ((hour - 19.5) / 2.2) ** 2) - 0.08 * np.exp(-0.5 * ((hour - 3.5) / 2.5) ** 2))
    season = 1 + seasonal_amplitude * (np.cos(2 * np.pi * doy / 365.25) * 0.7
                                       + 0.5 * np.exp(-0.5 * ((doy - 200) / 25) ** 2))
    week = np.where(wd >= 5, weekend_factor, 1.0)
    x = daily * season * week * (1 + _ar1(rng, hours, 0.9, noise * np.sqrt(1 - 0.81)))
    return x / x.max()


def solar(start, hours, seed, latitude_deg=38.0, cloudiness=0.3):
    """Solar availability per unit of capacity (H,), 0 at night."""
    rng = np.random.default_rng(seed)
    hour, doy, _ = _calendar(start, hours)
    decl = np.radians(23.44) * np.sin(2 * np.pi * (doy + 284) / 365.0)
    lat = np.radians(latitude_deg)
    hour_angle = np.radians(15.0 * (hour + 0.5 - 12.0))
    sin_elev = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)
    clear = np.clip(sin_elev, 0, None) ** 1.15 * 0.92
    n_days = int(doy.size and (hours + 23) // 24 + 2)
    day_idx = np.arange(hours) // 24
    cloud_day = 1 / (1 + np.exp(-(_ar1(rng, n_days, 0.6, 1.0) + np.log(cloudiness / (1 - cloudiness)))))
    flicker = np.clip(1 - 0.15 * np.abs(rng.normal(0, 1, hours)) * cloud_day[day_idx], 0, 1)
    return np.clip(clear * (1 - 0.75 * cloud_day[day_idx]) * flicker, 0.0, 1.0)


def wind(start, hours, seed, mean_cf=0.25):
    """Wind availability per unit of capacity (H,), scaled so its mean is about mean_cf."""
    rng = np.random.default_rng(seed)
    hour, doy, _ = _calendar(start, hours)
    weather = _ar1(rng, hours, 0.96, np.sqrt(1 - 0.96 ** 2))
    diurnal = 0.12 * np.cos(2 * np.pi * (hour - 2) / 24)
    seasonal = 0.15 * np.cos(2 * np.pi * (doy - 60) / 365.25)
    speed = np.clip(7.0 * np.exp(0.45 * weather + diurnal + seasonal), 0, None)
    pc = np.clip((speed ** 3 - 3.0 ** 3) / (12.0 ** 3 - 3.0 ** 3), 0, 1)
    pc[speed > 25] = 0.0
    if pc.mean() > 0:
        # scale the speed so the mean capacity factor hits the target (monotone in the factor)
        lo, hi = 0.2, 5.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            s = speed * mid
            p = np.clip((s ** 3 - 27.0) / (1728.0 - 27.0), 0, 1)
            p[s > 25] = 0.0
            lo, hi = (mid, hi) if p.mean() < mean_cf else (lo, mid)
        pc = p
    return pc


def generate(spec: dict, start: datetime, default_hours: int, where_file, where_field) -> np.ndarray:
    """Generate the series a `{synthetic: kind, seed: N, hours: H, ...}` spec describes."""
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
    fn = {"load": load, "solar": solar, "wind": wind, "flat": None}[kind]
    allowed = {"load": ("weekend_factor", "seasonal_amplitude", "noise"), "solar": ("latitude_deg", "cloudiness"),
               "wind": ("mean_cf",), "flat": ()}[kind]
    for k, v in spec.items():
        if k not in allowed:
            names = ("seed", "hours", "scale") + allowed
            close = difflib.get_close_matches(str(k), names, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(names)
            raise InputError(where_file, f"{where_field}.{k}", v, f"unknown parameter of synthetic {kind}; {hint}")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(where_file, f"{where_field}.{k}", v, "a number")
    if kind == "solar" and not 0 < spec.get("cloudiness", 0.3) < 1:
        raise InputError(where_file, f"{where_field}.cloudiness", spec["cloudiness"], "a number > 0 and < 1")
    if kind == "wind" and not 0 < spec.get("mean_cf", 0.25) < 0.8:
        raise InputError(where_file, f"{where_field}.mean_cf", spec["mean_cf"], "a number > 0 and < 0.8")
    base = np.ones(hours) if fn is None else fn(start, hours, seed, **spec)
    return base * float(scale)


def year_hours(start: datetime) -> int:
    """8784 for a span starting in a leap year, else 8760."""
    y = start.year
    return 8784 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 8760
