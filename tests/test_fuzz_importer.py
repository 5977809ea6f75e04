"""Fuzzing the importer: folders of hostile files, and the file system around them.

Property: :func:`blog.importer.import_articles` on a folder of random files
(the byte strategies of tests/test_fuzz_frontmatter.py, articles whose ids,
slugs, tags and authors collide on purpose, random ``authors.yml`` and
``tags.yml``) never raises, gives every file exactly one status, reports no
"bug in Tinta", and leaves the database consistent: a post for each created
file and for nothing else, non-empty unique slugs and import keys, no byline
or tag row pointing nowhere, no author or tag left behind by a failed file.
Importing the same folder again gives ``unchanged`` for what was imported, the
same status and message for what was skipped or failed, and writes nothing.

Explicit cases: the size limit (checked before the file is read), invalid
UTF-8 and NUL bytes, symbolic links out of the folder (not followed, and
said so), image paths that climb out of the folder (never opened), a database
error halfway through a file (nothing of it stays), and YAML alias bombs in
``authors.yml`` / ``tags.yml`` (run in a child process with a memory cap and a
time limit, since an unbounded one would take this process down).
"""

import builtins
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.db import DatabaseError, transaction
from hypothesis import event, given
from hypothesis import strategies as st
from test_fuzz_frontmatter import KEYS, VALUES, article_bytes

from blog.importer import CREATED, FAILED, SKIPPED, STATUSES, UNCHANGED, import_articles
from blog.models import Author, Post, PostAuthor, Tag, TaggedPost

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"
ARTICLE_EXTENSIONS = (".md", ".markdown", ".mdx")
IMPORTED_UNDERSCORE_FOLDERS = ("_posts", "_drafts")
FILE_NAMES = [
    "a.md", "b.markdown", "c.mdx", "d.txt", "e.TXT", "README.md", "readme.markdown", "_partial.md", "2024-01-05-dated.md",
    "2024-02-30-impossible.md", "[draft] idea.md", "post.md", "post.es.md", "es/post.md", "_drafts/later.md",
    "_posts/2024-03-01-jekyll.md", "_partials/skipped.md", ".hidden/secret.md", ".dotfile.md", "sub/index.md",
    "sub/deeper/x.md", "日本語.md", "notes.txt", "image.png", "sub/authors.yml", "sub/tags.yml",
]
NAMES = ["ana", "Ana Rivera", "ANA", "bob", "k8s", "Kubernetes", "python", "Python", "C++", "C#", "", " ", "~"]


@st.composite
def colliding_articles(draw):
    """YAML articles whose ids, slugs, titles, tags and authors often collide with each other's."""
    meta = {}
    for key, values in {
        # Mostly valid values, so that most files reach the database and collide there.
        "title": st.one_of(st.sampled_from(["Same title", "Same title", "Other", "", "Título"]), st.text(max_size=20)),
        "slug": st.sampled_from(["same", "same", "other", "/2024/01/01/same/", "", "Same", "same-title"]),
        "id": st.sampled_from(["1", "1", "2", 1, ""]),
        "date": st.one_of(st.datetimes(), st.sampled_from(["2024-05-21", "2024-05-21T10:00:00+02:00", "2024-05-21", "someday"])),
        "draft": st.one_of(st.booleans(), st.booleans(), st.sampled_from(["yes", "no", "maybe"])),
        "published": st.booleans(),
        "status": st.sampled_from(["draft", "published", "published", "live", "published", "archived"]),
        "lang": st.sampled_from(["en", "en", "es", "pt-br", "xx_yy", "English"]),
        "image": st.sampled_from(["../../outside/secret.png", "https://example.com/a.png", "", "/etc/passwd"]),
    }.items():
        if draw(st.booleans()):
            meta[key] = draw(values)
    meta.update(draw(st.dictionaries(st.sampled_from(KEYS[-12:]), VALUES, max_size=2)))
    try:
        text = yaml.safe_dump(meta, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        text = "title: Unrepresentable\n"
    body = draw(st.sampled_from(["Body.", "Body.", "Body.", "# Heading\n\nText.", "![x](../../outside/secret.png)", "<!-- only -->"]))
    return f"---\n{text}---\n{body}\n".encode()


@st.composite
def index_files(draw):
    """An authors.yml or tags.yml: a mapping of keys to profiles, names, junk; or not YAML at all."""
    entry = st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "name": st.sampled_from(NAMES), "label": st.sampled_from(NAMES), "title": st.text(max_size=10),
                "url": st.sampled_from(["https://example.com", "javascript:alert(1)", ""]), "image_url": st.text(max_size=10),
                "description": st.text(max_size=20), "socials": VALUES, "permalink": st.text(max_size=10),
            },
        ),
        st.sampled_from(NAMES),
        VALUES,
    )
    kind = draw(st.sampled_from(["yaml", "yaml", "yaml", "junk"]))
    if kind == "junk":
        return draw(st.one_of(st.binary(max_size=80), st.sampled_from([b"- a\n- b\n", b"ana: [", b"\xff\xfe", b"? [a]\n: b\n"])))
    mapping = draw(st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(max_size=6)), entry, max_size=5))
    try:
        return yaml.safe_dump(mapping, allow_unicode=True).encode()
    except (yaml.YAMLError, ValueError):
        return b"{}\n"


@st.composite
def folders(draw):
    names = draw(st.lists(st.sampled_from(FILE_NAMES), min_size=1, max_size=8, unique=True))
    files = {}
    for name in names:
        if name.endswith(".yml"):
            files[name] = draw(index_files())
        else:
            files[name] = draw(st.one_of(article_bytes(), colliding_articles(), colliding_articles()))
    for name in ("authors.yml", "tags.yml"):
        if draw(st.booleans()):
            files[name] = draw(index_files())
    return files


def expected_entries(files):
    """The report entries ``collect`` makes for these files: articles, and the skipped `_` folders."""
    expected = set()
    for rel, data in files.items():
        *folders, name = rel.split("/")
        reported = None
        for depth, folder in enumerate(folders):
            if folder.startswith("."):
                reported = False  # hidden folders are not entered, and not reported
                break
            if folder.startswith("_") and folder not in IMPORTED_UNDERSCORE_FOLDERS:
                reported = "/".join(folders[: depth + 1]) + "/"
                break
        if reported is False:
            continue
        if reported:
            expected.add(reported)
            continue
        lower = name.lower()
        if name.startswith(".") or not (lower.endswith(ARTICLE_EXTENSIONS) or lower.endswith(".txt")):
            continue
        if lower.endswith(".txt") and not data[:8].removeprefix(BOM).startswith((b"---", b"+++")):
            continue
        expected.add(rel)
    return expected


def write_files(root, files):
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def database_snapshot():
    """Everything an import writes, to compare before and after a re-run."""
    return (
        sorted(Post.objects.values_list(
            "id", "slug", "title", "status", "publish_date", "import_key", "import_hash", "source_hash", "version", "body_html",
        )),
        sorted(PostAuthor.objects.values_list("post_id", "author_id", "order")),
        sorted(TaggedPost.objects.values_list("content_object_id", "tag_id")),
        sorted(Author.objects.values_list("id", "slug", "name", "role", "url", "avatar_url")),
        sorted(Tag.objects.values_list("id", "slug", "name", "description")),
    )


def assert_consistent(report, files):
    entries = {result.path: result for result in report.files}
    assert len(entries) == len(report.files), f"a file has two entries: {[r.path for r in report.files]}"
    assert set(entries) == expected_entries(files), "every article file (and skipped folder) has exactly one entry"
    for result in report.files:
        assert result.status in STATUSES
        assert result.status in (CREATED, SKIPPED, FAILED), f"{result.path}: {result.status} on a fresh database"
        assert "bug in Tinta" not in result.message, f"{result.path}: {result.message}"
        assert "database refused" not in result.message, f"{result.path}: {result.message}"
        if result.status in (SKIPPED, FAILED):
            assert result.message, f"{result.path} is {result.status} without saying why"
        event(f"{result.status}: {' '.join(result.message.split()[:3])}" if result.message else result.status)

    created = {path for path, result in entries.items() if result.status == CREATED}
    posts = list(Post.objects.all())
    assert {post.source_path for post in posts} == created, "a post for each created file, and none for a failed one"
    for post in posts:
        assert post.slug and post.slug.strip() == post.slug, f"post {post.pk} has slug {post.slug!r}"
        assert post.import_key, f"post {post.slug} came from an import but has no import key"
        assert entries[post.source_path].slug == post.slug
        assert post.title
    assert len({post.slug for post in posts}) == len(posts)
    assert len({post.import_key for post in posts}) == len(posts)

    post_ids = set(Post.objects.values_list("id", flat=True))
    author_ids = set(Author.objects.values_list("id", flat=True))
    tag_ids = set(Tag.objects.values_list("id", flat=True))
    for post_id, author_id in PostAuthor.objects.values_list("post_id", "author_id"):
        assert post_id in post_ids and author_id in author_ids, "a byline row points nowhere"
    for post_id, tag_id in TaggedPost.objects.values_list("content_object_id", "tag_id"):
        assert post_id in post_ids and tag_id in tag_ids, "a tag row points nowhere"
    # On a fresh database every author and tag was written for a post that stayed.
    assert not Author.objects.filter(post_links=None).exists(), "an author left behind by a file that did not import"
    assert not Tag.objects.filter(tagged_posts=None).exists(), "a tag left behind by a file that did not import"


@given(files=folders())
def test_fuzz_import_gives_each_file_one_status_and_leaves_the_database_consistent(files, tmp_path):
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    write_files(root, files)
    # Each example starts from an empty database: its writes are rolled back.
    with transaction.atomic():
        first = import_articles([root])
        assert_consistent(first, files)
        before = database_snapshot()

        second = import_articles([root])
        statuses = {result.path: result for result in first.files}
        assert [result.path for result in second.files] == [result.path for result in first.files]
        for again in second.files:
            then = statuses[again.path]
            if then.status == CREATED:
                assert again.status == UNCHANGED, f"{again.path}: {then.status} then {again.status} {again.message!r}"
            else:
                assert (again.status, again.message) == (then.status, then.message), f"{again.path} changed its status"
        assert database_snapshot() == before, "a re-import of unchanged files wrote something"
        transaction.set_rollback(True)


# -- explicit cases ----------------------------------------------------------------------------------


@contextlib.contextmanager
def recorded_opens(monkeypatch):
    """Record the real path of every file opened (io.open, builtins.open, os.open) in the block."""
    opened = []
    real_open, real_os_open = io.open, os.open

    def record(file):
        if isinstance(file, (str, bytes, os.PathLike)):
            opened.append(os.path.realpath(os.fsdecode(file)))

    def recording_open(file, *args, **kwargs):
        record(file)
        return real_open(file, *args, **kwargs)

    def recording_os_open(path, *args, **kwargs):
        record(path)
        return real_os_open(path, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(io, "open", recording_open)
        patch.setattr(builtins, "open", recording_open)
        patch.setattr(os, "open", recording_os_open)
        yield opened


def _entry(run, path):
    return run.file(path)


def test_fuzz_import_size_limit_is_checked_before_the_file_is_read(settings, write, run_import, tmp_path, monkeypatch):
    settings.TINTA_MAX_ARTICLE_BYTES = 1024
    big = write("big.md", "---\ntitle: Big\n---\n" + "word " * 1000)
    write("small.md", "---\ntitle: Small\n---\nBody.\n")
    with recorded_opens(monkeypatch) as opened:
        run = run_import(tmp_path)
    assert run.code == 1
    entry = _entry(run, "big.md")
    assert entry["status"] == FAILED
    assert "over the 1.0 KB limit for one article" in entry["message"] and "TINTA_MAX_ARTICLE_BYTES" in entry["message"]
    assert str(big.resolve()) not in opened, "the file over the limit was read"
    assert _entry(run, "small.md")["status"] == CREATED
    assert list(Post.objects.values_list("title", flat=True)) == ["Small"]


def test_fuzz_import_bad_bytes_fail_alone_and_write_nothing(write, run_import, tmp_path):
    write("bad-utf8.md", raw=b"---\ntitle: Caf\xe9\n---\nBody.\n")
    write("nul.md", raw=b"---\ntitle: Nul\n---\nBo\x00dy.\n")
    write("utf16.md", raw=b"\xff\xfe-\x00-\x00-\x00\n\x00\x00\xd8")
    write("binary.md", raw=bytes(range(256)) * 4)
    write("good.md", "---\ntitle: Good\n---\nBody.\n")
    run = run_import(tmp_path)
    assert run.code == 1
    assert "not UTF-8: byte 0xe9 on line 2" in _entry(run, "bad-utf8.md")["message"]
    assert "NUL" in _entry(run, "nul.md")["message"]
    assert "UTF-16" in _entry(run, "utf16.md")["message"]
    assert _entry(run, "binary.md")["status"] == FAILED
    assert _entry(run, "good.md")["status"] == CREATED
    assert list(Post.objects.values_list("title", flat=True)) == ["Good"]


MARKER = "7f3c-outside-the-folder-marker"


@pytest.fixture
def outside(tmp_path):
    """A folder beside the imported one, holding files only a path escape could reach."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text(f"---\ntitle: {MARKER}\ntags: [{MARKER}]\n---\n{MARKER}\n", encoding="utf-8")
    (folder / "secret.png").write_text(MARKER, encoding="utf-8")
    (folder / "authors.yml").write_text(f"ana:\n  name: {MARKER}\n  url: https://{MARKER}.example\n", encoding="utf-8")
    (folder / "tags.yml").write_text(f"k8s:\n  label: {MARKER}\n  description: {MARKER}\n", encoding="utf-8")
    (folder / "nested").mkdir()
    (folder / "nested" / "more.md").write_text(f"---\ntitle: {MARKER}\n---\nBody.\n", encoding="utf-8")
    return folder


def _marker_in_database():
    values = []
    for model in (Post, Author, Tag):
        for row in model.objects.values():
            values.append(json.dumps(row, default=str))
    return [value for value in values if MARKER in value]


def _opened_outside(opened, outside):
    return [path for path in opened if path.startswith(str(outside.resolve()))]


def test_fuzz_import_does_not_follow_symlinks_out_of_the_folder(tmp_path, outside, run_import, monkeypatch):
    root = tmp_path / "blog"
    (root / "sub").mkdir(parents=True)
    (root / "good.md").write_text("---\ntitle: Good\n---\nBody.\n", encoding="utf-8")
    (root / "link.md").symlink_to(outside / "secret.md")
    (root / "sub" / "deep-link.md").symlink_to(Path("..") / ".." / "outside" / "secret.md")
    (root / "chain.md").symlink_to(root / "sub" / "hop.md")
    (root / "sub" / "hop.md").symlink_to(outside / "secret.md")
    (root / "folder-link").symlink_to(outside / "nested", target_is_directory=True)
    (root / "inside-link.md").symlink_to(root / "good.md")
    with recorded_opens(monkeypatch) as opened:
        run = run_import(root)
    for path in ("link.md", "sub/deep-link.md", "chain.md", "sub/hop.md"):
        entry = _entry(run, path)
        assert entry["status"] == SKIPPED and "symbolic link to a file outside the folder; not followed" in entry["message"], entry
    entry = _entry(run, "folder-link/")
    assert entry["status"] == SKIPPED and "symbolic link to a folder; not followed" in entry["message"]
    assert _entry(run, "good.md")["status"] == CREATED
    assert _entry(run, "inside-link.md")["status"] == CREATED
    assert _opened_outside(opened, outside) == [], "a file outside the imported folder was opened"
    assert _marker_in_database() == []


def test_fuzz_import_does_not_follow_symlinked_authors_and_tags_files_out_of_the_folder(tmp_path, outside, run_import, monkeypatch):
    root = tmp_path / "blog"
    root.mkdir()
    (root / "post.md").write_text("---\ntitle: Linked profiles\nauthors: [ana]\ntags: [k8s]\n---\nBody.\n", encoding="utf-8")
    (root / "authors.yml").symlink_to(outside / "authors.yml")
    (root / "tags.yml").symlink_to(outside / "tags.yml")
    with recorded_opens(monkeypatch) as opened:
        run = run_import(root)
    assert _entry(run, "post.md")["status"] in (CREATED, FAILED)
    assert _opened_outside(opened, outside) == [], "authors.yml / tags.yml outside the imported folder were read through a symlink"
    assert _marker_in_database() == []


def test_fuzz_import_never_reads_image_paths_that_leave_the_folder(tmp_path, outside, run_import, monkeypatch):
    root = tmp_path / "blog"
    (root / "posts" / "deep").mkdir(parents=True)
    climbs = [
        "../outside/secret.png", "../../outside/secret.png", "../../../outside/secret.png", str(outside / "secret.png"),
        f"file://{outside / 'secret.png'}", "..%2F..%2Foutside%2Fsecret.png", "/etc/passwd", "../../etc/passwd",
    ]
    for number, climb in enumerate(climbs):
        body = f"![x]({climb})\n\n[link]({climb})\n\n<img src=\"{climb}\">\n\n![ref][r]\n\n[r]: {climb}\n"
        meta = {"title": f"Climb {number}", "image": climb, "cover": climb, "author": {"name": "Ana", "image_url": climb}}
        text = f"---\n{yaml.safe_dump(meta)}---\n{body}"
        (root / "posts" / "deep" / f"climb-{number}.md").write_text(text, encoding="utf-8")
    (root / "posts" / "deep" / "list.md").write_text(
        f"---\ntitle: Image list\nimages: [{climbs[1]}]\nog_image: {climbs[0]}\n---\nBody.\n", encoding="utf-8"
    )
    with recorded_opens(monkeypatch) as opened:
        run = run_import(root)
    assert run.counts[CREATED] == len(climbs) + 1, run.report
    assert _opened_outside(opened, outside) == [], "an image path outside the folder was opened"
    assert not [path for path in opened if path.startswith("/etc/")], "a system file was opened"
    assert _marker_in_database() == [], "the content of a file outside the folder reached the database"
    cover = Post.objects.get(title="Climb 1").cover_image
    assert cover == "../../outside/secret.png", "the path is kept as text, as written"


def test_fuzz_import_database_error_midway_leaves_nothing_of_the_file(write, run_import, tmp_path, monkeypatch):
    write("authors.yml", "ana:\n  name: Ana\nbob:\n  name: Bob\n")
    write("a.md", "---\ntitle: Fine\nauthors: [ana]\ntags: [one]\n---\nBody.\n")
    write("b.md", "---\ntitle: Breaks\nauthors: [bob]\ntags: [two]\n---\nBody.\n")
    real_bulk_create = PostAuthor.objects.bulk_create

    def failing_bulk_create(objects, *args, **kwargs):
        objects = list(objects)
        if any(link.author.slug == "bob" for link in objects):
            raise DatabaseError("simulated failure halfway through a file")
        return real_bulk_create(objects, *args, **kwargs)

    monkeypatch.setattr(PostAuthor.objects, "bulk_create", failing_bulk_create)
    run = run_import(tmp_path)
    assert _entry(run, "a.md")["status"] == CREATED
    entry = _entry(run, "b.md")
    assert entry["status"] == FAILED and "simulated failure" in entry["message"]
    assert list(Post.objects.values_list("title", flat=True)) == ["Fine"]
    assert not Author.objects.filter(slug="bob").exists(), "the failed file's author stayed"
    assert not Tag.objects.filter(slug="two").exists(), "the failed file's tag stayed"


def test_fuzz_import_deeply_nested_authors_file_is_an_error_naming_it(write, run_import, tmp_path):
    write("authors.yml", "ana: " + "[" * 50_000 + "]" * 50_000 + "\n")
    write("tags.yml", "k8s:\n  label: " + "[" * 50_000 + "]" * 50_000 + "\n")
    write("a.md", "---\ntitle: Deep author\nauthors: [ana]\n---\nBody.\n")
    write("b.md", "---\ntitle: Deep tag\ntags: [k8s]\n---\nBody.\n")
    run = run_import(tmp_path)
    for path, index in (("a.md", "authors.yml"), ("b.md", "tags.yml")):
        entry = _entry(run, path)
        assert entry["status"] == FAILED and index in entry["message"], entry
        assert "bug in Tinta" not in entry["message"]


# A child process: a fresh SQLite database, a memory cap, the importer on one folder.
_CHILD = textwrap.dedent(
    """
    import json, os, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from blog.importer import import_articles
    started = time.monotonic()
    report = import_articles([sys.argv[1]], dry_run=True)
    print(json.dumps({"seconds": time.monotonic() - started, **report.to_dict()}))
    """
)
CHILD_MEMORY = 2 * 1024**3
CHILD_SECONDS = 30


def _alias_bomb(levels=9, width=10):
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]" for n in range(1, levels)]
    return "\n".join(lines)


def test_fuzz_alias_bombs_in_authors_and_tags_files_fail_fast(tmp_path):
    bombs = {
        "authors": ("authors.yml", f"{_alias_bomb()}\nana:\n  name: *a8\n  socials: {{x: *a8}}\n", "authors: [ana]"),
        "tags": ("tags.yml", f"{_alias_bomb()}\nk8s:\n  label: *a8\n  description: *a8\n", "tags: [k8s]"),
    }
    children, started = {}, time.monotonic()
    for name, (index, text, field) in bombs.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / index).write_text(text, encoding="utf-8")
        (folder / "post.md").write_text(f"---\ntitle: Bombed\n{field}\n---\nBody.\n", encoding="utf-8")
        environment = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite3",
            "PYTHONPATH": str(django_settings.BASE_DIR), "DJANGO_LOG_LEVEL": "CRITICAL",
        }
        children[name] = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(folder), str(CHILD_MEMORY)], cwd=django_settings.BASE_DIR, env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
    problems = []
    for name, child in children.items():
        try:
            out, err = child.communicate(timeout=CHILD_SECONDS + 15)  # migrations come first
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            problems.append(f"{bombs[name][0]}: the import did not finish in {CHILD_SECONDS + 15} s (killed)")
            continue
        if child.returncode != 0:
            problems.append(f"{bombs[name][0]}: the child exited with {child.returncode}: {err.strip().splitlines()[-1:]}")
            continue
        report = json.loads(out.strip().splitlines()[-1])
        entry = report["files"][0]
        if report["seconds"] > 5:
            problems.append(f"{bombs[name][0]}: the import took {report['seconds']:.0f} s (child total {time.monotonic() - started:.0f} s)")
        if entry["status"] != FAILED or "bug in Tinta" in entry["message"] or bombs[name][0] not in entry["message"]:
            problems.append(f"{bombs[name][0]}: {entry['status']} {entry['message']!r}")
    assert not problems, "\n".join(problems)


def test_fuzz_child_process_memory_cap_is_available():
    # The alias-bomb test relies on RLIMIT_AS to keep a runaway child from taking the machine.
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    assert hard == resource.RLIM_INFINITY or hard >= CHILD_MEMORY


def test_fuzz_import_never_hands_the_database_a_value_longer_than_its_column(write, run_import, tmp_path):
    # SQLite stores any length; PostgreSQL refuses, and the file would fail with a database
    # error naming no field. Either the importer refuses the value, naming its field, or it fits.
    long_folder = "/".join(["f" * 60] * 9)  # a path longer than the import key and translation key columns
    files = {
        "long-image.md": ("image", "---\ntitle: Long image\nimage: https://example.com/" + "a" * 600 + ".png\n---\nBody.\n"),
        "long-id.md": ("id", f"---\ntitle: Long id\nid: {'i' * 600}\n---\nBody.\n"),
        "long-lang.md": ("lang", "---\ntitle: Long language\nlang: en-" + "-".join(["abcdefgh"] * 5) + "\n---\nBody.\n"),
        f"{long_folder}/deep.md": ("path", "---\ntitle: Deep path\n---\nBody.\n"),
    }
    for name, (_, text) in files.items():
        write(name, text)
    run = run_import(tmp_path)
    columns = {field.name: field.max_length for field in Post._meta.get_fields() if getattr(field, "max_length", None)}
    problems = []
    for name, (field, _) in files.items():
        entry = _entry(run, name)
        if entry["status"] == FAILED:
            if "database refused" in entry["message"] or field not in entry["message"]:
                problems.append(f"{name}: failed without naming {field!r}: {entry['message']!r}")
            continue
        post = Post.objects.get(source_path=name)
        problems += [
            f"{name}: {column} is {len(getattr(post, column))} characters, over its {limit}"
            for column, limit in columns.items()
            if isinstance(getattr(post, column, None), str) and len(getattr(post, column)) > limit
        ]
    assert not problems, "\n".join(problems)
