"""Server-sent events for the consoles: the event log, tailed, as named signals pages re-fetch on."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from lifeline.store.events import Event
from lifeline.web.pages import viewer

router = APIRouter(include_in_schema=False)
POLL_SECONDS = 0.3
KEEPALIVE_SECONDS = 15
BATCH = 500


def topic(kind: str) -> str:
    """incident.* → incidents, order.* → orders, unit.* → units; everything also moves the KPIs."""
    head = kind.split(".", 1)[0]
    return {"incident": "incidents", "report": "incidents", "order": "orders", "unit": "units"}.get(head, "")


def _read(factory, after: int) -> tuple[int, set[str]]:
    with factory() as session:
        rows = session.execute(
            select(Event.seq, Event.kind).where(Event.seq > after).order_by(Event.seq).limit(BATCH)
        ).all()
    topics = {topic(kind) for _, kind in rows} - {""}
    return (rows[-1][0] if rows else after), topics


def _last(factory) -> int:
    with factory() as session:
        return session.scalar(select(func.coalesce(func.max(Event.seq), 0)))


@router.get("/console/stream")
async def stream(request: Request):
    who = await run_in_threadpool(viewer, request)
    if who is None:
        return StreamingResponse(iter(()), status_code=401)
    factory = request.app.state.readers

    async def signals():
        after = await run_in_threadpool(_last, factory)
        quiet = 0.0
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            after, topics = await run_in_threadpool(_read, factory, after)
            for name in sorted(topics):
                yield f"event: {name}\ndata: {after}\n\n"
            if topics:
                yield f"event: kpi\ndata: {after}\n\n"
                quiet = 0.0
            else:
                quiet += POLL_SECONDS
                if quiet >= KEEPALIVE_SECONDS:
                    yield ": keep-alive\n\n"
                    quiet = 0.0
            await asyncio.sleep(POLL_SECONDS)

    return StreamingResponse(signals(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
