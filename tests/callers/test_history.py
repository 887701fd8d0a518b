"""A repeat caller's history is shown beside the new call, which is still triaged like any other."""

from __future__ import annotations

NUMBER = "13700001111"


def test_a_flagged_caller_is_still_triaged_and_the_history_is_shown(api):
    for n in range(6):
        got = api.report(f"哈哈哈你们猜我是谁，第{n}次了", caller_number=NUMBER)
        iid = got["incident"]["id"]
        confirmed = api.post(
            "call_taker",
            f"/incidents/{iid}/confirm",
            {"category": "nuisance", "disposition": "invalid", "destinations": [], "priority": 4, "reason": "骚扰"},
        )
        assert confirmed.status_code == 200, confirmed.text
    danger = api.report("救命，他拿刀在砍我，快来人民路18号", caller_number=NUMBER)
    assert danger["triage"]["disposition"] in ("police", "joint")
    caller = danger["caller"]
    assert caller["calls_24h"] == 7 and caller["repeat"] and caller["flagged"]
    assert caller["number"] == "137****1111"
    assert len(caller["incidents"]) == 7

    full = api.get("call_taker", f"/callers/{NUMBER}").json()
    assert full["number"] == NUMBER and full["nuisance_score"] >= 0.5
    events = api.get("supervisor", f"/incidents/{danger['incident']['id']}/events").json()["items"]
    assert [e["kind"] for e in events][:2] == ["report.received", "incident.triaged"]


def test_a_bad_number_is_a_clear_422(api):
    answer = api.get("call_taker", "/callers/+")
    assert answer.status_code == 422
