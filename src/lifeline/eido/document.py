"""NENA EIDO JSON (NENA-STA-021): one incident out as an Emergency Incident Data Object, one document in as a report.

Pure functions: no database, no network. The schema ships in `eido_schema/` (see its SOURCE.txt); nothing is read
from outside the package at run time.

The EIDO registries (incident type, incident status, location type…) are not part of the schema; where a common
registry value is required we send the plain names below and always carry our own code and wording beside them in
the matching `…Internal…` field, which is what a peer should read first.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree

import yaml
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7

from lifeline import taxonomy
from lifeline.auth.permissions import mask_number as masked
from lifeline.common import CHINA, parse_iso
from lifeline.errors import Invalid
from lifeline.incidents import states
from lifeline.vocabulary import INTAKE_CHANNELS

EIDO_VERSION = "1.0"
ROOT_TYPE = "EmergencyIncidentDataObjectType"
MEDIA_TYPE = "application/json"
JSON_LD_CONTEXT = {"@vocab": "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"}
MAX_ERRORS = 50

# Our states as names of the EIDO Incident Status registry; the exact state goes in incidentStatusInternalText.
STATUS = {
    "received": "Received",
    "triaged": "Pending",
    "confirmed": "Pending",
    "dispatched": "Dispatched",
    "en_route": "Enroute",
    "on_scene": "OnScene",
    "transferred": "Transferred",
    "resolved": "Resolved",
    "closed": "Closed",
    "cancelled": "Cancelled",
    "merged": "Merged",
}
# Organisation kinds as IANA urn:emergency:service:responder types (the prefix left out, as EIDO asks).
AGENCY_TYPE = {"centre_110": "police", "police_station": "police", "fire_119": "fire", "ems_120": "ems"}
CHANNELS = frozenset(INTAKE_CHANNELS)
PRIORITY_WORDS = {1: "highest", 2: "high", 3: "normal", 4: "low"}


@dataclass(frozen=True)
class Agency:
    """The organisation that owns the incident: its code names it in ids, its name goes in the jCard."""

    code: str
    name: str = ""
    kind: str = "centre_110"


# Schema ----------------------------------------------------------------------------------------

# A made-up base URI so that relative $refs resolve; `_retrieve` serves it from the package, never the network.
_BASE = "https://eido-schema.lifeline.invalid/"
_ROOT = f"{_BASE}openapi.yaml"


def _schema_dir():
    return resources.files("lifeline.eido") / "schema"


@lru_cache(maxsize=64)
def _retrieve(uri: str) -> Resource:
    """Read one schema file of the package, on first use (most documents never reach the NIEM files)."""
    if not uri.startswith(_BASE):
        raise NoSuchResource(ref=uri)
    path = re.sub(r"/+", "/", uri[len(_BASE) :])
    if ".." in path.split("/"):
        raise NoSuchResource(ref=uri)
    node = _schema_dir()
    for part in path.split("/"):
        node = node / part
    if not node.is_file():
        raise NoSuchResource(ref=uri)
    contents = yaml.load(node.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return DRAFT7.create_resource(_fix(contents))


def _fix(node: Any) -> Any:
    """Upstream slip: `minItems: 1,` parses as the string "1,"; a count must be an integer."""
    if isinstance(node, dict):
        return {
            k: (int(v.rstrip(", ")) if k in ("minItems", "maxItems") and isinstance(v, str) else _fix(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_fix(v) for v in node]
    return node


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return parse_iso(value) is not None
    except ValueError:
        return False


@lru_cache(maxsize=1)
def _validator() -> Draft7Validator:
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_is_datetime)
    registry = Registry(retrieve=_retrieve)
    return Draft7Validator(
        {"$ref": f"{_ROOT}#/components/schemas/{ROOT_TYPE}"}, registry=registry, format_checker=checker
    )


def validate(document: Any) -> list[str]:
    """Schema errors of `document` against EmergencyIncidentDataObjectType, each as `path: message`; [] when valid."""
    if not isinstance(document, dict):
        return ["(root): EIDO 文档须为 JSON 对象 / the EIDO document must be a JSON object"]
    errors = sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    found = []
    for error in errors[:MAX_ERRORS]:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        found.append(f"{where}: {error.message}")
    if len(errors) > MAX_ERRORS:
        found.append(f"… 另有 {len(errors) - MAX_ERRORS} 处 / {len(errors) - MAX_ERRORS} more")
    return found


# Export ----------------------------------------------------------------------------------------


def _domain(code: str) -> str:
    label = re.sub(r"[^a-z0-9-]+", "-", code.lower()).strip("-") or "desk"
    return f"{label}.lifeline"


def _time(value: datetime | None, tz: timezone) -> str | None:
    return value.astimezone(tz).isoformat(timespec="milliseconds") if value is not None else None


def _tel(number: str) -> str:
    if len(number) == 11 and number.startswith("1"):
        return f"tel:+86{number}"
    return f"tel:{number};phone-context=+86"


def _html(text: str) -> str:
    """Note text is HTML5 in EIDO: escape it, keep line breaks."""
    return html.escape(text, quote=False).replace("\r\n", "<br>").replace("\n", "<br>")


def _jcard(name: str, code: str) -> str:
    card = [
        "vcard",
        [["version", {}, "text", "4.0"], ["fn", {}, "text", name or code], ["org", {}, "text", name or code]],
    ]
    return json.dumps(card, ensure_ascii=False)


def _pidf(entity: str, device: str, lat: float, lon: float, when: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"'
        ' xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:gml="http://www.opengis.net/gml"'
        f' entity="{html.escape(entity)}">'
        f'<dm:device id="{html.escape(device)}"><gp:geopriv><gp:location-info>'
        f'<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>{lat:.6f} {lon:.6f}</gml:pos></gml:Point>'
        "</gp:location-info><gp:usage-rules/><gp:method>Manual</gp:method></gp:geopriv>"
        f"<dm:timestamp>{when}</dm:timestamp></dm:device></presence>"
    )


def _suggestion_text(suggestion: dict) -> str:
    tax = taxonomy.default()
    category = tax.categories.get(suggestion.get("category", ""))
    name = f"{category.zh} {category.en}" if category else suggestion.get("category", "")
    parts = [
        f"研判建议 triage suggestion: 类别 category {suggestion.get('category')} ({name})",
        f"处置 disposition {suggestion.get('disposition')}",
        f"优先级 priority {suggestion.get('priority')}",
        f"去向 destinations {', '.join(suggestion.get('destinations') or []) or '-'}",
        f"置信度 confidence {suggestion.get('confidence')}",
    ]
    if suggestion.get("needs_confirmation"):
        parts.append("需人工确认 needs confirmation")
    if suggestion.get("callback_required"):
        parts.append("须回拨 call back required")
    reasons = suggestion.get("reasons") or []
    if reasons:
        parts.append("理由 reasons: " + "；".join(str(r) for r in reasons))
    return "；".join(parts)


def to_eido(
    incident: Any,
    reports: Sequence[Any],
    agency: Agency | str,
    *,
    mask_number: bool = True,
    merged_from: Iterable[int] = (),
    tz: timezone = CHINA,
) -> dict:
    """One incident as an EIDO document (root type EmergencyIncidentDataObjectType).

    `incident` and `reports` are an Incident and its Reports (or anything with the same attributes). The caller's
    number is exported only masked unless `mask_number` is False, which the caller decides from the reader's rights.
    `merged_from` names incidents merged into this one (found from the reports' origin when not given).
    """
    agency = agency if isinstance(agency, Agency) else Agency(code=agency, name=agency)
    domain = _domain(agency.code)
    tracking = f"urn:emergency:uid:incidentid:{incident.id}:{domain}"
    updated = _time(incident.updated_at or incident.received_at, tz)

    def cid(kind: str, n: object = "") -> str:
        # Stable ids: the same incident exported twice gives the same component ids.
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{tracking}/{kind}/{n}')}"

    def prologue(component_id: str, when: str | None = None) -> dict:
        return {
            "$id": component_id,
            "lastUpdateTimeStamp": when or updated,
            "updatedByAgencyReference": {"$ref": domain},
        }

    def ref(component_id: str) -> dict:
        return {"$ref": component_id}

    tax = taxonomy.default()
    category = tax.categories.get(incident.category)
    category_text = f"{category.zh} / {category.en}" if category else incident.category
    destinations = list(incident.destinations or [])

    notes: list[dict] = []
    incident_notes: list[str] = []

    def note(key: str, text: str, when: str | None = None) -> str:
        note_id = cid("note", key)
        notes.append({**prologue(note_id, when), "notesActionComments": _html(text)})
        return note_id

    # Location: the incident's address, and its coordinates when known.
    locations: list[dict] = []
    location_refs: list[dict] = []
    if incident.address or (incident.lat is not None and incident.lon is not None):
        location_id = cid("location", "incident")
        location = {**prologue(location_id), "locationTypeDescriptionRegistryText": "Incident"}
        if incident.lat is not None and incident.lon is not None:
            location["locationByValue"] = _pidf(
                tracking, f"incident-{incident.id}", incident.lat, incident.lon, updated
            )
        if incident.address:
            location["locationDescriptionText"] = incident.address
        locations.append(location)
        location_refs.append(ref(location_id))

    # Calls: one per report, with its words as a note, its caller as a person and a callback.
    calls, people, callbacks = [], [], []
    for report in reports:
        call_id = f"urn:emergency:uid:callid:{report.id}:{domain}"
        received = _time(report.received_at, tz)
        call = {
            **prologue(call_id, received),
            "standardPrimaryCallType": "emergency",
            "localCallType": report.channel,
            "direction": "incoming",
            "callStartTimestamp": received,
            "callStateRegistryText": "callEnd",
            "priorityIdentifier": PRIORITY_WORDS.get(incident.priority, "normal"),
            "notesReference": [ref(note(f"report-{report.id}", report.text or "", received))],
        }
        if report.answered_at is not None:
            call["answerDate"] = _time(report.answered_at, tz)
        if location_refs:
            call["locationReference"] = list(location_refs)
        if report.caller_number or report.caller_name:
            person_id = cid("caller", report.id)
            person = {
                **prologue(person_id, received),
                "personIncidentRoleRegistryText": ["Caller"],
                "callIdentifier": [call_id],
            }
            if report.caller_number:
                if mask_number:
                    # A masked number is for people to read, never a URI a peer could dial.
                    shown = masked(report.caller_number)
                    person["notesReference"] = [
                        ref(note(f"caller-{report.id}", f"来电号码（已脱敏）caller number (masked): {shown}", received))
                    ]
                else:
                    callback_id = cid("callback", report.id)
                    callbacks.append(
                        {**prologue(callback_id, received), "callBackInformationUri": [_tel(report.caller_number)]}
                    )
                    person["callBackReference"] = ref(callback_id)
                    call["callBackReference"] = ref(callback_id)
            if report.caller_name:
                person.setdefault("notesReference", []).append(
                    ref(note(f"caller-name-{report.id}", f"来电人 caller: {report.caller_name}", received))
                )
            people.append(person)
            call["personReference"] = [ref(person_id)]
        calls.append(call)

    # What the desk decided, and what triage proposed beside it.
    decided = (
        f"处置 disposition: {incident.disposition}；类别 category: {incident.category} ({category_text})；"
        f"优先级 priority: {incident.priority}；去向 destinations: {', '.join(destinations) or '-'}；"
        f"状态 state: {incident.state} ({states.STATES.get(incident.state, incident.state)})"
    )
    incident_notes.append(note("decision", decided))
    if incident.suggestion:
        incident_notes.append(note("suggestion", _suggestion_text(incident.suggestion)))
    if incident.override_reason:
        incident_notes.append(note("override", f"改判理由 override reason: {incident.override_reason}"))
    if incident.cancel_reason:
        incident_notes.append(note("cancel", f"撤销理由 cancel reason: {incident.cancel_reason}"))

    component = {
        **prologue(cid("incident")),
        "incidentTypeCommonRegistryText": _incident_type(incident.disposition, destinations),
        "incidentTypeInternalCode": incident.category,
        "incidentTypeInternalText": category_text,
        "incidentStatusCommonRegistryText": [STATUS.get(incident.state, incident.state)],
        "incidentStatusInternalText": [incident.state, states.STATES.get(incident.state, incident.state)],
        "internalIncidentId": str(incident.id),
        "incidentPriorityInternalText": str(incident.priority),
        "incidentCommonPriorityNumber": int(incident.priority),
        "notesReference": [ref(n) for n in incident_notes],
    }
    if location_refs:
        component["locationReference"] = list(location_refs)
    if people:
        component["personReference"] = [ref(p["$id"]) for p in people]

    agency_component = {
        **prologue(domain),
        "agencyJcard": _jcard(agency.name, agency.code),
        "agencyRoleDescriptionRegistryText": ["CallReceiving"],
        "agencyType": [AGENCY_TYPE.get(agency.kind, "other")],
        "incidentOwningAgencyIndicator": True,
    }

    document: dict[str, Any] = {
        "$id": tracking,
        "lastUpdateTimeStamp": updated,
        "updatedByAgencyReference": {"$ref": domain},
        "eidoVersion": EIDO_VERSION,
        "issuingElementIdentification": domain,
        "incidentComponent": component,
        "agencyComponent": [agency_component],
    }
    merges = _merges(incident, reports, merged_from, domain, prologue, cid)
    if merges:
        document["mergeComponent"] = merges
    if calls:
        document["callComponent"] = calls
    if callbacks:
        document["callbackComponent"] = callbacks
    if notes:
        document["notesComponent"] = notes
    if locations:
        document["locationComponent"] = locations
    if people:
        document["personComponent"] = people
    document["@context"] = dict(JSON_LD_CONTEXT)
    return document


def _incident_type(disposition: str, destinations: list[str]) -> str:
    if "119" in destinations:
        return "Fire"
    if "120" in destinations:
        return "EMS"
    if disposition in taxonomy.POLICE_SIDE:
        return "Police"
    return "Other"


def _merges(incident, reports, merged_from, domain, prologue, cid) -> list[dict]:
    found = []
    if incident.merged_into_id is not None:
        found.append((incident.merged_into_id, "REPLACED"))
    sources = set(merged_from) | {r.origin_incident_id for r in reports if r.origin_incident_id != incident.id}
    found += [(source, "REPLACING") for source in sorted(sources)]
    return [
        {
            **prologue(cid("merge", other)),
            "incidentTrackingIdentifier": f"urn:emergency:uid:incidentid:{other}:{domain}",
            "incidentMergeDirectionCode": direction,
        }
        for other, direction in found
    ]


# Import ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EidoReport:
    """What an EIDO document tells the intake service: enough for `ReportIn`."""

    text: str
    channel: str
    caller_number: str | None
    caller_name: str
    location_text: str
    lat: float | None
    lon: float | None
    received_at: datetime | None
    answered_at: datetime | None
    external_ref: str

    def as_fields(self) -> dict[str, Any]:
        return dict(vars(self))


def _when(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except (TypeError, ValueError) as exc:
        raise Invalid(
            f"{where} 须为带时区的 ISO 8601 时间 / {where} must be an ISO 8601 time with an offset: {value!r}"
        ) from exc


def _clean(text: str) -> str:
    """Text both databases keep, as on POST /reports: NUL becomes U+FFFD, what is not UTF-8 is replaced."""
    return text.replace("\x00", "\ufffd").encode("utf-8", errors="replace").decode("utf-8")


def _plain(note_html: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", note_html, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]*>", "", text)
    return html.unescape(text)


def _ids(items: Any) -> list[str]:
    if isinstance(items, dict):
        items = [items]
    return [i["$ref"] for i in items or [] if isinstance(i, dict) and isinstance(i.get("$ref"), str)]


def _pidf_point(xml: str) -> tuple[float, float] | None:
    """Latitude and longitude of the first gml:pos in a PIDF-LO (no DTDs, no entities)."""
    if re.search(r"<!(DOCTYPE|ENTITY)", xml, flags=re.IGNORECASE):
        raise Invalid("位置 PIDF-LO 不得含 DTD 或实体 / a PIDF-LO location may not carry a DTD or entities")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise Invalid(f"位置 PIDF-LO 不是有效的 XML / the PIDF-LO location is not valid XML: {exc}") from exc
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "pos" and element.text:
            parts = element.text.split()
            try:
                lat, lon = float(parts[0]), float(parts[1])
            except (IndexError, ValueError) as exc:
                raise Invalid(f"位置坐标无效 / invalid gml:pos {element.text!r}") from exc
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise Invalid(f"位置坐标超出范围 / coordinates out of range: {lat} {lon}")
            return lat, lon
    return None


CIVIC_ORDER = ("A1", "A2", "A3", "A4", "A5", "A6", "PRD", "RD", "STS", "POD", "HNO", "HNS", "LMK", "LOC", "NAM", "BLD")


def _pidf_civic(xml: str) -> str:
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return ""
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "civicAddress":
            parts = {child.tag.rsplit("}", 1)[-1]: (child.text or "").strip() for child in element}
            return " ".join(parts[k] for k in CIVIC_ORDER if parts.get(k))
    return ""


def _number(uris: list[str]) -> str | None:
    """The digits of the first tel: (else sip:) URI; a masked or empty number is no number."""
    ordered = [u for u in uris if u.lower().startswith("tel:")] + [u for u in uris if u.lower().startswith("sip")]
    for uri in ordered:
        body = unquote(uri.split(":", 1)[1]).split(";", 1)[0].split("@", 1)[0]
        if "*" in body:
            continue
        digits = "".join(ch for ch in body if ch.isdigit())
        if 3 <= len(digits) <= 20:
            return ("+" if body.startswith("+") else "") + digits
    return None


def from_eido(document: Any) -> EidoReport:
    """The report an EIDO document carries. Raises Invalid (422) listing the problems when it is not valid."""
    errors = validate(document)
    if errors:
        raise Invalid(
            f"EIDO 文档不符合 NENA-STA-021 模式 / the EIDO document does not follow the NENA-STA-021 schema: "
            f"{'；'.join(errors[:5])}",
            errors=errors,
        )
    external_ref = _clean(document["$id"].strip())
    if not external_ref or len(external_ref) > 100:
        raise Invalid(
            f"EIDO $id 须为 1 至 100 个字符 / the EIDO $id must be 1 to 100 characters: {external_ref[:120]!r}"
        )

    by_id: dict[str, dict] = {}
    for key, value in document.items():
        if key.endswith("Component") and isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("$id"), str):
                    by_id.setdefault(item["$id"], item)
    incident = document.get("incidentComponent") or {}
    notes = [n for n in document.get("notesComponent") or [] if isinstance(n, dict)]
    calls = sorted(
        document.get("callComponent") or [], key=lambda c: _when(c["callStartTimestamp"], "callStartTimestamp")
    )

    def texts(refs: list[str]) -> list[str]:
        return [
            _plain(by_id[r]["notesActionComments"]) for r in refs if r in by_id and "notesActionComments" in by_id[r]
        ]

    words = [t for call in calls for t in texts(_ids(call.get("notesReference")))]
    if not words:
        words = texts(_ids(incident.get("notesReference"))) or [_plain(n["notesActionComments"]) for n in notes]
    text = _clean("\n".join(dict.fromkeys(w for w in words if w.strip())))
    if len(text) > 20_000:
        raise Invalid(f"EIDO 备注文字过长（{len(text)} 字）/ the notes are too long: {len(text)} > 20000 characters")

    first = calls[0] if calls else {}
    received_at = _when(first.get("callStartTimestamp"), "callComponent/0/callStartTimestamp") or _when(
        incident.get("lastUpdateTimeStamp") or document.get("lastUpdateTimeStamp"), "lastUpdateTimeStamp"
    )
    answered_at = _when(first.get("answerDate"), "callComponent/0/answerDate")
    channel = first.get("localCallType") if first.get("localCallType") in CHANNELS else "hotline_push"

    # Location: the one the incident names, else the call's, typed Incident before Caller before the rest.
    location_ids = _ids(incident.get("locationReference")) + [
        i for c in calls for i in _ids(c.get("locationReference"))
    ]
    candidates = [by_id[i] for i in dict.fromkeys(location_ids) if i in by_id]
    rank = {"Incident": 0, "Caller": 1}
    candidates += sorted(
        (loc for loc in document.get("locationComponent") or [] if loc not in candidates),
        key=lambda loc: rank.get(loc.get("locationTypeDescriptionRegistryText"), 2),
    )
    location_text, point = "", None
    for loc in candidates:
        by_value = loc.get("locationByValue")
        if point is None and by_value:
            point = _pidf_point(by_value)
        if not location_text:
            location_text = (loc.get("locationDescriptionText") or "").strip() or (
                _pidf_civic(by_value) if by_value else ""
            )
    location_text = _clean(location_text)
    if len(location_text) > 500:
        raise Invalid(f"EIDO 地址过长（{len(location_text)} 字）/ the location text is too long: > 500 characters")

    # Caller: the callback of a person in the Caller role, else of the first call, else any.
    callback_ids = [
        i
        for person in document.get("personComponent") or []
        if "Caller" in (person.get("personIncidentRoleRegistryText") or [])
        for i in _ids(person.get("callBackReference"))
    ] + _ids(first.get("callBackReference"))
    callbacks = [by_id[i] for i in callback_ids if i in by_id] + list(document.get("callbackComponent") or [])
    number = None
    for callback in callbacks:
        number = _number(list(callback.get("callBackInformationUri") or []))
        if number:
            break

    return EidoReport(
        text=text,
        channel=channel,
        caller_number=number,
        caller_name="",
        location_text=location_text,
        lat=point[0] if point else None,
        lon=point[1] if point else None,
        received_at=received_at,
        answered_at=answered_at,
        external_ref=external_ref,
    )
