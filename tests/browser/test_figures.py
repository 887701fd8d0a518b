"""统计分析 and the reports in Chromium (tests/browser/figures.mjs)."""

from __future__ import annotations

from tests.browser.conftest import run_node
from tests.browser.test_command import call


def test_a_supervisor_reads_the_months_figures_and_downloads_the_reports(browser, server):
    texts = ["有人拿刀在菜市场门口追着砍人", "超市卖过期食品，要求退款不给退", "楼下有人装修太吵了，晚上十点还在砸墙"]
    for text in texts:
        call(server, "call_taker", "/reports", {"text": text})
    done = run_node("figures.mjs", server, LIFELINE_CALLS=str(len(texts)))
    assert done.returncode == 0, f"figures.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
