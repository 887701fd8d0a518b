"""Server-sent events for the consoles: the event log, tailed, as named signals pages re-fetch on."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from lifeline.store.events import Event
from lifeline.web.pages import viewer

router = APIRouter(include_in_schema=False)
KEEPALIVE_SECONDS = 15
BATCH = 500


def topic(kind: str) -> str:
    """incident.* → incidents, order.* → orders, unit.* → units; everything also moves the KPIs."""
    head = kind.split(".", 1)[0]
    return {"incident": "incidents", "report": "incidents", "order": "orders", "unit": "units"}.get(head, "")


def _read(factory, after: int) -> tuple[int, set[str], bool]:
    """The topics moved since `after`, the newest seq read, and whether more are waiting."""
    with factory() as session:
        rows = session.execute(
            select(Event.seq, Event.kind).where(Event.seq > after).order_by(Event.seq).limit(BATCH)
        ).all()
    topics = {topic(kind) for _, kind in rows} - {""}
    return (rows[-1][0] if rows else after), topics, len(rows) == BATCH


@router.get("/console/stream")
async def stream(request: Request):
    who = await run_in_threadpool(viewer, request)
    if who is None:
        return StreamingResponse(iter(()), status_code=401)
    factory, feed = request.app.state.readers, request.app.state.feed

    async def signals():
        # Woken by the feed when any worker commits events (store.feed), not by polling per console.
        loop, woken = asyncio.get_running_loop(), asyncio.Event()

        def wake(_seq: int) -> None:
            loop.call_soon_threadsafe(woken.set)

        after = feed.last
        feed.subscribe(wake)
        try:
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                try:
                    await asyncio.wait_for(woken.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                woken.clear()
                after, topics, more = await run_in_threadpool(_read, factory, after)
                if more:
                    woken.set()
                for name in sorted(topics):
                    yield f"event: {name}\ndata: {after}\n\n"
                if topics:
                    yield f"event: kpi\ndata: {after}\n\n"
        finally:
            feed.unsubscribe(wake)

    return StreamingResponse(signals(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
