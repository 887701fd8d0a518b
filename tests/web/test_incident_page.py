"""警情页 and 警情查询 through HTTP: who sees what, every move, search and its scope, bad input."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tests.conftest import Api
from tests.web.test_consoles import login

from lifeline.common import CHINA
from lifeline.web import incident as page

KNIFE = "两个人拿着刀在人民路18号门口打架，一个人头上流血了"
AGAIN = "人民路18号门口两个人打起来了，有人流血"
CONSUMER = "超市卖过期食品，要求退款不给退"
NUMBER = "13912345678"


def police_call(api: Api, text: str = KNIFE) -> int:
    iid = api.report(text, caller_number=NUMBER, location_text="人民路18号")["incident"]["id"]
    assert api.post("call_taker", f"/incidents/{iid}/confirm", {}).status_code == 200
    return iid


def dispatched(api: Api, iid: int) -> int:
    unit = api.post("admin", "/units", {"code": f"PS1-{iid}", "name": "巡逻", "org": "PS1", "lat": 23.1, "lon": 113.2})
    assert unit.status_code == 201, unit.text
    sent = api.post("dispatcher", f"/incidents/{iid}/assign", {"unit": unit.json()["id"]})
    assert sent.status_code == 200, sent.text
    return unit.json()["id"]


def state_of(api: Api, iid: int) -> str:
    return api.get("admin", f"/incidents/{iid}").json()["state"]


def act(client, headers, iid: int, what: str, **form):
    answer = client.post(f"/console/incidents/{iid}/{what}", data=form, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer


def test_each_role_sees_what_it_may_and_no_more(api):
    iid = police_call(api)
    dispatched(api, iid)
    divert = api.report(CONSUMER, caller_number=NUMBER)["incident"]["id"]
    assert api.post("call_taker", f"/incidents/{divert}/confirm", {}).status_code == 200  # an order to MARKET

    client, headers, _ = login(api, "dispatcher")
    shown = client.get(f"/console/incidents/{iid}")
    assert shown.status_code == 200
    text = shown.text
    assert KNIFE in text and "人民路18号" in text and 'id="incident-timeline"' in text
    assert "凶器" in text and "139****5678" in text and NUMBER not in text  # masked until revealed
    assert "派出警力" in text and f"PS1-{iid}" in text and 'data-time="dispatched"' in text
    revealed = client.post(f"/console/incidents/{iid}/caller", headers=headers)
    assert NUMBER in revealed.text
    reads = api.get("supervisor", "/audit/caller-reads").json()["items"]
    assert [(r["actor"], r["kind"], r["incident_id"]) for r in reads] == [("dispatcher", "caller.number_read", iid)]

    client, headers, _ = login(api, "agency_handler")
    theirs = client.get(f"/console/incidents/{divert}")
    assert theirs.status_code == 200 and CONSUMER in theirs.text and 'id="incident-orders"' in theirs.text
    assert 'id="incident-timeline"' not in theirs.text and "139" not in theirs.text  # no log, no number
    assert client.post(f"/console/incidents/{divert}/caller", headers=headers).status_code == 403
    assert client.get(f"/console/incidents/{iid}").status_code == 404  # the police matter is not theirs
    assert client.get(f"/console/incidents/{divert}/view").status_code == 200

    client, _, _ = login(api, "officer_ps2")  # the other station
    assert client.get(f"/console/incidents/{iid}").status_code == 404
    client, _, _ = login(api, "field_officer")  # the station the unit belongs to
    assert client.get(f"/console/incidents/{iid}").status_code == 200


def test_resolve_close_reopen_cancel_and_the_moves_refused(api):
    iid = police_call(api)
    client, headers, _ = login(api, "dispatcher")
    moves = client.get(f"/console/incidents/{iid}/moves").text
    assert 'data-move="cancelled"' in moves and 'data-move="resolved"' not in moves  # nobody sent yet
    dispatched(api, iid)
    moves = client.get(f"/console/incidents/{iid}/moves").text
    assert 'data-move="resolved"' in moves and 'data-key="r"' in moves

    done = act(client, headers, iid, "move", to="resolved")
    assert "已处置" in done.text and done.headers["HX-Trigger"] == "incident-moved"
    act(client, headers, iid, "move", to="closed")
    assert state_of(api, iid) == "closed"
    view = client.get(f"/console/incidents/{iid}/view").text
    assert all(f'data-time="{s}"' in view for s in ("received", "confirmed", "dispatched", "resolved", "closed"))
    moves = client.get(f"/console/incidents/{iid}/moves").text
    assert 'data-move="reopened"' not in moves  # a dispatcher does not reopen
    refused = act(client, headers, iid, "move", to="reopened", reason="再看看")
    assert "toast late" in refused.text and state_of(api, iid) == "closed"

    client, headers, _ = login(api, "supervisor")
    assert 'data-move="reopened"' in client.get(f"/console/incidents/{iid}/moves").text
    assert "toast late" in act(client, headers, iid, "move", to="reopened").text  # a reason is required
    act(client, headers, iid, "move", to="reopened", reason="家属反映仍有冲突")
    assert state_of(api, iid) == "confirmed"

    other = police_call(api, "有人在菜市场门口吵架，快打起来了")
    assert "toast late" in act(client, headers, other, "move", to="cancelled").text
    act(client, headers, other, "move", to="cancelled", reason="报警人称已自行离开")
    assert state_of(api, other) == "cancelled"
    assert "报警人称已自行离开" in client.get(f"/console/incidents/{other}/view").text
    moves = client.get(f"/console/incidents/{other}/moves").text
    assert 'data-move="' not in moves  # the state machine leaves nothing open
    refused = act(client, headers, other, "move", to="reopened", reason="想重开")
    assert "toast late" in refused.text and state_of(api, other) == "cancelled"
    assert "toast late" in act(client, headers, other, "move", to="bogus").text
    assert (
        client.post(f"/console/incidents/{other}/move", data={"to": "closed"}).text.count("toast late") == 1
    )  # no CSRF


def test_notes_merge_unmerge_and_call_back(api):
    iid = police_call(api)
    twin = api.report(AGAIN, caller_number="13800000001")["incident"]["id"]
    client, headers, _ = login(api, "dispatcher")
    assert "toast late" in act(client, headers, iid, "note", text="  ").text
    act(client, headers, iid, "note", text="现场有监控，已通知调取")
    assert "现场有监控，已通知调取" in client.get(f"/console/incidents/{iid}/view").text

    assert f'data-duplicate="{twin}"' in client.get(f"/console/incidents/{iid}/moves").text  # offered
    act(client, headers, iid, "merge", source=twin)
    assert state_of(api, twin) == "merged"
    view = client.get(f"/console/incidents/{iid}/view").text
    assert AGAIN in view and f'href="/console/incidents/{twin}">#{twin}' in view
    assert f'data-merged="{twin}"' in client.get(f"/console/incidents/{iid}/moves").text
    assert "toast late" in act(client, headers, iid, "merge", source=iid).text  # not into itself
    act(client, headers, iid, "unmerge", source=twin)
    assert state_of(api, twin) == "triaged" and AGAIN not in client.get(f"/console/incidents/{iid}/view").text
    assert "toast late" in act(client, headers, iid, "unmerge", source=twin).text

    silent = api.report("", caller_number="13800000002")["incident"]["id"]
    client, headers, _ = login(api, "call_taker")
    unheard = act(client, headers, silent, "move", to="cancelled", reason="无声")  # not before the call-back
    assert "回拨" in unheard.text and "toast late" in unheard.text and state_of(api, silent) == "triaged"
    moves = client.get(f"/console/incidents/{silent}/moves").text
    assert 'id="callback-form"' in moves and 'data-key="b"' in moves
    reached = client.post(
        "/console/callbacks",
        data={"incident_id": silent, "outcome": "reached", "note": "对方说在幸福小区被人打了"},
        headers=headers,
    )
    assert reached.status_code == 200 and "toast late" not in reached.text
    assert 'id="callback-form"' not in client.get(f"/console/incidents/{silent}/moves").text
    assert "已接通" in client.get(f"/console/incidents/{silent}/view").text


def test_search_by_number_words_state_dates_within_scope(api, monkeypatch):
    knife = police_call(api)
    shop = api.report(CONSUMER, caller_number="13700000000")["incident"]["id"]
    api.post("call_taker", f"/incidents/{shop}/confirm", {})
    client, _, _ = login(api, "call_taker")

    def found(**params) -> list[int]:
        answer = client.get("/console/search", params=params)
        assert answer.status_code == 200, answer.text
        return [int(n) for n in re.findall(r'<tr data-incident="(\d+)"', answer.text)]

    assert found(q=f"#{knife}") == [knife] and found(q=str(shop)) == [shop]
    assert found(q="过期食品") == [shop] and found(q="人民路18号") == [knife]
    assert found(state="confirmed") == [knife] and found(priority="1") == [knife]
    today = datetime.now(CHINA).date()
    assert found(since=today.isoformat(), until=today.isoformat()) == [shop, knife]  # newest first
    assert found(until=(today - timedelta(days=1)).isoformat()) == []
    assert found(q="过期", state="closed") == []
    assert "search-results" not in client.get("/console/search").text  # nothing asked, nothing listed

    assert found(number=NUMBER) == [knife]  # the 110 desk looks callers up, and each look-up is recorded
    reads = api.get("supervisor", "/audit/caller-reads").json()["items"]
    assert [(r["actor"], r["kind"], r["number"]) for r in reads] == [
        ("call_taker", "caller.history_read", "139****5678")
    ]

    monkeypatch.setattr(page, "SEARCH_LIMIT", 1)
    first = client.get("/console/search", params={"since": today.isoformat(), "state": ""}).text
    more = re.search(r'id="search-more" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert found(since=today.isoformat()) == [shop] and "after=" in more
    assert re.findall(r'<tr data-incident="(\d+)"', client.get("/console/search" + more).text) == [str(knife)]

    client, _, _ = login(api, "hotline_operator")  # no caller look-ups: refused, said why, nothing recorded
    refused = client.get("/console/search", params={"number": NUMBER})
    assert refused.status_code == 403 and "来电号码" in refused.text and 'id="number"' not in refused.text
    assert api.get("hotline_operator", "/incidents", params={"caller_number": NUMBER}).status_code == 403  # API too
    assert len(api.get("supervisor", "/audit/caller-reads").json()["items"]) == 1
    listed = api.get("dispatcher", "/incidents", params={"caller_number": NUMBER}).json()["items"]
    assert [i["id"] for i in listed] == [knife] and len(
        api.get("supervisor", "/audit/caller-reads").json()["items"]
    ) == 2
    client, _, _ = login(api, "agency_handler")
    assert re.findall(
        r'<tr data-incident="(\d+)"', client.get("/console/search", params={"since": today.isoformat()}).text
    ) == [str(shop)]


def test_what_a_caller_said_is_shown_as_text_never_as_html(api):
    words = '<script>alert(1)</script><img src=x onerror="alert(2)"> 有人拿刀'
    iid = api.report(words, caller_number=NUMBER, location_text="<b>人民路</b>")["incident"]["id"]
    client, headers, _ = login(api, "dispatcher")
    act(client, headers, iid, "note", text="<img src=x onerror=alert(3)>")
    for answer in (client.get(f"/console/incidents/{iid}"), client.get("/console/search", params={"q": "有人拿刀"})):
        assert "<script>alert" not in answer.text and "<img src=x" not in answer.text and "<b>人民路" not in answer.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text


def test_bad_input_is_refused_with_a_4xx(api):
    iid = police_call(api)
    client, headers, _ = login(api, "dispatcher")
    bad = ["since=yesterday", "until=2026-13-01", "priority=9", "state=lost", "q=%239999999999", "since=1900-01-01",
           "since=2026-12-04T08:00:00", "until=9999-12-31"]  # fmt: skip
    for params in bad:
        answer = client.get(f"/console/search?{params}")
        assert answer.status_code == 422 and 'id="search-error"' in answer.text, params
    assert client.get("/console/search", params={"after": "x"}).status_code == 422
    assert client.get("/console/search", params={"q": "x" * 201}).status_code == 422
    for path in ("/console/incidents/0", "/console/incidents/abc", "/console/incidents/99999999999"):
        assert client.get(path).status_code == 422, path
    assert client.get("/console/incidents/999999").status_code == 404
    assert client.post(f"/console/incidents/{iid}/merge", data={"source": "abc"}, headers=headers).status_code == 422
    assert client.post(f"/console/incidents/{iid}/note", data={"text": "a\x00b"}, headers=headers).status_code == 422


def test_moves_open_follow_the_state_machine_and_the_role():
    assert page.moves_open("dispatcher", "dispatched", "police") == ["resolved", "cancelled"]
    assert page.moves_open("dispatcher", "closed", "police") == []
    assert page.moves_open("supervisor", "closed", "police") == ["reopened"]
    assert page.moves_open("agency_handler", "transferred", "divert") == []
    assert page.moves_open("call_taker", "confirmed", "invalid") == ["closed", "cancelled"]
