"""Package data: the built-in case (builtin.yaml)."""
