"""What a call-taker's decision means in full (pure): the fields they did not name are filled from the suggestion,
keeping its facts, and an override that serves the caller less needs a reason.

A key press says only a disposition. "Joint" on a knife fight keeps the crime (its category and its priority) and
adds the linkage units; "police" on a diverted matter needs a police category, and takes a general one when the
suggestion had none; the console, the API and the simulator all decide through here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.taxonomy.models import POLICE_SIDE, Taxonomy

# When the suggested category cannot carry the chosen disposition, the decision takes the general one.
GENERAL = {"police": "public_order", "joint": "public_order", "divert": "consultation", "invalid": "nuisance"}
# Destinations that are not linkage units: police, traffic police, the hotline and the governance centre.
NOT_LINKAGE = frozenset({"110", "122", "12345", "governance_centre"})
# A joint decision that names no linkage unit calls an ambulance: injury is the commonest reason to go joint.
DEFAULT_LINKAGE = "120"


@dataclass(frozen=True)
class Chosen:
    category: str
    disposition: str
    priority: int
    destinations: list[str]

    def as_dict(self) -> dict:
        return {
            "category": self.category,
            "disposition": self.disposition,
            "priority": self.priority,
            "destinations": list(self.destinations),
        }


def carries(tax: Taxonomy, category: str, disposition: str) -> bool:
    """Whether an incident of `category` can be handled with `disposition`."""
    own = tax.categories[category].disposition
    if disposition == "police":
        return own in POLICE_SIDE
    if disposition == "joint":
        return own != "invalid"
    return own == disposition


def complete(
    tax: Taxonomy,
    suggestion: dict,
    disposition: str | None = None,
    category: str | None = None,
    priority: int | None = None,
    destinations: list[str] | None = None,
) -> Chosen:
    """The whole decision from what was named; unknown codes are left for the caller to reject."""
    disposition = disposition or suggestion["disposition"]
    kept = category is None and carries(tax, suggestion["category"], disposition)
    if category is None:
        category = suggestion["category"] if kept else GENERAL[disposition]
    own = tax.categories.get(category)
    if priority is None:
        priority = suggestion["priority"] if kept else (own.priority if own else 4)
        if own is not None and disposition in POLICE_SIDE:
            priority = min(priority, own.priority)  # never less urgent than the category's floor
    if destinations is None:
        destinations = _destinations(suggestion, disposition, own.destinations if own else (), kept)
    return Chosen(category, disposition, priority, list(destinations))


def _destinations(suggestion: dict, disposition: str, own: tuple[str, ...], kept: bool) -> list[str]:
    if disposition == "invalid":
        return []
    base = list(suggestion["destinations"]) if kept else list(own)
    if disposition == "police":
        keep = [d for d in base if d in NOT_LINKAGE] if suggestion["disposition"] == "joint" else base
        return list(dict.fromkeys(["110", *keep]))
    if disposition == "joint":
        joint = list(dict.fromkeys(["110", *base, *own]))
        if not any(d not in NOT_LINKAGE for d in joint):
            joint.append(DEFAULT_LINKAGE)
        return joint
    return base


def overrides(suggestion: dict, chosen: Chosen) -> list[str]:
    """What the decision changed from the suggestion."""
    return sorted(k for k, v in chosen.as_dict().items() if v != suggestion[k])


def needs_reason(suggestion: dict, chosen: Chosen) -> list[str]:
    """The changes that serve the caller less, each of which needs a reason: leaving the police side, closing as
    invalid, a less urgent priority, another category for a police matter, a linkage unit of a police matter left
    out. Sending more (a diverted matter to police, police to joint) needs none."""
    why = []
    police_before = suggestion["disposition"] in POLICE_SIDE
    if (police_before and chosen.disposition not in POLICE_SIDE) or (
        chosen.disposition == "invalid" and suggestion["disposition"] != "invalid"
    ):
        why.append("disposition")
    if chosen.priority > suggestion["priority"]:
        why.append("priority")
    if police_before and chosen.category != suggestion["category"]:
        why.append("category")
    if (
        police_before
        and chosen.disposition in POLICE_SIDE
        and set(suggestion["destinations"]) - set(chosen.destinations)
    ):
        why.append("destinations")
    return why
