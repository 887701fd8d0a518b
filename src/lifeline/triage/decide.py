"""From model probabilities and safety cues to a decision. Pure: no I/O, no globals but tables.

The order of authority: a safety cue that says a life may be at risk beats the model; when the
model is unsure between police and non-police, police wins and a person confirms; a silent or
cut-off call is never closed without a call-back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lifeline.taxonomy import POLICE_SIDE, Taxonomy
from lifeline.triage.cues import FAMILIES, Cue
from lifeline.triage.extract import Entities
from lifeline.triage.models import TriageResult

# Default bar for doubt: with at least this much probability on police/joint categories, a
# non-police top answer is not trusted. Train.py measures a better one out of fold and stores it
# in the model's metadata.
DEFAULT_DOUBT = 0.3

_SILENT = re.compile(
    r"无声|没人说话|无人说话|不说话|没有声音|没声音|只有呼吸|喘气声|呼吸声|小声|低声|压低声音|耳语|悄悄|"
    r"听不清|断断续续|挂断|挂了|断线|掉线|信号不好|忙音|嘟嘟|静音|背景音|没人应答|无应答|喂{2,}"
)
_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# Priority 1 is "a crime in progress", priority 2 "a crime that just happened" (taxonomy).
_IN_PROGRESS = re.compile(r"正在|还在|就在|现在|此刻")
_JUST_NOW = re.compile(r"刚刚|刚才|刚[被让把]")
_CRIMES = {"theft", "fraud", "public_order", "sexual_offense", "traffic_violation", "tip_off"}

# Keyword refinements of destinations: (category, pattern, destination, how): "narrow" picks the
# utility that is meant among the category's list; "add" joins a unit that the words call for.
_DESTINATION_HINTS: tuple[tuple[str, str, str, str], ...] = (
    ("utility_outage", r"停电|没电|断电|电闸|跳闸|电表|供电|电压", "power", "narrow"),
    ("utility_outage", r"停水|没水|水压|断水|供水|自来水|水管|水表", "water", "narrow"),
    ("utility_outage", r"燃气|煤气|天然气|打不着火|灶", "gas", "narrow"),
    ("utility_outage", r"暖气|供暖|供热|采暖|地暖|暖气片", "heating", "narrow"),
    (
        "environment_city",
        r"污染|排污|废气|污水|粉尘|异味|臭味|气味|油烟|黑烟|废水|化工|焚烧|烧垃圾",
        "environment",
        "narrow",
    ),
    ("environment_city", r"违建|违章|搭建|占道|摆摊|摊贩|小贩|广告|垃圾|渣土|乱堆", "urban_management", "narrow"),
    ("disaster_rescue", r"电梯", "elevator_rescue", "add"),
    ("public_hazard", r"电线|高压线|漏电|触电|变压器|电缆", "power", "add"),
    ("public_hazard", r"危房|墙体|房子.{0,4}(?:塌|裂)|楼.{0,4}(?:塌|裂)", "housing", "add"),
    ("public_hazard", r"路面|马路|公路|高速|车道|路中间", "122", "add"),
)
_HINTS = [(c, re.compile(p), d, how) for c, p, d, how in _DESTINATION_HINTS]


def destinations_for(category: str, defaults: Sequence[str], text: str) -> list[str]:
    dests = list(defaults)
    narrowed = [d for c, p, d, how in _HINTS if c == category and how == "narrow" and p.search(text)]
    if narrowed:
        dests = [d for d in dests if d not in _narrowable(category) or d in narrowed]
    for c, p, d, how in _HINTS:
        if c == category and how == "add" and d not in dests and p.search(text):
            dests.append(d)
    return dests


def _narrowable(category: str) -> set[str]:
    return {d for c, _, d, how in _DESTINATION_HINTS if c == category and how == "narrow"}


def is_silent(text: str) -> bool:
    """Nothing said, or the record says the line was silent, whispered or cut off."""
    meaningful = _MEANINGFUL.findall(text)
    return len(meaningful) < 2 or (len(meaningful) < 40 and bool(_SILENT.search(text)))


def police_probability(
    probabilities: Sequence[float], classes: Sequence[str], gate: float, taxonomy: Taxonomy, how: str = "mean"
) -> float:
    """Police or not, from the gate and the category head. "mean" averages the gate with the category head's police
    and joint mass: out of fold by writer, on writers the model never saw, the average separates police calls from
    the rest better than either head alone (AUC 0.991 against 0.984 for the gate). "gate" is the gate alone, as
    models before it were trained; a model records which it was trained with, and is read the same way."""
    if how == "gate":
        return float(gate)
    police_mass = sum(float(p) for c, p in zip(classes, probabilities, strict=True) if taxonomy.category(c).police_side)
    return (float(gate) + police_mass) / 2


def _pct(p: float) -> str:
    return f"{p:.0%}"


def decide(
    text: str,
    probabilities: Sequence[float],
    classes: Sequence[str],
    cues: Sequence[Cue],
    taxonomy: Taxonomy,
    entities: Entities | None = None,
    police_probability: float | None = None,
    doubt: float = DEFAULT_DOUBT,
    notes: Sequence[str] = (),
    urgent_probability: float = 0.0,
    urgent_bar: float | None = None,
    context_bar: float = 0.0,
    raise_bar: float = 1.01,
    model_version: str | None = None,
) -> TriageResult:
    """Decide disposition, category, priority and destinations, with reasons a person can read.

    `police_probability` is the answer to "police or not" (see `police_probability`); without it, the category
    probabilities of the police and joint categories are summed. `urgent_probability` is the
    priority-1 head's answer; at or above `urgent_bar` a police or joint call becomes priority 1.
    Each cue's `literal` is the context model's reading: below `context_bar` a cue is not counted, but only when
    every cue the rules count is below it and nothing else points to police; a cue the rules discount (denied, past,
    a story) that the context reads at or above `raise_bar` becomes a doubt.
    """
    probs = dict(zip(classes, (float(p) for p in probabilities), strict=True))
    model_top = max(probs, key=probs.__getitem__)
    police_p = (
        police_probability
        if police_probability is not None
        else sum(p for c, p in probs.items() if taxonomy.category(c).police_side)
    )
    reasons: list[str] = list(notes)
    entities = entities or Entities()

    counted = [c for c in cues if c.active]
    doubtful = [c for c in cues if c.doubtful]
    raised = [c for c in cues if (c.negated or c.past or c.fiction) and (c.literal or 0.0) >= raise_bar]
    lowered = _lowered(counted, doubtful, raised, context_bar, police_p, doubt)
    active = [c for c in counted if c not in lowered]
    doubtful += raised
    for c in cues:
        if c in lowered:
            reasons.append(f"“{c.text}”按语境不是眼前的险情（{c.name}，字面可能性 {_pct(c.literal)}），不计入")
        elif c in raised:
            reasons.append(f"“{c.text}”字面上被否定或是往事，但语境像真实险情（{_pct(c.literal)}），需核实")
        elif c.negated:
            reasons.append(f"“{c.text}”为否定表述，不计为{c.name}")
        elif c.fiction:
            reasons.append(f"“{c.text}”出现在玩笑/影视/游戏或比喻语境，不计为{c.name}")
        elif c.past:
            reasons.append(f"“{c.text}”是过去发生的事，不按正在发生的险情处理")
        elif not c.active:
            reasons.append(f"“{c.text}”只作疑点（弱线索、险些、担心或提问），需核实")

    category = model_top
    request_category = None
    confirmation = False
    if active:
        families = list(dict.fromkeys(c.family for c in active))
        names = "、".join(dict.fromkeys(f"{c.name}（{c.text}{_reading(c)}）" for c in active))
        reasons.append(f"安全线索：{names}，按规则留在警务处置")
        if not taxonomy.category(model_top).police_side:
            # Present danger beats the request: the call-taker sees both, the danger decides.
            candidates = [cat for f in families for cat in FAMILIES[f][1] if cat in probs]
            category = max(candidates, key=lambda c: (probs[c], -candidates.index(c)))
            request_category = model_top
            reasons.append(
                f"来电所求为“{taxonomy.category(model_top).zh}”，但有眼前的险情，改判为“{taxonomy.category(category).zh}”"
            )
        if any(c.hearsay for c in active):
            confirmation = True
            reasons.append("线索来自传闻，需核实")
    elif not taxonomy.category(model_top).police_side:
        bar = doubt / 2 if doubtful else doubt
        if police_p >= bar:
            police_cats = [c for c in probs if taxonomy.category(c).police_side]
            category = max(police_cats, key=probs.__getitem__)
            confirmation = True
            why = f"，且有疑似线索“{doubtful[0].text}”" if doubtful else ""
            reasons.append(
                f"模型在警务与非警务之间不确定（警务可能性 {_pct(police_p)}{why}），"
                f"按“{taxonomy.category(category).zh}”交警务处理，需人工确认"
            )
        elif is_silent(text) and "misdial" in probs and model_top != "misdial":
            category = "misdial"
            reasons.append("来电几乎无内容，按无声来电处理")

    cat = taxonomy.category(category)
    disposition = cat.disposition
    destinations = destinations_for(category, cat.destinations, text)
    priority = cat.priority

    active_families = {c.family for c in active}
    if disposition in POLICE_SIDE and active_families & {"injury", "unresponsive"} and "120" not in destinations:
        disposition, destinations = "joint", [*destinations, "120"]
        reasons.append("有人受伤或意识不清，联动 120")
    if disposition in POLICE_SIDE and "fire" in active_families and "119" not in destinations:
        disposition, destinations = "joint", [*destinations, "119"]
        reasons.append("有火情，联动 119")
    if disposition in POLICE_SIDE and "gas" in active_families:
        added = [d for d in ("119", "gas") if d not in destinations]
        if added:
            disposition, destinations = "joint", [*destinations, *added]
            reasons.append("有燃气泄漏迹象，联动 119 与燃气公司")

    if active:
        urgent_now = any(FAMILIES[c.family][2] and not c.hearsay for c in active)
        priority = min(priority, 1 if urgent_now else 2)
    elif category in _CRIMES and _IN_PROGRESS.search(text):
        priority = 1
        reasons.append("违法行为正在进行，一级")
    elif category in _CRIMES and _JUST_NOW.search(text):
        priority = min(priority, 2)
    if disposition in POLICE_SIDE and priority > 1 and urgent_bar is not None and urgent_probability >= urgent_bar:
        priority = 1
        reasons.append(f"模型判断情况紧急（可能性 {_pct(urgent_probability)}），一级")

    callback = False
    if disposition == "invalid" and (category == "misdial" or is_silent(text)):
        callback = True
        reasons.append("疑似无声、耳语或中断来电：不得直接按无效结案，需回拨确认")

    if not any(r.startswith("模型") for r in reasons):
        reasons.insert(len(notes), f"模型判断：{cat.zh}（{_pct(probs.get(category, 0.0))}）")
    if entities.address_text:
        reasons.append(f"地址：{entities.address_text}")

    return TriageResult(
        disposition=disposition,
        category=category,
        category_zh=cat.zh,
        priority=priority,
        destinations=destinations,
        confidence=round(probs.get(category, 0.0), 4),
        reasons=reasons,
        cues=list(cues),
        entities=entities,
        callback_required=callback,
        needs_confirmation=confirmation,
        model_category=model_top,
        police_probability=round(police_p, 4),
        text=text,
        request_category=request_category,
        model_version=model_version,
    )


def _lowered(counted, doubtful, raised, bar, police_p, doubt) -> list:
    """The cues the context lowers: all the counted ones or none, and never when anything else points to danger."""
    if not counted or doubtful or raised or police_p >= doubt:
        return []
    if all(c.literal is not None and c.literal < bar for c in counted):
        return counted
    return []


def _reading(cue) -> str:
    return "" if cue.literal is None else f"，语境 {_pct(cue.literal)}"
