"""Reading one article file into plain data.

:func:`parse_article` takes the bytes of a Markdown file with YAML (or TOML)
frontmatter, as Docusaurus, Hugo, Jekyll and Pelican blogs write them, and
returns an :class:`Article`: every field decided, nothing written anywhere.
It is pure (no database, no settings, no file system) so it can run in worker
processes and be tested on strings. A file that is not an article raises
:class:`NotAnArticle`; a broken one raises :class:`ArticleError`, whose message
names the field and line and says what would fix it.
"""

import datetime as dt
import email.utils
import hashlib
import html
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field

import yaml
from django.conf.locale import LANG_INFO
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from .slugs import make_slug

BOOLEAN_WORDS = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False, "0": False}

# Frontmatter field → the keys that mean it, in order of preference. The first
# one present wins; the others are kept with the unknown keys.
ALIASES = {
    "title": ("title",),
    "slug": ("slug",),
    "id": ("id",),
    "description": ("description", "summary", "excerpt", "subtitle"),
    "date": ("date", "publishdate", "pubdate", "published_at", "publish_date", "created", "created_at"),
    "updated": ("lastmod", "last_update", "updated", "updated_at", "modified", "last_modified"),
    "draft": ("draft",),
    "published": ("published",),
    "status": ("status",),
    "language": ("lang", "language", "locale"),
    "image": ("image", "cover", "cover_image", "featured_image", "thumbnail", "banner", "images", "og_image"),
    "tags": ("tags", "tag"),
    "authors": ("authors", "author"),
}
# Docusaurus' older single-author keys, folded into the author's profile.
LEGACY_AUTHOR_KEYS = {"author_title": "title", "author_url": "url", "author_image_url": "image_url"}

DRAFT_STATUSES = {"draft", "hidden", "private", "unpublished", "unlisted"}
PUBLISHED_STATUSES = {"published", "publish", "public", "live"}

MAX_TAG_LENGTH = 100
MAX_FRONTMATTER_VALUES = 10_000
MAX_FRONTMATTER_DEPTH = 50
MAX_TITLE_LENGTH = 500

_PELICAN_TITLE = re.compile(r"^title:[ \t]*\S", re.IGNORECASE)
_PELICAN_LINE = re.compile(r"^([A-Za-z][\w-]*):[ \t]*(.*)$")
_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^[ ]{0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_DRAFT_PREFIX = re.compile(r"^\[draft\][ _-]*", re.IGNORECASE)
_TAG_SPLIT = re.compile(r"[,;]")


class ArticleError(Exception):
    """The file is meant as an article but cannot be imported as it is."""


class NotAnArticle(Exception):
    """The file holds no article (empty, only comments); the message says why."""


class _YAMLHandler(YAMLHandler):
    # Exactly three dashes (`----` is a Markdown rule); YAML's `...` also ends it.
    FM_BOUNDARY = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)

    def detect(self, text):
        return text.startswith("---") and super().detect(text)


class _TOMLHandler(BaseHandler):
    """Hugo's `+++` frontmatter, read with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"


_HANDLERS = (_YAMLHandler(), _TOMLHandler())


class _TypedLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):
    """Safe YAML with dates left as text, so this module reads every date form
    itself (one rule for YAML dates, ISO 8601 and RFC 2822 strings) and an
    impossible date is an error naming its field rather than a crash."""


_TypedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Every scalar as the text it was written with: `tags: [yes, 1.10]` are the
# tags "yes" and "1.10", not True and 1.1.
_TextLoader = yaml.CBaseLoader if yaml.__with_libyaml__ else yaml.BaseLoader


@dataclass
class AuthorRef:
    """An author as the article names it: a key into authors.yml, a name, or an inline profile."""

    key: str
    profile: dict = field(default_factory=dict)


@dataclass
class Article:
    path: str
    source_hash: str
    import_key: str
    title: str
    slug: str  # explicit slug from the frontmatter, or "" to derive one from the title
    description: str
    body: str
    is_draft: bool
    publish_date: dt.datetime | None  # None: take it from the file name or the first import
    updated_date: dt.datetime | None
    language: str
    translation_key: str  # the path with its language taken out: translations share it
    cover_image: str
    tags: list
    authors: list
    extra: dict


def parse_article(data, path, *, tz=dt.UTC, default_language="en", in_drafts_folder=False, max_bytes=None):
    """Parse the bytes of one article file.

    ``path`` is the file's path relative to the folder being imported (POSIX
    separators); it names the file in errors, and gives the identity, language
    and date when the frontmatter does not. ``tz`` is the zone naive dates are in.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    text = decode(data)
    if not text.strip():
        raise NotAnArticle("empty file")
    meta, raw_meta, originals, body = split_frontmatter(text)
    if not _COMMENT.sub("", body).strip():
        if meta:
            raise NotAnArticle("no content after the frontmatter (only whitespace or HTML comments)")
        raise NotAnArticle("no content (only whitespace or HTML comments)")

    fields, extra = _map_fields(meta, raw_meta, originals)
    body = body.strip("\n")

    title = clean_text(_as_text(fields.get("title"), "title"))
    if not title:
        title, body = _take_first_heading(body)
    if not title:
        title = title_from_path(path)
    if len(title) > MAX_TITLE_LENGTH:
        raise ArticleError(f"field 'title' is {len(title)} characters long; shorten it to at most {MAX_TITLE_LENGTH}")

    slug = ""
    if fields.get("slug") is not None:
        slug = sanitize_slug(_as_text(fields["slug"], "slug"))
    if fields.get("id") not in (None, ""):
        import_key = f"id:{_as_text(fields['id'], 'id')}"
    elif slug:
        import_key = f"slug:{slug}"
    else:
        import_key = f"path:{path}"

    is_draft = in_drafts_folder or bool(_DRAFT_PREFIX.match(path.rsplit("/", 1)[-1]))
    if fields.get("draft") is not None and to_bool(fields["draft"], "draft"):
        is_draft = True
    if fields.get("published") is not None and not to_bool(fields["published"], "published"):
        is_draft = True
    if fields.get("status") is not None:
        status = _as_text(fields["status"], "status").strip().lower()
        if status in DRAFT_STATUSES:
            is_draft = True
        elif status not in PUBLISHED_STATUSES:
            raise ArticleError(f"field 'status' is {status!r}; use 'draft' or 'published'")

    language = _language(fields.get("language"), path, default_language)
    publish_date = parse_date(fields.get("date"), "date", tz)
    if publish_date is None:
        publish_date = date_from_path(path, tz)

    cover_image = _image(fields.get("image"))
    for field_name, value, limit in (
        ("path", path, 1000), ("path", translation_key(path, language), 500),
        (import_key.split(":", 1)[0], import_key, 500), ("image", cover_image, 500), ("lang", language, 20),
    ):
        if len(value) > limit:
            raise ArticleError(f"field '{field_name}' is {len(value)} characters long; it may have at most {limit}")
    return Article(
        path=path,
        source_hash=hashlib.sha256(data).hexdigest(),
        import_key=import_key,
        title=title,
        slug=slug,
        description=clean_text(_as_text(fields.get("description"), "description")),
        body=body,
        is_draft=is_draft,
        publish_date=publish_date,
        updated_date=parse_date(fields.get("updated"), "updated", tz),
        language=language,
        translation_key=translation_key(path, language),
        cover_image=cover_image,
        tags=parse_tags(fields.get("tags")),
        authors=parse_authors(fields.get("authors"), {k: meta.pop(k) for k in LEGACY_AUTHOR_KEYS if k in meta}, extra),
        extra=extra,
    )


def too_large(size, max_bytes):
    return ArticleError(
        f"the file is {filesizeformat(size)}, over the {filesizeformat(max_bytes)} limit for one article; "
        "split it, or raise TINTA_MAX_ARTICLE_BYTES"
    )


def filesizeformat(size):
    for unit, factor in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def decode(data):
    """Bytes to text with LF line endings; a file that is not text is an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ArticleError(f"the file starts with a UTF-16 mark but is not valid UTF-16 ({error.reason}); re-save it as UTF-8")
    else:
        if b"\x00" in data[:8192]:
            raise ArticleError("this is a binary file (it contains NUL bytes), not a Markdown article")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ArticleError(
                f"the file is not UTF-8: byte 0x{data[error.start]:02x} on line {line} is not valid UTF-8; "
                "re-save the file as UTF-8"
            )
    if "\x00" in text:
        raise ArticleError("this is a binary file (it contains NUL characters), not a Markdown article")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_frontmatter(text):
    """Return (typed metadata, metadata as written, original key spellings, body).

    Both metadata dicts have lowercase keys; the third maps them back to the
    keys as the file spelled them. A file without frontmatter gives empty
    dicts. Line numbers in errors count from the first line of the file.
    """
    handler = next((handler for handler in _HANDLERS if handler.detect(text)), None)
    if handler is None:
        return _split_pelican(text) or ({}, {}, {}, text)
    try:
        source, body = handler.split(text)
    except ValueError:
        raise ArticleError(f"the frontmatter opened on line 1 is never closed; add a line with {handler.END_DELIMITER} after it")
    if isinstance(handler, YAMLHandler):
        typed, raw = _load_yaml(source)
    else:
        typed = raw = _load_toml(source)
    originals = {str(key).strip().lower(): str(key).strip() for key in typed}
    return _lowercase_keys(typed), _lowercase_keys(raw), originals, body.removeprefix("\n")


def _split_pelican(text):
    """Pelican's Markdown metadata: `Key: value` lines opening with `Title:`,
    ended by a blank line, with no delimiters. Every value is text."""
    lines = text.split("\n")
    if not _PELICAN_TITLE.match(lines[0]):
        return None
    end = next((index for index, line in enumerate(lines) if not line.strip()), len(lines))
    meta = {}
    for line in lines[:end]:
        match = _PELICAN_LINE.match(line)
        if match:
            key = match.group(1)
            meta[key] = match.group(2).strip()
        elif line[:1] in (" ", "\t"):
            meta[key] += " " + line.strip()  # a value continued on an indented line
        else:
            return None  # not a metadata block after all
    originals = {key.lower(): key for key in meta}
    meta = _lowercase_keys(meta)
    return meta, meta, originals, "\n".join(lines[end + 1 :])


def load_yaml_data(text, what="the frontmatter"):
    """Safe YAML for authors.yml and tags.yml: plain data or an ArticleError, in bounded size."""
    try:
        data = yaml.load(text, Loader=_TypedLoader)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error)
        raise ArticleError(f"{what} is not valid YAML: {problem} on line {_yaml_line(error, offset=0)}; fix it")
    except RecursionError:
        raise ArticleError(f"{what} nests lists or mappings too deeply to read; flatten it")
    except _CONVERSION_ERRORS as error:
        raise ArticleError(f"{what} has a value YAML cannot convert ({error}); write it as plain text")
    _check_size(data, what)
    return data


# What PyYAML's constructors raise on values such as `!!int x` or `!!float ''`.
_CONVERSION_ERRORS = (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError)


def _load_yaml(source):
    try:
        typed = yaml.load(source, Loader=_TypedLoader)
        raw = yaml.load(source, Loader=_TextLoader)
    except _CONVERSION_ERRORS as error:
        raise ArticleError(f"the frontmatter has a value YAML cannot convert ({error}); write it as plain text or fix the tag")
    except yaml.constructor.ConstructorError as error:
        raise ArticleError(
            f"the frontmatter uses the YAML tag {error.problem.split()[-1] if error.problem else ''} "
            f"on line {_yaml_line(error)}, which is not allowed; frontmatter holds plain text, numbers, lists and mappings"
        )
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error)
        raise ArticleError(f"the frontmatter is not valid YAML: {problem} on line {_yaml_line(error)}; fix the YAML syntax there")
    except RecursionError:
        raise ArticleError("the frontmatter nests lists or mappings too deeply to read; flatten it")
    if typed is None:
        return {}, {}
    _check_size(typed)
    if not isinstance(typed, dict):
        raise ArticleError(
            f"the frontmatter is a {_kind(typed)}, not a mapping; write it as 'key: value' lines such as 'title: My post'"
        )
    return typed, raw


def _check_size(value, what="the frontmatter"):
    """Refuse frontmatter that unfolds into a huge structure.

    YAML aliases let a few lines stand for billions of values ("billion
    laughs"); PyYAML shares them, but anything that walks the result (keeping
    unknown keys as JSON, say) would unfold them. Walk it once, counting.
    """
    budget = MAX_FRONTMATTER_VALUES
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise ArticleError(
                f"{what} holds more than {MAX_FRONTMATTER_VALUES:,} values once its YAML aliases (*name) are "
                "unfolded; write the values out instead of repeating aliases"
            )
        if depth > MAX_FRONTMATTER_DEPTH:
            raise ArticleError(f"{what} nests lists or mappings more than {MAX_FRONTMATTER_DEPTH} deep; flatten it")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for pair in item.items() for child in pair)
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _yaml_line(error, offset=1):
    # An unclosed quote or bracket is reported where it opened (the context),
    # not at the end of the frontmatter where the parser gave up.
    context = getattr(error, "context", None) or ""
    unclosed = "quoted scalar" in context or "flow" in context
    mark = (getattr(error, "context_mark", None) if unclosed else None) or getattr(error, "problem_mark", None)
    # The frontmatter text starts at the end of the opening '---' line, and
    # marks count from 0: mark line 1 is the file's line 2.
    return mark.line + offset if mark else "?"


def _load_toml(source):
    try:
        data = tomllib.loads(source)
    except RecursionError:
        raise ArticleError("the frontmatter nests tables or arrays too deeply to read; flatten it")
    except tomllib.TOMLDecodeError as error:
        raise ArticleError(f"the frontmatter is not valid TOML: {error}; fix the TOML syntax there")
    _check_size(data)
    return data


def _lowercase_keys(mapping):
    result = {}
    for key, value in mapping.items():
        name = str(key).strip().lower()
        if name in result:
            raise ArticleError(f"the frontmatter has the key {name!r} twice (keys are case-insensitive); keep one")
        result[name] = value
    return result


def _kind(value):
    return {list: "list", str: "text", int: "number", float: "number", bool: "true/false value"}.get(type(value), type(value).__name__)


def _map_fields(meta, raw_meta, originals):
    """Split the metadata into the fields Tinta uses and the rest, kept as
    given (with their keys spelled as in the file, for export)."""
    fields, extra = {}, {}
    used = set()
    for name, keys in ALIASES.items():
        for key in keys:
            if key not in meta or name in fields:
                continue  # a second alias that was given stays with the unknown keys
            used.add(key)
            if meta[key] is None or meta[key] == "":
                continue
            # title, slug, id and tags keep the text they were written with.
            if name == "tags":
                fields[name] = _drop_nulls(raw_meta[key], meta[key])
            elif name in ("title", "slug", "id") and not isinstance(meta[key], (dict, list)):
                fields[name] = raw_meta[key]
            else:
                fields[name] = meta[key]
    for key, value in meta.items():
        if key not in used and key not in LEGACY_AUTHOR_KEYS:
            extra[originals.get(key, key)] = to_json(value)
    return fields, extra


def _drop_nulls(raw, typed):
    # The text loader reads `~` as the string "~": drop what YAML means as null.
    if isinstance(raw, list) and isinstance(typed, list):
        return [r for r, t in zip(raw, typed, strict=True) if t is not None]
    return raw


def to_json(value):
    """Frontmatter values as JSON can store them (dates, sets and the like as text)."""
    if isinstance(value, str):
        return value.replace("\x00", "")  # PostgreSQL stores no NUL in text or JSON
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no infinity or NaN
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _as_text(value, name):
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ArticleError(f"field '{name}' is a {_kind(value)}; it must be plain text")
    return str(value)


def clean_text(value):
    """Decode HTML entities (`C&oacute;mo` → `Cómo`), collapse whitespace and drop
    control characters (XML, and so every feed, refuses them)."""
    return " ".join(_CONTROL.sub("", html.unescape(value).replace("\x00", "")).split())


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def to_bool(value, name):
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in BOOLEAN_WORDS:
        return BOOLEAN_WORDS[word]
    raise ArticleError(f"field '{name}' is {value!r}; use true or false")


def sanitize_slug(value):
    """A frontmatter slug as one URL segment: `/2024/11/20/My-Post` → `my-post`."""
    segments = [segment for segment in value.strip().split("/") if segment.strip()]
    return make_slug(segments[-1]) if segments else ""


def parse_date(value, name, tz):
    """Any date form found in frontmatter, as an aware datetime; None when absent."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ArticleError(f"field '{name}' is the number {value}; write a date such as 2024-05-21 or 2024-05-21T10:00:00+02:00")
    else:
        text = str(value).strip()
        if not text:
            return None
        moment = _parse_date_text(text, name)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def _parse_date_text(text, name):
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    iso = re.sub(r"^(\d{4}-\d{2}-\d{2})\s+(\d)", r"\1T\2", iso)
    iso = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", iso)  # "2024-05-21 10:00:00 +0200"
    try:
        return dt.datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    raise ArticleError(
        f"field '{name}' is {text!r}, which is not a date; write it as 2024-05-21, 2024-05-21T10:00:00+02:00 "
        "or 'Tue, 21 May 2024 10:00:00 +0200'"
    )


def date_from_path(path, tz):
    """The date of a `YYYY-MM-DD-` prefix on the file or its folder, else None."""
    parts = path.split("/")
    for name in reversed(parts[-2:]):
        match = _DATE_PREFIX.match(name)
        if match:
            try:
                return dt.datetime(*map(int, match.groups()), tzinfo=tz)
            except ValueError:
                raise ArticleError(f"the name {name!r} starts with an impossible date; fix it or give a 'date' field")
    return None


def _language(value, path, default):
    if value is not None:
        code = _as_text(value, "lang").strip().lower().replace("_", "-")
        if not _LANGUAGE_CODE.match(code):
            raise ArticleError(f"field 'lang' is {code!r}, which is not a language code; use one like 'en', 'es' or 'pt-br'")
        return code
    return language_from_path(path) or default


def language_from_path(path):
    """`post.es.md` → `es`; a folder named like a language (`_articles/fr/x.md`) → `fr`."""
    parts = path.lower().split("/")
    stem_parts = parts[-1].split(".")
    if len(stem_parts) >= 3 and stem_parts[-2] in LANG_INFO:
        return stem_parts[-2]
    for folder in reversed(parts[:-1]):
        if folder in LANG_INFO:
            return folder
    return ""


def translation_key(path, language):
    """`post.es.md` and `post.md`, or `es/post.md` and `post.md`, are one article:
    the path without the language as a file suffix or a folder."""
    parts = path.split("/")
    folders = [part for part in parts[:-1] if part.lower() != language]
    name = re.sub(rf"\.{re.escape(language)}(?=\.[^.]+$)", "", parts[-1], flags=re.IGNORECASE)
    return "/".join([*folders, name])


def _image(value):
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("src") or value.get("url") or value.get("path") or ""
    return str(value or "").replace("\x00", "").strip()


def parse_tags(value):
    """Tags as a list of names: a list as it is, or a string split on `,` or `;`."""
    if value is None:
        return []
    is_list = isinstance(value, list)
    items = value if is_list else [value]
    names, seen = [], set()
    for item in items:
        if isinstance(item, dict):  # Docusaurus: {label: Kubernetes, permalink: /k8s}
            item = {str(k).lower(): v for k, v in item.items()}.get("label") or item.get("name")
            if not isinstance(item, str):
                raise ArticleError("field 'tags' holds a mapping without a 'label'; write each tag as plain text")
        if isinstance(item, list):
            raise ArticleError("field 'tags' holds a nested list; write each tag as plain text")
        for name in [str(item)] if is_list else _TAG_SPLIT.split(str(item)):
            name = clean_text(name)
            if not name:
                continue
            if len(name) > MAX_TAG_LENGTH:
                raise ArticleError(f"the tag {name[:40]!r}… is {len(name)} characters long; tags have at most {MAX_TAG_LENGTH}")
            slug = make_slug(name)
            if slug not in seen:
                seen.add(slug)
                names.append(name)
    return names


def parse_authors(value, legacy, extra):
    """Authors as :class:`AuthorRef`: keys, names or inline profiles."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    refs = []
    for item in items:
        if isinstance(item, dict):
            profile = _lowercase_keys(item)
            key = str(profile.get("key") or profile.get("name") or "").strip()
            if not key:
                raise ArticleError("an entry of field 'authors' has no 'name'; give each inline author a name")
            refs.append(AuthorRef(key=key, profile={k: to_json(v) for k, v in profile.items()}))
        elif isinstance(item, list):
            raise ArticleError("field 'authors' holds a nested list; list each author once")
        elif item is not None:
            for name in _TAG_SPLIT.split(str(item)):
                if name.strip():
                    refs.append(AuthorRef(key=name.strip()))
    if legacy and len(refs) == 1:
        refs[0].profile.update({LEGACY_AUTHOR_KEYS[k]: to_json(v) for k, v in legacy.items()})
    elif legacy:
        extra.update({k: to_json(v) for k, v in legacy.items()})
    return refs


def _take_first_heading(body):
    """Use the first heading as the title, removing it from the body.

    The first level-one heading is preferred; without one, the first heading
    of any level. Headings inside fenced code are not headings.
    """
    candidates = []
    in_fence = None
    lines = body.split("\n")
    for index, line in enumerate(lines):
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)
            if in_fence is None:
                in_fence = marker
            elif marker[0] == in_fence[0] and len(marker) >= len(in_fence) and not line.strip()[len(marker):]:
                in_fence = None  # only a bare fence at least as long as the opener closes it
            continue
        if in_fence:
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            candidates.append((len(heading.group(1)), index, heading.group(2)))
    if not candidates:
        return "", body
    level, index, text = min(candidates, key=lambda c: (c[0] != 1, c[1]))
    title = clean_text(strip_inline_markdown(text))
    remaining = "\n".join(lines[:index] + lines[index + 1:]).strip("\n")
    return title, remaining


def strip_inline_markdown(text):
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", text)
    return re.sub(r"<[^>]+>", "", text)


def title_from_path(path):
    """`2024-05-21-my-first_post.md` → `My first post`; `x/index.md` uses the folder."""
    parts = path.split("/")
    stem = re.sub(r"\.(md|markdown|mdx|txt)$", "", parts[-1], flags=re.IGNORECASE)
    if "." in stem and stem.rsplit(".", 1)[1].lower() in LANG_INFO:
        stem = stem.rsplit(".", 1)[0]
    if stem.lower() in ("index", "_index") and len(parts) > 1:
        stem = parts[-2]
    stem = _DRAFT_PREFIX.sub("", stem)
    stem = _DATE_PREFIX.sub("", stem)
    words = " ".join(re.split(r"[-_\s]+", stem)).strip()
    words = unicodedata.normalize("NFC", words)
    return (words[:1].upper() + words[1:]) if words else "Untitled"
