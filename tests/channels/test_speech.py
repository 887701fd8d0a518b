"""Speech to text on the 接警台: off without a model (and the console says so), a stream per seat when a recogniser
is there. The recogniser here is a stand-in that "hears" the bytes as digits: no model can be downloaded in a test,
and the Vosk adapter needs the centre's model folder."""

from __future__ import annotations

from tests.web.test_consoles import login

from lifeline.channels.speech import Streams, recogniser_for


class Digits:
    """Hears each PCM sample's low byte as a digit; final text adds 。"""

    def open(self):
        class Stream:
            heard = ""

            def feed(self, pcm: bytes) -> str:
                self.heard += "".join(str(b % 10) for b in pcm[::2])
                return self.heard

            def finish(self) -> str:
                return self.heard + "。"

        return Stream()


def test_without_a_model_speech_to_text_is_off_and_the_console_says_why(api):
    assert recogniser_for(None)[0] is None
    recogniser, why = recogniser_for(__import__("pathlib").Path("/nonexistent/model"))
    assert recogniser is None and "speech to text is off" in why
    client, headers, page = login(api, "call_taker")
    assert 'id="speech-toggle"' in page.text and "disabled" in page.text.split('id="speech-toggle"')[1][:80]
    assert "语音转写未启用" in page.text
    refused = client.post("/console/speech", headers=headers)
    assert refused.status_code == 409 and "未配置模型" in refused.json()["detail"]


def test_a_seat_streams_audio_and_reads_back_the_text(api):
    api.client.app.state.speech = Streams(Digits())
    client, headers, page = login(api, "call_taker")
    assert "disabled" not in page.text.split('id="speech-toggle"')[1][:60]
    key = client.post("/console/speech", headers=headers).json()["stream"]
    assert client.post(f"/console/speech/{key}", content=bytes([1, 0, 2, 0]), headers=headers).json() == {"text": "12"}
    assert client.post(f"/console/speech/{key}", content=bytes([3, 0]), headers=headers).json() == {"text": "123"}
    assert client.post(f"/console/speech/{key}", content=b"\x01", headers=headers).status_code == 422  # odd bytes
    assert client.post(f"/console/speech/{key}?last=true", content=b"", headers=headers).json() == {"text": "123。"}
    assert client.post(f"/console/speech/{key}", content=b"\x01\x00", headers=headers).status_code == 404  # closed
    other = client.post("/console/speech", headers=headers).json()["stream"]
    client2, headers2, _ = login(api, "supervisor")  # another seat cannot feed or read this seat's stream
    assert client2.post(f"/console/speech/{other}", content=b"\x01\x00", headers=headers2).status_code == 404
    assert client2.post(f"/console/speech/{other}", content=b"\x01\x00").status_code == 403  # no CSRF token
