"""HTTP routes of Open311 GeoReport v2 at /open311/v2 (the 12345 side): the format is the path's suffix.

Errors here are the spec's error list, not RFC 9457: 404 for what does not exist, 403 for a missing or
wrong api_key, 400 for anything else that cannot be done as asked.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from lifeline import taxonomy
from lifeline.api import problems
from lifeline.api.context import RequestContext
from lifeline.api.schemas import Id, unstorable
from lifeline.auth.service import Principal
from lifeline.errors import Forbidden, LifelineError, NotFound
from lifeline.open311 import protocol as open311
from lifeline.open311 import service as open311_service
from lifeline.open311.schemas import PublicationIn, PublicationOut
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction
from lifeline.triage import triage

PREFIX = "/open311/v2"
_ERRORS = "错误列表 the spec's error list: [{code, description}] or <errors><error>…</error></errors>"
RESPONSES = {
    200: {"description": "GeoReport v2 文档 document", "content": {"application/json": {}, "text/xml": {}}},
    400: {"description": f"请求有误 bad request — {_ERRORS}"},
    403: {"description": f"缺少或错误的 api_key missing or invalid api_key — {_ERRORS}"},
    404: {"description": f"未找到 not found — {_ERRORS}"},
}
router = APIRouter(prefix=PREFIX, tags=["open311"], responses=RESPONSES)


def _described(names: dict[str, str], where: str = "query") -> list[dict]:
    return [{"name": n, "in": where, "required": False, "schema": {"type": "string"}, "description": d}
            for n, d in names.items()]  # fmt: skip


# Read from the request itself (the spec's names, forms and repeats), so listed here for clients and the fuzzer.
JURISDICTION = {"jurisdiction_id": "本平台只服务一个辖区，可省略 / one jurisdiction here; may be left out"}
OWN = {
    "api_key": "提交请求的客户端可看到自己未公开的请求 / a client sees the requests it filed, published or not",
    **JURISDICTION,
}
LIST_PARAMS = _described(
    {
        "service_request_id": "逗号分隔的编号，优先于其他条件 / comma-separated ids; override the other filters",
        "service_code": "逗号分隔的服务代码 / comma-separated service codes",
        "start_date": "w3 时间或日期 / a w3 datetime or a date",
        "end_date": "w3 时间或日期 / a w3 datetime or a date",
        "status": "open、closed 或二者 / open, closed or both",
        **OWN,
    }
)
FIELDS = ("api_key", "service_code", "lat", "long", "address_string", "address_id", "email", "device_id",
          "account_id", "first_name", "last_name", "phone", "description", "media_url", *JURISDICTION)  # fmt: skip
FORM = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {name: {"type": "string"} for name in FIELDS}}
            }
        }
    }
}
log = logging.getLogger("lifeline.open311")
MAX_FIELDS = 200


def _answer(fmt: str, root: str, document, status: int = 200) -> Response:
    body, media_type = open311.render(fmt, root, document)
    return Response(body, status_code=status, media_type=media_type)


def _failure(fmt: str, status: int, descriptions: list[str]) -> Response:
    return _answer(fmt if fmt in open311.FORMATS else "json", "errors", open311.errors(status, *descriptions), status)


def _status_of(exc: LifelineError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Forbidden):
        return 403
    return 400


def answers(handler):
    """Checks the format suffix, and turns every failure into the spec's error list in that format."""

    def fail(fmt: str, exc: Exception) -> Response:
        if isinstance(exc, open311.Open311Error):
            return _failure(fmt, exc.status, exc.descriptions)
        if isinstance(exc, LifelineError):
            return _failure(fmt, _status_of(exc), [exc.detail])
        log.error("open311 failed", exc_info=exc)
        return _failure(fmt, 500, ["服务器出错，请稍后重试 / the server failed; retry later"])

    def bad_format(fmt: str) -> Response:
        return _failure(
            "json", 404, [f"不支持的格式 {fmt!r}，可选 json、xml / unknown format {fmt!r}: use json or xml"]
        )

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def run_async(*args, fmt: str, **kwargs):
            if fmt not in open311.FORMATS:
                return bad_format(fmt)
            try:
                return await handler(*args, fmt=fmt, **kwargs)
            except Exception as exc:
                return fail(fmt, exc)

        return run_async

    @functools.wraps(handler)
    def run(*args, fmt: str, **kwargs):
        if fmt not in open311.FORMATS:
            return bad_format(fmt)
        try:
            return handler(*args, fmt=fmt, **kwargs)
        except Exception as exc:
            return fail(fmt, exc)

    return run


def _services(request: Request) -> dict[str, open311.Service]:
    """The services and their deadlines by the routing table the application was started with (Settings.routing)."""
    return open311.services(taxonomy.default(), request.app.state.routing)


def _service(request: Request, code: str) -> open311.Service:
    found = _services(request).get(code)
    if found is None:
        raise open311.Open311Error(404, f"没有服务 {code!r}，见 services.json / no service {code!r}: see services.json")
    return found


# Discovery and services ------------------------------------------------------------------------------


@router.get("/discovery.{fmt}", summary="服务发现 Open311 service discovery")
@answers
def discovery(request: Request, fmt: str):
    url = str(request.base_url).rstrip("/") + PREFIX
    return _answer(fmt, "discovery", open311.discovery(url))


@router.get("/services.{fmt}", summary="服务类型列表 GET Service List")
@answers
def service_list(request: Request, fmt: str):
    return _answer(fmt, "services", open311.service_list(_services(request)))


@router.get("/services/{service_code}.{fmt}", summary="服务定义 GET Service Definition")
@answers
def service_definition(service_code: str, request: Request, fmt: str):
    return _answer(fmt, "service_definition", open311.service_definition(_service(request, service_code)))


# Requests ---------------------------------------------------------------------------------------------


def _client(request: Request, session) -> Principal | None:
    """The client an optional api_key names: it may follow the requests it filed, published or not."""
    key = request.query_params.get("api_key", "").strip()
    if not key:
        return None
    who = open311_service.principal_for_key(session, key)
    if who is None:
        raise open311.Open311Error(403, "api_key 无效或已吊销 / invalid api_key received")
    return who


@router.get("/requests.{fmt}", summary="服务请求列表 GET Service Requests (published; with api_key, also its own)",
            openapi_extra={"parameters": LIST_PARAMS})  # fmt: skip
@answers
def request_list(request: Request, fmt: str):
    params = {key: value for key, value in request.query_params.items()}
    query = open311.parse_query(params, utcnow())
    found = _services(request)
    with request.app.state.sessions() as session:
        orders = open311_service.listing(session, query, found, _client(request, session))
    return _answer(fmt, "service_requests", [open311.service_request(o, found) for o in orders])


@router.get("/requests/{service_request_id}.{fmt}", summary="单个服务请求 GET Service Request",
            openapi_extra={"parameters": _described(OWN)})  # fmt: skip
@answers
def request_one(service_request_id: str, request: Request, fmt: str):
    order_id = open311.request_id(service_request_id)
    if order_id is None:
        raise open311.Open311Error(404, f"没有服务请求 {service_request_id} / no service request {service_request_id}")
    found = _services(request)
    with request.app.state.sessions() as session:
        order = open311_service.one(session, order_id, found, _client(request, session))
    return _answer(fmt, "service_requests", [open311.service_request(order, found)])


@router.get("/tokens/{token}.{fmt}", summary="由令牌查服务请求编号 GET service_request_id from a token")
@answers
def token_lookup(token: str, request: Request, fmt: str):
    if len(token) > 100 or unstorable(token):
        raise open311.Open311Error(404, "没有该令牌 / no such token")
    with request.app.state.sessions() as session:
        order_id = open311_service.by_token(session, token, _services(request))
    return _answer(fmt, "service_requests", open311.token_answer(order_id, token))


async def _fields(request: Request) -> dict[str, list[str]]:
    """The form (as the spec sends it) or a JSON object, with the query string beneath both."""
    fields: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        fields.setdefault(key, []).append(value)
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            sent = open311.fields_of_json(json.loads(body.decode("utf-8"))) if body else {}
        elif kind in ("", "application/x-www-form-urlencoded"):
            sent = {}
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
            for key, value in pairs:
                sent.setdefault(key, []).append(value)
        else:
            raise open311.Open311Error(
                400,
                f"不支持的请求类型 {kind}，请用 application/x-www-form-urlencoded / "
                f"send application/x-www-form-urlencoded, not {kind}",
            )
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        if isinstance(exc, open311.Open311Error):
            raise
        raise open311.Open311Error(400, f"请求体无法解析 / the body cannot be parsed: {exc}") from exc
    fields.update(sent)
    return fields


def _principal(request: Request, fields: dict[str, list[str]]):
    key = (fields.get("api_key") or [""])[-1].strip()
    if not key:
        raise open311.Open311Error(403, "缺少 api_key，无法提交 / api_key is required to create a request")
    with request.app.state.sessions() as session:
        who = open311_service.principal_for_key(session, key)
    if who is None:
        raise open311.Open311Error(403, "api_key 无效或已吊销 / invalid api_key received: cannot create the request")
    return key


def _submit(request: Request, fields: dict[str, list[str]]) -> open311_service.Submitted:
    key = _principal(request, fields)
    data = open311.parse_submission(fields)
    service = _service(request, data.service_code)
    result = triage(open311_service.report_text(data, service), "app")  # the CPU work, before the write lock
    with transaction(request.app.state.sessions) as session:
        who = open311_service.principal_for_key(session, key)
        if who is None:  # revoked in between
            raise open311.Open311Error(403, "api_key 无效或已吊销 / invalid api_key received")
        done = open311_service.submit(session, who, data, service, result, request.app.state.desk)
    return done


@router.post("/requests.{fmt}", summary="提交服务请求 POST Service Request (api_key)", openapi_extra=FORM)
@answers
async def request_create(request: Request, fmt: str):
    fields = await _fields(request)
    done = await run_in_threadpool(_submit, request, fields)
    account = (fields.get("account_id") or [""])[-1].strip() or None
    return _answer(fmt, "service_requests", open311.created(done.order_id, done.token, done.notice, account))


# Publishing (the 12345 centre's API, under /api/v1) -----------------------------------------------------------

api_router = APIRouter(tags=["open311"], responses=problems.RESPONSES)


@api_router.put("/orders/{order_id}/public-answer", response_model=PublicationOut,
                summary="公开工单及答复，或撤回 publish an order on the Open311 list, or take it off")  # fmt: skip
def publish(order_id: Id, body: PublicationIn, request: Request, ctx: RequestContext):
    found = _services(request)
    answer = body.answer if body.public else None
    return ctx.run(lambda s, who: PublicationOut.of(order_id, open311_service.publish(s, who, order_id, answer, found)))
