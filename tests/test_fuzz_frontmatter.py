"""Fuzzing the reading of one article: :func:`blog.frontmatter.parse_article` on hostile bytes.

Property: whatever the bytes (random frontmatter of random keys and values in
YAML, TOML or Pelican form, random Markdown, random binary, invalid UTF-8, NUL
bytes, CR/LF mixes, byte-order marks, ``---`` in odd places), ``parse_article``
returns a well-formed :class:`~blog.frontmatter.Article` or raises
:class:`ArticleError` / :class:`NotAnArticle`, and never anything else; the
hypothesis deadline bounds the time one file may take. Explicit cases: YAML
alias bombs, deep nesting, huge numbers, the size limit, bad encodings.

CI runs the ``ci`` profile (150 examples a property); ``make fuzz`` runs
``HYPOTHESIS_PROFILE=long`` (5,000). The strategies are shared with
tests/test_fuzz_importer.py.
"""

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import time
import tracemalloc
from pathlib import Path

# Hypothesis keeps a cache of Unicode data; keep it out of the work tree.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "tinta-hypothesis"))

import pytest  # noqa: E402
import yaml  # noqa: E402
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from blog.frontmatter import MAX_TAG_LENGTH, MAX_TITLE_LENGTH, Article, ArticleError, NotAnArticle, parse_article  # noqa: E402
from blog.slugs import make_slug  # noqa: E402

_PROFILE_OPTIONS = {
    "database": None,  # nothing written to the work tree; a failure prints its reproduction blob instead
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
}
# CI runs the same examples every time (a failure there is not luck); the long run explores anew.
settings.register_profile("ci", max_examples=150, deadline=dt.timedelta(seconds=5), derandomize=True, **_PROFILE_OPTIONS)
settings.register_profile("long", max_examples=5000, deadline=dt.timedelta(seconds=5), **_PROFILE_OPTIONS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# -- strategies (also used by tests/test_fuzz_importer.py) -------------------------------------------

KEYS = [
    "title", "Title", "TITLE", "slug", "id", "description", "summary", "excerpt", "date", "publishDate", "pubDate",
    "published_at", "lastmod", "updated", "draft", "published", "status", "lang", "language", "locale", "image", "cover",
    "images", "og_image", "tags", "tag", "Tags", "authors", "author", "author_title", "author_url", "author_image_url",
    "series", "categories", "weight", "key", "name", "label", "", " ", "socials",
]
TRICKY_TEXT = [
    "", " ", "\t", "~", "null", "yes", "no", "on", "off", "true", "False", "0", "1", "1.10", "1e999", ".nan", "-.inf", "0x1F",
    "draft", "published", "DRAFT", "hidden", "unlisted", "live", "2024-05-21", "2024-13-45", "2024-02-30", "0000-00-00",
    "2024-05-21T10:00:00+02:00", "2024-05-21 10:00:00 +0200", "2024-05-21T25:61:00", "Tue, 21 May 2024 10:00:00 +0200",
    "2024-05-21Z", "10:00", "en", "es", "pt-BR", "zh_Hant", "xx-invalid-language-code", "a,b;c", ",,,", ";", "C++", "C#",
    "---", "+++", "...", "/2024/11/20/My-Post", "/", "../../etc/passwd", "../../../secret.png", "file:///etc/passwd",
    "diseño", "オープンソース", "\u202eevil", "\ufeffbom", "<script>alert(1)</script>", "&amp;&lt;", "Ingeniería de Prompts",
    "x" * 101, "y" * 501, "9" * 40,
]
_timezones = st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-12))])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(TRICKY_TEXT),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(timezones=_timezones),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=4),
    ),
    max_leaves=15,
)
FRONTMATTER = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=12)), VALUES, max_size=10)

MARKDOWN_PIECES = [
    "# Heading", "## Second", "### <img src=x onerror=alert(1)>", "```", "```python", "~~~", "---", "+++", "...", "----",
    "<!-- truncate -->", "<!--", "-->", ":::note", ":::tip[Title]", ":::", "::::", "!!! note", "/// warning", "///",
    "    indented code", "> quote", "- [ ] task", "- [x] done", "| a | b |", "|---|---|", "[^1]", "[^1]: a note",
    '<aside markdown="1">', "</aside>", "<div>", "</div>", "*" * 40, "_" * 40, "[x](y)", "![x](../../../secret.png)",
    "[ref]: javascript:alert(1)", "<script>alert(1)</script>", "Title: Pelican", "\ufeff", "", "   ", "\t", "\x01\x02",
    "[[[[[[[[[[", "]" * 20, "> " * 30 + "deep", "- " * 30 + "deep", "&#x0;", "&nbsp;" * 5, "𝓤𝓷𝓲𝓬𝓸𝓭𝓮", "\u200b\u200d",
]
BODY = st.lists(st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=60)), max_size=10).map("\n".join)


@st.composite
def _yaml_frontmatter(draw):
    meta = draw(FRONTMATTER)
    try:
        text = yaml.safe_dump(meta, allow_unicode=draw(st.booleans()), default_flow_style=draw(st.sampled_from([None, False, True])))
    except (yaml.YAMLError, ValueError):
        text = repr(meta)
    opener = draw(st.sampled_from(["---\n", "--- \n", "---\r\n", "---", "----\n", "\n---\n"]))
    closer = draw(st.sampled_from(["---\n", "...\n", "---", "--- \t\n", "", "----\n"]))
    return opener + text + closer + draw(BODY)


@st.composite
def _raw_frontmatter(draw):
    """Frontmatter whose text is arbitrary: broken YAML, TOML, or Pelican metadata lines."""
    kind = draw(st.sampled_from(["yaml", "toml", "pelican"]))
    lines = draw(st.lists(st.one_of(
        st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(KEYS), st.sampled_from(TRICKY_TEXT)),
        st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(KEYS), st.sampled_from(TOML_VALUES)),
        st.text(max_size=30),
        st.sampled_from(["&a [1, 2]", "*a", "<<: *a", "!!python/object:os.system", "? [a]", "- x", "  - y", "key: |", "  block"]),
    ), max_size=8))
    text = "\n".join(lines)
    if kind == "yaml":
        return f"---\n{text}\n---\n" + draw(BODY)
    if kind == "toml":
        return f"+++\n{text}\n+++\n" + draw(BODY)
    return f"Title: {draw(st.text(max_size=20))}\n{text}\n\n" + draw(BODY)


TOML_VALUES = ['"x"', "1", "[1, [2]]", "{a = 1}", "1979-05-27", "1979-05-27T07:32:00Z", "07:32:00", "nan", "inf", "true"]
MUTATIONS = [
    b"\x00", b"\xff", b"\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\r", b"\r\n", b"\n\r",
    b"\xef\xbb\xbf", b"---\n", b"\n---\n", b"+++\n", b"\xc2\x85", b"\xe2\x80\xa8", b"\x1b[31m", b"\t",
]


@st.composite
def article_bytes(draw):
    """The bytes of a file that may or may not be an article."""
    # Mostly frontmatter, so that most examples get past decoding to the fields.
    kind = draw(st.sampled_from(["yaml", "yaml", "yaml", "yaml", "raw", "raw", "body", "binary"]))
    if kind == "binary":
        return draw(st.binary(max_size=600))
    text = draw(_yaml_frontmatter() if kind == "yaml" else _raw_frontmatter() if kind == "raw" else BODY)
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n"])))
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16"])), errors="surrogatepass")
    mutated = draw(st.integers(0, 3)) == 0  # a quarter of the files get stray bytes
    mutations = draw(st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(MUTATIONS)), max_size=3)) if mutated else []
    for position, insert in mutations:
        position %= len(data) + 1
        data = data[:position] + insert + data[position:]
    return data


ARTICLE_PATHS = [
    "a.md", "post.es.md", "2024-05-21-dated.md", "2024-02-30-impossible.md", "[draft] idea.md", "es/post.md",
    "_drafts/later.md", "blog/index.md", "x.mdx", "notes.txt", "日本語.md",
]


# -- the property ----------------------------------------------------------------------------------

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def assert_well_formed(article, data, path):
    """What every Article must be, whatever the file said."""
    assert isinstance(article, Article)
    assert article.path == path
    assert article.source_hash == hashlib.sha256(data).hexdigest()
    assert isinstance(article.title, str) and article.title.strip() and len(article.title) <= MAX_TITLE_LENGTH
    assert article.slug == "" or make_slug(article.slug) == article.slug, f"slug {article.slug!r} is not a slug"
    assert article.import_key and article.import_key.split(":", 1)[0] in ("id", "slug", "path")
    assert _LANGUAGE.match(article.language), f"language {article.language!r}"
    for moment in (article.publish_date, article.updated_date):
        assert moment is None or (isinstance(moment, dt.datetime) and moment.tzinfo is not None)
    assert all(isinstance(tag, str) and tag and len(tag) <= MAX_TAG_LENGTH for tag in article.tags)
    assert len({make_slug(tag) for tag in article.tags}) == len(article.tags), "tags are unique by slug"
    assert all(ref.key.strip() for ref in article.authors)
    assert "\x00" not in article.body and "\x00" not in article.title
    # Stored in a JSONField: it must be JSON as PostgreSQL's jsonb reads it (no NaN, no Infinity).
    json.dumps(article.extra, allow_nan=False)
    json.dumps([ref.profile for ref in article.authors], allow_nan=False)


@given(data=article_bytes(), path=st.sampled_from(ARTICLE_PATHS))
def test_fuzz_parse_article_returns_an_article_or_says_why(data, path):
    try:
        article = parse_article(data, path, in_drafts_folder=path.startswith("_drafts/"))
    except (ArticleError, NotAnArticle) as error:
        assert str(error), "the error says why"
        event(f"{type(error).__name__}: {' '.join(str(error).split()[:4])}")
        return
    event("an Article")
    assert_well_formed(article, data, path)


@given(data=st.binary(max_size=2000))
def test_fuzz_parse_article_on_random_bytes(data):
    try:
        article = parse_article(data, "random.md")
    except (ArticleError, NotAnArticle):
        return
    assert_well_formed(article, data, "random.md")


# -- explicit cases --------------------------------------------------------------------------------


def _parse(text, **options):
    data = text.encode() if isinstance(text, str) else text
    return parse_article(data, "post.md", **options)


def _alias_bomb(levels=9, width=10):
    """YAML's "billion laughs": ``levels`` anchors, each ``width`` aliases of the one before."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines)


def _bounded(call):
    """Run ``call``: (what it raised or returned, seconds taken, peak bytes allocated)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = call()
    except Exception as error:  # noqa: BLE001 - the outcome is what the test asserts on
        outcome = error
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, elapsed, peak


def test_fuzz_yaml_alias_bomb_fails_fast_and_small():
    outcome, elapsed, peak = _bounded(lambda: _parse(f"---\ntitle: Bomb\n{_alias_bomb()}\n---\nBody.\n"))
    assert isinstance(outcome, ArticleError) and "aliases" in str(outcome), outcome
    # Generous bounds: the point is that a billion values are never built.
    assert elapsed < 2, f"the alias bomb took {elapsed:.1f} s"
    assert peak < 50 * 1024 * 1024, f"the alias bomb allocated {peak / 2**20:.0f} MB"


def test_fuzz_yaml_alias_bomb_under_a_tag_or_author_key_fails_fast():
    for key in ("tags", "authors", "image", "title"):
        text = f"---\n{_alias_bomb()}\n{key}: *a8\n---\nBody.\n"
        outcome, elapsed, _ = _bounded(lambda text=text: _parse(text))
        assert isinstance(outcome, ArticleError), f"{key}: {outcome!r}"
        assert elapsed < 2


@pytest.mark.parametrize("depth", [60, 1_000, 100_000])
def test_fuzz_deeply_nested_yaml_is_an_error_naming_the_nesting(depth):
    outcome, elapsed, _ = _bounded(lambda: _parse("---\ntitle: Deep\nx: " + "[" * depth + "]" * depth + "\n---\nBody.\n"))
    assert isinstance(outcome, ArticleError), repr(outcome)
    assert "nest" in str(outcome) and elapsed < 2


@pytest.mark.parametrize("depth", [200, 5_000])
def test_fuzz_deeply_nested_toml_is_read_or_refused_never_a_crash(depth):
    arrays = "+++\ntitle = 'Deep'\nx = " + "[" * depth + "]" * depth + "\n+++\nBody.\n"
    tables = "+++\ntitle = 'Deep'\nx = " + "{a = " * depth + "1" + "}" * depth + "\n+++\nBody.\n"
    for text in (arrays, tables):
        outcome, elapsed, _ = _bounded(lambda text=text: _parse(text))
        assert isinstance(outcome, (Article, ArticleError)), f"TOML nested {depth} deep raised {outcome!r}"
        assert elapsed < 2


@pytest.mark.parametrize("key", ["title", "weight", "tags", "id"])
def test_fuzz_huge_yaml_number_is_an_error_not_a_crash(key):
    # Python refuses to turn more than 4,300 digits into an int (CVE-2020-10735).
    outcome, _, _ = _bounded(lambda: _parse(f"---\n{key}: {'7' * 5000}\n---\nBody.\n"))
    assert isinstance(outcome, (ArticleError, Article)), f"{key}: 5,000 digits raised {outcome!r}"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "[1, .nan]", "{score: .NaN}"])
def test_fuzz_not_a_number_is_not_kept_as_json_nobody_can_store(value):
    outcome, _, _ = _bounded(lambda: _parse(f"---\ntitle: Numbers\nscore: {value}\n---\nBody.\n"))
    if isinstance(outcome, Article):
        json.dumps(outcome.extra, allow_nan=False)  # jsonb refuses NaN and Infinity
    else:
        assert isinstance(outcome, ArticleError), repr(outcome)


def test_fuzz_size_limit_is_a_clear_error():
    data = b"---\ntitle: Big\n---\n" + b"word " * 1000
    with pytest.raises(ArticleError, match=r"over the 1\.0 KB limit.*TINTA_MAX_ARTICLE_BYTES"):
        parse_article(data, "big.md", max_bytes=1024)
    assert parse_article(data, "big.md", max_bytes=len(data)).title == "Big"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"---\ntitle: Caf\xe9\n---\nBody.\n", r"not UTF-8: byte 0xe9 on line 2"),
        (b"---\ntitle: x\n---\nBody \xff\xfe.\n", r"not UTF-8: byte 0xff on line 4"),
        (b"---\ntitle: x\n---\nBody\x00.\n", r"NUL"),
        (b"\x00\x00\x00\x00", r"NUL"),
        (b"\xff\xfe-\x00-\x00-\x00\n\x00\x00\xd8", r"UTF-16"),
    ],
)
def test_fuzz_bad_encodings_are_errors_naming_the_problem(data, message):
    with pytest.raises(ArticleError, match=message):
        parse_article(data, "post.md")


def test_fuzz_crlf_bom_and_stray_delimiters_still_read():
    text = "\ufeff---\r\ntitle: Mixed\r\ntags: [a]\n---\r\nBody\r---\r\nmore\n...\nend\n"
    article = parse_article(text.encode(), "post.md")
    assert article.title == "Mixed" and article.tags == ["a"]
    assert "\r" not in article.body


@pytest.mark.parametrize(
    "value",
    ["!!timestamp x", "!!timestamp 2024-02-30", "!!int x", "!!int ''", "!!int 0x", "!!float x", "!!float ''", "!!bool maybe"],
)
def test_fuzz_explicit_yaml_tag_with_a_bad_value_is_an_error_not_a_crash(value):
    # Found by the property above: PyYAML's constructors raise ValueError, KeyError,
    # IndexError or AttributeError (not YAMLError) for these.
    outcome, _, _ = _bounded(lambda: _parse(f"---\ntitle: Tagged\ndate: {value}\n---\nBody.\n"))
    assert isinstance(outcome, ArticleError), f"date: {value} raised {outcome!r}"
