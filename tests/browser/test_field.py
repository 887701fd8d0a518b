"""The knife fight's whole road in Chromium: call-taker, dispatcher, the field officer's phone (390×844) and the
map (tests/browser/field.mjs, run with node)."""

from __future__ import annotations

from tests.browser.conftest import run_node


def test_a_knife_fight_from_the_call_to_its_closing(browser, server):
    done = run_node("field.mjs", server)
    assert done.returncode == 0, f"field.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
