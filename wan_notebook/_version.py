"""The package version (read by hatch for the wheel)."""

__version__ = "0.1.0"
