"""The importer over the real-world corpus named by TINTA_CORPUS (561 articles, three blogs)."""

import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import escape

from blog.models import Post

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]

CORPUS = os.environ.get("TINTA_CORPUS", "")
if not CORPUS:
    pytest.skip(
        "TINTA_CORPUS is not set: point it at the article corpus (e.g. TINTA_CORPUS=../shared/corpus) to run these tests",
        allow_module_level=True,
    )
CORPUS = Path(CORPUS)


def run_json(capsys, *args):
    code = 0
    try:
        call_command("import_articles", *map(str, args), "--format", "json")
    except CommandError as error:
        code = error.returncode
    return code, json.loads(capsys.readouterr().out)


def article_files(root):
    """Every article file outside `_` folders, relative to root: Markdown files
    other than READMEs, and `.txt` files that open with frontmatter."""
    found = set()
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith("_") for part in rel.parts) or path.name.lower() == "readme.md":
            continue
        if path.suffix in (".md", ".mdx", ".markdown") or (path.suffix == ".txt" and path.read_bytes().startswith(b"---")):
            found.add(rel.as_posix())
    return found


def test_corpus_every_article_gets_one_status_none_failed_and_pages_answer(capsys, client):
    code, report = run_json(capsys, CORPUS)

    assert code == 0
    assert report["counts"]["failed"] == 0, [f for f in report["files"] if f["status"] == "failed"]
    paths = [entry["path"] for entry in report["files"]]
    assert len(paths) == len(set(paths))
    expected = article_files(CORPUS)
    assert expected <= set(paths)
    assert len(expected) == 210
    created = [entry for entry in report["files"] if entry["status"] == "created"]
    assert len(created) == Post.objects.count() == 210
    visible = set(Post.objects.published().values_list("slug", flat=True))
    for entry in created:
        post = Post.objects.get(slug=entry["slug"])
        if post.slug in visible:
            response = client.get(post.get_absolute_url())
            assert response.status_code == 200, entry
            assert f"<h1>{escape(post.title)}</h1>" in response.text, entry

    code, again = run_json(capsys, CORPUS)

    assert again["counts"]["unchanged"] == 210
    assert again["counts"]["created"] == again["counts"]["updated"] == again["counts"]["failed"] == 0


def test_corpus_opensource_guide_imports_350_files_in_29_languages(capsys, client):
    root = CORPUS / "opensource-guide" / "_articles"

    code, report = run_json(capsys, root)

    assert code == 0
    assert len(report["files"]) == 350
    assert report["counts"] == {"created": 349, "updated": 0, "unchanged": 0, "conflict": 0, "skipped": 1, "failed": 0}
    assert report["files"][[e["path"] for e in report["files"]].index("zh-hant/README.md")]["status"] == "skipped"
    assert Post.objects.values("language").distinct().count() == 29
    assert all(slug for slug in Post.objects.values_list("slug", flat=True))
    spanish = Post.objects.get(source_path="es/how-to-contribute.md")
    assert spanish.title.startswith("Cómo")
    for post in Post.objects.published().only("slug", "title")[:400]:
        assert client.get(post.get_absolute_url()).status_code == 200

    code, again = run_json(capsys, root)

    assert again["counts"]["unchanged"] == 349
