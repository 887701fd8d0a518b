"""The 12345 knowledge base through the API, on SQLite and PostgreSQL: articles drafted, published and retired;
search with keywords and synonyms; a contact answered directly closes with no work order and counts in the
direct-answer rate; a matter for the police is never closed that way."""

from __future__ import annotations

from tests.conftest import Api

RESIDENCE = {
    "title": "居住证的办理条件和材料",
    "answer": "办理居住证需要在本市居住满半年，带身份证、照片和租房合同到居住地派出所户籍窗口办理。",
    "body": "审核通过后 15 个工作日内领证，不收费。",
    "items": ["residence_permit"],
    "categories": ["consultation"],
    "keywords": ["居住证", "暂住证", "办居住证"],
}
WATER = {
    "title": "计划停水通知的查询",
    "answer": "计划停水提前 24 小时在示范水务公众号公布，您也可以拨打自来水公司客服 0759-96390 询问来水时间。",
    "categories": ["utility_outage"],
    "keywords": ["停水", "来水"],
}
ENQUIRY = "你好，请问如何办理居住证，需要什么材料"
KNIFE = "有人拿刀在菜市场门口追着砍人"


def put(api: Api, user: str, path: str, body: dict):
    return api.client.put(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {api.tokens[user]}"})


def published(api: Api, body: dict) -> dict:
    drafted = api.post("hotline_operator", "/knowledge/articles", body)
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["state"] == "draft" and drafted.json()["version"] == 1
    done = api.post("admin", f"/knowledge/articles/{drafted.json()['id']}/publish")
    assert done.status_code == 200, done.text
    return done.json()


def found(api: Api, q: str, user: str = "hotline_operator") -> list[str]:
    answer = api.get(user, "/knowledge", params={"q": q})
    assert answer.status_code == 200, answer.text
    return [item["article"]["title"] for item in answer.json()["items"]]


def answer(api: Api, iid: int, article_id: int, user: str = "hotline_operator", note: str = ""):
    return api.post(user, f"/incidents/{iid}/answer", {"article_id": article_id, "note": note})


def orders_of(api: Api, iid: int) -> list[dict]:
    return [o for o in api.get("admin", "/orders").json()["items"] if o["incident_id"] == iid]


def test_an_enquiry_answered_from_the_knowledge_base_closes_with_no_order_and_counts_in_the_rate(api):
    article = published(api, RESIDENCE)
    # Two 12345 contacts: an enquiry answered at once, and a broken street lamp someone must mend (a work order).
    enquiry = api.report(ENQUIRY, user="hotline_operator")["incident"]["id"]
    lamp = api.report("小区门口的路灯坏了好几天了", user="hotline_operator")["incident"]["id"]
    # A 110 call-taker's own enquiry is no 12345 contact: it is not counted, nor can it be answered from here.
    desk110 = api.report(ENQUIRY, user="call_taker")["incident"]["id"]

    assert found(api, ENQUIRY)[0] == RESIDENCE["title"]
    done = answer(api, enquiry, article["id"], note="来电人表示明白")
    assert done.status_code == 200, done.text
    assert done.json()["incident_state"] == "closed" and done.json()["article_version"] == 1
    assert "直接答复" in done.json()["said"]
    incident = api.get("hotline_operator", f"/incidents/{enquiry}").json()
    assert incident["state"] == "closed" and incident["disposition"] == "divert"
    assert orders_of(api, enquiry) == []  # answered at once: no work order
    kinds = [e["kind"] for e in api.get("hotline_operator", f"/incidents/{enquiry}/events").json()["items"]]
    assert kinds[-3:] == ["incident.confirmed", "incident.closed", "knowledge.answered"]

    assert api.post("hotline_operator", f"/incidents/{lamp}/confirm", {}).status_code == 200
    assert len(orders_of(api, lamp)) == 1
    assert api.post("call_taker", f"/incidents/{desk110}/confirm", {}).status_code == 200
    assert answer(api, desk110, article["id"], user="call_taker").status_code == 403  # 110 searches, 12345 answers

    figures = api.get("hotline_operator", "/knowledge/figures")
    assert figures.status_code == 200, figures.text
    body = figures.json()
    assert (body["decided"], body["answered"], body["direct_answer_rate"]) == (2, 1, 0.5)
    assert body["formula"].startswith("窗口内作出决定的 12345 来电")
    # Answered once is answered: a second answer on the closed contact is refused and nothing changes.
    assert answer(api, enquiry, article["id"]).status_code == 409
    assert api.get("admin", "/knowledge/figures").json()["answered"] == 1


def test_a_matter_for_the_police_is_never_answered_directly(api):
    article = published(api, RESIDENCE)
    knife = api.report(KNIFE, user="hotline_operator")["incident"]["id"]
    refused = answer(api, knife, article["id"])
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "警务" in refused.json()["detail"] and "police" in refused.json()["detail"]
    assert api.get("hotline_operator", f"/incidents/{knife}").json()["state"] == "triaged"  # nothing half done
    # Overridden to divert with a reason, it is still a matter triage sent to the police: still refused.
    enquiry = api.report(KNIFE, user="hotline_operator")["incident"]["id"]
    decided = api.post("hotline_operator", f"/incidents/{enquiry}/confirm",
                       {"disposition": "divert", "reason": "来电人称是在拍电影"})  # fmt: skip
    assert decided.status_code == 200, decided.text
    assert answer(api, enquiry, article["id"]).status_code == 409
    # Nor is a silent call waiting for a call-back: nobody has been heard yet.
    silent = api.report("", user="hotline_operator", caller_number="13800138000")["incident"]["id"]
    assert answer(api, silent, article["id"]).status_code == 409
    assert api.get("hotline_operator", "/knowledge/figures").json()["answered"] == 0


def test_search_finds_articles_by_their_keywords_and_by_synonyms_handed_in(api):
    published(api, RESIDENCE)
    published(api, WATER)
    assert found(api, "暂住证怎么办") == [RESIDENCE["title"]]  # a keyword the title never says
    # 高楼层没水 is in neither article; the catalogue's item 停水、水压低 says it means 停水, the article's keyword.
    assert found(api, "还是没有头绪") == []
    hits = api.get("call_taker", "/knowledge", params={"q": "高楼层没水"}).json()["items"]  # 110 may search too
    assert [h["article"]["title"] for h in hits] == [WATER["title"]]
    assert any(w.startswith("高楼层没水→") for w in hits[0]["why"]), hits[0]["why"]
    assert api.get("dispatcher", "/knowledge", params={"q": "停水"}).status_code == 403
    assert found(api, "") == []


def test_operators_draft_supervisors_publish_and_retire_and_only_published_articles_are_searched(api):
    drafted = api.post("hotline_operator", "/knowledge/articles", WATER).json()
    aid = drafted["id"]
    assert found(api, "停水") == []  # a draft is not said at the desk
    assert api.get("call_taker", f"/knowledge/articles/{aid}").status_code == 404  # nor read by the 110 desk
    assert api.post("hotline_operator", f"/knowledge/articles/{aid}/publish").status_code == 403
    assert api.post("call_taker", "/knowledge/articles", WATER).status_code == 403
    assert api.post("supervisor", f"/knowledge/articles/{aid}/publish").json()["state"] == "published"
    assert found(api, "停水") == [WATER["title"]]
    assert api.post("supervisor", f"/knowledge/articles/{aid}/publish").status_code == 409  # already published

    # An operator's edit is a new version, back to draft until a supervisor publishes it again.
    edited = put(api, "hotline_operator", f"/knowledge/articles/{aid}", {**WATER, "keywords": ["停水", "没水"]})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["state"], edited.json()["version"]) == ("draft", 2)
    assert found(api, "没水") == []
    kept = put(api, "supervisor", f"/knowledge/articles/{aid}", {**WATER, "keywords": ["停水", "没水"]})
    assert (kept.json()["state"], kept.json()["version"]) == ("draft", 3)
    api.post("supervisor", f"/knowledge/articles/{aid}/publish")
    assert found(api, "家里没水了") == [WATER["title"]]

    # Retired: kept, no longer searched, no longer answered from.
    iid = api.report("停水了什么时候来水", user="hotline_operator")["incident"]["id"]
    assert api.post("supervisor", f"/knowledge/articles/{aid}/retire").json()["state"] == "retired"
    assert found(api, "停水") == []
    assert answer(api, iid, aid).status_code == 409
    states = [a["state"] for a in api.get("hotline_operator", "/knowledge/articles").json()["items"]]
    assert states == ["retired"]
    assert api.get("call_taker", "/knowledge/articles").json()["items"] == []


def test_bad_input_is_a_clear_4xx(api):
    article = published(api, RESIDENCE)
    cases = [
        ("post", "/knowledge/articles", {**RESIDENCE, "categories": ["no_such_category"]}, 422),
        ("post", "/knowledge/articles", {**RESIDENCE, "title": ""}, 422),
        ("post", "/knowledge/articles", {**RESIDENCE, "title": "   ", "answer": "  "}, 422),
        ("post", "/knowledge/articles", {**RESIDENCE, "items": ["Not A Code"]}, 422),
        ("post", "/knowledge/articles", {**RESIDENCE, "colour": "red"}, 422),
        ("post", "/knowledge/articles", {**RESIDENCE, "keywords": ["x" * 41]}, 422),
        ("post", "/knowledge/articles", {**RESIDENCE, "title": "bad\x00title"}, 422),
        ("post", "/knowledge/articles/999/publish", None, 404),
        ("post", "/incidents/1/answer", {"article_id": 0}, 422),
        ("post", "/incidents/999/answer", {"article_id": article["id"]}, 404),
    ]
    for method, path, body, status in cases:
        got = getattr(api, method)("supervisor" if "publish" in path else "hotline_operator", path, body)
        assert got.status_code == status, (path, body, got.text)
        assert got.headers["content-type"] == "application/problem+json"
    iid = api.report(ENQUIRY, user="hotline_operator")["incident"]["id"]
    assert answer(api, iid, 999).status_code == 404
    assert api.get("hotline_operator", "/knowledge/articles", params={"state": "bogus"}).status_code == 422
    assert api.get("hotline_operator", "/knowledge/figures", params={"since": "2026-12-02", "until": "2026-12-01"}
                   ).status_code == 422  # fmt: skip
    assert api.get("hotline_operator", "/knowledge/figures", params={"since": "yesterday"}).status_code == 422
    assert api.get("hotline_operator", "/knowledge", params={"q": "x" * 501}).status_code == 422
    assert put(api, "hotline_operator", "/knowledge/articles/999", RESIDENCE).status_code == 404
