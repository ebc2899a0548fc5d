"""Converters from external instance formats to npsim case files (case.yaml + profiles.csv).

`FORMATS` maps the format name used by `npsim convert FORMAT SOURCE OUTDIR` to a function
`convert(source_path, outdir) -> Path of the written case.yaml`.
"""
from dispatch.convert.pglib import convert_pglib

FORMATS = {
    "pglib-uc": convert_pglib,
}

__all__ = ["FORMATS", "convert_pglib"]
