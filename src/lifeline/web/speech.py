"""Speech to text on the 接警台: a stream per call, fed with the microphone's audio, read back as text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from lifeline.channels.speech import SpeechOff
from lifeline.web.pages import SESSION_ENDED, csrf_ok, viewer

router = APIRouter(include_in_schema=False)
Key = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _refused(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


@router.post("/console/speech")
def open_stream(request: Request):
    """A new stream for this seat; 409 with why when speech to text is off here."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return _refused(403, SESSION_ENDED)
    try:
        return {"stream": request.app.state.speech.open(who.user.user_id)}
    except SpeechOff as exc:
        return _refused(409, str(exc))


@router.post("/console/speech/{key}")
async def feed(request: Request, key: Key, last: Annotated[bool, Query()] = False):
    """A chunk of 16 kHz mono 16-bit PCM; answers the text so far (the final text with `last`)."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return _refused(403, SESSION_ENDED)
    pcm = await request.body()
    try:
        return {"text": request.app.state.speech.feed(who.user.user_id, key, pcm, last)}
    except KeyError:
        return _refused(404, "没有这个转写流，请重新开始 / no such stream: start again")
    except ValueError as exc:
        return _refused(422, str(exc))
