"""Desk flows: the only place where a move crosses rooms (a call becomes work; orders move incidents)."""
