"""Real Chromium (Playwright, /usr/bin/chromium) plays a market session: three people and a host.

Covers: nothing of the app before joining; join and the personal link; a name taken in another
case refused in plain words; a one-click buy seen live by a second player (Server-Sent Events);
comments shown as text; leave, then re-entry by the link; the host resolving with payouts and the
resolved section of the portfolio; a question whose trading has closed; a 390 px phone screen.
Screenshots at 1280 and 390 px go to test-artifacts/browser/ (gitignored); see docs/market.md.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from benchcast.server.process import ServerProcess

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("BENCHCAST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
TOKEN = "host-token-browser-test-0123456789"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def server(db_url):
    with ServerProcess(db_url, TOKEN) as s:
        host = {"Authorization": f"Bearer {TOKEN}"}
        closes = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        for spec in [
            {"title": "FrontierMath v2 best score >= 95% by 2027-12-31", "subsidy": 100, "closes_at": closes,
             "description": "Epoch AI's **FrontierMath** Tiers 1-3.\n\n<script>window.pwned = 1</script>",
             "criteria": "YES if the Epoch AI benchmarking hub shows a best score of 95% or more on 2027-12-31."},
            {"title": "Year HLE passes 50%", "kind": "multiple_choice", "outcomes": ["2026", "2027", "2028", "later"]},
            {"title": "A question that closes at once", "closes_at": (datetime.now(UTC) + timedelta(seconds=2)).isoformat()},
        ]:
            httpx.post(f"{s.url}/api/questions", json=spec, headers=host).raise_for_status()
        yield s


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def chance(page, qid: int) -> float:
    return float(page.locator(f'li[data-qid="{qid}"] .price[data-outcome="YES"]').inner_text().rstrip("%"))


def until(page, js: str, timeout: float = 10000) -> None:
    """Wait until the JavaScript expression `js` is true in `page` (polled from here: the page's
    CSP forbids the eval that Playwright's wait_for_function would use)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(js):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout / 1000:.0f} s: {js}")
        time.sleep(0.05)


def join(page, name: str) -> None:
    page.fill("#join-name", name)
    page.click("#join-button")


def test_market_session_in_real_browsers(browser, server, db_url):
    tag = "pg" if db_url.startswith("postgres") else "sqlite"
    alice_ctx, bob_ctx, host_ctx = browser.new_context(viewport=DESKTOP), browser.new_context(viewport=PHONE), browser.new_context(viewport=DESKTOP)
    errors: list[str] = []
    alice, bob, host = alice_ctx.new_page(), bob_ctx.new_page(), host_ctx.new_page()
    for page in (alice, bob, host):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("dialog", lambda d: d.accept())
    try:
        # Before joining: the join form only.
        alice.goto(server.url + "/")
        alice.wait_for_selector("#join-panel:visible")
        assert alice.locator("#app").is_hidden() and alice.locator("#me-summary").is_hidden()
        shot(alice, f"{tag}-01-join-1280")
        join(alice, "Alice")
        alice.wait_for_selector("#link-panel:visible")
        link = alice.input_value("#link-text")
        assert link.startswith(server.url + "/#token=") and len(link) > len(server.url) + 40
        assert alice.inner_text("#me-name") == "Alice" and alice.inner_text("#me-balance") == "1,000.00"
        shot(alice, f"{tag}-02-joined-link-1280")
        alice.click("#link-done")

        # A name taken in another case is refused, in plain words.
        bob.goto(server.url + "/")
        join(bob, "ALICE")
        until(bob, "document.getElementById('join-error').textContent.includes('taken')")
        assert bob.inner_text("#join-error") == ("name 'ALICE' is taken (as 'Alice'); choose another, "
                                                   "or open your re-entry link (the host can reissue it)")
        shot(bob, f"{tag}-03-name-taken-390")
        join(bob, "bob")
        bob.wait_for_selector("#app:visible")
        bob.click("#link-done")
        before = chance(bob, 1)

        # Alice buys YES with one click; Bob's page shows it live.
        alice.click('li[data-qid="1"]')
        alice.wait_for_selector("#detail:visible")
        assert alice.locator("#description strong").inner_text() == "FrontierMath"
        assert "<script>" in alice.inner_text("#description") and alice.evaluate("window.pwned") is None
        assert alice.inner_text("#criteria").startswith("YES if the Epoch AI benchmarking hub")
        assert "closes in 30 days" in alice.inner_text("#detail-meta")
        alice.fill("#q-amount", "40")
        alice.click('#quick-buttons button[data-outcome="YES"]')
        until(alice, "document.getElementById('trade-msg').textContent.startsWith('Bought')")
        assert alice.get_attribute("#trade-msg", "class") == "ok"
        until(bob, f"parseFloat(document.querySelector('li[data-qid=\"1\"] .price').textContent) > {before}", timeout=5000)
        until(bob, "document.getElementById('activity').innerText.includes('Alice bought YES for 40.00')", timeout=5000)
        assert bob.locator("#live").inner_text() == "● live"
        assert chance(bob, 1) == chance(alice, 1) > before
        until(alice, "document.getElementById('detail-meta').textContent.includes('1 trade ·')")
        assert "1 trades" not in alice.inner_text("#detail-meta")
        until(alice, "Number(document.getElementById('chart').dataset.points) >= 2")
        box = alice.locator("#chart").bounding_box()
        alice.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
        alice.wait_for_selector("#chart-tip:visible")
        assert "YES" in alice.inner_text("#chart-tip")
        assert alice.locator("#chart text.tick").filter(has_text="50%").count() == 1
        shot(alice, f"{tag}-04-bought-chart-hover-1280")

        # An order the balance cannot pay is refused in plain words; nothing changes.
        alice.fill("#q-amount", "5000")
        alice.click('#quick-buttons button[data-outcome="NO"]')
        until(alice, "document.getElementById('trade-msg').className === 'error'")
        assert alice.inner_text("#trade-msg") == "This order costs 5,000.00 but you have 960.00 available."
        assert alice.inner_text("#me-balance") == "960.00"
        shot(alice, f"{tag}-05-error-in-words-1280")

        # Trading stops at the close time, and the page says so.
        alice.click('li[data-qid="3"]')
        alice.wait_for_selector("#closed-note:visible")
        assert alice.inner_text("#closed-note").startswith("Trading stopped at the close")
        assert alice.locator("#trade-box").is_hidden() and alice.text_content('li[data-qid="3"] .q-status') == "closed"
        alice.click('li[data-qid="1"]')

        # A browser without EventSource polls instead, and still sees what happens.
        host_ctx.add_init_script("delete window.EventSource")
        host.goto(f"{server.url}/#token={TOKEN}")
        host.wait_for_selector("#host-panel:visible")
        assert host.inner_text("#live") == "○ polling"

        # Comments are stored and shown as text, live on the other page.
        bob.click('li[data-qid="1"]')
        bob.fill("#comment-body", "<b>NO</b> is cheap at this price")
        bob.click("#comment-send")
        until(alice, "document.getElementById('comments').innerText.includes('<b>NO</b> is cheap')", timeout=5000)
        assert alice.locator("#comments b").all_inner_texts() == ["bob"]  # the name, not the comment's markup
        bob.fill("#q-amount", "25")
        bob.click('#quick-buttons button[data-outcome="NO"]')
        until(bob, "document.getElementById('trade-msg').textContent.startsWith('Bought')")
        until(host, "document.getElementById('activity').innerText.includes('bob bought NO for 25.00')", timeout=6000)
        overflow = bob.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        shot(bob, f"{tag}-06-question-phone-390")

        # Leave clears everything; the personal link brings Alice back to her account.
        cash = alice.inner_text("#me-balance")
        alice.click("#logout")
        alice.wait_for_selector("#join-panel:visible")
        assert alice.locator("#app").is_hidden() and alice.locator("#me-summary").is_hidden()
        assert alice.evaluate("Object.keys(localStorage).length") == 0
        assert alice.inner_text("#questions") == ""
        shot(alice, f"{tag}-07-after-leave-1280")
        alice.goto(link)
        alice.wait_for_selector("#app:visible")
        assert alice.inner_text("#me-name") == "Alice" and alice.inner_text("#me-balance") == cash
        assert "token" not in alice.url

        # The host resolves; everyone sees the winner and the payouts.
        host.wait_for_selector('#players tr[data-name="Alice"]')
        host.click('li[data-qid="1"]')
        host.select_option("#r-outcome", "YES")
        host.click("#r-outcome-go")
        host.wait_for_selector("#resolved-banner:visible")
        assert host.inner_text("#resolved-banner .winner") == "YES"
        host.wait_for_selector('#payouts tr[data-name="Alice"]')
        alice_row = host.inner_text('#payouts tr[data-name="Alice"]').split("\t")
        bob_row = host.inner_text('#payouts tr[data-name="bob"]').split("\t")
        assert alice_row[1] == "40.00" and float(alice_row[2]) > 40 and bob_row[1:] == ["25.00", "0.00", "−25.00"]
        shot(host, f"{tag}-08-resolved-payouts-1280")
        alice.wait_for_selector('#resolved tr[data-qid="1"]', timeout=5000)
        assert alice.inner_text('#resolved tr[data-qid="1"]').split("\t")[1:3] == ["YES", "40.00"]
        alice.click('li[data-qid="1"]')
        alice.wait_for_selector("#resolved-banner:visible")
        assert alice.locator("#trade-box").is_hidden()
        shot(alice, f"{tag}-09-resolved-portfolio-1280")
        bob.wait_for_selector('li[data-qid="1"] .q-result', timeout=5000)
        bob.wait_for_selector("#resolved-banner:visible")
        shot(bob, f"{tag}-10-resolved-phone-390")
        assert errors == []
    finally:
        for ctx in (alice_ctx, bob_ctx, host_ctx):
            ctx.close()
