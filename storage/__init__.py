"""Storage physics (batteries, pumped hydro, hydro reservoirs) over arrays.

Sits between `profiles` and `dispatch` in the import order: `storage.formulation` adds the
storage rows to any builder with the `dispatch.builder.Builder` interface and imports nothing
from `dispatch`.
"""
