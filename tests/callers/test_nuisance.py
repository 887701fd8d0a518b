"""Nuisance callers: the criteria bring a number to the supervisors' queue with its evidence; a case records the
review, warning, referral and flag; a flagged caller's emergency is still triaged and dispatched like any other,
and the flag ends by its exit rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifeline.auth.service import SYSTEM, create_token
from lifeline.store.engine import transaction

NUMBER = "13912345678"
QUIET = "13800009999"
KNIFE = "有人拿刀砍人，在解放路88号"
NUISANCE = {"category": "nuisance", "disposition": "invalid", "destinations": [], "priority": 4, "reason": "谎报骚扰"}


def _false_calls(api, number, days_ago: list[int], text="你们警察都是吃干饭的，我家着火了哈哈骗你的"):
    """Confirmed nuisance calls from `number`, received so many days ago."""
    now = datetime.now(UTC)
    ids = []
    for n, days in enumerate(days_ago):
        at = (now - timedelta(days=days, minutes=n)).isoformat()
        iid = api.report(f"{text}（{n}）", caller_number=number, received_at=at, external_ref=f"REC-{n}")["incident"][
            "id"
        ]
        confirmed = api.post("call_taker", f"/incidents/{iid}/confirm", NUISANCE)
        assert confirmed.status_code == 200, confirmed.text
        ids.append(iid)
    return ids


def _step(api, step, note, user="supervisor", number=NUMBER, key=None, **more):
    headers = {"Idempotency-Key": key} if key else None
    return api.post(user, f"/callers/{number}/governance/steps", {"step": step, "note": note, **more}, headers=headers)


def test_a_number_with_twelve_false_calls_in_three_months_is_reviewed_warned_flagged_and_still_dispatched(api):
    # Twelve false calls over three months (only three of them in the last 30 days: the 90-day window decides).
    ids = _false_calls(api, NUMBER, [3, 10, 20, 35, 40, 45, 50, 55, 60, 70, 80, 85])
    _false_calls(api, QUIET, [2, 5, 9, 40])  # four: below both windows

    queue = api.get("supervisor", "/nuisance").json()["items"]
    assert [q["number"] for q in queue] == [NUMBER]
    item = queue[0]
    assert item["false_calls"] == 12
    assert [(w["days"], w["count"], w["met"]) for w in item["windows"]] == [(30, 3, False), (90, 12, True)]
    latest = item["evidence"][0]
    assert latest["incident_id"] == ids[0] and latest["category"] == "nuisance" and latest["reference"] == "REC-0"
    assert "骗你的" in latest["words"] and 0 <= latest["hour"] <= 23

    # The review keeps the evidence as it stood; a warning needs its means; then the flag.
    reviewed = _step(api, "review", "三个月内谎报 12 次，录音已核")
    assert reviewed.status_code == 200, reviewed.text
    case = reviewed.json()["case"]
    assert case["state"] == "reviewed" and sorted(case["steps"][0]["detail"]["incidents"]) == sorted(ids)
    assert api.get("supervisor", "/nuisance").json()["items"] == []  # an open case leaves the queue
    assert _step(api, "warning", "电话告诫").status_code == 422
    warned = _step(api, "warning", "电话告诫，本人承认", means="call")
    assert warned.status_code == 200 and warned.json()["case"]["state"] == "warned"
    flagged = _step(api, "flag", "标记，30 天后复核", key="flag-1")
    assert flagged.status_code == 200, flagged.text
    flag = flagged.json()["case"]["flag"]
    assert flag["status"] == "in_force" and flag["exit_days"] == 90
    again = _step(api, "flag", "标记，30 天后复核", key="flag-1")
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert _step(api, "flag", "再标记一次").status_code == 409

    # The flagged number calls with a real emergency: triaged as police, the call-taker sees the flag and the plan.
    danger = api.report(KNIFE, caller_number=NUMBER)
    assert danger["triage"]["disposition"] in ("police", "joint") and danger["incident"]["priority"] == 1
    caller = danger["caller"]
    assert caller["flagged"] and caller["number"] == "139****5678"
    assert caller["case"]["flagged"] and caller["case"]["latest_step"]["step"] == "flag"
    assert caller["case"]["next_review"] is not None
    iid = danger["incident"]["id"]
    assert api.post("call_taker", f"/incidents/{iid}/confirm", {}).status_code == 200
    unit = api.post("admin", "/units", {"code": "PS1-01", "name": "巡逻车", "org": "PS1"}).json()
    sent = api.post("dispatcher", f"/incidents/{iid}/assign", {"unit": unit["id"]})
    assert sent.status_code == 200, sent.text
    assert api.get("dispatcher", f"/incidents/{iid}").json()["state"] == "dispatched"
    looked = api.get("call_taker", f"/callers/{NUMBER}").json()
    assert looked["case"]["flag"]["status"] == "in_force"

    # Every step is an event; the case's number is masked there.
    kinds = [e["kind"] for e in api.get("admin", "/audit/caller-reads", params={"number": NUMBER}).json()["items"]]
    assert "caller.history_read" in kinds

    # 91 days on, no false call since the flag: it has ended by its exit rule.
    with transaction(api.client.app.state.sessions) as session:  # a token that outlives the move of the clock
        api.tokens = {**api.tokens, "supervisor": create_token(session, SYSTEM, "supervisor", timedelta(days=400))}
    later = datetime.now(UTC) + timedelta(days=91)
    api.client.app.state.clock = lambda: later
    case = api.get("supervisor", f"/callers/{NUMBER}/governance").json()["case"]
    assert case["flag"]["status"] == "expired" and case["state"] == "warned"
    assert _step(api, "lift", "不再需要").status_code == 409  # nothing in force to lift


def test_a_false_call_after_the_flag_moves_its_end_and_a_supervisor_may_lift_it(api):
    _false_calls(api, NUMBER, [1, 2, 3, 4, 5])  # five in 30 days
    assert [q["number"] for q in api.get("supervisor", "/nuisance").json()["items"]] == [NUMBER]
    assert _step(api, "review", "一月内五次").status_code == 200
    flag = _step(api, "flag", "标记", exit_days=30).json()["case"]["flag"]
    first_end = datetime.fromisoformat(flag["ends_on"])
    _false_calls(api, NUMBER, [0])
    flag = api.get("supervisor", f"/callers/{NUMBER}/governance").json()["case"]["flag"]
    assert datetime.fromisoformat(flag["ends_on"]) > first_end and flag["last_false_call"] is not None
    assert _step(api, "lift", "").status_code == 422  # a reason is needed
    lifted = _step(api, "lift", "已转介心理援助，本人配合")
    assert lifted.status_code == 200 and lifted.json()["case"]["flag"]["status"] == "lifted"
    assert api.report("你好", caller_number=NUMBER)["caller"]["case"]["flagged"] is False
    closed = _step(api, "close", "结案")
    assert closed.status_code == 200 and closed.json()["case"]["state"] == "closed"
    # Closed, the number meets the criteria still and comes back to the queue for a new case.
    assert [q["number"] for q in api.get("supervisor", "/nuisance").json()["items"]] == [NUMBER]


def test_a_number_below_the_criteria_never_appears_and_misdials_do_not_count(api):
    _false_calls(api, QUIET, [1, 2, 3, 4])  # four in 30 days, and a fifth 100 days ago
    _false_calls(api, QUIET, [100])
    for n in range(3):
        iid = api.report(f"不好意思打错了{n}", caller_number=QUIET)["incident"]["id"]
        # A misdial is called back before it is closed as invalid (the safety rule); it does not count.
        reached = api.post("call_taker", f"/incidents/{iid}/callbacks", {"outcome": "reached", "note": "本人说打错了"})
        assert reached.status_code in (200, 201), reached.text
        misdial = {"category": "misdial", "disposition": "invalid", "destinations": [], "priority": 4, "reason": "误拨"}
        assert api.post("call_taker", f"/incidents/{iid}/confirm", misdial).status_code == 200
    assert api.get("supervisor", "/nuisance").json()["items"] == []
    got = api.get("supervisor", f"/callers/{QUIET}/governance").json()
    assert got["meets"] is False and got["case"] is None and len(got["evidence"]) == 4


def test_figures_count_false_calls_and_who_stopped_after_each_step(api):
    _false_calls(api, NUMBER, [1, 2, 3, 4, 5])
    _step(api, "review", "审查")
    _step(api, "referral", "转介社区心理服务", means="health")
    figures = api.get("supervisor", "/nuisance/figures").json()
    assert figures["false_calls"] == 5 and figures["numbers"] == 1 and figures["by_category"] == {"nuisance": 5}
    assert {f["step"]: (f["callers"], f["stopped"]) for f in figures["after_step"]} == {
        "review": (1, 1),
        "referral": (1, 1),
    }
    _false_calls(api, NUMBER, [0])
    after = {f["step"]: f["stopped"] for f in api.get("supervisor", "/nuisance/figures").json()["after_step"]}
    assert after == {"review": 0, "referral": 0}


def test_only_the_110_supervisors_govern_and_bad_input_is_a_clear_4xx(api):
    _false_calls(api, NUMBER, [1, 2, 3, 4, 5])
    assert api.get("call_taker", "/nuisance").status_code == 403
    assert api.get("hotline_operator", "/nuisance").status_code == 403
    assert _step(api, "review", "x", user="dispatcher").status_code == 403
    assert _step(api, "warning", "先警示", means="call").status_code == 409  # review comes first
    assert _step(api, "review", "审查", means="call").status_code == 422
    assert _step(api, "jail", "x").status_code == 422
    assert _step(api, "review", "x\x00").status_code == 422
    assert api.post("supervisor", "/callers/abc/governance/steps", {"step": "review", "note": "x"}).status_code == 422
    assert _step(api, "review", "审查").status_code == 200
    assert _step(api, "flag", "标记", review_at="2020-01-01T00:00:00+08:00").status_code == 422
    assert _step(api, "flag", "标记", exit_days=0).status_code == 422
    assert _step(api, "referral", "转介", means="call").status_code == 422
    assert api.get("supervisor", "/nuisance/figures", params={"since": "yesterday"}).status_code == 422
    assert api.get("supervisor", "/nuisance", params={"limit": 0}).status_code == 422


def test_the_console_lists_the_queue_records_steps_and_the_call_console_shows_the_flag(api):
    from tests.web.test_consoles import login

    _false_calls(api, NUMBER, [1, 2, 3, 4, 5])
    client, headers, _ = login(api, "supervisor")
    page = client.get("/console/nuisance")
    assert page.status_code == 200 and NUMBER in page.text and "REC-0" in page.text
    assert 'href="/console/nuisance"' in page.text  # in the navigation
    case = client.post("/console/nuisance/case", data={"number": NUMBER}, headers=headers)
    assert "case-step" in case.text and "骗你的" in case.text
    for step in ({"step": "review", "note": "五次谎报"}, {"step": "warning", "means": "letter", "note": "书面告诫"},
                 {"step": "flag", "note": "标记", "exit_days": "60"}):  # fmt: skip
        done = client.post("/console/nuisance/step", data={"number": NUMBER, **step}, headers=headers)
        assert done.status_code == 200 and "case-refused" not in done.text, done.text
    assert 'id="flag-ends"' in done.text
    refused = client.post(
        "/console/nuisance/step", data={"number": NUMBER, "step": "flag", "note": "x"}, headers=headers
    )
    assert "case-refused" in refused.text
    assert "flag-in_force" in client.get("/console/nuisance").text

    # The incident page of this caller's new call links to the case; the call console shows the flag at pickup.
    iid = api.report(KNIFE, caller_number=NUMBER)["incident"]["id"]
    view = client.get(f"/console/incidents/{iid}").text
    assert f'href="/console/nuisance?incident={iid}"' in view
    opened = client.get(f"/console/nuisance?incident={iid}").text
    assert 'id="case-number"' in opened and NUMBER in opened
    taker, taker_headers, _ = login(api, "call_taker")
    shown = taker.post("/console/caller", data={"caller_number": NUMBER}, headers=taker_headers).text
    assert 'id="caller-case" class="late"' in shown and 'id="caller-plan"' in shown
    assert "照常研判、派警，不得挂断或降级" in shown
    assert NUMBER not in taker.get("/console/nuisance", follow_redirects=False).text


def test_a_centre_s_criteria_file_decides_who_reaches_the_queue(database, tmp_path):
    from fastapi.testclient import TestClient
    from tests.conftest import Api

    from lifeline.settings import Settings
    from lifeline.web.app import create_app

    url, tokens = database
    rules = tmp_path / "nuisance.yaml"
    rules.write_text("windows: [{days: 7, calls: 3}]\ncategories: [nuisance]\nexit_days: 30\n", encoding="utf-8")
    with TestClient(create_app(Settings(database_url=url, nuisance_criteria=rules))) as client:
        api = Api(client, tokens)
        _false_calls(api, NUMBER, [1, 2, 3])  # three in a week: below the default, enough here
        queue = api.get("supervisor", "/nuisance").json()["items"]
        assert [(q["number"], [w["days"] for w in q["windows"]]) for q in queue] == [(NUMBER, [7])]
        assert _step(api, "review", "一周三次").status_code == 200
        assert _step(api, "flag", "标记").json()["case"]["flag"]["exit_days"] == 30
        client.app.state.engine.dispose()
