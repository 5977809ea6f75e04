"""A reader in a real browser, with JavaScript off: the click path through the site, and the keyboard.

The pages promise to work without JavaScript, so these tests browse with it
disabled: every link, the search form and the language switcher must work as
plain HTML. Each test imports the fixture articles once.
"""

import re
from contextlib import contextmanager
from urllib.parse import urljoin

import feedparser
import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_TITLE = "IA Generativa vs LLM: Entendiendo las Diferencias y Sinergias"
SEED_URL = "/posts/ia-generativa-vs-llm-entendiendo-las-diferencias-y-sinergias/"
MAX_TABS = 120


@pytest.fixture
def articles(capsys):
    call_command("import_articles")
    capsys.readouterr()


@contextmanager
def no_js_page(browser, live_server, width=1280):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900}, java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def h1(page):
    return page.locator("h1").inner_text().strip()


def tab_to(page, selector):
    """Press Tab until the element matching ``selector`` has focus; fail if it never does."""
    target = page.locator(selector)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return target
    pytest.fail(f"{MAX_TABS} presses of Tab never reached {selector}")


def test_browser_reader_goes_home_post_tag_author_search_and_feed(browser, live_server, articles):
    with no_js_page(browser, live_server) as page:
        page.goto("/")
        assert page.locator("main .post-summary").count() >= 5

        page.locator("main").get_by_role("link", name=SEED_TITLE, exact=True).click()
        page.wait_for_url(f"**{SEED_URL}")
        assert h1(page) == SEED_TITLE
        assert page.locator("article.post").get_attribute("lang") == "es"
        assert "Modelos de Lenguaje Grande" in page.locator("article.post .body").inner_text()

        page.locator(".post-footer").get_by_role("link", name="LLMs", exact=True).click()
        page.wait_for_url("**/tags/llms/")
        assert h1(page) == "LLMs"
        assert "Modelos de lenguaje grande" in page.locator(".list-header").inner_text()
        summary = page.locator(".post-summary", has=page.get_by_role("link", name=SEED_TITLE, exact=True))
        assert summary.count() == 1

        summary.locator("a.author", has_text="Charlytoc").click()
        page.wait_for_url("**/authors/charlytoc/")
        assert h1(page) == "Charlytoc"
        assert page.locator("main").get_by_role("link", name=SEED_TITLE, exact=True).count() == 1
        author_feed = page.locator('head link[rel="alternate"][type="application/rss+xml"][href*="/authors/charlytoc/"]')
        author_feed_url = urljoin(page.url, author_feed.get_attribute("href"))

        search = page.get_by_role("search").first
        search.get_by_role("searchbox").fill("generativa")
        search.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"/search/\?q=generativa$"))
        assert h1(page) == "Search"
        result = page.locator(".search-result").first
        assert result.locator("h2").inner_text() == SEED_TITLE
        assert result.locator("mark").count() >= 1

        feed_url = urljoin(page.url, page.get_by_role("link", name="RSS feed").get_attribute("href"))
        for url, expected_title in ((feed_url, SEED_TITLE), (author_feed_url, SEED_TITLE)):
            response = page.request.get(url)
            assert response.ok, url
            assert "xml" in response.headers["content-type"], response.headers["content-type"]
            feed = feedparser.parse(response.body())
            assert not feed.bozo, (url, feed.bozo_exception)
            assert feed.version == "rss20"
            assert expected_title in [entry.title for entry in feed.entries]


def test_browser_skip_link_and_tag_links_work_by_keyboard(browser, live_server, articles):
    with no_js_page(browser, live_server) as page:
        page.goto(SEED_URL)

        page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        assert skip.evaluate("element => element === document.activeElement")
        box = skip.bounding_box()
        assert box and box["y"] >= 0 and box["width"] > 20, f"the focused skip link is off screen: {box}"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"

        link = tab_to(page, '.post-footer a[href="/tags/llms/"]')
        outline = link.evaluate("element => getComputedStyle(element).outlineStyle + ' ' + getComputedStyle(element).outlineWidth")
        assert not outline.startswith("none") and not outline.endswith(" 0px"), f"focused tag link has no visible outline: {outline}"
        page.keyboard.press("Enter")
        page.wait_for_url("**/tags/llms/")
        assert h1(page) == "LLMs"


def test_browser_language_switcher_works_by_keyboard(browser, live_server, articles):
    with no_js_page(browser, live_server) as page:
        page.goto("/tags/llms/")
        assert page.locator("html").get_attribute("lang") == "en"

        select = tab_to(page, "#language-select")
        page.keyboard.press("ArrowDown")
        assert select.input_value() == "es"
        tab_to(page, ".language-switcher button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        assert page.url.endswith("/tags/llms/"), "the switcher returns the reader to the page they were on"
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.locator("#language-select").input_value() == "es"
        assert h1(page) == "LLMs"
