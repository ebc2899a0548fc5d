"""Bad input through the CLI: `npsim run` exits 2 with ONE line on stderr naming the file, the
field path, the bad value and the allowed range or reason, and writes nothing.

Every case starts from the small valid case below (2 thermal units, one wind plant, one load, 24 h
of CSV data; `"on"` is quoted so PyYAML round-trips it) and changes one thing: a field of the
YAML document, a cell of the CSV, the YAML text itself, or a command-line option.
"""
import math

import pytest
import yaml

from dispatch.cli import main
from profiles.io import read_table

BASE_YAML = """\
version: 1
name: tiny
time: {start: 2025-01-01T00:00, hours: 24}
horizon: {decided_h: 24, lookahead_h: 0}
engine: {mip_gap: 0.01}
fuels:
  - {name: coal, price: 900, unit: tce, co2_t_per_unit: 2.66}
thermal:
  - name: coal1
    technology: coal
    p_min_mw: 100
    p_max_mw: 300
    min_up_h: 4
    min_down_h: 4
    fuel: coal
    fuel_curve: {mw: [100, 200, 300], fuel_per_h: [35, 66, 99]}
    startup: [{lag_h: 4, cost: 30000}, {lag_h: 12, cost: 60000}]
    initial: {"on": true, hours: 10, p_mw: 150}
  - name: gas1
    technology: gas
    p_min_mw: 20
    p_max_mw: 150
    cost_curve: {mw: [20, 150], cost_per_h: [12000, 90000]}
    startup: [{lag_h: 1, cost: 5000}]
    initial: {"on": false, hours: 5}
renewables:
  - {name: wind1, technology: wind, capacity_mw: 200, profile: wind}
loads:
  - {name: city, profile_mw: load}
profiles:
  load: {file: profiles.csv, column: load}
  wind: {file: profiles.csv, column: wind}
"""


def base_rows() -> list[list[str]]:
    """profiles.csv as rows of cells: a header, then hour h on line h + 2."""
    rows = [["time", "load", "wind"]]
    for h in range(24):
        rows.append([f"2025-01-01T{h:02d}:00", f"{250 + 100 * math.sin(2 * math.pi * (h - 6) / 24):.1f}",
                     f"{0.35 + 0.25 * math.cos(2 * math.pi * h / 24):.3f}"])
    return rows


class Case:
    """A case being built in a folder: the YAML document (or raw text), the CSV rows, CLI options."""

    def __init__(self, folder):
        self.folder = folder
        self.doc = yaml.safe_load(BASE_YAML)
        self.text = None
        self.rows = base_rows()
        self.args = []

    def write(self):
        """Write case.yaml and profiles.csv; returns the case path."""
        path = self.folder / "case.yaml"
        path.write_text(self.text if self.text is not None else yaml.safe_dump(self.doc, sort_keys=False),
                        encoding="utf-8")
        (self.folder / "profiles.csv").write_text("".join(",".join(r) + "\n" for r in self.rows), encoding="utf-8")
        return path


def _walk(doc, path):
    """(container, last key) of a field path like ``thermal[0].initial.p_mw``."""
    keys = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        keys.append(name)
        keys += [int(i) for i in rest.rstrip("]").split("][") if i] if rest else []
    for k in keys[:-1]:
        doc = doc[k]
    return doc, keys[-1]


def setp(path, value):
    """Set the field at `path` (added if absent)."""
    def mutate(c):
        parent, key = _walk(c.doc, path)
        parent[key] = value
    return mutate


def delp(path):
    """Remove the field at `path`."""
    def mutate(c):
        parent, key = _walk(c.doc, path)
        del parent[key]
    return mutate


def rename(path, new_key):
    """Rename the key at `path`, keeping its value and position."""
    def mutate(c):
        parent, key = _walk(c.doc, path)
        items = [(new_key if k == key else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
    return mutate


def cell(line, column, text):
    """Replace one CSV cell (line 1 is the header)."""
    def mutate(c):
        c.rows[line - 1][c.rows[0].index(column)] = text
    return mutate


def text(old, new):
    """Edit the raw YAML text of the base case."""
    def mutate(c):
        assert old in BASE_YAML
        c.text = BASE_YAML.replace(old, new)
    return mutate


def args(*options):
    """Extra command-line options (later ones win over the defaults)."""
    def mutate(c):
        c.args += list(options)
    return mutate


def drop_rows_after(line):
    """Cut the CSV after `line`."""
    def mutate(c):
        del c.rows[line:]
    return mutate


def combine(*changes):
    """Apply several changes in turn."""
    def mutate(c):
        for change in changes:
            change(c)
    return mutate


def line_of(fragment):
    """1-based line of the base YAML text holding `fragment`."""
    return next(i for i, ln in enumerate(BASE_YAML.splitlines(), 1) if fragment in ln)


# (id, change, fragments that must all appear in the message; the first names the field path)
BAD = [
    ("negative_p_min", setp("thermal[0].p_min_mw", -5),
     ["case.yaml", "thermal[0].p_min_mw = -5", ">= 0 (MW)"]),
    ("p_min_above_p_max", setp("thermal[1].p_min_mw", 200),
     ["case.yaml", "thermal[1].p_min_mw = 200", "<= p_max_mw (150"]),
    ("unknown_key_did_you_mean", rename("thermal[0].p_max_mw", "p_max_mv"),
     ["case.yaml", "thermal[0].p_max_mv", "unknown key", "did you mean 'p_max_mw'"]),
    ("unknown_top_level_key", setp("penalty", {"voll_per_mwh": 1000}),
     ["case.yaml", "penalty", "unknown key", "did you mean 'penalties'"]),
    ("unknown_top_level_key_no_match", setp("colour", "red"),
     ["case.yaml", "colour", "unknown key", "allowed: version, name"]),
    ("string_for_number", setp("thermal[0].p_max_mw", "300 MW"),
     ["case.yaml", "thermal[0].p_max_mw = '300 MW'", "a number > 0 (MW)"]),
    ("bool_for_number", setp("fuels[0].price", True),
     ["case.yaml", "fuels[0].price = True", "a number >= 0"]),
    ("missing_name", delp("thermal[1].name"),
     ["case.yaml", "thermal[1].name", "required field is missing"]),
    ("missing_p_max", delp("thermal[0].p_max_mw"),
     ["case.yaml", "thermal[0].p_max_mw", "required field is missing", "a number > 0 (MW)"]),
    ("duplicate_name_in_list", setp("thermal[1].name", "coal1"),
     ["case.yaml", "thermal[1].name = 'coal1'", "duplicate name", "thermal[0]"]),
    ("duplicate_name_across_sections", setp("loads[0].name", "wind1"),
     ["case.yaml", "loads[0].name = 'wind1'", "already used by renewables[0]"]),
    ("missing_version", delp("version"),
     ["case.yaml", "version", "required field is missing", "exactly 1"]),
    ("version_2", setp("version", 2),
     ["case.yaml", "version = 2", "exactly 1"]),
    ("bad_enum_did_you_mean", setp("thermal[0].technology", "cole"),
     ["case.yaml", "thermal[0].technology = 'cole'", "one of coal, gas", "did you mean 'coal'"]),
    ("decreasing_curve", setp("thermal[0].fuel_curve.fuel_per_h", [35, 80, 79]),
     ["case.yaml", "thermal[0].fuel_curve.fuel_per_h = [35.0, 80.0, 79.0]", "must not decrease", "point 3"]),
    ("curve_not_from_p_min", setp("thermal[1].cost_curve.mw", [30, 150]),
     ["case.yaml", "thermal[1].cost_curve.mw = [30", "from p_min_mw to p_max_mw", "20.0", "150.0"]),
    ("curve_length_mismatch", setp("thermal[1].cost_curve.cost_per_h", [12000, 50000, 90000]),
     ["case.yaml", "thermal[1].cost_curve.cost_per_h", "one value per mw point (2)"]),
    ("fuel_curve_without_fuel", delp("thermal[0].fuel"),
     ["case.yaml", "thermal[0].fuel", "required with fuel_curve"]),
    ("unknown_fuel", setp("thermal[0].fuel", "cole"),
     ["case.yaml", "thermal[0].fuel = 'cole'", "not a name in `fuels`", "did you mean 'coal'"]),
    ("both_curves", setp("thermal[1].fuel_curve", {"mw": [20, 150], "fuel_per_h": [5, 40]}),
     ["case.yaml", "thermal[1].cost_curve", "exactly one of cost_curve or fuel_curve"]),
    ("unknown_profile_name", setp("loads[0].profile_mw", "lod"),
     ["case.yaml", "loads[0].profile_mw = 'lod'", "not a name in `profiles`", "did you mean 'load'"]),
    ("negative_series_number", setp("loads[0].profile_mw", -5),
     ["case.yaml", "loads[0].profile_mw = -5", ">= 0 (MW)"]),
    ("renewable_without_capacity", delp("renewables[0].capacity_mw"),
     ["case.yaml", "renewables[0].capacity_mw", "required with profile"]),
    ("initial_p_outside_limits", setp("thermal[0].initial.p_mw", 50),
     ["case.yaml", "thermal[0].initial.p_mw = 50", "[p_min_mw, p_max_mw] = [100.0, 300.0]"]),
    ("initial_off_with_output", setp("thermal[1].initial.p_mw", 30),
     ["case.yaml", "thermal[1].initial.p_mw = 30", "an off unit has output 0"]),
    ("startup_lags_not_increasing", setp("thermal[0].startup[1].lag_h", 3),
     ["case.yaml", "thermal[0].startup[1].lag_h = 3", "> startup[0].lag_h (4"]),
    ("startup_first_lag_above_min_down", setp("thermal[0].startup[0].lag_h", 6),
     ["case.yaml", "thermal[0].startup[0].lag_h = 6", "<= min_down_h (4"]),
    ("bad_time_start", setp("time.start", "2025-13-01"),
     ["case.yaml", "time.start = '2025-13-01'", "ISO date"]),
    ("time_start_with_time_zone", setp("time.start", "2025-01-01T00:00+08:00"),
     ["case.yaml", "time.start = '2025-01-01T00:00+08:00'", "without a time zone"]),
    ("unknown_profile_spec_key", rename("profiles.wind.column", "colum"),
     ["case.yaml", "profiles.wind.colum", "unknown key", "did you mean 'column'"]),
    ("no_loads", setp("loads", []),
     ["case.yaml", "loads = []", "at least one load"]),
    ("yaml_syntax_error", text("  - name: gas1\n", "  - name: gas1: x\n"),
     ["case.yaml", f"YAML syntax error at line {line_of('name: gas1')}", "mapping values are not allowed"]),
    ("yaml_1_1_on_key", text('initial: {"on": true', "initial: {true: true"),
     ["case.yaml", "thermal[0].initial.True", "unknown key", "did you mean 'on'"]),
    ("yaml_duplicate_key", text("    p_max_mw: 300\n", "    p_max_mw: 300\n    p_max_mw: 350\n"),
     ["case.yaml", f"line {line_of('p_max_mw: 300') + 1}", "duplicate key 'p_max_mw'"]),
    ("csv_non_numeric", cell(5, "load", "n/a"),
     ["profiles.csv", "line 5, column load = 'n/a'", "a number"]),
    ("csv_empty_cell", cell(7, "wind", ""),
     ["profiles.csv", "line 7, column wind", "empty cell"]),
    ("csv_nan", cell(8, "load", "NaN"),
     ["profiles.csv", "column load at hour 6 (line 8) = nan", "finite"]),
    ("csv_negative_load", cell(10, "load", "-12.5"),
     ["profiles.csv", "column load at hour 8 (line 10) = -12.5", ">= 0"]),
    ("csv_duplicate_column", cell(1, "wind", "load"),
     ["profiles.csv", "line 1, column 3 = 'load'", "unique"]),
    ("csv_ragged_row", cell(6, "wind", "0.3,0.4"),
     ["profiles.csv", "line 6", "has 4 cells, the header has 3"]),
    ("renewable_pu_above_one", cell(4, "wind", "1.3"),
     ["case.yaml", "renewables[0].profile (wind) at hour 2 = 1.3", "<= 1"]),
    ("renewable_scalar_profile_above_one", setp("profiles.wind", 1.5),
     ["case.yaml", "renewables[0].profile (wind) = 1.5", "<= 1"]),
    ("profile_file_missing", setp("profiles.wind.file", "windy.csv"),
     ["case.yaml", "profiles.wind.file", "windy.csv", "file not found"]),
    ("profile_column_missing", setp("profiles.wind.column", "wnd"),
     ["profiles.csv", "column 'wnd'", "not in the file", "did you mean 'wind'", "profiles.wind.column"]),
    ("hours_beyond_data", args("--hours", "30"),
     ["case.yaml", "--hours", "hours 0..29", "cover hours 0..23"]),
    ("start_plus_hours_beyond_data", args("--start", "20"),
     ["case.yaml", "--start/--hours", "hours 20..25", "cover hours 0..23"]),
    ("csv_too_short", combine(drop_rows_after(13), args("--hours", "24")),
     ["case.yaml", "--hours", "cover hours 0..11"]),
    ("start_bad_date", args("--start", "2025-02-30"),
     ["command line", "--start = '2025-02-30'", "ISO date/datetime"]),
    ("start_before_data", args("--start", "2024-12-31"),
     ["command line", "--start = '2024-12-31'", "at or after the data start 2025-01-01T00:00"]),
    ("mip_gap_2", args("--mip-gap", "2"),
     ["command line", "--mip-gap = 2", "<= 1"]),
    ("mip_gap_text", args("--mip-gap", "small"),
     ["command line", "--mip-gap = 'small'", "a number >= 0 and <= 1"]),
    ("threads_0", args("--threads", "0"),
     ["command line", "--threads = 0", "a whole number >= 1 and <= 256"]),
    ("hours_0", args("--hours", "0"),
     ["command line", "--hours = 0", "a whole number >= 1"]),
]


@pytest.mark.parametrize("change, fragments", [pytest.param(c, f, id=i) for i, c, f in BAD])
def test_bad_input(tmp_path, capsys, change, fragments):
    case = Case(tmp_path)
    change(case)
    path = case.write()
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "out"
    rc = main(["run", str(path), "--hours", "6", "--out", str(out), "--quiet", *case.args])
    captured = capsys.readouterr()
    err = captured.err
    assert rc == 2, err
    assert err.startswith("npsim: error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert captured.out == ""
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no partial or temporary folder


def test_missing_case_file(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["run", str(tmp_path / "nope.yaml"), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1
    assert "nope.yaml" in err and "file not found" in err
    assert not out.exists()


def test_csv_quirks_are_tolerated(tmp_path):
    """A byte-order mark, an unnamed empty column and blank lines at the end are not errors."""
    path = tmp_path / "p.csv"
    path.write_text("\ufefftime,load,\n2025-01-01T00:00,1.5,\n2025-01-01T01:00,2.5,\n\n\n", encoding="utf-8")
    table = read_table(path)
    assert list(table) == ["load"] and table["load"].tolist() == [1.5, 2.5]


def test_valid_base_case_runs(tmp_path, capsys):
    pytest.importorskip("dispatch.check")
    path = Case(tmp_path).write()
    out = tmp_path / "out"
    rc = main(["run", str(path), "--hours", "6", "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert (out / "summary.json").is_file()


def test_start_up_costs_must_not_fall_with_hours_off(tmp_path):
    from grid.config import validate
    from grid.errors import InputError
    doc = {"version": 1, "loads": [{"name": "l", "profile_mw": 10}],
           "thermal": [{"name": "g", "p_min_mw": 10, "p_max_mw": 50, "min_down_h": 2,
                        "cost_curve": {"mw": [10, 50], "cost_per_h": [100, 500]},
                        "startup": [{"lag_h": 2, "cost": 5000}, {"lag_h": 10, "cost": 100}]}]}
    with pytest.raises(InputError, match=r"thermal\[0\]\.startup\[1\]\.cost = 100.*colder start may not cost less"):
        validate(doc, "c.yaml")


def test_yaml_exponent_floats_are_numbers(tmp_path):
    from grid.config import read_yaml
    (tmp_path / "c.yaml").write_text("voll_per_mwh: 1e4\nx: 2E-3\n")
    assert read_yaml(tmp_path / "c.yaml") == {"voll_per_mwh": 1e4, "x": 2e-3}


@pytest.mark.parametrize("change, fragment", [
    ({"interchange": [{"name": "uhvdc_export", "profile_mw": None, "capacity_mw": 400, "profile": 1.5}]},
     "interchange[0].profile = 1.5"),
    ({"interchange": [{"name": "uhvdc_export", "capacity_mw": 400}]},
     "interchange[0].capacity_mw = 400.0: used only with profile"),
    ({"thermal": [{"name": "coal600_1", "co2_t_per_mwh": 0.9}]},
     ".co2_t_per_mwh = 0.9: only for cost_curve units"),
])
def test_inputs_that_would_be_silently_ignored_are_errors(change, fragment):
    from dispatch import api
    from grid.errors import InputError
    with pytest.raises(InputError) as e:
        api.change(api.load(), change)
    assert fragment in str(e.value)
