"""Case = validated System + its resolved profiles. The default system ships as package data."""
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from grid.config import load_case_dict
from grid.system import System, build_system
from profiles.series import Profiles, check_ev_profiles, check_references, load_profiles


@dataclass
class Case:
    system: System
    profiles: Profiles
    seed: int = 0            # offset added to every synthetic profile's seed

    @property
    def data_hours(self) -> int | None:
        """Hours of data the profiles cover (None when every series is a constant)."""
        return self.profiles.hours


def builtin_case_path() -> Path:
    """Path of the packaged default system (dispatch/data/default.yaml)."""
    return Path(str(resources.files("dispatch.data").joinpath("default.yaml")))


def load_case(path=None, overlays=(), seed: int = 0) -> Case:
    """Load a case file (default: the packaged default system) with optional overlay files.

    `seed` offsets the seed of every synthetic profile (0 = the case as written), so one case
    file gives many weather draws.
    """
    path = Path(path) if path else builtin_case_path()
    return case_from_document(load_case_dict(path, overlays), path, seed)


def case_from_document(doc: dict, path, seed: int = 0) -> Case:
    """A Case from a validated document (grid.config.validate); `path` names it in errors."""
    if seed:
        doc = dict(doc, profiles={k: _offset_seeds(v, seed) for k, v in doc["profiles"].items()})
    system = build_system(doc, path)
    prof = load_profiles(system)
    check_references(system, prof)
    check_ev_profiles(system, prof)
    return Case(system, prof, seed)


def _offset_seeds(spec, seed: int):
    """A synthetic profile spec with `seed` (and a shared `common_seed`) offset by `seed`."""
    if not (isinstance(spec, dict) and "synthetic" in spec):
        return spec
    out = dict(spec)
    for key in ("seed", "common_seed"):
        value = spec.get(key, 0 if key == "seed" else None)
        if isinstance(value, int) and not isinstance(value, bool):
            out[key] = value + seed
    return out
