"""Joins grid, profiles and storage: case loading, MILP engine, rolling simulation, checker,
results, reports and the `npsim` command line."""
