"""npsim compare: base vs base + each overlay on the same (short) hours."""
import csv
import json
from pathlib import Path

import pytest

from dispatch.cli import main

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
HOURS = 4


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "out"
    rc = main(["compare", str(CONFIGS / "default.yaml"), str(CONFIGS / "options" / "carbon_200.yaml"),
               str(CONFIGS / "options" / "battery.yaml"), "--hours", str(HOURS), "--out", str(out), "--quiet"])
    return rc, out


def _rows(out):
    return {r["option"]: r for r in json.loads((out / "compare.json").read_text())}


def test_exit_and_rows(compared):
    rc, out = compared
    assert rc == 0
    rows = _rows(out)
    assert list(rows) == ["base", "carbon_200", "battery"]
    for r in rows.values():
        for key in ("total_cost", "delta_cost_vs_base", "curtailment_mwh", "co2_t", "unserved_energy_mwh", "starts",
                    "storage_cycles", "deep_cycling_hours", "deep_peak_compensation", "annualized_capex",
                    "net_benefit", "violations", "gap", "note"):
            assert key in r, key
        assert "8760 / hours" in r["note"]
        assert r["violations"] == 0
    # the base's storage is sunk (no capex); the battery overlay's 800 MWh at 0.45 / 0.43 CNY/Wh,
    # annualised at 6 % over 15 years, is the option's extra capital cost
    crf = 0.06 * 1.06 ** 15 / (1.06 ** 15 - 1)
    assert rows["base"]["annualized_capex"] == 0 and rows["carbon_200"]["annualized_capex"] == 0
    assert rows["battery"]["annualized_capex"] == pytest.approx((400e3 * 450 + 400e3 * 430) * crf)
    assert rows["base"]["delta_cost_vs_base"] == 0
    assert rows["base"]["net_benefit"] == 0
    assert all(r["storage_cycles"] >= 0 for r in rows.values())   # the default system has storage
    assert not [p for p in out.parent.iterdir() if ".tmp-" in p.name]


def test_carbon_price_raises_cost(compared):
    # every thermal unit emits, so the same dispatch costs more at 200 CNY/t (and re-dispatch can
    # only be chosen because it is cheaper still than that): strictly greater than the base
    rows = _rows(compared[1])
    assert rows["carbon_200"]["total_cost"] > rows["base"]["total_cost"]
    assert rows["carbon_200"]["delta_cost_vs_base"] > 0


def test_net_benefit_arithmetic(compared):
    rows = _rows(compared[1])
    base = rows["base"]["total_cost"]
    for r in rows.values():
        assert r["delta_cost_vs_base"] == pytest.approx(r["total_cost"] - base)
        expect = (base - r["total_cost"]) * 8760 / HOURS - r["annualized_capex"]
        assert r["net_benefit"] == pytest.approx(expect, rel=1e-12, abs=1e-6)


def test_csv_matches_json_and_png(compared):
    out = compared[1]
    rows = _rows(out)
    with open(out / "compare.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [r["option"] for r in table] == list(rows)
    for r in table:
        j = rows[r["option"]]
        for key in ("total_cost", "delta_cost_vs_base", "net_benefit", "co2_t", "curtailment_mwh"):
            assert float(r[key]) == pytest.approx(j[key])
        assert int(r["starts"]) == j["starts"]
    assert (out / "compare.png").stat().st_size > 0
    assert sorted(p.name for p in out.iterdir()) == ["compare.csv", "compare.json", "compare.png"]


def test_prints_annual_scaling(tmp_path, capsys):
    # the table itself (no solve): the message about scaling is part of the printed output
    from dispatch.compare import format_table, make_row
    sm = {"total_cost": 100.0, "penalty_cost": 0.0, "curtailment_mwh": 0.0, "co2_t": 0.0,
          "unserved_energy_mwh": 0.0, "starts": 0, "storage_cycles": 0.0, "violations": 0, "gap": None,
          "deep_cycling_hours": 0.0, "deep_peak_compensation": 0.0}
    text = format_table([make_row("base", None, sm, sm, 4)], 4, "CNY")
    assert "8760 / hours" in text


@pytest.mark.parametrize("overlay_text", [None, "carbon_price_per_tt: 5\n"])
def test_bad_overlay_exit_2_nothing_written(tmp_path, capsys, overlay_text):
    overlay = tmp_path / "bad.yaml"
    if overlay_text is not None:
        overlay.write_text(overlay_text)
    out = tmp_path / "out"
    rc = main(["compare", str(CONFIGS / "default.yaml"), str(overlay), "--hours", str(HOURS), "--out", str(out),
               "--quiet"])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("npsim: error:") and "\n" not in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["bad.yaml"] if overlay_text else [])


def test_base_overlay_applies_to_every_option(tmp_path):
    from dispatch.compare import load_options
    cases = load_options(CONFIGS / "default.yaml", [CONFIGS / "options" / "battery.yaml"],
                         base_overlays=[CONFIGS / "variants" / "copper_plate.yaml"])
    assert [c.system.network for _, _, c in cases] == [None, None]
    assert "extra_lfp_2h" in [x.name for x in cases[1][2].system.storage]
    plain = load_options(CONFIGS / "default.yaml", [CONFIGS / "options" / "battery.yaml"])
    assert all(c.system.network["model"] == "dc" for _, _, c in plain)


def test_jobs_give_the_same_rows(tmp_path):
    # two options on 2 hours of the small case, sequential and in two worker processes
    args = [str(CONFIGS / "small.yaml"), str(CONFIGS / "options" / "carbon_200.yaml"), "--hours", "2", "--quiet"]
    assert main(["compare", *args, "--out", str(tmp_path / "a")]) == 0
    assert main(["compare", *args, "--jobs", "2", "--out", str(tmp_path / "b")]) == 0
    a, b = (json.loads((tmp_path / x / "compare.json").read_text()) for x in "ab")
    for ra, rb in zip(a, b):
        assert ra["total_cost"] == pytest.approx(rb["total_cost"], rel=1e-9)
        assert ra["co2_t"] == pytest.approx(rb["co2_t"], rel=1e-9)
    assert main(["compare", *args, "--jobs", "0", "--out", str(tmp_path / "c")]) == 2
