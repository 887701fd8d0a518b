"""GET /metrics: the deployment's health in the Prometheus text format (prometheus-client).

From the process: requests and their latency by method, route template and status (`Measure`, an ASGI middleware;
the template, not the path, so that /incidents/1 and /incidents/2 are one series). From the database at each
scrape, with a few indexed queries: today's calls by channel, today's incidents by triage disposition (triaged,
not yet confirmed; confirmed), open incidents by state, what waits now (P1/P2 for a unit, the longest wait,
orders overdue, call-backs), and the outbox: events not yet delivered to each peer and the age of the oldest.

Operational, not personal, but not for the world: without LIFELINE_METRICS_TOKEN only a loopback client is
served; with it, every scrape must bring it as a bearer token (a proxy in front is then no hole).
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import case, func, select

from lifeline.analytics import service as figures
from lifeline.channels import service as channels
from lifeline.channels.models import AlarmPost, Contact, ContactMessage
from lifeline.common import CHINA
from lifeline.errors import Forbidden
from lifeline.incidents.models import Incident, Report
from lifeline.incidents.states import OPEN_STATES
from lifeline.peering.models import PeerCursor
from lifeline.store.base import utcnow
from lifeline.store.events import Event
from lifeline.vocabulary import QUEUED, MessageState

router = APIRouter(tags=["ops"])
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One registry per app (tests make many apps; the global default registry would mix them)."""

    def __init__(self, readers):
        self.routes: dict = {}  # endpoint → its path template (web.app fills it as it mounts the routers)
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "lifeline_http_requests", "HTTP 请求 requests served", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "lifeline_http_request_seconds", "HTTP 请求耗时 request latency", ["method", "route"], buckets=BUCKETS,
            registry=self.registry,
        )  # fmt: skip
        self.registry.register(Desk(readers))

    def text(self) -> bytes:
        return generate_latest(self.registry)


class Measure:
    """ASGI middleware: each request counted and timed under its route's template."""

    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = 500
        started = time.perf_counter()

        async def sent(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sent)
        finally:
            route = self.metrics.routes.get(scope.get("endpoint"))
            if route is None:  # static files and paths no route matched: one series each, not one per path
                route = "/static" if scope.get("path", "").startswith("/static/") else "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)


class Desk:
    """A collector read from the database at each scrape."""

    def __init__(self, readers):
        self.readers = readers

    def collect(self):
        now = utcnow()
        midnight = now.astimezone(CHINA).replace(hour=0, minute=0, second=0, microsecond=0)
        calls = GaugeMetricFamily("lifeline_calls_today", "今日来电 calls since local midnight", labels=["channel"])
        triage = GaugeMetricFamily(
            "lifeline_incidents_today", "今日警情，按研判处置 incidents since midnight by disposition",
            labels=["disposition", "stage"],
        )  # fmt: skip
        open_ = GaugeMetricFamily("lifeline_incidents_open", "未结警情 open incidents by state", labels=["state"])
        backlog = GaugeMetricFamily("lifeline_outbox_backlog", "待发给对端的事件 undelivered events", labels=["peer"])
        age = GaugeMetricFamily("lifeline_outbox_oldest_seconds", "最早未发事件的等待秒数", labels=["peer"])
        queued = GaugeMetricFamily("lifeline_queue_waiting", "统一队列中等待接听的接入 contacts no seat has taken",
                                   labels=["channel"])  # fmt: skip
        oldest = GaugeMetricFamily("lifeline_queue_oldest_seconds", "队列中最久的等待秒数 the longest wait",
                                   labels=["channel"])  # fmt: skip
        messages = GaugeMetricFamily("lifeline_messages_unsent", "未送出的外发消息 outbound messages not yet sent",
                                     labels=["state"])  # fmt: skip
        with self.readers() as session:
            for channel, n, first in session.execute(
                select(Contact.channel, func.count(Contact.id), func.min(Contact.received_at))
                .where(Contact.state.in_(QUEUED)).group_by(Contact.channel)
            ):  # fmt: skip
                queued.add_metric([channel], n)
                oldest.add_metric([channel], max(0.0, (now - first).total_seconds()))
            for state, n in session.execute(
                select(ContactMessage.state, func.count(ContactMessage.id))
                .where(ContactMessage.state.in_((MessageState.QUEUED, MessageState.FAILED)))
                .group_by(ContactMessage.state)
            ):  # fmt: skip
                messages.add_metric([state], n)
            silent = sum(channels.health(p, now).state != "ok" for p in session.scalars(select(AlarmPost)))
            for channel, n in session.execute(
                select(Report.channel, func.count(Report.id)).where(Report.received_at >= midnight)
                .group_by(Report.channel)
            ):  # fmt: skip
                calls.add_metric([channel], n)
            stage = case((Incident.confirmed_at.is_(None), "triaged"), else_="confirmed")
            for disposition, step, n in session.execute(
                select(Incident.disposition, stage, func.count(Incident.id))
                .where(Incident.received_at >= midnight, Incident.state != "merged")
                .group_by(Incident.disposition, stage)
            ):  # fmt: skip
                triage.add_metric([disposition, step], n)
            for state, n in session.execute(
                select(Incident.state, func.count(Incident.id)).where(Incident.state.in_(OPEN_STATES))
                .group_by(Incident.state)
            ):  # fmt: skip
                open_.add_metric([state], n)
            delivered = func.coalesce(PeerCursor.delivered_seq, 0)
            for peer, n, oldest in session.execute(
                select(Event.to_peer, func.count(Event.seq), func.min(Event.at))
                .outerjoin(PeerCursor, PeerCursor.peer == Event.to_peer)
                .where(Event.to_peer.is_not(None), Event.seq > delivered)
                .group_by(Event.to_peer)
            ):  # fmt: skip
                backlog.add_metric([peer], n)
                age.add_metric([peer], max(0.0, (now - oldest).total_seconds()))
            waits = figures.waiting(session, now)
        yield from (calls, triage, open_, backlog, age, queued, oldest, messages)
        for name, help_, value in (
            ("lifeline_p1_waiting", "P1 待派 priority-1 incidents waiting for a unit", waits.p1),
            ("lifeline_p2_waiting", "P2 待派 priority-2 incidents waiting for a unit", waits.p2),
            ("lifeline_longest_wait_seconds", "最长等待 the longest wait for a unit now",
             waits.longest.seconds if waits.longest else 0),
            ("lifeline_orders_overdue", "超时工单 open orders past a deadline", waits.orders_overdue),
            ("lifeline_callbacks_waiting", "待回拨 call-backs waiting", waits.callbacks),
            ("lifeline_posts_not_alive", "失联或从未上线的报警柱 alarm posts silent or never heard", silent),
        ):  # fmt: skip
            yield GaugeMetricFamily(name, help_, value=value)


def _allowed(request: Request) -> bool:
    token = request.app.state.settings.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(sent.encode(), token.get_secret_value().encode())
    try:
        return ipaddress.ip_address(request.client.host if request.client else "").is_loopback
    except ValueError:
        return False


@router.get("/metrics", summary="Prometheus 指标 operations metrics", response_class=Response)
def metrics(request: Request):
    if not _allowed(request):
        raise Forbidden(
            "指标仅对本机或持 LIFELINE_METRICS_TOKEN 者开放 / metrics are served to loopback, or with the metrics token"
        )
    return Response(request.app.state.metrics.text(), media_type=CONTENT_TYPE_LATEST)
