"""End-to-end: npsim run / check / init on the default system (short horizons)."""
import csv
import json

import pytest

from dispatch.cli import main


@pytest.fixture(scope="module")
def builtin_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(["run", "--hours", "6", "--out", str(out), "--quiet"]) == 0
    return out


def test_run_writes_complete_folder(builtin_run, capsys):
    sm = json.loads((builtin_run / "summary.json").read_text())
    for key in ("objective", "total_cost", "penalty_cost", "lower_bound", "gap", "wall_time_s", "demand_mwh",
                "renewable_available_mwh", "curtailment_mwh", "curtailment_rate", "unserved_energy_mwh", "co2_t",
                "renewable_share", "starts", "violations", "npsim_version", "config_sha256", "seed",
                "cost_breakdown", "energy_mwh"):
        assert key in sm, key
    assert sm["violations"] == 0
    from dispatch.case import load_case
    assert sm["hours"] == 6 and sm["first_hour"] == load_case().system.first_hour
    assert sm["objective"] == pytest.approx(sm["total_cost"] + sm["penalty_cost"])
    assert sum(sm["cost_breakdown"].values()) == pytest.approx(sm["objective"])
    with open(builtin_run / "system_hourly.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6
    demand = sum(float(r["load_mw"]) for r in rows)
    assert demand == pytest.approx(sm["demand_mwh"])
    for name in ("dispatch_busiest_week.png", "dispatch_most_curtailed_week.png", "units.csv", "case.yaml",
                 "profiles.csv", "windows.csv"):
        assert (builtin_run / name).stat().st_size > 0
    assert not [p for p in builtin_run.parent.iterdir() if ".tmp-" in p.name]


def test_check_clean_then_detects_tampering(builtin_run, tmp_path, capsys):
    assert main(["check", str(builtin_run)]) == 0
    # raise one unit's output by 5 MW in one hour: balance (and maybe limits) must fail
    import shutil
    bad = tmp_path / "bad"
    shutil.copytree(builtin_run, bad)
    path = bad / "units_p_mw.csv"
    rows = list(csv.reader(open(path)))
    rows[2][1] = repr(float(rows[2][1]) + 5.0)
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    capsys.readouterr()
    assert main(["check", str(bad)]) == 1
    assert "balance" in capsys.readouterr().out


def test_check_flags_a_fractional_commitment(builtin_run, tmp_path, capsys):
    import shutil
    bad = tmp_path / "bad"
    shutil.copytree(builtin_run, bad)
    path = bad / "units_commit.csv"
    rows = list(csv.reader(open(path)))
    rows[1][1] = "0.6" if float(rows[1][1]) == 1.0 else "0.4"
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    capsys.readouterr()
    assert main(["check", str(bad)]) == 1
    assert "thermal_limits" in capsys.readouterr().out


def test_init_then_run_gives_the_same_summary(builtin_run, tmp_path):
    case_dir = tmp_path / "mycase"
    assert main(["init", str(case_dir)]) == 0
    out = tmp_path / "out2"
    a = json.loads((builtin_run / "summary.json").read_text())
    assert main(["run", str(case_dir / "case.yaml"), "--hours", "6", "--start", str(a["first_hour"]), "--out", str(out),
                 "--quiet"]) == 0
    b = json.loads((out / "summary.json").read_text())
    for key in ("objective", "demand_mwh", "renewable_available_mwh", "co2_t", "starts"):
        assert b[key] == pytest.approx(a[key], rel=1e-9), key
    assert main(["init", str(case_dir)]) == 2  # never overwrites


def test_help_shows_examples(capsys):
    for cmd in ("run", "check", "init"):
        with pytest.raises(SystemExit) as e:
            main([cmd, "--help"])
        assert e.value.code == 0
        assert "npsim " + cmd in capsys.readouterr().out


def test_window_without_incumbent_fails_with_exit_1(tmp_path, capsys, monkeypatch):
    from dispatch.builder import Builder, SolveResult

    def no_solution(self, **kw):
        return SolveResult("Time limit reached", False, None, None, float("nan"), 1.0, float("inf"), 0.1)

    monkeypatch.setattr(Builder, "solve", no_solution)
    out = tmp_path / "o"
    assert main(["run", "--hours", "2", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    from dispatch.case import load_case
    assert f"window starting at hour {load_case().system.first_hour}" in err and "no feasible solution" in err
    assert not out.exists()


@pytest.mark.parametrize("setup, fragment", [
    (lambda d: (d / "precious").mkdir() or (d / "precious" / "notes.txt").write_text("x"), "holds other files"),
    (lambda d: (d / "precious").write_text("a file"), "a file of that name exists"),
])
def test_run_never_overwrites_a_foreign_folder(tmp_path, capsys, setup, fragment):
    setup(tmp_path)
    assert main(["run", "--hours", "2", "--out", str(tmp_path / "precious"), "--quiet"]) == 2
    assert fragment in capsys.readouterr().err
    p = tmp_path / "precious"
    assert (p / "notes.txt").read_text() == "x" if p.is_dir() else p.read_text() == "a file"


def test_run_refuses_the_working_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--hours", "2", "--out", ".", "--quiet"]) == 2
    assert "not it or a parent" in capsys.readouterr().err
