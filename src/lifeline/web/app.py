"""The FastAPI application: one process may serve the 110 role, the 12345 role, or both."""

from __future__ import annotations

import json
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import event, text

from lifeline import __version__
from lifeline import taxonomy as taxonomies
from lifeline.analytics import summary
from lifeline.analytics.views import router as analytics_router
from lifeline.api import problems
from lifeline.api.context import guard
from lifeline.api.limits import BodyLimit
from lifeline.auth import policy
from lifeline.auth.views import router as auth_router
from lifeline.callers import criteria
from lifeline.callers.views import router as callers_router
from lifeline.catalogue import service as catalogue
from lifeline.catalogue.views import router as catalogue_router
from lifeline.channels.gateways import Courier, gateways_for
from lifeline.channels.speech import Streams, recogniser_for
from lifeline.channels.views import router as channels_router
from lifeline.desk import bridge
from lifeline.desk.flows import Desk
from lifeline.desk.views import router as desk_router
from lifeline.dispatch.views import router as dispatch_router
from lifeline.diversion import routing
from lifeline.diversion.service import escalate_overdue, urge_due
from lifeline.diversion.views import router as diversion_router
from lifeline.eido.views import router as eido_router
from lifeline.geo.views import router as geo_router
from lifeline.governance.views import router as governance_router
from lifeline.incidents.views import router as incidents_router
from lifeline.knowledge.views import router as knowledge_router
from lifeline.missing import service as missing_cases
from lifeline.missing.views import router as missing_router
from lifeline.open311.views import api_router as open311_api_router
from lifeline.open311.views import router as open311_router
from lifeline.peering.peers import Peers
from lifeline.peering.peers import load as load_peers
from lifeline.peering.receiver import router as receiver_router
from lifeline.peering.rejections import Rejections
from lifeline.peering.relay import Relay
from lifeline.peering.views import router as exchange_router
from lifeline.province.views import pages as province_pages
from lifeline.province.views import router as province_router
from lifeline.settings import Settings
from lifeline.store import migrate
from lifeline.store.base import utcnow
from lifeline.store.engine import make_engine, reader_factory, session_factory, transaction
from lifeline.store.feed import Feed
from lifeline.store.leader import Leader
from lifeline.triage.model import default_model
from lifeline.web import (
    board,
    calls,
    contacts,
    dashboard,
    field,
    figures,
    governance,
    incident,
    knowledge,
    metrics,
    missing,
    nuisance,
    orders,
    pages,
    speech,
    stream,
    telephony,
    video,
)
from lifeline.web.headers import SecurityHeaders

API = "/api/v1"
STATIC = Path(__file__).parent / "static"
SUMMARY_DAYS_PER_SWEEP = 4  # a day of a big city rebuilds in well under a second; four keep a round short
SWEEP_SECONDS = 30
log = logging.getLogger("lifeline.web")
EMPTY_LAYERS = {"type": "FeatureCollection", "features": []}


def city_layers(path: Path | None) -> dict:
    """The city's own map layers (districts, jurisdictions) as GeoJSON (Settings.city_layers)."""
    if path is None:
        return EMPTY_LAYERS
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.exception("cannot read LIFELINE_CITY_LAYERS=%s; the map shows no city layers", path)
        return EMPTY_LAYERS


def _sweep(app: FastAPI, stop: threading.Event) -> None:
    """Overdue work orders are escalated to the supervisors without anyone having to look, missing-person alerts
    widen as the hours pass (and the province's hub hears of it), and settled days get their figure summaries (a
    few days a round, each in its own short transaction). One worker sweeps at a time."""
    leader = Leader(app.state.engine, "sweep")
    while not stop.wait(SWEEP_SECONDS):
        if not leader.leads():
            continue
        try:
            with transaction(app.state.sessions) as session:
                escalate_overdue(session)
                urge_due(session, app.state.routing)  # 催办 before the deadline, escalation after it
                missing_cases.widen_due(session)
                hub = app.state.desk.peers.by_role("hub")
                if hub is not None:
                    bridge.alert_province(session, hub.name)
            video.hang_up_quiet_callers(app)  # a video alarm's page closed without hanging up
            for _ in range(SUMMARY_DAYS_PER_SWEEP):
                with transaction(app.state.sessions) as session:
                    if not summary.refresh(session, limit=1):
                        break
        except Exception:  # the sweep must outlive a busy database; it tries again next round
            log.exception("overdue sweep failed")
    leader.release()


def create_app(settings: Settings, *, peers: Peers | None = None) -> FastAPI:
    """The application for `settings`. `peers` stands in for Settings.peers when given (tests hand one ready)."""
    if peers is None:
        peers = load_peers(str(settings.peers)) if settings.peers else Peers()
    database_url = settings.database_url

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        default_model()  # loaded before the first call, not on the call-taker's first keystroke (~150 ms)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.readers = reader_factory(engine)
        app.state.feed = feed = Feed(engine)  # what any worker commits, told to this one's consoles and relay
        feed.start()
        with app.state.readers() as session:  # the catalogue in force and its word index, also before the first call
            catalogue.suggest_for(session, "", "car_moving")
        stop = threading.Event()
        sweeper = threading.Thread(target=_sweep, args=(app, stop), name="lifeline-sweep", daemon=True)
        sweeper.start()
        relay = None
        if peers.peers:
            relay = Relay(app.state.sessions, peers)
            # Any commit may have addressed an event to a peer: wake the relay instead of making it poll. This
            # worker's commits at once, every worker's through the feed.
            event.listen(app.state.sessions, "after_commit", relay.wake)
            feed.subscribe(relay.wake)
            relay.start()
        app.state.relay = relay
        courier = Courier(app.state.sessions, gateways_for(settings))
        courier.start()
        app.state.courier = courier
        app.state.telephony = telephony.start(app, settings)
        app.state.ready = True
        yield
        stop.set()
        if app.state.telephony is not None:
            app.state.telephony.stop()
        courier.stop()
        if relay is not None:
            relay.stop()
        sweeper.join(timeout=5)
        feed.stop()
        engine.dispose()

    app = FastAPI(
        title="lifeline 110/12345 API",
        version=__version__,
        description="110 接警与 12345 热线协同平台接口 / the API of the 110 desk and its 12345 bridge",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        dependencies=[Depends(guard)],
    )
    app.state.settings = settings
    app.state.role = role = settings.role
    app.state.peers = peers
    app.state.rejections = Rejections()  # refused knocks on the exchange door, in memory (peering.rejections)
    # Files named in the settings are read now: a bad one stops the start with its line and field named.
    app.state.routing = routing.load(str(settings.routing)) if settings.routing else routing.Table()
    app.state.taxonomy = taxonomies.load(settings.taxonomy) if settings.taxonomy else taxonomies.default()
    app.state.criteria = criteria.load(settings.nuisance_criteria)  # who reaches the supervisors' nuisance queue
    app.state.desk = Desk(role, peers, app.state.routing)
    app.state.city_layers = city_layers(settings.city_layers)
    # A deployment with its own tile server names it here ({z}/{x}/{y}); without one the maps draw the city layers.
    app.state.tile_url = settings.tile_url
    app.state.ready = False
    app.state.telephony = None  # the SIP adapter, when LIFELINE_SIP_LISTEN is set (web.telephony)
    app.state.video_calls = video.Recent()  # video alarms started per address in the last minute
    app.state.speech = Streams(*recogniser_for(settings.speech_model))  # off, with why, when there is no model
    app.state.clock = utcnow  # logins and their locks read the time here; tests move it on
    problems.install(app)
    app.state.metrics = metrics.Metrics(lambda: app.state.readers())
    app.add_middleware(metrics.Measure, metrics=app.state.metrics)  # inside the limits: a 413 is counted too
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url)  # outermost: the 413 gets the headers too
    mounts = [(API, r) for r in API_ROUTERS] + [("", r) for r in ROOT_ROUTERS]
    if role in ("12345", "both"):
        mounts.append(("", open311_router))  # Open311 GeoReport v2, outside /api/v1 as the spec has it
        mounts.append((API, open311_api_router))  # what of an order the 12345 centre publishes
    # Every route's rule, by its endpoint; a route without one stops the start (auth.policy).
    app.state.rules = {
        route.endpoint: policy.rule_for(method, prefix + route.path)
        for prefix, router in mounts
        for route in router.routes
        for method in route.methods
    }
    # Every route's path template, by its endpoint: what /metrics counts requests under.
    app.state.metrics.routes = {
        route.endpoint: prefix + route.path for prefix, router in mounts for route in router.routes
    }
    for prefix, router in mounts:
        app.include_router(router, prefix=prefix)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


ops = APIRouter(tags=["ops"])


@ops.get("/healthz", summary="就绪检查 readiness")
def healthz(request: Request):
    if not request.app.state.ready:
        return JSONResponse({"status": "starting"}, status_code=503)
    with request.app.state.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok", "role": request.app.state.role, "version": __version__}


API_ROUTERS = (
    incidents_router, auth_router, diversion_router, desk_router, eido_router, dispatch_router, geo_router,
    analytics_router, missing_router, callers_router,
    exchange_router,
    governance_router, catalogue_router,
    knowledge_router, channels_router,
)  # fmt: skip
ROOT_ROUTERS = (
    receiver_router, ops, metrics.router, pages.router, calls.router, board.router, orders.router, dashboard.router,
    figures.router, field.router, incident.router, missing.router, stream.router, governance.router, nuisance.router,
    knowledge.router, contacts.router, speech.router, video.router, province_router, province_pages,
)  # fmt: skip
