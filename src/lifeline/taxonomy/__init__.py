"""Categories, dispositions, priorities and destinations of calls (data + loader)."""

from lifeline.taxonomy.loader import TaxonomyError, default, load, parse
from lifeline.taxonomy.models import DISPOSITIONS, POLICE_SIDE, PRIORITIES, Category, Taxonomy

__all__ = [
    "DISPOSITIONS",
    "POLICE_SIDE",
    "PRIORITIES",
    "Category",
    "Taxonomy",
    "TaxonomyError",
    "default",
    "load",
    "parse",
]
