"""Writing every post back as Markdown files with YAML frontmatter.

:func:`export_articles` is the way back out of Tinta: it writes each post
(drafts and scheduled posts included) as a file in the schema
:mod:`blog.frontmatter` reads, with the ``authors.yml`` and ``tags.yml`` that
the files' keys resolve through, so a site can be moved, kept in git or
edited as files again. Importing an export into an empty database gives the
same posts, and exporting those again gives byte-identical files. Choosing
file names (:func:`plan_paths`) and turning a post into text
(:func:`render_post`, which also reads its own output back with the
importer's parser to prove nothing is lost) are pure; only
:func:`export_articles` reads the database and writes files.
"""

import datetime as dt
import html
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml
from django.conf import settings
from django.db.models import Prefetch

from .frontmatter import ALIASES, LEGACY_AUTHOR_KEYS, ArticleError, NotAnArticle, clean_text, parse_article
from .models import Post, PostAuthor
from .slugs import make_slug


class _Dumper(yaml.CSafeDumper if yaml.__with_libyaml__ else yaml.SafeDumper):
    """Safe YAML with lists of plain values on one line (`tags: [django, python]`,
    as people write them) and mappings in block style."""

    def ignore_aliases(self, data):
        return True  # a value used twice is written twice, never as an `&id001` anchor


def _represent_list(dumper, items):
    flat = all(not isinstance(item, (list, dict)) for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flat)


_Dumper.add_representer(list, _represent_list)
# Never fold long lines: a title stays on one line, and a folded line could
# never be mistaken for the closing `---`.
_WIDTH = 2**31 - 1

AUTHORS_FILE, TAGS_FILE = "authors.yml", "tags.yml"
ARTICLE_SUFFIXES = (".md", ".markdown", ".mdx", ".txt")
MAX_NAME_BYTES = 240  # below the 255 bytes most file systems allow, with room for "-2"

# The importer's field for each frontmatter key it reads, and the key this
# module writes for it (always the first, winning alias in ALIASES).
_FIELD_OF_KEY = {key: name for name, keys in ALIASES.items() for key in keys}
_OUR_KEY = {name: keys[0] for name, keys in ALIASES.items()}
# A value that claims a field for our key while meaning "empty", written when
# the post has none but keeps another alias among its extra keys (`summary`
# beside an empty description): an empty `description: ''` would not claim the
# field, and the importer would read the alias as the description.
_EMPTY_CLAIM = {"description": " ", "updated": " ", "image": " ", "tags": [], "authors": []}
# As the importer reads them: a `[draft]` file-name prefix, and HTML comments
# (a body of nothing else is no content).
_DRAFT_NAME = re.compile(r"^\[draft\]", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)


class ExportError(Exception):
    """The export cannot start (OUTDIR is a file, or not empty without force)."""


@dataclass
class PostRecord:
    """What an export writes of one post, as plain data."""

    slug: str
    title: str
    description: str
    body: str
    is_draft: bool
    publish_date: dt.datetime
    updated_date: dt.datetime | None
    language: str
    cover_image: str
    tags: list  # tag names, in the order written
    authors: list  # author slugs, in byline order
    extra: dict
    source_path: str = ""
    import_key: str = ""  # how re-imports find the post: `id:…`, `slug:…` or `path:…`


@dataclass
class ExportReport:
    outdir: Path
    files: list = field(default_factory=list)  # (path relative to outdir, post slug)
    authors: int = 0
    tags: int = 0
    warnings: list = field(default_factory=list)  # (path, message): written, but not exactly as stored
    errors: list = field(default_factory=list)  # (path, message): not written

    @property
    def failed(self):
        return bool(self.errors)


def export_articles(outdir, *, force=False):
    """Write every post under ``outdir`` and report what was written.

    ``outdir`` is created if needed; an existing one must be empty unless
    ``force`` is given, when files of the same name are replaced and every
    other file is left alone.
    """
    outdir = Path(outdir)
    _check_outdir(outdir, force)
    outdir.mkdir(parents=True, exist_ok=True)
    report = ExportReport(outdir=outdir)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)

    posts = (
        Post.objects.order_by("slug")
        .prefetch_related("tags", Prefetch("post_authors", PostAuthor.objects.select_related("author")))
    )
    records, authors, tags = [], {}, {}
    for post in posts:
        post_tags = sorted(post.tags.all(), key=lambda tag: tag.slug)
        post_authors = [link.author for link in post.post_authors.all()]
        tags.update((tag.slug, tag) for tag in post_tags)
        authors.update((author.slug, author) for author in post_authors)
        records.append(_record(post, post_tags, post_authors))

    for record, rel in zip(records, plan_paths(records), strict=True):
        text, warnings = render_post(record, rel, tz=tz)
        report.warnings.extend((rel, warning) for warning in warnings)
        if _write(outdir, rel, text, report):
            report.files.append((rel, record.slug))

    author_list = [authors[slug] for slug in sorted(authors)]
    tag_list = [tags[slug] for slug in sorted(tags)]
    for name, (text, warnings) in ((AUTHORS_FILE, render_authors(author_list)), (TAGS_FILE, render_tags(tag_list))):
        report.warnings.extend((name, warning) for warning in warnings)
        _write(outdir, name, text, report)
    report.authors, report.tags = len(author_list), len(tag_list)
    return report


def _check_outdir(outdir, force):
    if outdir.exists() and not outdir.is_dir():
        raise ExportError(f"{outdir} is a file, not a folder; name a folder to export into")
    if outdir.is_dir() and any(outdir.iterdir()) and not force:
        raise ExportError(
            f"{outdir} is not empty; export into an empty or new folder, or pass --force to replace "
            "the files the export writes (other files are left alone)"
        )


def _record(post, tags, authors):
    return PostRecord(
        slug=post.slug,
        title=post.title,
        description=post.description,
        body=post.body,
        is_draft=post.status == Post.Status.DRAFT,
        publish_date=post.publish_date,
        updated_date=post.updated_date,
        language=post.language,
        cover_image=post.cover_image,
        tags=[tag.name for tag in tags],
        authors=[author.slug for author in authors],
        extra=post.extra_frontmatter or {},
        source_path=post.source_path,
        import_key=post.import_key or "",
    )


def _write(outdir, rel, text, report):
    target = outdir / rel
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # OUTDIR may already hold symbolic links (with force): never follow
        # one out of it, and never write through a link.
        if not target.parent.resolve().is_relative_to(outdir.resolve()):
            raise ExportError("its folder is a symbolic link to a place outside the export folder")
        if target.is_symlink():
            raise ExportError("a symbolic link is in its place; remove it or export into an empty folder")
        target.write_bytes(text.encode("utf-8"))
    except ExportError as error:
        report.errors.append((rel, f"not written: {error}"))
        return False
    except OSError as error:
        report.errors.append((rel, f"not written: {error.strerror or error}"))
        return False
    return True


# -- file names -------------------------------------------------------------------------


def plan_paths(records):
    """The path, relative to the export folder, of each record's file, in order.

    A post goes back to its ``source_path`` when the importer would read that
    path the same way (inside the folder, not skipped as a `_` partial,
    README or hidden file, not in `_drafts` or `[draft]`-named unless it is a
    draft); otherwise, or when another post has the path, it goes to
    ``<slug>.md``. Ties go to the smallest slug, so the choice is the same on
    every run, and an export of an export keeps every path.
    """
    paths = [None] * len(records)
    taken_files, taken_dirs = {_fold(AUTHORS_FILE), _fold(TAGS_FILE)}, set()

    def claim(path):
        key = _fold(path)
        parents = [key.rsplit("/", depth)[0] for depth in range(1, key.count("/") + 1)]
        if key in taken_files or key in taken_dirs or any(parent in taken_files for parent in parents):
            return False
        taken_files.add(key)
        taken_dirs.update(parents)
        return True

    order = sorted(range(len(records)), key=lambda index: records[index].slug)
    for index in order:
        record = records[index]
        path = _usable_path(record.source_path, record.is_draft)
        if path and claim(path):
            paths[index] = path
    for index in order:
        if paths[index] is None:
            stem = _cut(records[index].slug or "post")
            if not _usable_path(f"{stem}.md", is_draft=False):
                stem = _cut(f"post-{stem}")
            number, path = 1, f"{stem}.md"
            while not claim(path):
                number += 1
                path = f"{stem}-{number}.md"
            paths[index] = path
    return paths


def _usable_path(path, is_draft):
    """``path`` when importing the export folder reads it back as this post's file, else None."""
    if not path or path.startswith("/") or any(char in path for char in "\\\x00") or not path.isprintable():
        return None
    parts = path.split("/")
    name, folders = parts[-1], parts[:-1]
    if any(part in ("", ".", "..") or part.startswith(".") or len(part.encode()) > MAX_NAME_BYTES for part in parts):
        return None
    if any(folder.startswith("_") and folder not in ("_posts", "_drafts") for folder in folders):
        return None  # the importer does not enter `_` folders
    if name.startswith("_") or name.lower().split(".")[0] == "readme" or not name.lower().endswith(ARTICLE_SUFFIXES):
        return None
    if not is_draft and ("_drafts" in folders or _DRAFT_NAME.match(name)):
        return None  # would come back as a draft
    return str(PurePosixPath(path))


def _fold(path):
    """Paths that are one file on a case-insensitive or normalising file system (macOS) are one path."""
    return unicodedata.normalize("NFC", path).casefold()


def _cut(stem):
    encoded = stem.encode()
    if len(encoded) <= MAX_NAME_BYTES:
        return stem
    return encoded[:MAX_NAME_BYTES].decode("utf-8", errors="ignore")


# -- file contents ----------------------------------------------------------------------


def dump_yaml(data):
    """YAML the importer reads back to the same values: strings that would read as
    another type (`yes`, `1.10`, `~`, `a: b`) are quoted; keys keep their order."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=_WIDTH, default_flow_style=False)


def render_post(record, rel, *, tz):
    """The text of ``record``'s file at ``rel``, and warnings on what the importer
    would not read back exactly as stored (empty when the round trip is exact)."""
    # A post the importer found by its path keeps that identity when its file
    # goes back to that path with no `slug` (the importer would key it by the
    # slug instead), so importing the export over the same database updates
    # it. That is only safe when the importer derives the same slug from the
    # title; it does on an empty database too, as no other post can hold it.
    by_path = record.import_key == f"path:{rel}" and record.slug == make_slug(record.title)
    meta, kept_extra, warnings = frontmatter_for(record, tz, with_slug=not by_path)
    body = record.body.rstrip("\n")
    if _COMMENT.sub("", body).strip():
        text = _file_text(meta, body)
    else:
        # The importer skips a file with nothing after the frontmatter, yet a
        # post whose file held only a heading has an empty body. Written as
        # that heading and no `title`, it reads back as the same post.
        meta = {key: value for key, value in meta.items() if key != "title"}
        text = _file_text(meta, f"# {_entity_safe(record.title)}\n\n{body}".rstrip("\n"))
    return text, warnings + _read_back(text, rel, record, kept_extra, tz)


def _file_text(meta, body):
    return f"---\n{dump_yaml(meta)}---\n\n{body}\n"


def frontmatter_for(record, tz, *, with_slug=True):
    """The frontmatter of ``record``: the mapping, the extra keys it kept, and
    warnings on the extra keys it had to leave out."""
    meta = {"title": _entity_safe(record.title)}
    if with_slug:
        meta["slug"] = record.slug
    if record.import_key.startswith("id:"):
        meta["id"] = record.import_key.removeprefix("id:")  # re-imports find the post by it
    meta["date"] = _iso(record.publish_date, tz)
    if record.updated_date:
        meta["lastmod"] = _iso(record.updated_date, tz)
    if record.description:
        meta["description"] = _entity_safe(record.description)
    meta["lang"] = record.language
    if record.is_draft:
        meta["draft"] = True
    if record.cover_image:
        meta["image"] = record.cover_image
    if record.tags:
        meta["tags"] = [_entity_safe(name) for name in record.tags]
    if record.authors:
        meta["authors"] = list(record.authors)

    extra, warnings = {}, []
    seen = {key: key for key in meta}
    for key, value in record.extra.items():
        name = str(key).strip().lower()  # as the importer will see it
        meaning = _FIELD_OF_KEY.get(name)
        problem = None
        if name in seen:
            problem = f"it is the same key as {seen[name]!r} (keys are case-insensitive)"
        elif meaning and _OUR_KEY[meaning] not in meta:
            if meaning in _EMPTY_CLAIM and name != _OUR_KEY[meaning]:
                meta[_OUR_KEY[meaning]] = _EMPTY_CLAIM[meaning]
            else:
                problem = f"the importer would read it as the post's {meaning}"
        elif name in LEGACY_AUTHOR_KEYS and len(record.authors) == 1:
            problem = "the importer would read it into the author's profile"
        if problem:
            warnings.append(f"the extra frontmatter key {key!r} is not written: {problem}")
            continue
        seen[name] = key
        extra[key] = value
    ordered = {key: meta[key] for key in ("title", "slug", "id", "date", "lastmod", "description", "lang", "draft", "image",
                                          "tags", "authors") if key in meta}
    return {**ordered, **extra}, extra, warnings


def _iso(moment, tz):
    return moment.astimezone(tz).isoformat()


def _entity_safe(text):
    """Text the importer's HTML-entity decoding gives back unchanged: a title that
    really says `&amp;` is written `&amp;amp;`. Text without entities is left as is."""
    return text.replace("&", "&amp;") if html.unescape(text) != text else text


def _read_back(text, rel, record, extra, tz):
    """Parse ``text`` as the importer would, and name every field that differs from ``record``."""
    try:
        article = parse_article(
            text.encode("utf-8"), rel, tz=tz, default_language=settings.TINTA_DEFAULT_LANGUAGE,
            in_drafts_folder="_drafts" in rel.split("/")[:-1], max_bytes=settings.TINTA_MAX_ARTICLE_BYTES,
        )
    except NotAnArticle as error:
        return [f"the importer would skip it: {error}"]
    except ArticleError as error:
        return [f"the importer would reject it: {error}"]
    expected = {
        "title": record.title, "slug": record.slug, "description": record.description, "body": record.body,
        "draft": record.is_draft, "date": record.publish_date, "lastmod": record.updated_date, "lang": record.language,
        "image": record.cover_image, "tags": record.tags, "authors": record.authors, "extra": extra,
    }
    found = {
        "title": article.title, "slug": article.slug or make_slug(article.title), "description": article.description,
        "body": article.body,
        "draft": article.is_draft, "date": article.publish_date, "lastmod": article.updated_date, "lang": article.language,
        "image": article.cover_image, "tags": article.tags, "authors": [ref.key for ref in article.authors],
        "extra": article.extra,
    }
    return [
        f"{name} reads back as {_short(found[name])}, not {_short(expected[name])}"
        for name in expected
        if found[name] != expected[name]
    ]


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


# -- authors.yml and tags.yml -----------------------------------------------------------


def render_authors(authors):
    """``authors.yml``, Docusaurus style: slug → name, title, url, image_url, bio, socials."""
    entries, warnings = {}, []
    for author in authors:
        entry = {"name": _entity_safe(author.name)}
        for key, value in (("title", author.role), ("url", author.url), ("image_url", author.avatar_url), ("bio", author.bio)):
            if value:
                entry[key] = value
        if author.socials:
            entry["socials"] = author.socials
        entries[author.slug] = entry
        warnings.extend(f"author {author.slug!r}: {problem}" for problem in _text_problems(name=author.name))
    return dump_yaml(entries) if entries else "{}\n", warnings


def render_tags(tags):
    """``tags.yml``, Docusaurus style: slug → label, description."""
    entries, warnings = {}, []
    for tag in tags:
        entry = {"label": _entity_safe(tag.name)}
        if tag.description:
            entry["description"] = _entity_safe(tag.description)
        entries[tag.slug] = entry
        warnings.extend(f"tag {tag.slug!r}: {problem}" for problem in _text_problems(name=tag.name, description=tag.description))
    return dump_yaml(entries) if entries else "{}\n", warnings



def _text_problems(**fields):
    """The importer decodes entities and collapses whitespace in names, labels and
    descriptions; entities are written so they survive, line breaks cannot be."""
    return [
        f"its {name} reads back as {_short(clean_text(_entity_safe(value)))}, not {_short(value)}"
        for name, value in fields.items()
        if clean_text(_entity_safe(value)) != value
    ]
