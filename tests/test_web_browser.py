"""The web view in a real headless Chromium against the real `voicejournal serve` process.

Needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver) and the
selenium package; skipped with the reason otherwise. Screenshots go to .artifacts/screenshots/.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

try:
    from tests.test_web import build_journal, running_server
except ImportError:  # tests/ is not a package: pytest put the folder itself on sys.path
    from test_web import build_journal, running_server  # type: ignore[no-redef]
from voicejournal.settings import Settings

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = Path(__file__).resolve().parents[1] / ".artifacts" / "screenshots"

webdriver = pytest.importorskip("selenium.webdriver", reason="browser tests need `pip install selenium`")
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("browser tests need Debian's Chromium: apt-get install -y chromium chromium-driver",
                allow_module_level=True)

from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

Driver = Any


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, dict[str, int], Path]]:
    """A real journal served by a real `voicejournal serve`: (link, base URL, ids, data dir)."""
    root = tmp_path_factory.mktemp("web")
    settings = Settings(data_dir=root / "data")
    ids = build_journal(settings, root / "outside.flac")
    with running_server(settings.data_dir) as (link, _seconds):
        yield link, link.split("?")[0].rstrip("/"), ids, settings.data_dir


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(site: tuple[str, str, dict[str, int], Path], downloads: Path) -> Iterator[Driver]:
    """Headless Chromium, offline-friendly flags, audio allowed to start without a gesture, logged in."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required", "--mute-audio",
                 "--window-size=1100,900", f"--user-data-dir={downloads.parent / 'profile'}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        driver.get(site[0])
        yield driver
    finally:
        driver.quit()


def shot(driver: Driver, name: str) -> None:
    """Keep a full-height screenshot of the current page as a test artifact."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, max(600, min(height + 150, 4000)))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def wait_for(driver: Driver, check: Callable[[Driver], Any], timeout: float = 20) -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(check)


def test_timeline_after_the_link(browser: Driver, site: tuple[str, str, dict[str, int], Path]) -> None:
    assert browser.current_url == site[1] + "/"  # the token left the address bar
    entries = browser.find_elements(By.CSS_SELECTOR, ".timeline .entry")
    assert len(entries) == 3
    assert "better today" in entries[0].text and "long walk" in entries[2].text
    assert "reflect" in entries[2].text and "mood 7.0" in entries[2].text
    shot(browser, "timeline")


def test_session_plays_the_stored_voice_and_the_replies(browser: Driver,
                                                       site: tuple[str, str, dict[str, int], Path]) -> None:
    browser.find_element(By.PARTIAL_LINK_TEXT, "long walk").click()
    wait_for(browser, lambda d: "/session/" in d.current_url)
    assert "Quiet can do a lot." in browser.page_source
    clips = browser.find_elements(By.CSS_SELECTOR, "audio.seq")
    assert [c.get_attribute("data-kind") for c in clips] == ["voice", "reply", "voice", "reply"]
    first = clips[0]
    wait_for(browser, lambda d: d.execute_script("return arguments[0].readyState", first) >= 1)
    assert abs(browser.execute_script("return arguments[0].duration", first) - 1.5) < 0.05  # the stored FLAC
    shot(browser, "session")
    button = browser.find_element(By.ID, "play-all")
    assert button.is_displayed()
    button.click()
    wait_for(browser, lambda d: d.execute_script("return arguments[0].currentTime", first) > 0.2)
    assert browser.execute_script("return arguments[0].error", first) is None
    assert button.get_attribute("aria-pressed") == "true"
    reply = clips[1]  # spoken by Piper when the shipped voice loads, skipped when it cannot
    wait_for(browser, lambda d: d.execute_script(
        "return arguments[0].currentTime > 0.1 || arguments[0].error !== null", reply), timeout=60)
    if browser.execute_script("return arguments[0].error", reply) is None:
        assert browser.execute_script("return arguments[0].duration", reply) > 0.5
    shot(browser, "session-playing")
    button.click()  # stop
    assert button.get_attribute("aria-pressed") == "false"


def test_moods_filtered_by_date(browser: Driver, site: tuple[str, str, dict[str, int], Path]) -> None:
    browser.find_element(By.LINK_TEXT, "Moods").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "svg.mood-chart"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.mood-chart circle.dot")) == 3
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.mood-chart g.event")) == 1
    shot(browser, "moods")
    since = browser.find_element(By.NAME, "since")
    browser.execute_script("arguments[0].value = arguments[1]", since, (date.today() - timedelta(days=6)).isoformat())
    browser.find_element(By.CSS_SELECTOR, "form.range button").click()
    wait_for(browser, lambda d: "since=" in d.current_url)
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.mood-chart circle.dot")) == 2
    tags = browser.find_element(By.CSS_SELECTOR, "ul.tags").text
    assert "anxious" in tags and "calm" not in tags
    shot(browser, "moods-last-week")


def test_search_highlights(browser: Driver) -> None:
    browser.find_element(By.LINK_TEXT, "Search").click()
    box = wait_for(browser, lambda d: d.find_element(By.ID, "q"))
    box.send_keys("walking", Keys.ENTER)
    marks = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".hits mark"))
    assert [m.text for m in marks] == ["walk"]
    shot(browser, "search")


def test_export_buttons_download_files(browser: Driver, downloads: Path) -> None:
    browser.find_element(By.LINK_TEXT, "Export").click()
    shot(browser, "export")
    for label, suffix in (("Markdown", "md"), ("CSV", "csv"), ("JSON", "json")):
        browser.find_element(By.XPATH, f"//button[contains(., '{label}')]").click()
        files = wait_for(browser, lambda d, s=suffix: list(downloads.glob(f"voicejournal-*.{s}")))
        text = files[0].read_text(encoding="utf-8")
        assert {"md": "# Voice journal", "csv": "id,created_at", "json": '"schema"'}[suffix] in text
    assert len(json.loads(next(downloads.glob("*.json")).read_text())["sessions"]) == 3


def test_help_is_one_click_away_and_keyboard_reachable(browser: Driver,
                                                       site: tuple[str, str, dict[str, int], Path]) -> None:
    browser.get(site[1] + "/search")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.text == "Skip to content"
    browser.find_element(By.PARTIAL_LINK_TEXT, "Need help now").send_keys(Keys.ENTER)
    wait_for(browser, lambda d: d.current_url.endswith("/help"))
    assert "988" in browser.page_source
    shot(browser, "help")


def test_phone_sized_window_needs_no_sideways_scrolling(browser: Driver,
                                                       site: tuple[str, str, dict[str, int], Path]) -> None:
    browser.set_window_size(390, 844)
    try:
        for path, name in (("/", "phone-timeline"), (f"/session/{site[2]['walk']}", "phone-session"),
                           ("/moods", "phone-moods")):
            browser.get(site[1] + path)
            assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
            shot(browser, name)
    finally:
        browser.set_window_size(1100, 900)


def test_delete_with_confirmation(browser: Driver, site: tuple[str, str, dict[str, int], Path]) -> None:
    browser.get(f"{site[1]}/session/{site[2]['hard']}")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Delete this session").click()
    wait_for(browser, lambda d: d.current_url.endswith("/delete"))
    shot(browser, "delete-confirm")
    browser.find_element(By.XPATH, "//button[contains(., 'Delete for good')]").click()
    notice = wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".notice"))
    assert "deleted" in notice.text
    assert "Work was heavy" not in browser.page_source


def test_nothing_requested_from_outside(browser: Driver, site: tuple[str, str, dict[str, int], Path]) -> None:
    urls = [json.loads(entry["message"])["message"].get("params", {}).get("request", {}).get("url", "")
            for entry in browser.get_log("performance")]
    urls = [u for u in urls if u and not u.startswith(("chrome:", "chrome-extension:", "about:", "data:"))]
    assert urls and all(u.startswith(site[1] + "/") for u in urls), sorted({u for u in urls if site[1] not in u})
    assert any(u.endswith("/voice") for u in urls) and any(u.endswith("/reply.wav") for u in urls)
    errors = [e for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert not errors, errors


def test_without_the_cookie_the_browser_is_refused(browser: Driver,
                                                   site: tuple[str, str, dict[str, int], Path]) -> None:
    browser.delete_all_cookies()
    browser.get(site[1] + "/")
    assert "needs the private link" in browser.find_element(By.TAG_NAME, "body").text
    browser.get(site[0])  # the one-time link, a second time
    assert "needs the private link" in browser.find_element(By.TAG_NAME, "body").text
    shot(browser, "refused")
