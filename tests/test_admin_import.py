"""Importing from the admin: uploads, zips, dry runs, refusals, bounds, and the record of every run."""

import io
import stat
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from blog.models import Author, ImportRun, Post, Tag

pytestmark = pytest.mark.django_db

IMPORT = "/admin/blog/importrun/add/"
ARTICLE = "---\ntitle: {title}\ntags: [IA generativa]\nauthors: [charly]\n---\nText of {title}.\n"


def md(name, title="Hello"):
    return SimpleUploadedFile(name, ARTICLE.format(title=title).encode(), content_type="text/markdown")


def zipped(entries, name="blog.zip"):
    """A zip upload of {name: text}; a ZipInfo key writes that entry as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, text in entries.items():
            archive.writestr(entry, text)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def upload(client, *files, dry_run=False, force=False):
    data = {"files": list(files)}
    if dry_run:
        data["dry_run"] = "on"
    if force:
        data["force"] = "on"
    return client.post(IMPORT, data)


def test_import_form_offers_a_dry_run(admin_client):
    page = admin_client.get(IMPORT).content.decode()

    assert 'type="file" name="files"' in page and "multiple" in page
    assert 'name="dry_run"' in page and "checked" in page.split('name="dry_run"')[1].split(">")[0]


def test_import_markdown_files_shows_the_per_file_report(admin_client, admin_user):
    response = upload(admin_client, md("hello.md"), md("README.md", "Readme"))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<td class="import-path">hello.md</td>' in page and 'import-created">created<' in page
    assert '<td class="import-path">README.md</td>' in page and "README files describe a folder" in page
    assert '<a href="/posts/hello/">hello</a>' in page
    post = Post.objects.get()
    assert (post.title, list(post.tags.names()), post.ordered_authors[0].slug) == ("Hello", ["IA generativa"], "charly")
    run = ImportRun.objects.get()
    assert (run.source, run.user, run.command, run.dry_run) == ("admin", admin_user, "hello.md, README.md", False)
    assert run.counts["created"] == 1 and run.counts["skipped"] == 1
    assert {"path": "hello.md", "status": "created", "slug": "hello", "message": ""} in run.files


def test_import_zip_of_a_folder_with_authors_and_tags_yml(admin_client, run_import, tmp_path):
    entries = {
        "blog/authors.yml": "charly:\n  name: Charly Chacón\n  title: Product Manager\n",
        "blog/tags.yml": "ia-generativa:\n  label: IA Generativa\n  description: Modelos que generan.\n",
        "blog/2024/a.md": ARTICLE.format(title="A"),
        "blog/2024/b.md": ARTICLE.format(title="B"),
        "blog/images/cover.png": "not an article",
        "__MACOSX/blog/._a.md": "resource fork",
    }

    page = upload(admin_client, zipped(entries)).content.decode()

    assert page.count('import-created">created<') == 2
    assert "2024/a.md" in page and "blog/2024/a.md" not in page  # the zip's folder is the folder imported
    author = Author.objects.get()
    assert (author.name, author.role) == ("Charly Chacón", "Product Manager")
    assert Tag.objects.get().description == "Modelos que generan."
    # The same folder imported from the command line finds the same posts.
    for path, text in entries.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    assert run_import(tmp_path / "blog").counts["unchanged"] == 2


def test_import_dry_run_writes_nothing_but_is_recorded(admin_client):
    response = upload(admin_client, md("hello.md"), dry_run=True)

    page = response.content.decode()
    assert "Dry run report" in page and "Dry run: nothing was written." in page
    assert 'import-created">created<' in page
    assert (Post.objects.count(), Tag.objects.count(), Author.objects.count()) == (0, 0, 0)
    run = ImportRun.objects.get()
    assert run.dry_run and run.counts["created"] == 1


@pytest.mark.parametrize("entry", ["../evil.md", "blog/../../evil.md", "/tmp/evil.md", "C:/evil.md", "..\\evil.md"])
def test_import_zip_with_an_entry_escaping_its_folder_is_refused(admin_client, tmp_path, entry):
    archive = zipped({"blog/a.md": ARTICLE.format(title="A"), entry: ARTICLE.format(title="Evil")})

    page = upload(admin_client, archive).content.decode()

    assert "nothing was imported" in page
    assert Post.objects.count() == 0 and ImportRun.objects.count() == 0
    assert not (tmp_path.parent / "evil.md").exists()


def test_import_zip_with_a_symbolic_link_is_refused(admin_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("blog/a.md", ARTICLE.format(title="A"))
        link = zipfile.ZipInfo("blog/passwd.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")

    page = upload(admin_client, SimpleUploadedFile("blog.zip", buffer.getvalue())).content.decode()

    assert "“blog/passwd.md” is a symbolic link; nothing was imported." in page
    assert Post.objects.count() == 0


def test_import_refuses_uploads_beyond_the_bounds(admin_client, settings):
    settings.TINTA_IMPORT_MAX_FILES = 2
    settings.TINTA_IMPORT_MAX_UNPACKED_BYTES = 1000
    settings.TINTA_IMPORT_MAX_UPLOAD_BYTES = 5000

    too_many = upload(admin_client, zipped({f"{n}.md": "x" for n in range(3)})).content.decode()
    too_big = upload(admin_client, zipped({"a.md": "x" * 2000})).content.decode()
    too_large = upload(admin_client, md("a.md"), SimpleUploadedFile("b.md", b"x" * 6000)).content.decode()
    wrong_kind = upload(admin_client, SimpleUploadedFile("notes.pdf", b"%PDF")).content.decode()
    mixed = upload(admin_client, md("a.md"), zipped({"b.md": "x"})).content.decode()
    not_zip = upload(admin_client, SimpleUploadedFile("blog.zip", b"not a zip")).content.decode()

    assert "The zip holds 3 files; at most 2 can be imported at once." in too_many
    assert "The zip unpacks to 2.0\xa0KB; at most 1000\xa0bytes can be imported at once." in too_big
    assert "at most 4.9\xa0KB can be imported at once." in too_large
    assert "notes.pdf: only Markdown files" in wrong_kind
    assert "Upload either one .zip or Markdown files" in mixed
    assert "“blog.zip” is not a valid zip file." in not_zip
    assert Post.objects.count() == 0 and ImportRun.objects.count() == 0


def test_import_zip_whose_entry_lies_about_its_size_is_refused(admin_client, settings):
    settings.TINTA_IMPORT_MAX_UNPACKED_BYTES = 10_000
    archive = zipped({"a.md": "x" * 50_000})
    data = bytearray(archive.read())
    # Shrink the declared size in both headers: the real content is larger.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature)
        data[at + offset: at + offset + 4] = (100).to_bytes(4, "little")

    page = upload(admin_client, SimpleUploadedFile("blog.zip", bytes(data))).content.decode()

    assert "nothing was imported" in page
    assert Post.objects.count() == 0


def test_import_needs_files(admin_client):
    assert "Choose Markdown files or a .zip to import." in admin_client.post(IMPORT, {}).content.decode()


def test_import_runs_from_the_command_line_are_recorded_too(run_import, write, tmp_path):
    write("a.md", ARTICLE.format(title="A"))
    write("b.md", "---\ntitle: [broken\n---\n")

    run_import(tmp_path, "--dry-run")
    run_import(tmp_path)

    real, dry = ImportRun.objects.all()
    assert (real.source, real.user, real.dry_run, dry.dry_run) == ("command", None, False, True)
    assert real.command == f"manage.py import_articles {tmp_path}" and dry.command.endswith("--dry-run")
    assert real.counts["created"] == 1 and real.counts["failed"] == 1 and real.failed
    assert [entry["status"] for entry in real.files] == ["created", "failed"]


def test_import_runs_are_browsable_and_read_only_in_the_admin(admin_client, run_import, write, tmp_path):
    write("a.md", ARTICLE.format(title="A"))
    run_import(tmp_path)
    run = ImportRun.objects.get()

    listing = admin_client.get("/admin/blog/importrun/").content.decode()
    detail = admin_client.get(f"/admin/blog/importrun/{run.pk}/change/").content.decode()

    assert "manage.py import_articles" in listing and "1 created" in listing
    assert "Import articles" in listing
    assert '<td class="import-path">a.md</td>' in detail and 'name="_save"' not in detail
    assert admin_client.post(f"/admin/blog/importrun/{run.pk}/change/", {"command": "rewritten"}).status_code == 403
    assert ImportRun.objects.get().command.startswith("manage.py import_articles")


def test_import_from_the_admin_respects_editors_changes_unless_forced(admin_client):
    upload(admin_client, md("hello.md"))
    post = Post.objects.get()
    post.title = "Edited"
    post.save()
    changed = SimpleUploadedFile("hello.md", ARTICLE.format(title="Hello again").encode())

    page = upload(admin_client, changed).content.decode()
    assert 'import-conflict">conflict<' in page
    forced = upload(admin_client, SimpleUploadedFile("hello.md", ARTICLE.format(title="Hello again").encode()), force=True)

    assert 'import-updated">updated<' in forced.content.decode()
    assert Post.objects.get().title == "Hello again"
