"""Every console page and partial, as each person sees it: in English mode no Chinese is left outside what people
wrote (elements marked translate="no"), and what people wrote never comes back as HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.conftest import USERS

from lifeline.auth import policy

HAN = re.compile(r"[\u3400-\u9fff]")
WORDS = '<script>window.__xss=1</script>有人拿刀在菜市场门口砍人<img src=x onerror="window.__xss=1">'
PLACE = "<img src=x onerror=alert(1)>人民路菜市场"
RAW = ("<script>window.__xss", "<img src=x onerror")
ROLES = list(dict.fromkeys(role for _, role, _ in USERS))
READABLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class Leftovers(HTMLParser):
    """Chinese text outside translate="no" elements, scripts and styles, in text and in readable attributes."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = [("", False)]
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        data = self.stack[-1][1] or attrs.get("translate") == "no" or tag in ("script", "style")
        if not data:
            self.found += [f"{tag}[{a}]={attrs[a]!r}" for a in READABLE_ATTRIBUTES if HAN.search(attrs.get(a) or "")]
        if tag not in self.VOID:
            self.stack.append((tag, data))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if not self.stack[-1][1] and HAN.search(data):
            self.found.append(data.strip()[:80])


def _seed(api) -> dict[str, str]:
    """Something on every list: a knife call (words and place carry markup), a diverted order, a silent call."""
    knife = api.report(WORDS, caller_number="13800138000", location_text=PLACE)["incident"]["id"]
    api.post("call_taker", f"/incidents/{knife}/confirm", {"disposition": "police", "reason": "<b>先派警</b>"})
    shop = api.report("超市卖过期食品<script>x()</script>，要求退款不给退", caller_number="13900001111")["incident"]
    api.post("call_taker", f"/incidents/{shop['id']}/confirm", {"disposition": "divert"})
    api.report("", caller_number="13700001111")  # silent: waits for a call-back
    api.post("call_taker", f"/incidents/{knife}/notes", {"text": "<img src=x onerror=alert(2)>现场有血迹"})
    for n in range(4):  # repeat trouble at one place: a governance case (its party's name carries markup)
        quarrel = api.report(
            "楼上邻居半夜跺地板，说了不听，想找人调解", caller_number=f"1360000000{n}", lat=39.9, lon=116.4
        )
        api.post("call_taker", f"/incidents/{quarrel['incident']['id']}/parties", {"parties": [{"name": PLACE}]})
        api.post("call_taker", f"/incidents/{quarrel['incident']['id']}/confirm",
                 {"disposition": "divert", "category": "dispute_neighbor"})  # fmt: skip
    order = api.get("hotline_operator", "/orders").json()["items"][0]["id"]
    person = {"name": "<b>小明</b>", "age": 5, "description": WORDS, "last_seen_place": PLACE, "station": "PS1"}
    case = api.post("call_taker", "/missing", person).json()["case"]["id"]
    seen = {"seen_at": "2026-12-04T08:00:00+08:00", "place": PLACE, "note": WORDS, "lat": 23.1, "lon": 113.3}
    api.post("field_officer", f"/missing/{case}/sightings", seen)
    api.client.post("/alarm/calls", json={"address": PLACE})  # a video alarm waiting in the one queue (contact 1)
    assert case == 1  # the governance case above is #1 too: both case pages are read at {case_id} = 1
    return {
        "incident_id": str(knife),
        "order_id": str(order),
        "unit_id": "1",
        "case_id": "1",
        "kind": "incidents",
        "contact_id": "1",
    }


def _pages(api, lang: str):
    """(role, path, html) of every console page and partial each role may open."""
    ids = _seed(api)
    for key in policy.RULES:
        method, path = key.split(" ", 1)
        if method != "GET" or path.startswith(("/api/", "/open311", "/exchange", "/static")) or path in (
            "/console/stream", "/healthz", "/", "/openapi.json",
        ) or path.endswith(".json"):  # fmt: skip
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
        for role in ROLES:
            answer = api.client.get(
                f"{url}{'&' if '?' in url else '?'}lang={lang}",
                headers={"Authorization": f"Bearer {api.tokens[role]}"},
                follow_redirects=False,
            )
            if answer.status_code == 200 and answer.headers["content-type"].startswith("text/html"):
                yield role, path, answer.text


def test_english_mode_leaves_no_chinese_outside_what_people_wrote(api):
    leftovers, seen = [], 0
    for role, path, html in _pages(api, "en"):
        parser = Leftovers()
        parser.feed(html)
        seen += 1
        leftovers += [f"{path} as {role}: {text}" for text in dict.fromkeys(parser.found)]
    print(f"English mode: {seen} page × role answers read, {len(leftovers)} Chinese leftovers")
    assert seen >= 20
    assert not leftovers, "\n".join(leftovers[:40])


def test_what_callers_wrote_is_shown_as_text_never_as_html(api):
    shown, seen = 0, 0
    for role, path, html in _pages(api, "zh"):
        seen += 1
        assert not any(raw in html for raw in RAW), f"{path} as {role} renders caller text as HTML"
        shown += "&lt;script&gt;window.__xss" in html or "&lt;img src=x onerror" in html
    print(f"markup in words and places: {seen} page × role answers, {shown} show it as text, none as HTML")
    assert shown >= 3  # the words reached the pages: the check above looked at them
