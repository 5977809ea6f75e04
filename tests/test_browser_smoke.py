"""A reader's first click, in a real browser: the fixture articles' home page and a post."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browser_home_to_seed_post(page, capsys):
    call_command("import_articles")
    capsys.readouterr()

    page.goto("/")
    page.get_by_role("link", name="IA Generativa vs LLM: Entendiendo las Diferencias y Sinergias").click()

    assert page.locator("h1").inner_text() == "IA Generativa vs LLM: Entendiendo las Diferencias y Sinergias"
    assert page.locator("article.post").get_attribute("lang") == "es"
