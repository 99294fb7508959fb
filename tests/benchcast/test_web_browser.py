"""A real browser (Playwright driving Debian's Chromium) joins, buys, sees the price move and
the leaderboard change; the page also fits a phone-sized screen."""

from __future__ import annotations

import os
import shutil

import httpx
import pytest

from benchcast.server.process import ServerProcess

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("BENCHCAST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
TOKEN = "host-token-browser-test-0123456789"


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
def server(tmp_path):
    with ServerProcess(f"sqlite:///{tmp_path / 'web.db'}", TOKEN) as s:
        host = {"Authorization": f"Bearer {TOKEN}"}
        r = httpx.post(f"{s.url}/api/questions", json={"title": "FrontierMath v2 best score >= 95% by 2027-12-31", "subsidy": 100}, headers=host)
        r.raise_for_status()
        bob = httpx.post(f"{s.url}/api/join", json={"name": "bob"}).json()
        httpx.post(f"{s.url}/api/questions/1/orders", json={"outcome": "NO", "side": "buy", "amount": 5},
                   headers={"Authorization": f"Bearer {bob['token']}"}).raise_for_status()
        yield s


def _price(page, outcome: str) -> float:
    return float(page.locator(f'li[data-qid="1"] .price[data-outcome="{outcome}"]').inner_text().rstrip("%"))


def test_join_buy_price_moves_and_leaderboard_changes(browser, server):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(server.url + "/")
        page.fill("#join-name", "alice")
        page.click("#join-button")
        page.wait_for_selector("#app:not([hidden])")
        page.wait_for_selector('#leaderboard tr[data-name="alice"]')
        board_before = page.locator("#leaderboard tbody").inner_text()
        yes_before = _price(page, "YES")
        page.click('li[data-qid="1"]')
        page.wait_for_selector("#detail:not([hidden])")
        page.fill("#t-size", "60")
        page.click("#t-quote")
        page.wait_for_selector("#quote:not([hidden])")
        assert "You would buy" in page.inner_text("#quote-text")
        page.click("#t-confirm")
        page.wait_for_function("document.getElementById('ticket-msg').textContent.startsWith('Done')")
        page.wait_for_function(f"parseFloat(document.querySelector('li[data-qid=\"1\"] .price[data-outcome=\"YES\"]').textContent) > {yes_before}")
        assert _price(page, "YES") > yes_before
        page.wait_for_function("(before) => document.querySelector('#leaderboard tbody').innerText !== before", arg=board_before)
        assert "alice" in page.locator("#leaderboard tbody").inner_text()
        assert page.locator("#positions tbody").inner_text().count("YES") == 1
        page.wait_for_function("Number(document.getElementById('chart').dataset.points) >= 3")
        # A price move by someone else shows up within the polling interval (<= 2 s stale).
        bob_token = httpx.post(f"{server.url}/api/join", json={"name": "carl"}).json()["token"]
        httpx.post(f"{server.url}/api/questions/1/orders", json={"outcome": "NO", "side": "buy", "amount": 80},
                   headers={"Authorization": f"Bearer {bob_token}"}).raise_for_status()
        seen = _price(page, "YES")
        page.wait_for_function(f"parseFloat(document.querySelector('li[data-qid=\"1\"] .price[data-outcome=\"YES\"]').textContent) < {seen}", timeout=3000)
        # Sell everything held: the "all" button fills in the exact number of shares.
        page.select_option("#t-side", "sell")
        page.click("#t-all")
        page.click("#t-quote")
        page.wait_for_selector("#quote:not([hidden])")
        page.click("#t-confirm")
        page.wait_for_function("document.getElementById('ticket-msg').textContent.startsWith('Done: sold')")
        page.wait_for_function("document.querySelector('#positions tbody').innerText.includes('No positions')")
        assert errors == []
    finally:
        page.close()


def test_host_controls_and_phone_screen(browser, server):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    try:
        page.goto(server.url + "/")
        page.click("summary")
        page.fill("#token-input", TOKEN)
        page.click("#token-form button")
        page.wait_for_selector("#host-panel:not([hidden])")
        page.fill("#c-title", "Year HLE passes 50%")
        page.select_option("#c-kind", "multiple_choice")
        page.fill("#c-outcomes", "2026, 2027, 2028, later")
        page.click("#c-submit")
        page.wait_for_selector('li[data-qid="2"]')
        page.click('li[data-qid="2"]')
        page.wait_for_selector("#host-resolve:not([hidden])")
        page.on("dialog", lambda d: d.accept())
        page.select_option("#r-outcome", "2027")
        page.click("#r-outcome-go")
        page.wait_for_function("document.querySelector('li[data-qid=\"2\"] .q-status').textContent === 'resolved'")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    finally:
        page.close()
