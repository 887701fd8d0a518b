"""The FastAPI application: one process may serve the 110 role, the 12345 role, or both."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import event, text

from lifeline import __version__
from lifeline.api import problems
from lifeline.api.limits import BodyLimit
from lifeline.auth.views import router as auth_router
from lifeline.diversion.views import router as diversion_router
from lifeline.exchange.eido_views import router as eido_router
from lifeline.exchange.open311_views import router as open311_router
from lifeline.exchange.peers import Peers
from lifeline.exchange.peers import load as load_peers
from lifeline.exchange.receiver import router as receiver_router
from lifeline.exchange.relay import Relay
from lifeline.exchange.views import router as bridge_router
from lifeline.incidents.views import router as incidents_router
from lifeline.store import migrate
from lifeline.store.engine import make_engine, session_factory

Role = Literal["110", "12345", "both"]
API = "/api/v1"


def from_environment() -> FastAPI:
    """The factory uvicorn's worker processes call: settings come from the environment."""
    return create_app(os.environ.get("LIFELINE_DATABASE_URL"), os.environ.get("LIFELINE_ROLE", "both"))


def create_app(database_url: str | None = None, role: Role = "both", peers: Peers | None = None) -> FastAPI:
    peers = peers if peers is not None else load_peers()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        relay = None
        if peers.peers:
            relay = Relay(app.state.sessions, peers)
            # Any commit may have addressed an event to a peer: wake the relay instead of making it poll.
            event.listen(app.state.sessions, "after_commit", relay.wake)
            relay.start()
        app.state.relay = relay
        app.state.ready = True
        yield
        if relay is not None:
            relay.stop()
        engine.dispose()

    app = FastAPI(
        title="lifeline 110/12345 API",
        version=__version__,
        description="110 接警与 12345 热线协同平台接口 / the API of the 110 desk and its 12345 bridge",
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    app.state.role = role
    app.state.peers = peers
    app.state.ready = False
    problems.install(app)
    app.add_middleware(BodyLimit)
    app.include_router(incidents_router, prefix=API)
    app.include_router(auth_router, prefix=API)
    app.include_router(diversion_router, prefix=API)
    app.include_router(bridge_router, prefix=API)
    app.include_router(eido_router, prefix=API)
    app.include_router(receiver_router)
    if role in ("12345", "both"):
        app.include_router(open311_router)  # Open311 GeoReport v2, outside /api/v1 as the spec has it

    @app.get("/healthz", tags=["ops"], summary="就绪检查 readiness")
    def healthz(request: Request):
        if not request.app.state.ready:
            return JSONResponse({"status": "starting"}, status_code=503)
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "role": request.app.state.role, "version": __version__}

    return app
