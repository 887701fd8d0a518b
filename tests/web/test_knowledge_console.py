"""The knowledge panel of the call console: search as the operator types, the answer to read out, and 直接答复,
which records the call and closes it with the article and no work order; on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.knowledge.test_knowledge_api import KNIFE, RESIDENCE, published
from tests.web.test_consoles import login
from tests.web.test_pages import Leftovers

from lifeline.desk import bridge
from lifeline.peering import messages
from lifeline.store.engine import transaction

QUESTION = "你好，我想问一下外地户口怎么办居住证"


def incidents(api) -> list[dict]:
    return api.get("admin", "/incidents").json()["items"]


def test_the_call_console_has_a_knowledge_panel_searched_as_the_operator_types(api):
    article = published(api, RESIDENCE)
    client, headers, page = login(api, "hotline_operator")
    page = client.get("/console/calls")
    assert 'id="knowledge-panel"' in page.text and 'hx-post="/console/knowledge"' in page.text
    assert "delay:300ms" in page.text  # debounced: one search per pause, not per keystroke
    # By the search box, else by what the caller said so far.
    by_box = client.post("/console/knowledge", data={"q": "暂住证", "text": ""}, headers=headers)
    by_words = client.post("/console/knowledge", data={"q": "", "text": QUESTION}, headers=headers)
    for answer in (by_box, by_words):
        assert answer.status_code == 200
        assert RESIDENCE["title"] in answer.text and RESIDENCE["answer"] in answer.text
        assert f'hx-vals=\'{{"article_id": "{article["id"]}"}}\'' in answer.text and "直接答复" in answer.text
    nothing = client.post("/console/knowledge", data={"q": "今天天气怎么样"}, headers=headers)
    assert "知识库中没有相关答复" in nothing.text and 'hx-post="/console/calls/answer"' not in nothing.text
    # A 110 call-taker reads the answer too, but has no key to close a 12345 contact with it.
    client, headers, _ = login(api, "call_taker")
    seen = client.post("/console/knowledge", data={"text": QUESTION}, headers=headers)
    assert RESIDENCE["answer"] in seen.text and 'hx-post="/console/calls/answer"' not in seen.text
    assert client.post("/console/knowledge", data={"text": QUESTION}).status_code == 403  # no CSRF token


def test_answered_directly_from_the_console_closes_the_call_with_no_order_and_counts(api):
    article = published(api, RESIDENCE)
    client, headers, _ = login(api, "hotline_operator")
    call = {"text": QUESTION, "channel": "voice", "caller_number": "13912345678", "article_id": str(article["id"]),
            "note": "已告知材料"}  # fmt: skip
    done = client.post("/console/calls/answer", data=call, headers=headers)
    assert "直接答复" in done.text and "late" not in done.text, done.text
    assert done.headers["HX-Trigger"] == "call-recorded"
    (incident,) = incidents(api)
    assert incident["state"] == "closed"
    assert [o for o in api.get("admin", "/orders").json()["items"] if o["incident_id"] == incident["id"]] == []
    figures = api.get("hotline_operator", "/knowledge/figures").json()
    assert (figures["decided"], figures["answered"]) == (1, 1)


def test_the_console_refuses_a_police_matter_and_records_nothing_so_the_form_can_decide_it(api):
    article = published(api, RESIDENCE)
    client, headers, _ = login(api, "hotline_operator")
    refused = client.post("/console/calls/answer", data={"text": KNIFE, "article_id": article["id"]}, headers=headers)
    assert 'class="toast late"' in refused.text and "警务" in refused.text
    assert incidents(api) == []
    empty = client.post("/console/calls/answer", data={"text": " ", "article_id": article["id"]}, headers=headers)
    assert 'class="toast late"' in empty.text and incidents(api) == []
    missing = client.post("/console/calls/answer", data={"text": QUESTION, "article_id": 999}, headers=headers)
    assert 'class="toast late"' in missing.text and incidents(api) == []
    no_token = client.post("/console/calls/answer", data={"text": QUESTION, "article_id": article["id"]})
    assert "会话已失效" in no_token.text and incidents(api) == []
    bad_id = client.post("/console/calls/answer", data={"text": QUESTION, "article_id": "x"}, headers=headers)
    assert bad_id.status_code == 422


def test_the_panel_speaks_english_beside_chinese(api):
    published(api, RESIDENCE)
    client, headers, _ = login(api, "hotline_operator")
    client.cookies.set("lang", "en")
    for q in ("暂住证", "今天天气怎么样"):
        answer = client.post("/console/knowledge", data={"q": q}, headers=headers)
        parser = Leftovers()
        parser.feed(answer.text)
        assert parser.found == [], parser.found
    assert "Answered directly" in client.post("/console/knowledge", data={"q": "暂住证"}, headers=headers).text


def test_a_call_110_transferred_is_answered_directly_from_its_incident_page(api):
    article = published(api, RESIDENCE)
    with transaction(api.client.app.state.sessions) as session:
        call = messages.Transfer(ref="77", text=QUESTION, caller_number="13912345678")
        bridge.receive_transfer(session, "sfs-110", call)
    (incident,) = incidents(api)
    iid = incident["id"]
    client, headers, _ = login(api, "hotline_operator")
    moves = client.get(f"/console/incidents/{iid}/moves")
    assert 'id="answer-directly"' in moves.text and RESIDENCE["answer"] in moves.text
    assert f'name="article_id" value="{article["id"]}"' in moves.text
    done = client.post(f"/console/incidents/{iid}/answer", data={"article_id": article["id"], "note": "已答复"},
                       headers=headers)  # fmt: skip
    assert "直接答复" in done.text and "late" not in done.text, done.text
    assert done.headers["HX-Trigger"] == "incident-moved"
    assert api.get("admin", f"/incidents/{iid}").json()["state"] == "closed"
    assert 'id="answer-directly"' not in client.get(f"/console/incidents/{iid}/moves").text  # answered once
    assert api.get("hotline_operator", "/knowledge/figures").json()["answered"] == 1
    # A police matter's page offers no direct answer, and the form is refused if sent anyway.
    knife = api.report(KNIFE, user="hotline_operator")["incident"]["id"]
    assert 'id="answer-directly"' not in client.get(f"/console/incidents/{knife}/moves").text
    refused = client.post(f"/console/incidents/{knife}/answer", data={"article_id": article["id"]}, headers=headers)
    assert 'class="toast late"' in refused.text and api.get("admin", f"/incidents/{knife}").json()["state"] == "triaged"
