"""Joins grid, profiles and storage: case loading, MILP engine, rolling simulation, checker,
results, reports and the `npsim` command line."""
from grid import __version__  # noqa: F401  (one version for the whole distribution)
