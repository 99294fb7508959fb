"""The page shows how a linked question resolves, and the evidence once the data settled it."""

from __future__ import annotations

import httpx
import pytest

from benchcast.db.autoresolve import autoresolve_url
from benchcast.server.process import ServerProcess
from tests.benchcast.test_web_browser import TOKEN, browser  # noqa: F401  (the Chromium fixture)

pytestmark = pytest.mark.browser


def test_linked_question_shows_rule_and_evidence(browser, tmp_path):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'web.db'}"
    with ServerProcess(url, TOKEN) as s:
        r = httpx.post(f"{s.url}/api/questions", headers={"Authorization": f"Bearer {TOKEN}"}, json={
            "link": {"benchmark": "GPQA Diamond", "threshold": 94.5, "by": "2027-06-30", "model_forecast": [0.8, 0.2]}})
        r.raise_for_status()
        done = autoresolve_url(url)  # the shipped 94.6% settles it
        assert [d.outcome for d in done] == ["YES"]
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(s.url + "/")
        page.fill("#join-name", "dora")
        page.click("#join-button")
        page.wait_for_selector('li[data-qid="1"]')
        page.click('li[data-qid="1"]')
        page.wait_for_selector("#detail-link:not([hidden])")
        text = page.locator("#detail-link").inner_text()
        assert "Resolves from the data: GPQA Diamond >= 94.5% by 2027-06-30, independent series" in text
        assert "Model at opening: 0.800 / 0.200" in text
        assert "Resolved YES from the data: gpt-5.4-pro-2026-03-05_xhigh scored 94.6% (dated 2026-03-05)" in text
        assert "gpt-5.4-pro-2026-03-05_xhigh · 2026-03-05 · 94.6 · epoch_run · shipped" in text
        assert errors == []
        page.close()
