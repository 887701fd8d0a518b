"""Repeat trouble at one address or between the same parties: governance cases referred to the 综治中心."""
