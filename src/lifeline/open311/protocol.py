"""Open311 GeoReport v2 (pure): the service list from the taxonomy, work orders as service requests, JSON and XML.

The spec is frozen at http://wiki.open311.org/GeoReport_v2; its JSON is the "Spark" mapping of its XML, so both
forms are rendered here from the same dictionaries. Rules real clients hold us to: XML is `text/xml;
charset=utf-8` with an XML declaration and no namespace; every time carries a zone; lat/long are decimals;
service codes are strings; an unknown number or time is left out rather than written as an empty string.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from xml.etree import ElementTree as ET

from lifeline import taxonomy as _taxonomy
from lifeline.api.schemas import MAX_ID, YEARS, unstorable
from lifeline.common import CHINA, parse_iso
from lifeline.diversion import states as order_states
from lifeline.diversion.routing import Table

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Sortable: when the discovery document or the service definitions last changed shape.
CHANGESET = "2026-11-24 00:00"
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
FORMATS = ("json", "xml")
MAX_REQUESTS = 1000
DEFAULT_SPAN = timedelta(days=90)
MAX_DESCRIPTION = 4000

# Spark convention: a list is an element of the plural name holding one element per item.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}

# Work order states as the public sees them: open until the department has handled or returned it.
CLOSED_STATES = frozenset({"handled", "visited", "closed", "archived", "returned"})
STATE_EN = {
    "sent": "sent",
    "received": "received",
    "signed": "signed for",
    "in_progress": "in progress",
    "handled": "handled, awaiting return visit",
    "visited": "return visit done",
    "closed": "closed",
    "returned": "returned by the department",
    "archived": "archived",
}


class Open311Error(Exception):
    """An answer in the spec's error form: HTTP 400 (bad request), 403 (api_key) or 404 (no such thing)."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description
        self.descriptions = [description]


class Open311Errors(Open311Error):
    """Several problems with one request, answered together."""

    def __init__(self, status: int, descriptions: list[str]):
        super().__init__(status, descriptions[0])
        self.descriptions = descriptions


# Services ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    keywords: str
    group: str
    notice: str


def _label(label) -> str:
    return f"{label.zh} {label.en}"


def services(tax: _taxonomy.Taxonomy, routing: Table) -> dict[str, Service]:
    """The taxonomy's categories that are diverted by default: what a citizen may ask 12345 for."""
    found = {}
    for code, category in tax.categories.items():
        if category.disposition != "divert":
            continue
        deadline = routing.deadline(code)
        where = [tax.destinations[d] for d in category.destinations if d in tax.destinations]
        # The most specific destination comes last (see diversion.routing.choose).
        group = _label(where[-1]) if where else "12345 政务服务热线 12345 hotline"
        handlers = "、".join(d.zh for d in where) or "12345"
        handlers_en = ", ".join(d.en for d in where) or "12345 hotline"
        notice = deadline.notice()
        found[code] = Service(
            code=code,
            name=f"{category.zh} / {category.en}",
            description=f"由 {handlers} 办理；{notice} / handled by {handlers_en}",
            keywords=", ".join([code, category.zh, category.en, *(d.zh for d in where)]),
            group=group,
            notice=notice,
        )
    return found


def service_list(found: dict[str, Service]) -> list[dict]:
    return [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.description,
            "metadata": False,
            "type": "realtime",
            "keywords": s.keywords,
            "group": s.group,
        }
        for s in found.values()
    ]


def service_definition(service: Service) -> dict:
    """No service asks for extra fields (metadata is false), so the attribute list is empty."""
    return {"service_code": service.code, "attributes": []}


def discovery(url: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": "12345 政务服务热线：拨打 12345 / the 12345 government service hotline: call 12345",
        "key_service": (
            "API 密钥由 12345 热线中心管理员签发（lifeline open311 key create）/ "
            "ask the 12345 centre's administrator for an api_key"
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


# Times ---------------------------------------------------------------------------------------------


def w3(value: datetime | None) -> str | None:
    """2026-11-23T14:05:09+08:00: the w3 note's subset of ISO 8601, in China Standard Time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA).replace(microsecond=0).isoformat()


def parse_time(name: str, raw: str, *, end: bool = False) -> datetime:
    """A w3 datetime with a zone, or a bare date (a whole day in China Standard Time)."""
    text = raw.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = datetime.combine(date.fromisoformat(text), time(), CHINA) + timedelta(days=1 if end else 0)
        else:
            moment = parse_iso(text)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise Open311Error(
            400,
            f"{name} 不是带时区（Z 或 +08:00）的时间 / {name} is not a w3 datetime with a zone"
            f" (e.g. 2026-01-01T00:00:00Z): {raw!r}",
        ) from exc
    if moment.year not in YEARS:
        raise Open311Error(400, f"{name} 超出范围 / {name} is out of range: {raw!r}")
    return moment


@dataclass(frozen=True)
class Query:
    ids: tuple[int, ...] | None
    codes: tuple[str, ...] | None
    start: datetime
    end: datetime
    statuses: frozenset[str] | None


def request_id(raw: str) -> int | None:
    """A service_request_id as the database can hold it (ASCII digits, 1..2³¹−1), or None."""
    if not re.fullmatch(r"[0-9]{1,10}", raw) or not 1 <= int(raw) <= MAX_ID:
        return None
    return int(raw)


def _commas(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def parse_query(params: dict[str, str], now: datetime) -> Query:
    """GET requests' arguments; service_request_id overrides all the others, as the spec says."""
    for name, value in params.items():
        problem = unstorable(value)
        if problem:  # PostgreSQL cannot even compare a NUL
            raise Open311Error(400, f"{name} {problem}")
    raw_ids = _commas(params.get("service_request_id"))
    ids = None
    if raw_ids:
        bad = [i for i in raw_ids if request_id(i) is None]
        if bad:
            raise Open311Error(400, f"service_request_id 应为数字 / service_request_id must be numbers: {bad[0]!r}")
        if len(raw_ids) > MAX_REQUESTS:
            raise Open311Error(400, f"一次最多 {MAX_REQUESTS} 个编号 / at most {MAX_REQUESTS} ids at once")
        ids = tuple(map(request_id, raw_ids))
    statuses = None
    if params.get("status"):
        statuses = frozenset(s.lower() for s in _commas(params["status"]))
        unknown = sorted(statuses - {"open", "closed"})
        if unknown:
            raise Open311Error(400, f"status 只能是 open 或 closed / status must be open or closed, not {unknown[0]!r}")
    start = parse_time("start_date", params["start_date"]) if params.get("start_date") else None
    end = parse_time("end_date", params["end_date"], end=True) if params.get("end_date") else None
    if start is None and end is None:
        end = now
    if start is None:
        start = end - DEFAULT_SPAN
    if end is None:
        end = start + DEFAULT_SPAN
    if end < start:
        raise Open311Error(400, "end_date 早于 start_date / end_date is before start_date")
    if end - start > DEFAULT_SPAN:
        raise Open311Error(400, "查询范围不能超过 90 天 / start_date to end_date may not span more than 90 days")
    codes = _commas(params.get("service_code")) or None
    return Query(ids, codes, start, end, statuses)


# Service requests ------------------------------------------------------------------------------------

# Mobile and landline numbers, and bare runs of 7 or more digits: none may appear in a public answer.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(?:1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8}|\d{7,})(?!\d)")
COARSE_DIGITS = 2  # 0.01° of latitude is 1.1 km: the neighbourhood, not the door


def redact(text: str) -> str:
    """The text without phone numbers, should a public answer hold one."""
    return _PHONE.sub(lambda m: re.sub(r"\d", "*", m.group()), text)


def public_status(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def status_notes(state: str, answer: str | None) -> str:
    label = f"{order_states.STATES.get(state, state)} {STATE_EN.get(state, state)}"
    return f"{label}：{redact(answer)}" if answer else label


def coarse(degrees: float | None) -> float | None:
    return None if degrees is None else round(degrees, COARSE_DIGITS)


@dataclass(frozen=True)
class OrderView:
    """What the public may know of one work order: never the caller's words, names, number, address or the
    desk's notes; the answer only when the 12345 centre published one."""

    id: int
    state: str
    category: str
    answer: str | None
    sent_at: datetime
    updated_at: datetime | None
    closed_at: datetime | None
    handle_by: datetime | None
    agency: str | None
    lat: float | None
    lon: float | None


def service_request(order: OrderView, found: dict[str, Service]) -> dict:
    service = found.get(order.category)
    updated = order.closed_at if order.state in ("closed", "archived") and order.closed_at else order.updated_at
    return {
        "service_request_id": str(order.id),
        "status": public_status(order.state),
        "status_notes": status_notes(order.state, order.answer),
        "service_name": service.name if service else order.category,
        "service_code": order.category,
        "agency_responsible": order.agency or "",
        "service_notice": service.notice if service else "",
        "requested_datetime": w3(order.sent_at),
        "updated_datetime": w3(updated or order.sent_at),
        "expected_datetime": w3(order.handle_by),
        "lat": coarse(order.lat),
        "long": coarse(order.lon),
        "media_url": "",
    }


def created(order_id: int | None, token: str | None, notice: str, account_id: str | None) -> list[dict]:
    """The answer to POST requests: the id at once (realtime), or a token when a person must look first."""
    item: dict = {"service_request_id": str(order_id)} if order_id is not None else {"token": token}
    item["service_notice"] = notice
    item["account_id"] = account_id or ""
    return [item]


def token_answer(order_id: int, token: str) -> list[dict]:
    return [{"service_request_id": str(order_id), "token": token}]


def errors(status: int, *descriptions: str) -> list[dict]:
    return [{"code": status, "description": d} for d in descriptions]


# Submissions ----------------------------------------------------------------------------------------

LIMITS = {
    "service_code": 32,
    "description": MAX_DESCRIPTION,
    "address_string": 500,
    "address_id": 100,
    "phone": 32,
    "first_name": 50,
    "last_name": 50,
    "email": 200,
    "device_id": 200,
    "account_id": 100,
    "media_url": 2000,
    "jurisdiction_id": 200,
}
MAX_ATTRIBUTES = 50


@dataclass(frozen=True)
class Submission:
    """POST requests' fields, checked. Email, device and address ids are accepted and not stored."""

    service_code: str
    description: str
    lat: float | None
    lon: float | None
    address: str
    phone: str | None
    name: str
    account_id: str | None
    attributes: dict[str, tuple[str, ...]]


def fields_of_json(body) -> dict[str, list[str]]:
    """A JSON object in the shape of the form: {"attribute": {"code": "v"}} becomes attribute[code]."""
    if not isinstance(body, dict):
        raise Open311Error(400, "JSON 请求体应为对象 / the JSON body must be an object")
    fields: dict[str, list[str]] = {}
    for key, value in body.items():
        if value is None:
            continue
        if key == "attribute" and isinstance(value, dict):
            for code, inner in value.items():
                inner = inner if isinstance(inner, list) else [inner]
                fields.setdefault(f"attribute[{code}]", []).extend(str(v) for v in inner if v is not None)
        elif isinstance(value, list):
            fields.setdefault(key, []).extend(str(v) for v in value if v is not None)
        elif isinstance(value, dict):
            raise Open311Error(400, f"字段 {key} 不能是对象 / field {key} cannot be an object")
        else:
            fields.setdefault(key, []).append(str(value).lower() if isinstance(value, bool) else str(value))
    return fields


def _one(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or []
    return values[-1].strip() if values else ""


def parse_submission(fields: dict[str, list[str]]) -> Submission:
    """Every problem at once, in the spec's error list (400)."""
    problems = []
    for name, values in fields.items():
        problem = next(filter(None, map(unstorable, values)), None)
        if problem:
            problems.append(f"{name} {problem}")
        limit = LIMITS.get(name, 500 if name.startswith("attribute[") else None)
        if limit is not None and any(len(v) > limit for v in values):
            problems.append(f"{name} 超过 {limit} 个字符 / {name} is longer than {limit} characters")
    code = _one(fields, "service_code")
    if not code:
        problems.append("缺少 service_code / service_code is required (see services.json)")
    lat = lon = None
    raw_lat, raw_lon = _one(fields, "lat"), _one(fields, "long")
    if raw_lat or raw_lon:
        if not (raw_lat and raw_lon):
            problems.append("lat 与 long 须同时提供 / lat and long must be sent together")
        else:
            try:
                lat, lon = float(raw_lat), float(raw_lon)
            except ValueError:
                problems.append("lat/long 应为十进制数 / lat and long must be decimal numbers (WGS84)")
            else:
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    problems.append("lat/long 超出范围 / lat must be within ±90 and long within ±180")
                    lat = lon = None
    address = _one(fields, "address_string")
    if (lat is None or lon is None) and not address and not problems:
        problems.append(
            "须提供位置：lat 与 long，或 address_string / a location is required: lat and long, or address_string"
        )
    phone = _one(fields, "phone") or None
    if phone and not any(ch.isdigit() for ch in phone):
        problems.append("phone 不是电话号码 / phone is not a phone number")
    attributes = {
        key[len("attribute[") :].split("]", 1)[0]: tuple(values)
        for key, values in fields.items()
        if key.startswith("attribute[")
    }
    if len(attributes) > MAX_ATTRIBUTES:
        problems.append(f"attribute 最多 {MAX_ATTRIBUTES} 项 / at most {MAX_ATTRIBUTES} attributes")
    if problems:
        raise Open311Errors(400, problems)
    # A Chinese name is written family name first.
    name = (_one(fields, "last_name") + _one(fields, "first_name")).strip()
    if _one(fields, "first_name") and _one(fields, "last_name") and name.isascii():
        name = f"{_one(fields, 'first_name')} {_one(fields, 'last_name')}"
    return Submission(
        service_code=code,
        description=_one(fields, "description"),
        lat=lat,
        lon=lon,
        address=address,
        phone=phone,
        name=name,
        account_id=_one(fields, "account_id") or None,
        attributes=attributes,
    )


# Rendering -------------------------------------------------------------------------------------------


def _clean(value):
    """Unknown numbers and times are left out (JSON has no typed empty); empty texts stay empty strings."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def to_json(document) -> bytes:
    return json.dumps(_clean(document), ensure_ascii=False).encode("utf-8")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _fill(element: ET.Element, name: str, value) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if inner is not None:
                _fill(ET.SubElement(element, key), key, inner)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[name]
        for inner in value:
            _fill(ET.SubElement(element, item_name), item_name, inner)
    else:
        element.text = _text(value)


def to_xml(root: str, document) -> bytes:
    """`<?xml ...?>` and the spec's element names; a list is wrapped in `root` with one child per item."""
    element = ET.Element(root)
    _fill(element, root, document)
    body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def render(fmt: str, root: str, document) -> tuple[bytes, str]:
    """(body, content type) in the format the path asked for."""
    if fmt == "xml":
        return to_xml(root, document), XML_TYPE
    return to_json(document), JSON_TYPE
