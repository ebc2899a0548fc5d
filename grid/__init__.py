"""Static description of a power system: YAML schema, validation, element tables.

`grid` is the leftmost package: it imports nothing from `profiles`, `storage` or `dispatch`.
"""
__version__ = "0.1.0"
