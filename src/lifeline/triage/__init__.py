"""Triage: from a caller's words to a safe decision. Pure functions; no database.

>>> from lifeline.triage import triage
>>> triage("楼下有人拿着菜刀追着砍人").disposition
'police'
"""

from __future__ import annotations

from dataclasses import replace

from lifeline import taxonomy as _taxonomy
from lifeline.triage.cues import Cue, find_cues
from lifeline.triage.decide import DEFAULT_DOUBT, decide, police_probability
from lifeline.triage.extract import Entities, extract
from lifeline.triage.model import Model, default_model, model_input
from lifeline.triage.models import CHANNELS, TriageResult
from lifeline.triage.normalize import normalize

__all__ = ["CHANNELS", "Cue", "Entities", "TriageResult", "triage"]


def triage(
    text: object,
    channel: str = "voice",
    *,
    model: Model | None = None,
    taxonomy: _taxonomy.Taxonomy | None = None,
) -> TriageResult:
    """Triage one call. Never raises on bad input: empty, huge, binary or odd text gets an answer."""
    clean, notes = normalize(text)
    if channel not in CHANNELS:
        notes.append(f"未知渠道“{channel}”，按语音来电处理")
        channel = "voice"
    model = model or default_model()
    taxonomy = taxonomy or _taxonomy.default()
    probabilities, gate, urgent_probability = model.predict(model_input(clean, channel))
    cues = [replace(c, literal=round(model.context.literal(clean, c), 4)) for c in find_cues(clean)]
    return decide(
        clean,
        probabilities,
        model.classes,
        cues,
        taxonomy,
        entities=extract(clean),
        police_probability=police_probability(
            probabilities, model.classes, gate, taxonomy, model.meta.get("police", "gate")
        ),
        doubt=model.meta.get("doubt", DEFAULT_DOUBT),
        urgent_probability=urgent_probability,
        urgent_bar=model.meta.get("urgent_bar"),
        context_bar=model.meta.get("context_bar", 0.0),
        raise_bar=model.meta.get("raise_bar", 1.01),
        model_version=model.meta.get("version"),
        notes=notes,
    )
