"""An editor's day in a real browser: log in, edit the seed post with its live preview, tag it, save, read it.

Screenshots of the change list and of the editor with its preview, at 1280 px,
go to ``screenshot_dir`` for a person to look at.
"""

import importlib
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from blog.models import Post
from factories import make_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_TITLE = "IA Generativa vs LLM: Entendiendo las Diferencias y Sinergias"
ROLES = importlib.import_module("blog.migrations.0003_editor_roles").ROLES


@pytest.fixture
def editor(django_user_model):
    # Transactional tests empty the database after each test, groups included: make sure it is there.
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(Permission.objects.filter(content_type__app_label="blog", codename__in=ROLES["Editors"]))
    user = django_user_model.objects.create_user("editor", password="a-long-editor-password", is_staff=True, first_name="Eva")
    user.groups.add(group)
    return user


def log_in(page, next_url):
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-editor-password")
    page.click("input[type=submit]")


def test_browser_editor_edits_seed_post_with_live_preview_and_tag_autocomplete(page, editor, capsys, screenshot_dir):
    call_command("import_articles")
    capsys.readouterr()
    make_post("Otro artículo", tags=["Inteligencia artificial"], language="es")
    seed = Post.objects.get(title=SEED_TITLE)

    log_in(page, "/admin/blog/post/")
    page.get_by_role("link", name=SEED_TITLE).wait_for()
    page.screenshot(path=str(screenshot_dir / "admin-post-changelist-1280.png"), full_page=True)
    page.get_by_role("link", name=SEED_TITLE).click()

    # The body: the preview follows the typing, rendered by the site's pipeline, without a reload.
    preview = page.frame_locator("iframe.md-preview")
    assert preview.locator("h1").inner_text() == SEED_TITLE
    page.evaluate("window.__samePage = true")
    body = page.locator("#id_body")
    body.click()
    body.press("Control+End")
    body.press_sequentially("\n\n## Una sección nueva\n\nTexto **añadido** por la editora.", delay=5)
    preview.locator("h2", has_text="Una sección nueva").wait_for()
    assert preview.locator("strong", has_text="añadido").count() == 1
    assert page.evaluate("window.__samePage") is True
    assert page.locator(".md-preview-status").inner_text() == "Preview up to date"

    # Tags: an existing tag found by typing part of it, and a typed existing tag reused by slug.
    entry = page.locator(".tag-entry")
    entry.click()
    entry.press_sequentially("inteligencia", delay=20)
    page.get_by_role("option", name="Inteligencia artificial").click()
    entry.press_sequentially("llms", delay=20)
    entry.press("Enter")
    chips = page.locator(".tag-chip span")
    assert sorted(chips.all_inner_texts()) == ["IA generativa", "Inteligencia artificial", "LLMs", "tecnología de IA"]

    page.locator(".field-body").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "admin-post-editor-preview-1280.png"))
    page.screenshot(path=str(screenshot_dir / "admin-post-editor-full-1280.png"), full_page=True)
    page.locator("input[name=_save]").first.click()
    page.locator(".messagelist .success").wait_for()

    page.goto(f"/posts/{seed.slug}/")
    assert page.locator("article.post h2", has_text="Una sección nueva").count() == 1
    assert page.get_by_role("link", name="Inteligencia artificial").count() == 1
    seed.refresh_from_db()
    assert sorted(seed.tags.names()) == ["IA generativa", "Inteligencia artificial", "LLMs", "tecnología de IA"]
    assert seed.fingerprint() != seed.import_hash


def test_browser_post_form_saves_without_javascript(browser, live_server, editor, capsys):
    call_command("import_articles")
    capsys.readouterr()
    seed = Post.objects.get(title=SEED_TITLE)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, f"/admin/blog/post/{seed.pk}/change/")
        page.fill("#id_tags", '"IA generativa", LLMs, "tecnología de IA", "ia generativa", nueva')
        page.locator("input[name=_save]").first.click()
        assert page.locator(".messagelist .success").count() == 1
    finally:
        context.close()

    seed.refresh_from_db()
    assert sorted(seed.tags.names()) == ["IA generativa", "LLMs", "nueva", "tecnología de IA"]


def test_browser_editor_imports_a_zip_and_compares_history(page, editor, tmp_path, screenshot_dir):
    archive = tmp_path / "blog.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("blog/authors.yml", "charly:\n  name: Charly Chacón\n")
        bundle.writestr("blog/hola.md", "---\ntitle: Hola\ntags: [IA generativa]\nauthors: [charly]\n---\nPrimer texto.\n")
        bundle.writestr("blog/README.md", "# Not a post\n")
        bundle.writestr("blog/roto.md", "---\ntitle: [roto\n---\n")

    log_in(page, "/admin/blog/importrun/add/")
    page.set_input_files("#id_files", str(archive))
    page.uncheck("#id_dry_run")
    page.click("input[type=submit][value=Import]")
    page.locator(".import-report").wait_for()
    page.screenshot(path=str(screenshot_dir / "admin-import-report-1280.png"), full_page=True)
    assert page.locator(".import-row-created .import-path").inner_text() == "hola.md"
    assert page.locator(".import-row-failed").count() == 1

    post = Post.objects.get(title="Hola")
    page.goto(f"/admin/blog/post/{post.pk}/change/")
    page.fill("#id_body", "Segundo texto, corregido.")
    page.locator("input[name=_save]").first.click()
    page.goto(f"/admin/blog/post/{post.pk}/history/")
    page.screenshot(path=str(screenshot_dir / "admin-post-history-1280.png"), full_page=True)
    page.get_by_role("button", name="Compare selected versions").click()
    page.locator(".history-changes").wait_for()
    page.screenshot(path=str(screenshot_dir / "admin-post-compare-1280.png"), full_page=True)
    assert "Segundo texto, corregido." in page.locator(".diff-ins").first.inner_text()
