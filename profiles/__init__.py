"""Hourly series: read from CSV/Parquet, generated synthetically, checked.

`profiles` imports only `grid`. Series are 1-D float64 arrays of MW or per-unit values, one value
per hour from hour 0 of the case's data (`time.start`).
"""
