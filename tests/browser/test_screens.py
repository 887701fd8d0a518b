"""Each role's page at the size it is used (1920×1080, the field page at 390×844): it fits, and a screenshot is
kept (tests/browser/screens.mjs)."""

from __future__ import annotations

import json

from tests.browser.conftest import run_node


def test_every_page_fits_its_screen(browser, server):
    done = run_node("screens.mjs", server, LIFELINE_TOKENS=json.dumps(server.tokens))
    assert done.returncode == 0, f"screens.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
