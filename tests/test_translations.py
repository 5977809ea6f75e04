"""The interface in Spanish: complete catalogs, compiled ones that match them, and pages that use them.

The ``.po`` files are read with a small parser and the committed ``.mo`` files
with Python's own :mod:`gettext`, so these tests need no GNU gettext tools
(CI machines may not have ``msgfmt``).
"""

import ast
import datetime as dt
import gettext
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from blog.models import ImportRun, Post
from factories import make_author, make_draft, make_post

LOCALE = Path(settings.BASE_DIR) / "locale"
SPANISH = LOCALE / "es" / "LC_MESSAGES"
PO_FILES = sorted(SPANISH.glob("*.po"))

MARCH_5 = dt.datetime(2024, 3, 5, 10, 30, tzinfo=dt.UTC)
APRIL_1 = dt.datetime(2024, 4, 1, 9, 0, tzinfo=dt.UTC)
CHANGELIST = "/admin/blog/post/"


# -- reading .po files ----------------------------------------------------------------


def read_po(path):
    """The entries of a .po file: dicts with flags, msgctxt, msgid, msgid_plural and msgstr {index: text}.

    Obsolete entries (``#~``) are left out: gettext compiles none of them.
    """
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry = field = None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += text
            else:
                entry[field[0]] += text
        else:
            keyword, value = line.split(" ", 1)
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr["):
                field = ("msgstr", int(keyword[len("msgstr["):-1]))
                entry["msgstr"][field[1]] = text
            elif keyword == "msgstr":
                field = ("msgstr", 0)
                entry["msgstr"][0] = text
            else:
                assert keyword in ("msgctxt", "msgid", "msgid_plural"), f"{path.name}: unexpected line {line!r}"
                field = (keyword,)
                entry[keyword] = text
    return entries


def header(entries):
    fields = [line.partition(":") for line in entries[0]["msgstr"][0].splitlines()]
    return {name.strip().lower(): value.strip() for name, _, value in fields}


def label(entry):
    return f"{entry['msgctxt']}|{entry['msgid']}" if entry["msgctxt"] else entry["msgid"]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
TAG = re.compile(r"</?\w+[^>]*>")


def shape(text):
    """What a translation must keep of its source: placeholders and HTML tags."""
    return sorted(PLACEHOLDER.findall(text)), sorted(TAG.findall(text))


@pytest.fixture(autouse=True)
def default_language():
    """Requests activate a language in this thread; leave the default behind for the next test."""
    yield
    translation.deactivate()


# -- the catalogs -----------------------------------------------------------------------


def test_spanish_catalogs_cover_server_and_admin_javascript():
    assert [path.name for path in PO_FILES] == ["django.po", "djangojs.po"]
    assert settings.LOCALE_PATHS == [settings.BASE_DIR / "locale"]
    assert [code for code, _name in settings.LANGUAGES] == ["en", "es"]


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda path: path.name)
def test_spanish_po_has_every_entry_translated_and_none_fuzzy(po_path):
    entries = read_po(po_path)
    assert entries[0]["msgid"] == "", "the header comes first"
    meta = header(entries)
    assert meta["language"] == "es"
    assert meta["plural-forms"] == "nplurals=2; plural=(n != 1);"
    assert "fuzzy" not in entries[0]["flags"]
    assert len(entries) > 1

    problems = []
    for entry in entries[1:]:
        name = label(entry)
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {name}")
        if entry["msgid_plural"] is None:
            sources = {0: entry["msgid"]}
        else:
            sources = {0: entry["msgid"], 1: entry["msgid_plural"]}
        if sorted(entry["msgstr"]) != sorted(sources):
            problems.append(f"forms {sorted(entry['msgstr'])} instead of {sorted(sources)}: {name}")
            continue
        for index, source in sources.items():
            text = entry["msgstr"][index]
            if not text.strip():
                problems.append(f"untranslated: {name}")
            elif shape(text) != shape(source):
                problems.append(f"placeholders or HTML differ: {name} → {text}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda path: path.name)
def test_spanish_mo_matches_its_po(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.name} is missing: run manage.py compilemessages --ignore=.venv"
    with mo_path.open("rb") as file:
        compiled = gettext.GNUTranslations(file)

    expected = {}
    entries = read_po(po_path)
    for entry in entries[1:]:
        key = f"{entry['msgctxt']}\x04{entry['msgid']}" if entry["msgctxt"] else entry["msgid"]
        if entry["msgid_plural"] is None:
            expected[key] = entry["msgstr"][0]
        else:
            expected.update({(key, index): text for index, text in entry["msgstr"].items()})
    catalog = {key: value for key, value in compiled._catalog.items() if key != ""}

    stale = sorted(str(key) for key in expected.keys() ^ catalog.keys())
    assert not stale, f"{mo_path.name} is out of date (run compilemessages): {stale}"
    differing = sorted(str(key) for key in expected if expected[key] != catalog[key])
    assert not differing, f"{mo_path.name} is out of date (run compilemessages): {differing}"
    assert compiled.info()["language"] == header(entries)["language"]
    assert compiled.info()["plural-forms"] == header(entries)["plural-forms"]
    assert [compiled.plural(n) for n in (0, 1, 2, 1_000_000)] == [1, 0, 1, 1]


# -- the reader's pages -----------------------------------------------------------------


@pytest.fixture
def posts(db):
    author = make_author("Ana Rivera")
    older = make_post("Primeros pasos", slug="primeros-pasos", tags=["Python", "Django"], authors=[author],
                      publish_date=MARCH_5 - dt.timedelta(days=1))
    post = make_post("Hola mundo", slug="hola-mundo", tags=["Python"], authors=[author], publish_date=MARCH_5,
                     updated_date=APRIL_1, body="# Hola\n\n" + "palabra " * 500)
    return {"post": post, "older": older, "author": author}


def get(client, url, language, **extra):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language, **extra)


def test_home_page_speaks_the_browser_language(client, posts):
    spanish = get(client, "/", "es").text
    assert '<html lang="es">' in spanish
    for text in ("Últimos artículos", ">Artículos</a>", ">Etiquetas</a>", ">Autores</a>", "Saltar al contenido",
                 'placeholder="Buscar…"', ">Cambiar</button>", "Feed RSS", "5 de marzo de 2024", "2 min de lectura"):
        assert text in spanish, text
    assert "Latest posts" not in spanish and "Skip to content" not in spanish

    english = get(client, "/", "en").text
    assert '<html lang="en">' in english
    for text in ("Latest posts", ">Posts</a>", ">Tags</a>", "Skip to content", ">Change</button>", "March 5, 2024", "2 min read"):
        assert text in english, text
    assert "Últimos artículos" not in english


def test_post_page_shows_spanish_strings_and_dates(client, posts):
    response = get(client, "/posts/hola-mundo/", "es")

    assert response.status_code == 200
    html = response.text
    assert '<time datetime="2024-03-05T10:30:00+00:00">5 de marzo de 2024</time>' in html
    assert "Actualizado el <time" in html and "1 de abril de 2024" in html
    for text in ("2 min de lectura", ">Anterior</span>", 'aria-label="Más artículos"', "Artículos relacionados"):
        assert text in html, text

    english = get(client, "/posts/hola-mundo/", "en").text
    assert '<time datetime="2024-03-05T10:30:00+00:00">March 5, 2024</time>' in english
    for text in ("Updated <time", "April 1, 2024", "2 min read", ">Previous</span>", "Related posts"):
        assert text in english, text


def test_draft_banner_speaks_spanish_to_staff(admin_client, db):
    make_draft("Borrador secreto", slug="borrador-secreto")

    html = get(admin_client, "/posts/borrador-secreto/", "es").text

    assert "Borrador: solo el equipo editorial puede ver este artículo." in html


def test_tag_index_and_tag_page_speak_spanish(client, posts):
    index = get(client, "/tags/", "es").text
    assert "<h1>Etiquetas</h1>" in index and "Más usadas" in index and "A–Z" in index

    tag = get(client, "/tags/python/", "es").text
    assert ">Etiqueta</p>" in tag and "2 artículos" in tag
    assert "1 artículo ·" in get(client, "/tags/django/", "es").text

    english = get(client, "/tags/", "en").text
    assert "<h1>Tags</h1>" in english and "Most used" in english
    assert "2 posts" in get(client, "/tags/python/", "en").text


def test_search_speaks_spanish_with_plurals(client, posts):
    one = get(client, "/search/?q=hola", "es").text
    assert "1 resultado para “hola”" in one
    assert "<h1 id=\"search-title\">Buscar</h1>" in one and "Palabras que buscar" in one

    none = get(client, "/search/?q=zzzzzz", "es").text
    assert "0 resultados para “zzzzzz”" in none
    assert "No hubo coincidencias." in none and "Todas las etiquetas" in none

    empty = get(client, "/search/", "es").text
    assert "Escribe una o dos palabras" in empty

    english = get(client, "/search/?q=hola", "en").text
    assert "1 result for “hola”" in english and "Words to look for" in english


def test_not_found_page_speaks_spanish(client, db):
    response = get(client, "/no-such-page/", "es")

    assert response.status_code == 404
    html = response.text
    for text in ("Página no encontrada", "No hay nada en esta dirección.", "Busca entre los artículos", "Explorar las etiquetas"):
        assert text in html, text

    english = get(client, "/no-such-page/", "en")
    assert english.status_code == 404 and "Page not found" in english.text and "There is nothing at this address." in english.text


def test_language_switcher_keeps_spanish_without_accept_language(client, posts):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/tags/"})

    assert response.status_code == 302 and response["Location"] == "/tags/"
    assert "<h1>Etiquetas</h1>" in client.get("/tags/").text
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "<h1>Tags</h1>" in client.get("/tags/").text


def test_page_cache_keeps_languages_apart(client, posts, settings):
    settings.TINTA_PAGE_CACHE_SECONDS = 300

    assert "Últimos artículos" in get(client, "/", "es").text
    english = get(client, "/", "en")
    assert "Latest posts" in english.text and "Últimos artículos" not in english.text
    spanish_again = get(client, "/", "es")
    assert spanish_again["X-Cache"] == "HIT" and "Últimos artículos" in spanish_again.text


# -- the admin --------------------------------------------------------------------------


def test_admin_post_changelist_speaks_spanish(admin_client, posts):
    make_draft("Un borrador", slug="un-borrador")

    html = get(admin_client, CHANGELIST, "es").text

    for text in ("Importar artículos", "Publicar ahora", "Despublicar (volver a borrador)", "Programar…",
                 "Por estado", "Publicado", "Borrador", "Editado desde la importación", "Fecha de publicación",
                 "no importado"):
        assert text in html, text

    english = get(admin_client, CHANGELIST, "en").text
    for text in ("Import articles", "Publish now", "By status", "Edited since import", "not imported"):
        assert text in english, text


def test_admin_post_change_form_speaks_spanish(admin_client, posts):
    url = f"/admin/blog/post/{posts['post'].pk}/change/"

    html = get(admin_client, url, "es").text

    for text in ("Contenido", "Publicación", "Buscadores y redes sociales", "Procedencia de la importación",
                 "Vista previa", ">Historial</a>", "Ver en el sitio", "Autores (en el orden de la firma)",
                 "Escribe para buscar una etiqueta", "Fecha de publicación", "Imagen de portada"):
        assert text in html, text

    english = get(admin_client, url, "en").text
    for text in ("Search engines and sharing", "Import provenance", ">History</a>", "Type to find a tag"):
        assert text in english, text


def test_admin_javascript_catalog_carries_the_editor_strings(admin_client, posts):
    """The editor's scripts call gettext(); the admin's own jsi18n, loaded by every change form, serves
    them, because Django's JavaScript catalog always includes the djangojs catalogs of LOCALE_PATHS."""
    form = get(admin_client, f"/admin/blog/post/{posts['post'].pk}/change/", "es").text
    assert form.index('src="/admin/jsi18n/"') < form.index("blog/admin/tags.js")
    assert form.index('src="/admin/jsi18n/"') < form.index("blog/admin/editor.js")

    spanish = get(admin_client, "/admin/jsi18n/", "es").text
    for text in ("Añade una etiqueta…", "Vista previa actualizada", "Nueva etiqueta “%s”", "(%s artículo)", "%s sugerencias"):
        assert json.dumps(text)[1:-1] in spanish, text
    assert "const v = (n != 1);" in spanish  # the two plural forms the catalogs declare

    english = get(admin_client, "/admin/jsi18n/", "en").text
    assert json.dumps("Añade una etiqueta…")[1:-1] not in english


def test_admin_bulk_publish_message_agrees_in_number(admin_client, db):
    drafts = [make_draft(f"Borrador {number}", slug=f"borrador-{number}") for number in range(3)]

    one = admin_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [drafts[0].pk]},
                            follow=True, HTTP_ACCEPT_LANGUAGE="es")
    assert "1 artículo publicado." in one.text
    two = admin_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [drafts[1].pk, drafts[2].pk]},
                            follow=True, HTTP_ACCEPT_LANGUAGE="es")
    assert "2 artículos publicados." in two.text
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() == 3

    again = admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [drafts[0].pk]},
                              follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 post is a draft again." in again.text


def test_admin_import_runs_show_statuses_in_spanish(admin_client, db):
    run = ImportRun.objects.create(
        source=ImportRun.Source.COMMAND, command="manage.py import_articles",
        # Out of order on purpose: PostgreSQL's jsonb reorders keys, and the listing must not follow it.
        counts={"failed": 1, "skipped": 0, "conflict": 0, "unchanged": 0, "updated": 0, "created": 2},
        files=[{"path": "hola.md", "status": "created", "slug": "hola", "message": ""},
               {"path": "adios.md", "status": "created", "slug": "adios", "message": ""},
               {"path": "roto.md", "status": "failed", "slug": "", "message": "YAML"}],
    )

    listing = get(admin_client, "/admin/blog/importrun/", "es").text
    assert "2 creados, 1 fallido" in listing and "línea de comandos" in listing and "algunos archivos fallaron" in listing
    report = get(admin_client, f"/admin/blog/importrun/{run.pk}/change/", "es").text
    assert 'import-created">creado<' in report and 'import-failed">fallido<' in report
    assert "<strong>2</strong> creados" in report

    english = get(admin_client, f"/admin/blog/importrun/{run.pk}/change/", "en").text
    assert 'import-created">created<' in english and "<strong>2</strong> created" in english
    assert "2 created, 1 failed" in get(admin_client, "/admin/blog/importrun/", "en").text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_admin_editor_scripts_speak_spanish(browser, live_server, django_user_model):
    django_user_model.objects.create_superuser("jefa", "jefa@example.com", "a-long-admin-password")
    post = make_post("Hola mundo", slug="hola-mundo", tags=["Python"])
    make_post("Otro", slug="otro", tags=["Python"])
    context = browser.new_context(base_url=live_server.url, locale="es-ES", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"/admin/login/?next=/admin/blog/post/{post.pk}/change/")
        page.fill("#id_username", "jefa")
        page.fill("#id_password", "a-long-admin-password")
        page.click("input[type=submit]")

        entry = page.locator(".tag-entry")
        entry.wait_for()
        assert entry.get_attribute("placeholder") == "Añade una etiqueta…"
        assert page.locator(".tag-chips").get_attribute("aria-label") == "Etiquetas de este artículo"
        assert page.locator(".tag-remove").first.get_attribute("aria-label") == "Quitar la etiqueta Python"

        entry.click()
        entry.press_sequentially("nueva", delay=20)
        page.locator(".tag-option-new").wait_for()
        assert page.locator(".tag-option-new").inner_text() == "Nueva etiqueta “nueva”"
        entry.fill("")
        make_post("Tercero", slug="tercero", tags=["Pythonic"])
        entry.press_sequentially("pyth", delay=20)
        page.locator(".tag-count").first.wait_for()
        assert page.locator(".tag-count").first.inner_text().strip() == "(1 artículo)"

        body = page.locator("#id_body")
        body.click()
        body.press("Control+End")
        body.press_sequentially("\n\nTexto nuevo.", delay=5)
        page.locator(".md-preview-status", has_text="Vista previa actualizada").wait_for()
    finally:
        context.close()
