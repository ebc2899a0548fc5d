"""Package data: the default system (default.yaml), the case `npsim run` simulates by default."""
