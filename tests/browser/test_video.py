"""A video alarm in Chromium with fake media devices (tests/browser/video.mjs): from /alarm to a call-taker, who sees
the caller, takes a snapshot and records the call; the snapshot is on the incident."""

from __future__ import annotations

from tests.browser.conftest import run_node
from tests.browser.test_roads import get

FAKE_MEDIA = "--use-fake-device-for-media-stream --use-fake-ui-for-media-stream"
# Headless Chromium hides host addresses behind mDNS names that nothing here resolves: one network needs none.
HOST_CANDIDATES = "--disable-features=WebRtcHideLocalIpsWithMdns"


def test_a_video_alarm_reaches_a_call_taker_whose_snapshot_lands_on_the_incident(browser, server):
    done = run_node("video.mjs", server, LIFELINE_CHROMIUM_FLAGS=f"{FAKE_MEDIA} {HOST_CANDIDATES}")
    assert done.returncode == 0, f"video.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
    incident = get(server, "call_taker", "/incidents?state=confirmed")["items"][0]
    contact = get(server, "call_taker", "/contacts/1")
    assert contact["channel"] == "video" and contact["incident_id"] == incident["id"]
    assert [(a["kind"], a["label"], a["media_type"]) for a in contact["attachments"]] == [
        ("snapshot", "甲方车牌", "image/jpeg")
    ]
