"""Value types of triage: what the call-taker is shown."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from lifeline.triage.cues import Cue
from lifeline.triage.extract import Entities
from lifeline.vocabulary import Channel

CHANNELS = tuple(c.value for c in Channel)


@dataclass
class TriageResult:
    disposition: str
    category: str
    category_zh: str
    priority: int
    destinations: list[str]
    confidence: float
    reasons: list[str]
    cues: list[Cue] = field(default_factory=list)
    entities: Entities = field(default_factory=Entities)
    callback_required: bool = False
    needs_confirmation: bool = False
    model_category: str | None = None
    police_probability: float = 0.0
    text: str = ""
    request_category: str | None = None  # what the caller asked for, when a present danger decided instead
    model_version: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["cues"] = [{**asdict(c), "name": c.name, "active": c.active} for c in self.cues]
        return data

    def suggestion(self) -> dict:
        """What is kept beside the call-taker's decision, and answered with every intake."""
        return {
            "disposition": self.disposition,
            "category": self.category,
            "priority": self.priority,
            "destinations": list(self.destinations),
            "confidence": round(self.confidence, 4),
            "reasons": list(self.reasons),
            "needs_confirmation": self.needs_confirmation,
            "callback_required": self.callback_required,
            "cues": [c.name for c in self.cues if c.active],
            "entities": asdict(self.entities),
            "request_category": self.request_category,
            "model": self.model_version,
        }

    def contract(self, item_id) -> dict:
        """The stable JSONL shape other tools depend on (lifeline triage --jsonl)."""
        return {
            "id": item_id,
            "disposition": self.disposition,
            "category": self.category,
            "priority": self.priority,
            "destinations": self.destinations,
            "confidence": round(self.confidence, 4),
            "reasons": self.reasons,
        }
