"""Speech to text, pluggable: what the caller says fills the call-taker's text box as they speak.

A `Recogniser` opens one `Stream` per call; the console sends 16 kHz mono 16-bit PCM in short chunks and reads
back the text so far. The one adapter is for Vosk (Kaldi), offline, with a model folder the centre supplies
(`LIFELINE_SPEECH_MODEL`, e.g. vosk-model-cn-0.22): nothing is downloaded at run time, and without a model (or
without the `vosk` package) the console says that speech to text is off and the call-taker types as always.

Streams live in the process that opened them (a few per seat); behind several workers, a proxy keeps a seat on one
worker (sticky sessions) or the stream starts again.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

SAMPLE_RATE = 16_000
CHUNK_MAX_BYTES = 64 * 1024  # two seconds of audio: a console sends about 250 ms at a time
STREAM_IDLE_SECONDS = 120  # a stream nobody fed for this long is dropped
STREAMS_MAX = 64


class SpeechOff(Exception):
    """Speech to text is not available here; the message says why, for the console."""


class Stream(Protocol):
    def feed(self, pcm: bytes) -> str:
        """Take a chunk of 16 kHz mono PCM16; return the text so far."""

    def finish(self) -> str:
        """The final text."""


class Recogniser(Protocol):
    def open(self) -> Stream: ...


class VoskStream:
    def __init__(self, recogniser):
        self.recogniser, self.done = recogniser, []

    def _text(self, partial: str = "") -> str:
        return "".join(self.done) + partial

    def feed(self, pcm: bytes) -> str:
        if self.recogniser.AcceptWaveform(pcm):
            self.done.append(json.loads(self.recogniser.Result()).get("text", "").replace(" ", ""))
            return self._text()
        return self._text(json.loads(self.recogniser.PartialResult()).get("partial", "").replace(" ", ""))

    def finish(self) -> str:
        self.done.append(json.loads(self.recogniser.FinalResult()).get("text", "").replace(" ", ""))
        return self._text()


class Vosk:
    """Vosk with the centre's model folder, loaded once per process."""

    def __init__(self, model: Path):
        try:
            import vosk  # optional: `pip install vosk`
        except ImportError as exc:
            raise SpeechOff("未安装 vosk / the vosk package is not installed") from exc
        if not Path(model).is_dir():
            raise SpeechOff(f"模型目录不存在 / no model folder at {model}")
        vosk.SetLogLevel(-1)
        self.vosk, self.model = vosk, vosk.Model(str(model))

    def open(self) -> Stream:
        return VoskStream(self.vosk.KaldiRecognizer(self.model, SAMPLE_RATE))


def recogniser_for(model: Path | None) -> tuple[Recogniser | None, str]:
    """(the recogniser, '') when one can run here, else (None, why not)."""
    if model is None:
        return None, "语音转写未启用：未配置模型 / speech to text is off: no model configured"
    try:
        return Vosk(model), ""
    except SpeechOff as exc:
        zh, _, en = str(exc).partition(" / ")
        return None, f"语音转写未启用：{zh} / speech to text is off: {en}"
    except Exception as exc:  # a broken model folder must not stop the desk
        return None, f"语音转写未启用：模型无法加载 / speech to text is off: the model failed to load ({exc})"


@dataclass
class Streams:
    """The open streams of this process, by a random id; each belongs to the seat that opened it."""

    recogniser: Recogniser | None
    off: str = ""
    streams: dict[str, tuple[int, Stream, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, seat: int) -> str:
        if self.recogniser is None:
            raise SpeechOff(self.off)
        with self.lock:
            self._drop_idle()
            if len(self.streams) >= STREAMS_MAX:
                raise SpeechOff("语音转写繁忙 / too many streams open")
            key = secrets.token_urlsafe(16)
            self.streams[key] = (seat, self.recogniser.open(), time.monotonic())
        return key

    def feed(self, seat: int, key: str, pcm: bytes, last: bool = False) -> str:
        if len(pcm) > CHUNK_MAX_BYTES or len(pcm) % 2:
            raise ValueError("音频块须为 16 位 PCM，且不超过 64 KB / a chunk is 16-bit PCM of at most 64 KB")
        with self.lock:
            found = self.streams.get(key)
            if found is None or found[0] != seat:
                raise KeyError("没有这个转写流 / no such stream")
            self.streams[key] = (seat, found[1], time.monotonic())
            stream = found[1]
            if last:
                del self.streams[key]
        text = stream.feed(pcm) if pcm else ""
        return stream.finish() if last else text

    def _drop_idle(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, _, at) in self.streams.items() if now - at > STREAM_IDLE_SECONDS]:
            del self.streams[key]
