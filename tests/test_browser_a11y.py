"""Accessibility checked by axe-core in the browser, in the light and the dark theme.

axe is the vendored ``tests/vendor/axe.min.js``, injected into each page; the
context bypasses the site's Content-Security-Policy only so that the injected
script may run. A violation of impact "serious" or "critical" fails the test;
the message lists each rule, its help text and the elements it found.
"""

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
PAGES = {
    "home": "/",
    "post": "/posts/ia-generativa-vs-llm-entendiendo-las-diferencias-y-sinergias/",
    "tag": "/tags/llms/",
    "search results": "/search/?q=generativa",
}


@pytest.fixture
def articles(capsys):
    call_command("import_articles")
    capsys.readouterr()


@contextmanager
def browser_page(browser, live_server, scheme, width=1280):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True,
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def blocking_violations(page, path):
    """axe's serious and critical violations on ``path``, one readable line per rule and element."""
    response = page.goto(path)
    assert response.ok, f"{path}: {response.status}"
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in results["violations"]:
        if violation["impact"] in BLOCKING:
            for node in violation["nodes"]:
                lines.append(
                    f"{path} [{violation['impact']}] {violation['id']}: {violation['help']}\n"
                    f"    at {node['target']}: {node['failureSummary']}".replace("\n  ", "\n      ")
                )
    return lines


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_browser_reader_pages_have_no_serious_axe_violations(browser, live_server, articles, scheme):
    found = []
    with browser_page(browser, live_server, scheme) as page:
        for path in PAGES.values():
            found += blocking_violations(page, path)
        # Guard against a silent pass: axe ran and checked the page's contrast.
        checked = page.evaluate("axe.run(document, {runOnly: ['color-contrast']}).then(r => r.passes.length)")
        assert checked > 0

    assert not found, f"axe found {len(found)} serious or critical problems ({scheme} theme):\n" + "\n".join(found)


def test_browser_reader_pages_have_no_serious_axe_violations_on_a_phone(browser, live_server, articles):
    found = []
    with browser_page(browser, live_server, "light", width=375) as page:
        for path in PAGES.values():
            found += blocking_violations(page, path)

    assert not found, "axe at 375px:\n" + "\n".join(found)


def test_browser_markdown_guide_has_no_serious_axe_violations(browser, live_server, articles):
    with browser_page(browser, live_server, "light", width=375) as page:
        found = blocking_violations(page, "/posts/guia-rapida-de-markdown/")

    assert not found, "\n".join(found)
