"""The design in a real browser: screenshots on a phone and a desktop, light and dark, and no sideways scrolling.

The screenshots are written to ``screenshot_dir`` for a person to look at; the
assertions check what a screenshot would show as broken: a page wider than the
screen, or a dark theme that is not dark.
"""

from contextlib import contextmanager

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_URL = "/posts/ia-generativa-vs-llm-entendiendo-las-diferencias-y-sinergias/"
MARKDOWN_GUIDE_URL = "/posts/guia-rapida-de-markdown/"
SCREENSHOT_PAGES = {"home": "/", "post": SEED_URL, "tag": "/tags/llms/"}
WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")

OVERFLOW_JS = "[document.documentElement.scrollWidth, window.innerWidth]"
# Relative luminance of the body's background, 0 (black) to 1 (white).
BACKGROUND_LUMINANCE_JS = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const linear = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}"""


@pytest.fixture
def articles(capsys):
    call_command("import_articles")
    capsys.readouterr()


@contextmanager
def browser_page(browser, live_server, width, scheme="light"):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900}, color_scheme=scheme)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_browser_screenshots_at_phone_and_desktop_widths_in_light_and_dark(browser, live_server, articles, screenshot_dir):
    problems = []
    for scheme in SCHEMES:
        for width in WIDTHS:
            with browser_page(browser, live_server, width, scheme) as page:
                for name, path in SCREENSHOT_PAGES.items():
                    response = page.goto(path)
                    assert response.ok, f"{path}: {response.status}"
                    file = screenshot_dir / f"{name}-{width}px-{scheme}.png"
                    page.screenshot(path=str(file), full_page=True)
                    assert file.stat().st_size > 0

                    scroll_width, inner_width = page.evaluate(OVERFLOW_JS)
                    if scroll_width > inner_width:
                        problems.append(f"{path} at {width}px {scheme}: scrolls sideways ({scroll_width}px wide)")
                    luminance = page.evaluate(BACKGROUND_LUMINANCE_JS)
                    if (scheme == "dark") != (luminance < 0.2):
                        problems.append(f"{path} at {width}px {scheme}: background luminance {luminance:.2f}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [360, 1920])
def test_browser_no_page_scrolls_sideways(browser, live_server, articles, width):
    # The Markdown guide has a wide table, long code lines and footnotes; the
    # 404 page and search results have their own layouts.
    paths = [
        "/", SEED_URL, MARKDOWN_GUIDE_URL, "/tags/", "/tags/?sort=az", "/tags/llms/", "/authors/",
        "/authors/ana-rivera/", "/search/?q=markdown", "/search/?q=%25%25", "/no-such-page/",
    ]
    overflowing = []
    with browser_page(browser, live_server, width) as page:
        for path in paths:
            page.goto(path)
            scroll_width, inner_width = page.evaluate(OVERFLOW_JS)
            if scroll_width > inner_width:
                overflowing.append(f"{path}: {scroll_width}px wide")
    assert not overflowing, f"pages wider than a {width}px screen:\n" + "\n".join(overflowing)


def test_browser_wide_code_and_tables_scroll_inside_themselves_on_a_phone(browser, live_server, articles):
    with browser_page(browser, live_server, 360) as page:
        page.goto(MARKDOWN_GUIDE_URL)
        boxes = page.evaluate("""() => [...document.querySelectorAll('.body pre, .body table')].map(element => ({
            tag: element.tagName,
            overflowX: getComputedStyle(element).overflowX,
            right: element.getBoundingClientRect().right,
            scrolls: element.scrollWidth > element.clientWidth,
        }))""")
    assert {box["tag"] for box in boxes} == {"PRE", "TABLE"}
    assert any(box["scrolls"] for box in boxes), "nothing in the guide is wider than a phone: the test checks nothing"
    for box in boxes:
        assert box["right"] <= 360, box
        if box["scrolls"]:
            assert box["overflowX"] == "auto", box
