"""The catalogue in force, and how it changes: one centre proposes a whole document, the other approves it.

Version 1 is the shipped default.yaml. It is read as the version in force while no version is stored (a new
database, or one emptied and restored), and written as row 1, in force, just before the first proposal: reads
never write, and every stored number means the same document on both deployments, which ship the same file.

A 110 centre's supervisor proposes and a 12345 centre's supervisor approves, or the other way round; the same
centre never approves its own. Which centre a person speaks for is the centre above their organisation, else the
role this deployment plays. With two deployments, a proposal and its approval travel as signed peer messages
(catalogue.propose, catalogue.decide): the views name the peer, the receiver applies them here (`receive_*`).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifeline.auth.models import Organisation
from lifeline.auth.service import Principal, require, under
from lifeline.catalogue import excel
from lifeline.catalogue import items as catalogue_items
from lifeline.catalogue.items import Catalogue, CatalogueError, Item
from lifeline.catalogue.match import Suggestion, suggest
from lifeline.catalogue.models import IN_FORCE, PROPOSED, REJECTED, SUPERSEDED, CatalogueVersion, Consultation
from lifeline.diversion.models import WorkOrder
from lifeline.errors import Conflict, Forbidden, Invalid, NotFound
from lifeline.incidents.models import Incident
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.store.engine import forget, once

SIDES = ("110", "12345")
PeerFor = Callable[[str], str | None] | None
CENTRE_OF = {"110": "centre_110", "12345": "centre_12345"}


@dataclass(frozen=True)
class Current:
    """The catalogue in force: its version number, its identity and its items."""

    number: int
    sha256: str
    catalogue: Catalogue


# Per process and database: (database, row id, sha256) → Current. The document is parsed again only when a new
# version comes into force (the row id alone may come back after a restore).
_lock = threading.Lock()
_loaded: dict[tuple, Current] = {}


CURRENT = "catalogue.current"


def current(session: Session) -> Current:
    """The version in force (the shipped one while none is stored), read once per transaction."""
    return once(session, CURRENT, lambda: _current(session))


def _current(session: Session) -> Current:
    row = session.execute(
        select(CatalogueVersion.id, CatalogueVersion.number, CatalogueVersion.sha256)
        .where(CatalogueVersion.state == IN_FORCE)
        .order_by(CatalogueVersion.number.desc())
        .limit(1)
    ).first()
    if row is None:
        shipped = catalogue_items.shipped()
        return Current(1, shipped.sha256, shipped)
    key = (str(session.get_bind().url), row.id, row.sha256)
    with _lock:
        if key not in _loaded:
            document = session.scalar(select(CatalogueVersion.document).where(CatalogueVersion.id == row.id))
            stored = catalogue_items.from_data(json.loads(document), f"v{row.number}", stored=True)
            loaded = Current(row.number, row.sha256, stored)
            for old in [k for k in _loaded if k[0] == key[0]]:
                del _loaded[old]
            _loaded[key] = loaded
        return _loaded[key]


def suggest_for(session: Session, text: str, category: str, normalised: bool = True) -> tuple[int, Suggestion | None]:
    """The version in force and the item it suggests for a call's words within its category."""
    now = current(session)
    return now.number, suggest(text, category, now.catalogue, normalised=normalised)


def synonyms(session: Session) -> dict[str, list[str]]:
    """Each item's name and the words callers use for it, for the knowledge base's search to widen a query."""
    return {i.name: list(i.synonyms) for i in current(session).catalogue.items}


def item(session: Session, code: str | None) -> Item | None:
    """An item of the version in force (None for no code or a code it no longer has)."""
    return current(session).catalogue.get(code) if code else None


def owner_names(session: Session) -> dict[str, str]:
    """Destination → the name of the local organisation that serves it (the first one)."""
    names: dict[str, str] = {}
    for serves, name in session.execute(
        select(Organisation.serves, Organisation.name).where(Organisation.serves.is_not(None)).order_by(Organisation.id)
    ):
        names.setdefault(serves, name)
    return names


def owners_known(session: Session) -> set[str]:
    """Owner codes the routing knows beyond the taxonomy: what local organisations serve."""
    return set(session.scalars(select(Organisation.serves).where(Organisation.serves.is_not(None))))


def read(session: Session, raw: dict | str | bytes, source: str) -> Catalogue:
    """A proposed document, checked; a bad one is a 422 naming the item and the field."""
    try:
        if isinstance(raw, dict):
            return catalogue_items.from_data(raw, source, owners_known(session))
        if isinstance(raw, bytes):
            return excel.read(raw, source, owners_known(session))
        return catalogue_items.parse(raw, source, owners_known(session))
    except CatalogueError as exc:
        raise Invalid(
            f"诉求事项清单有误 / the catalogue is not valid: {exc}", where=exc.where, field=exc.field
        ) from exc


def side_of(session: Session, actor: Principal, here: str) -> str:
    """The centre a person speaks for: the centre above their organisation, else this deployment's role."""
    for side in SIDES:
        if actor.org_id and under(session, actor.org_id, CENTRE_OF[side]):
            return side
    if here in SIDES:
        return here
    raise Forbidden(
        "您不属于 110 或 12345 中心，不能代表一方提出或审批清单变更 / you belong to neither the 110 nor the 12345"
        " centre: a catalogue change is proposed by one centre and approved by the other"
    )


def other(side: str) -> str:
    return "12345" if side == "110" else "110"


def versions(session: Session, actor: Principal) -> list[CatalogueVersion]:
    require(actor, "catalogue.read")
    rows = list(session.scalars(select(CatalogueVersion).order_by(CatalogueVersion.number.desc())))
    return rows or [_shipped_row()]  # the shipped version, not yet written (never written by a read)


def catalogue_of(row: CatalogueVersion) -> Catalogue:
    return catalogue_items.from_data(json.loads(row.document), f"v{row.number}", stored=True)


def get(session: Session, number: int, *, lock: bool = False) -> CatalogueVersion:
    query = select(CatalogueVersion).where(CatalogueVersion.number == number)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"清单版本 {number} 不存在 / catalogue version {number} does not exist")
    return row


def _shipped_row() -> CatalogueVersion:
    shipped = catalogue_items.shipped()
    return CatalogueVersion(number=1, name=shipped.name, items=len(shipped.items), document=shipped.canonical,
                            sha256=shipped.sha256, state=IN_FORCE, source="shipped", proposed_side="both",
                            proposed_by="system", proposed_at=utcnow(), approved_by="system", approved_at=utcnow(),
                            note="随软件发布 shipped")  # fmt: skip


def _materialise(session: Session) -> None:
    """Row 1, the shipped catalogue in force, before the first stored version."""
    if session.scalar(select(func.count()).select_from(CatalogueVersion)):
        return
    row = _shipped_row()
    session.add(row)
    session.flush()
    events.append(session, "catalogue.in_force", {"number": 1, "sha256": row.sha256, "source": "shipped"},
                  actor="system")  # fmt: skip


def _org_code(session: Session, actor: Principal) -> str | None:
    return session.scalar(select(Organisation.code).where(Organisation.id == actor.org_id)) if actor.org_id else None


def propose(
    session: Session,
    actor: Principal,
    here: str,
    catalogue: Catalogue,
    source: str,
    note: str = "",
    peer_for: PeerFor = None,
) -> CatalogueVersion:
    """A whole new catalogue, proposed by the actor's centre; it routes nothing until the other centre approves.
    `peer_for(role)` names the deployment that plays a role (None when this process does): when the other centre
    is one, the proposal is sent there to be approved."""
    require(actor, "catalogue.propose")
    side = side_of(session, actor, here)
    peer = peer_for(other(side)) if peer_for else None
    _materialise(session)
    if catalogue.sha256 == current(session).sha256:
        raise Conflict("与现行清单相同，无需变更 / the same as the catalogue in force: nothing to change")
    pending = session.scalar(
        select(CatalogueVersion.number).where(
            CatalogueVersion.state == PROPOSED, CatalogueVersion.sha256 == catalogue.sha256
        )
    )
    if pending is not None:
        raise Conflict(
            f"相同内容已提出为版本 {pending}，待审批 / the same document is version {pending}, awaiting approval"
        )
    number = (session.scalar(select(func.max(CatalogueVersion.number))) or 0) + 1
    row = _store(session, number, catalogue, side, actor.username, _org_code(session, actor), source, note)
    changes = catalogue_items.diff(current(session).catalogue, catalogue)
    message = None
    if peer is not None:
        body = {"number": number, "sha256": catalogue.sha256, "document": catalogue.to_data(), "side": side,
                "proposed_by": actor.username, "proposed_org": row.proposed_org, "note": note}  # fmt: skip
        message = {"kind": "catalogue.propose", "body": body}
    _event(session, actor.username, "catalogue.proposed", row, peer, message, changes=changes)
    return row


def _store(session, number, catalogue, side, by, org, source, note) -> CatalogueVersion:
    row = CatalogueVersion(number=number, name=catalogue.name, items=len(catalogue.items), document=catalogue.canonical,
                           sha256=catalogue.sha256, state=PROPOSED, source=source[:64], proposed_side=side,
                           proposed_by=by[:64], proposed_org=org, proposed_at=utcnow(), note=note)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _event(session, actor: str, kind: str, row: CatalogueVersion, peer, message, **extra) -> None:
    payload = {"number": row.number, "sha256": row.sha256, "state": row.state, "side": row.proposed_side, **extra}
    if message is not None:
        payload["message"] = message
    events.append(session, kind, payload, actor=actor, to_peer=peer if message is not None else None)


def approve(
    session: Session, actor: Principal, here: str, number: int, peer_for: PeerFor = None, note: str = ""
) -> CatalogueVersion:
    """The other centre approves: the version comes into force and the one before is superseded. When the
    proposing centre is another deployment, the approval is sent there, so both hold the same version."""
    require(actor, "catalogue.approve")
    row = _open(session, number)
    side = side_of(session, actor, here)
    peer = peer_for(row.proposed_side) if peer_for and row.proposed_side in SIDES else None
    if side == row.proposed_side:
        raise Forbidden(
            f"版本 {number} 由 {side} 中心提出，须由另一方中心审批 / version {number} was proposed by the {side}"
            " centre: the other centre approves it"
        )
    _decide(session, row, True, actor.username, _org_code(session, actor), note)
    message = _decision_message(row, True, note) if peer else None
    _event(session, actor.username, "catalogue.approved", row, peer, message, org=row.approved_org)
    return row


def reject(
    session: Session, actor: Principal, here: str, number: int, reason: str, peer_for: PeerFor = None
) -> CatalogueVersion:
    """Either centre may turn a proposal down (the proposer withdraws it, the other refuses it), with a reason."""
    require(actor, "catalogue.approve")
    if not reason.strip():
        raise Invalid("驳回须填写理由 / a reason is required to reject a proposal")
    row = _open(session, number)
    side = side_of(session, actor, here)
    # The other deployment holds the proposal too: the proposer's when the other centre refuses, and vice versa.
    other_side = other(side) if side == row.proposed_side else row.proposed_side
    peer = peer_for(other_side) if peer_for else None
    _decide(session, row, False, actor.username, _org_code(session, actor), reason.strip())
    message = _decision_message(row, False, reason.strip()) if peer else None
    _event(session, actor.username, "catalogue.rejected", row, peer, message, reason=reason.strip())
    return row


def _open(session: Session, number: int) -> CatalogueVersion:
    row = get(session, number, lock=True)
    if row.state != PROPOSED:
        raise Conflict(f"版本 {number} 为 {row.state}，不在待审批 / version {number} is {row.state}, not proposed")
    return row


def _decide(session: Session, row: CatalogueVersion, approved: bool, by: str, org: str | None, note: str) -> None:
    now = utcnow()
    if approved:
        for old in session.scalars(select(CatalogueVersion).where(CatalogueVersion.state == IN_FORCE)):
            old.state, old.superseded_at = SUPERSEDED, now
        row.state, row.approved_by, row.approved_org, row.approved_at = IN_FORCE, by[:64], org, now
        forget(session, CURRENT)
    else:
        row.state, row.rejected_by, row.rejected_at = REJECTED, by[:64], now
        row.note = f"{row.note}\n驳回 rejected: {note}".strip()
    session.flush()


def _decision_message(row: CatalogueVersion, approved: bool, note: str) -> dict:
    at = (row.approved_at if approved else row.rejected_at).isoformat()
    by, org = (row.approved_by, row.approved_org) if approved else (row.rejected_by, None)
    body = {"number": row.number, "sha256": row.sha256, "approved": approved, "at": at, "note": note, "by": by,
            "org": org}  # fmt: skip
    return {"kind": "catalogue.decide", "body": body}


# From the peer ----------------------------------------------------------------------------------------------


def receive_proposal(session: Session, peer: str, sent) -> CatalogueVersion:
    """catalogue.propose: the other centre's proposal, kept here to be approved (its document checked again)."""
    catalogue = read(session, sent.document, f"{peer} v{sent.number}")
    if catalogue.sha256 != sent.sha256:
        raise Invalid(f"版本 {sent.number} 的 sha256 与内容不符 / version {sent.number}: sha256 does not match")
    _materialise(session)
    existing = session.scalar(select(CatalogueVersion).where(CatalogueVersion.number == sent.number))
    if existing is not None:
        if existing.sha256 == sent.sha256:
            return existing  # a resend
        raise Conflict(
            f"本端已有不同内容的版本 {sent.number} / version {sent.number} here holds another document: both centres"
            " proposed at once; reject one and propose again"
        )
    row = _store(session, sent.number, catalogue, sent.side, f"{peer}:{sent.proposed_by}", sent.proposed_org,
                 f"peer:{peer}", sent.note)  # fmt: skip
    _event(session, f"peer:{peer}", "catalogue.proposed", row, None, None, sender=peer)
    return row


def receive_decision(session: Session, peer: str, sent) -> CatalogueVersion:
    """catalogue.decide: the other centre approved (or rejected) a version proposed here."""
    row = get(session, sent.number, lock=True)
    if row.sha256 != sent.sha256:
        raise Conflict(f"版本 {sent.number} 内容不同 / version {sent.number} here holds another document")
    if (row.state in (IN_FORCE, SUPERSEDED) and sent.approved) or (row.state == REJECTED and not sent.approved):
        return row  # a resend
    if row.state != PROPOSED:
        raise Conflict(f"版本 {sent.number} 为 {row.state} / version {sent.number} is {row.state}")
    _decide(session, row, sent.approved, f"{peer}:{sent.by}", sent.org, sent.note)
    kind = "catalogue.approved" if sent.approved else "catalogue.rejected"
    _event(session, f"peer:{peer}", kind, row, None, None, sender=peer)
    return row


# 会商: matters whose owner is unclear ------------------------------------------------------------------------

# What the two desks may agree: the police keep it, or it goes to 12345 and its departments.
OWNERS = {"police": ("由公安处置", "the police keep it"), "divert": ("转 12345/职能部门", "to 12345 or a department")}


def consultation_of(session: Session, incident_id: int) -> Consultation | None:
    return session.scalar(select(Consultation).where(Consultation.incident_id == incident_id))


def held_for_consultation(session: Session, incident) -> Item | None:
    """The consult item of a matter decided divert whose owner the desks have not yet agreed (首接负责: the first
    receiver holds it meanwhile), else None."""
    found = item(session, incident.catalogue_item)
    if found is None or found.rule != "consult" or incident.disposition != "divert":
        return None
    earlier = consultation_of(session, incident.id)
    return None if earlier is not None and earlier.state == "agreed" else found


def open_consultation(session: Session, actor: Principal, incident_id: int, found: Item) -> Consultation:
    """A consultation on the matter (one per incident: a second decision finds the open one)."""
    row = consultation_of(session, incident_id)
    if row is not None:
        return row
    row = Consultation(incident_id=incident_id, item=found.code, catalogue_version=current(session).number,
                       state="open", opened_by=actor.username, three_way=False, other_party="", record="")  # fmt: skip
    session.add(row)
    session.flush()
    events.append(session, "consultation.opened", {"consultation": row.id, "item": found.code},
                  actor=actor.username, incident_id=incident_id)  # fmt: skip
    return row


def agree(
    session: Session, actor: Principal, consultation_id: int, owner: str, record: str, other_party: str,
    three_way: bool,
) -> Consultation:  # fmt: skip
    """The desks' agreement on who owns the matter, with who agreed for the other desk and how."""
    require(actor, "consultation.agree")
    row = session.scalar(select(Consultation).where(Consultation.id == consultation_id).with_for_update())
    if row is None:
        raise NotFound(f"没有会商 {consultation_id} / no consultation {consultation_id}")
    if row.state != "open":
        raise Conflict(f"会商 {consultation_id} 已达成一致 / consultation {consultation_id} is already agreed")
    if owner not in OWNERS:
        raise Invalid(f"权属须为 {', '.join(OWNERS)} / owner must be one of {', '.join(OWNERS)}")
    if not record.strip() or not other_party.strip():
        raise Invalid("请记录会商经过和对方经办人 / record what was agreed and who agreed for the other desk")
    row.state, row.owner, row.record, row.other_party = "agreed", owner, record.strip(), other_party.strip()
    row.three_way, row.agreed_by, row.agreed_at = three_way, actor.username, utcnow()
    events.append(session, "consultation.agreed",
                  {"consultation": row.id, "owner": owner, "three_way": three_way, "other_party": row.other_party,
                   "record": row.record}, actor=actor.username, incident_id=row.incident_id)  # fmt: skip
    return row


def propose_from(
    session: Session, actor: Principal, here: str, row: Consultation, peer_for: PeerFor = None
) -> CatalogueVersion:
    """A settled dispute as a catalogue change: the item becomes a one-click transfer to the agreed owner."""
    now = current(session).catalogue
    found = now.get(row.item)
    if found is None or row.owner is None:
        raise Conflict("会商未达成一致或事项已不在现行清单 / not agreed, or the item is no longer in force")
    police = row.owner == "police"
    owner = ("110", *[o for o in found.owner if o != "110"]) if police else tuple(o for o in found.owner if o != "110")
    changed = dataclasses.replace(found, rule="transfer", owner=owner or found.owner, limit="police" if police
                                  else (found.limit if found.limit != "police" else "help"))  # fmt: skip
    edited = dataclasses.replace(now, items=tuple(changed if i.code == found.code else i for i in now.items))
    proposed = read(session, edited.to_data(), "consultation")  # checked as any proposal is
    note = f"会商 #{row.id}（警情 #{row.incident_id}）一致：{OWNERS[row.owner][0]}；{row.record}"
    version = propose(session, actor, here, proposed, "consultation", note, peer_for)
    row.proposal = version.number
    return version


# Figures by item ----------------------------------------------------------------------------------------------


def by_item(session: Session, since, until, within=None) -> list[dict]:
    """Matters received in [since, until) per catalogue item: how many, how many were diverted, and how many work
    orders each raised; `within` narrows to the incidents a reader may see. Largest first."""
    matters = select(Incident.catalogue_item, Incident.disposition, func.count()).where(
        Incident.received_at >= since, Incident.received_at < until, Incident.catalogue_item.is_not(None)
    )
    if within is not None:
        matters = matters.where(within)
    counts: dict[str, dict] = {}
    for code, disposition, n in session.execute(matters.group_by(Incident.catalogue_item, Incident.disposition)):
        row = counts.setdefault(code, {"item": code, "matters": 0, "diverted": 0, "orders": 0})
        row["matters"] += n
        row["diverted"] += n if disposition == "divert" else 0
    raised = select(WorkOrder.catalogue_item, func.count()).where(
        WorkOrder.sent_at >= since, WorkOrder.sent_at < until, WorkOrder.catalogue_item.is_not(None)
    )
    for code, n in session.execute(raised.group_by(WorkOrder.catalogue_item)):
        if code in counts:
            counts[code]["orders"] = n
    names = {i.code: i.name for i in current(session).catalogue.items}
    rows = [{**row, "name": names.get(code, code)} for code, row in counts.items()]
    return sorted(rows, key=lambda r: (-r["matters"], r["item"]))
