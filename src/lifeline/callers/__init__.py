"""Caller history: repeat callers and numbers that call to harass or lie."""
