"""The 12345 knowledge panel in Chromium (tests/browser/knowledge.mjs): found as the operator types, read out,
and closed as answered directly with no work order; a knife call is refused."""

from __future__ import annotations

from tests.browser.conftest import run_node
from tests.browser.test_command import call
from tests.browser.test_roads import get
from tests.knowledge.test_knowledge_api import RESIDENCE


def test_an_operator_answers_a_question_from_the_knowledge_panel(browser, server):
    drafted = call(server, "hotline_operator", "/knowledge/articles", RESIDENCE)
    call(server, "supervisor", f"/knowledge/articles/{drafted['id']}/publish", {})
    done = run_node("knowledge.mjs", server)
    assert done.returncode == 0, f"knowledge.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
    items = get(server, "hotline_operator", "/incidents")["items"]
    assert [(i["state"], i["disposition"]) for i in items] == [("closed", "divert")]  # the knife call: not recorded
    assert get(server, "hotline_operator", "/orders")["items"] == []
    figures = get(server, "hotline_operator", "/knowledge/figures")
    assert (figures["decided"], figures["answered"], figures["direct_answer_rate"]) == (1, 1, 1.0)
