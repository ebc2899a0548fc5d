"""Storage physics (batteries, pumped hydro, hydro reservoirs) over arrays.

Sits between `profiles` and `dispatch` in the import order. Storage elements are not part of the
case schema yet; this package fills in with the storage issue.
"""
