"""工单台 through HTTP: the queues and their counts, columns, sort and filters kept in the URL, the order's panel with
the steps open to the viewer, the re-route queue's choices, and who sees what."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from tests.conftest import PASSWORD
from tests.peering.conftest import bridge, until  # noqa: F401  (bridge: two processes, 110 and 12345)
from tests.web.test_consoles import login

from lifeline.store.base import utcnow
from lifeline.vocabulary import Satisfaction
from lifeline.web import orders as console

SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家"
SCALE = "菜市场的秤缺斤短两，摊主还骂人"


def divert(api, text=SHOP, number="13800138000") -> tuple[int, int]:
    iid = api.report(text, caller_number=number)["incident"]["id"]
    decided = api.post("call_taker", f"/incidents/{iid}/confirm", {"disposition": "divert"})
    assert decided.status_code == 200, decided.text
    return iid, decided.json()["follow_up"]["orders"][0]


def step(api, user, order_id, **body):
    answer = api.post(user, f"/orders/{order_id}/steps", body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def listed(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-order="(\d+)"', page)]


def counts(page: str) -> dict[str, int]:
    return {v: int(n) for v, n in re.findall(r'data-view="(\w+)"[^>]*>[^<]*<b class="count">(\d+)</b>', page)}


def test_the_inbox_has_its_columns_and_an_order_opens_beside_it(api):
    iid, order = divert(api)
    client, headers, _ = login(api, "hotline_operator")
    page = client.get("/console/orders")
    assert page.status_code == 200
    for column in ("类别", "内容", "承办单位", "时限/剩余", "状态", "督办"):
        assert f">{column}</th>" in page.text
    assert listed(page.text) == [order]
    assert "市场监管局" in page.text and "data-until=" in page.text and "已接收" in page.text
    assert counts(page.text) == {"inbox": 1, "reroute": 0, "visit": 0}
    assert 'hx-trigger="sse:orders"' in page.text  # the table refreshes; the panel is outside it
    panel = client.get(f"/console/orders/{order}/panel", headers=headers)
    assert f'href="/console/incidents/{iid}"' in panel.text
    assert "138****8000" in panel.text and "13800138000" not in panel.text
    assert ">签收</button>" in panel.text and ">退回</button>" in panel.text  # action-named buttons
    assert ">派发</b>" in panel.text  # its history starts with the order raised
    assert 'hx-trigger="sse:orders"' not in panel.text


def test_sort_and_filters_are_kept_in_the_url(api, monkeypatch):
    _, first = divert(api)
    _, second = divert(api, SCALE, "13900139000")
    step(api, "agency_handler", first, to="signed")  # now held to handle_by (hours), the other to sign_by (minutes)
    client, _, _ = login(api, "hotline_operator")
    assert listed(client.get("/console/orders").text) == [second, first]  # by the deadline that applies now
    assert listed(client.get("/console/orders?sort=received").text) == [first, second]
    assert listed(client.get("/console/orders?sort=state").text) == [second, first]  # received before signed
    signed = client.get("/console/orders?state=signed").text
    assert listed(signed) == [first] and '<option value="signed" selected>' in signed
    assert listed(client.get("/console/orders?org=URBAN").text) == []
    assert listed(client.get("/console/orders?org=MARKET&sort=received").text) == [first, second]
    # The refresh asks for the same list the URL shows.
    assert (
        'hx-get="/console/orders/inbox?view=inbox&amp;org=MARKET&amp;sort=received"'
        in client.get("/console/orders?org=MARKET&sort=received").text
    )
    assert listed(client.get("/console/orders?overdue=1").text) == []
    monkeypatch.setattr(console, "utcnow", lambda: utcnow() + timedelta(days=30))  # past 13 working days too
    late = client.get("/console/orders?overdue=1").text
    assert sorted(listed(late)) == sorted([first, second]) and late.count('class="overdue"') == 2


def test_the_queues_count_what_waits_in_each(api):
    iid, returned = divert(api)
    _, handled = divert(api, SCALE, "13900139000")
    step(api, "agency_handler", returned, to="returned", reason="不属于本单位职责")
    step(api, "agency_handler", handled, to="signed")
    step(api, "agency_handler", handled, to="handled", feedback="已责令摊主更换合格的秤并道歉")
    client, headers, _ = login(api, "hotline_operator")
    page = client.get("/console/orders").text
    assert counts(page) == {"inbox": 0, "reroute": 1, "visit": 1} and listed(page) == []
    assert listed(client.get("/console/orders?view=reroute").text) == [returned]
    assert listed(client.get("/console/orders?view=visit").text) == [handled]

    # At 回访 the 办结 feedback stands above the form; satisfaction is a labelled choice, 5..1.
    visit = client.get(f"/console/orders/{handled}/panel", headers=headers).text
    assert visit.index("已责令摊主更换合格的秤并道歉") < visit.index('name="satisfaction"')
    labels = re.findall(r'name="satisfaction" value="(\d)" required> ([^<]+)</label>', visit)
    assert labels == [(s.value, s.zh) for s in Satisfaction]
    assert [z for _, z in labels] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    done = client.post(f"/console/orders/{handled}/step", data={"to": "visited", "satisfaction": "4"}, headers=headers)
    assert "已回访" in done.text and done.headers["HX-Trigger"] == "order-moved"
    history = client.get(f"/console/orders/{handled}/panel", headers=headers).text
    assert ">关闭</button>" in history and "满意" in history and "办结反馈" in history

    # The returned order, with its reason in the history, is re-routed to an organisation picked from a list.
    panel = client.get(f"/console/orders/{returned}/panel", headers=headers).text
    assert "不属于本单位职责" in panel
    assert {">改派</button>", ">收回</button>", ">提交值班长</button>"} <= set(re.findall(r">[^<>]+</button>", panel))
    choices = re.findall(r'<option value="(\w+)" translate="no">', panel.split('name="org"')[1].split("</select>")[0])
    assert "URBAN" in choices and "POWER" in choices and "MARKET" not in choices  # not back to the one that returned it
    assert not {"PS1", "C110", "C12345", "FIRE"} & set(choices)
    no_reason = client.post(f"/console/orders/{returned}/step", data={"to": "referred"}, headers=headers)
    assert "理由" in no_reason.text
    moved = client.post(f"/console/orders/{returned}/step", data={"to": "rerouted", "org": "URBAN"}, headers=headers)
    assert "已接收" in moved.text
    urban, _, _ = login(api, "urban_handler")
    assert listed(urban.get("/console/orders").text) == [returned]
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "transferred"


def test_an_agency_sees_only_the_orders_handed_to_it(api):
    _, order = divert(api)
    client, headers, _ = login(api, "urban_handler")
    page = client.get("/console/orders").text
    assert listed(page) == [] and list(counts(page)) == ["inbox"]  # a handler works the inbox only
    assert "data-order" not in client.get(f"/console/orders/{order}/panel", headers=headers).text
    refused = client.post(f"/console/orders/{order}/step", data={"to": "signed"}, headers=headers)
    assert "不存在或无权查看" in refused.text
    client, headers, _ = login(api, "agency_handler")
    assert listed(client.get("/console/orders?view=reroute").text) == [order]  # an unknown queue: its inbox
    panel = client.get(f"/console/orders/{order}/panel", headers=headers).text
    assert ">签收</button>" in panel and ">改派</button>" not in panel and ">回访</button>" not in panel


def test_a_returned_order_comes_back_to_the_110_desk_that_sent_it(api):
    """At 110 the supervisor's re-route queue holds it; taking it back puts the matter before a call-taker."""
    iid, order = divert(api)
    step(api, "agency_handler", order, to="returned", reason="应由派出所处理，涉及殴打")
    client, headers, _ = login(api, "supervisor")
    assert listed(client.get("/console/orders?view=reroute").text) == [order]
    panel = client.get(f"/console/orders/{order}/panel", headers=headers).text
    assert ">收回</button>" in panel and ">签收</button>" not in panel
    taken = client.post(
        f"/console/orders/{order}/step", data={"to": "taken_back", "reason": "涉及殴打，转警务处置"}, headers=headers
    )
    assert "已收回" in taken.text
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "triaged"
    assert "涉及殴打，转警务处置" in client.get(f"/console/orders/{order}/panel", headers=headers).text


@pytest.mark.parametrize(
    "query",
    [
        "view=nope&sort=%27;drop&state=bogus&overdue=maybe",
        "org=%3Cscript%3Ealert(1)%3C/script%3E",
        "view=visit&state=received",
        "sort=" + "x" * 5000,
        "view[]=1&order=abc",
    ],
)
def test_bad_parameters_fall_back_to_defaults(api, query):
    divert(api)
    client, _, _ = login(api, "hotline_operator")
    page = client.get(f"/console/orders?{query}")
    assert page.status_code == 200 and "<script>alert" not in page.text
    assert client.get(f"/console/orders/inbox?{query}").status_code == 200


def test_bad_order_ids_are_refused_not_crashed(api):
    client, headers, _ = login(api, "hotline_operator")
    assert client.get("/console/orders/0/panel", headers=headers).status_code == 422
    assert client.get("/console/orders/abc/panel", headers=headers).status_code == 422
    assert client.get("/console/orders/99999999999/panel", headers=headers).status_code == 422
    missing = client.get("/console/orders/424242/panel", headers=headers)
    assert missing.status_code == 200 and "不存在" in missing.text


def test_english_mode_leaves_no_chinese_outside_data(api):
    _, order = divert(api)
    client, headers, _ = login(api, "hotline_operator")
    for path in ("/console/orders?lang=en", f"/console/orders/{order}/panel"):
        page = client.get(path, headers=headers).text
        page = page.partition("<main>")[2] or page  # the page's own words, not the shared header's
        words = re.sub(r'<(\w+)[^>]*translate="no"[^>]*>.*?</\1>', "", page, flags=re.S)
        words = re.sub(r"<script.*?</script>|<meta[^>]*>", "", words, flags=re.S)
        assert not re.findall(r"[\u4e00-\u9fff]+", words), (path, re.findall(r".{20}[\u4e00-\u9fff]+.{20}", words))


def test_at_a_separate_110_the_returned_copy_waits_in_the_supervisors_queue(bridge):  # noqa: F811
    """Across two processes: 12345 returns the order; 110's copy shows in its supervisor's 待改派, where it can
    only be taken back (12345 handles it), and taking it back sends the matter back to triage."""
    desk, hotline = bridge
    ct = desk.client("call_taker")
    iid = ct.post("/reports", json={"text": SHOP, "caller_number": "13811112222"}).json()["incident"]["id"]
    (order,) = ct.post(f"/incidents/{iid}/confirm", json={"via": "order"}).json()["follow_up"]["orders"]
    theirs = until(lambda: hotline.client("agency_handler").get("/orders").json()["items"])
    back = {"to": "returned", "reason": "不属于本市职责"}
    assert hotline.client("agency_handler").post(f"/orders/{theirs[0]['id']}/steps", json=back).status_code == 200
    assert until(lambda: ct.get(f"/orders/{order}").json()["state"] == "returned")

    with httpx.Client(base_url=desk.url, timeout=10) as browser:
        browser.post("/login", data={"username": "supervisor", "password": PASSWORD})
        page = browser.get("/console/orders?view=reroute").text
        assert listed(page) == [order] and "gz-12345" in page
        headers = {"X-CSRF-Token": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)}
        panel = browser.get(f"/console/orders/{order}/panel", headers=headers).text
        assert re.findall(r">([^<>]+)</button>", panel) == ["收回"]  # the peer handles it: not re-routed from here
        taken = browser.post(
            f"/console/orders/{order}/step", data={"to": "taken_back", "reason": "由 110 重新研判"}, headers=headers
        )
        assert "已收回" in taken.text
    assert ct.get(f"/incidents/{iid}").json()["state"] == "triaged"
