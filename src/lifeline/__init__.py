"""lifeline: the 110 alarm service desk and its bridge to the 12345 hotline."""

__version__ = "0.1.0"
