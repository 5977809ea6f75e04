"""parse_article: one article file's bytes in, an Article (or a readable error) out."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest

from blog.frontmatter import ArticleError, AuthorRef, NotAnArticle, parse_article

UTC = ZoneInfo("UTC")
MADRID = ZoneInfo("Europe/Madrid")


def parse(text, path="post.md", **options):
    """Parse ``text`` (str is UTF-8 encoded; bytes are passed as they are) in UTC unless told."""
    options.setdefault("tz", UTC)
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_article(data, path, **options)


def article(frontmatter, body="Body text.", path="post.md", **options):
    """Parse a file made of ``frontmatter`` between --- lines, then ``body``."""
    return parse(f"---\n{frontmatter}\n---\n{body}\n", path, **options)


def error_of(text, path="post.md", **options):
    with pytest.raises(ArticleError) as caught:
        parse(text, path, **options)
    return str(caught.value)


# Keys and extra fields


def test_parse_article_reads_keys_case_insensitively():
    post = article("Title: Hello\nTAGS: [a]\nDraft: true\nDescription: About")

    assert (post.title, post.tags, post.is_draft, post.description) == ("Hello", ["a"], True, "About")


def test_parse_article_keeps_unknown_keys_in_extra():
    post = article("title: T\nseries: Intro\nrating: 5\nevent: 2024-05-21\nlinks: [a, b]\nCanonical_URL: https://x.example/a")

    assert post.extra == {
        "series": "Intro",
        "rating": 5,
        "event": "2024-05-21",
        "links": ["a", "b"],
        "Canonical_URL": "https://x.example/a",
    }


def test_parse_article_keeps_a_second_given_alias_in_extra():
    post = article("title: T\ndescription: The description\nsummary: The summary")

    assert post.description == "The description"
    assert post.extra == {"summary": "The summary"}


def test_parse_article_has_empty_extra_when_every_key_is_known():
    post = article("title: T\ndate: 2024-05-21\ntags: [a]\nlang: en")

    assert post.extra == {}


# Scalars kept as written


@pytest.mark.parametrize(
    ("value", "title"),
    [("2024", "2024"), ("yes", "yes"), ("1.10", "1.10")],
)
def test_parse_article_keeps_the_source_text_of_a_scalar_title(value, title):
    assert article(f"title: {value}").title == title


def test_parse_article_keeps_the_source_text_of_scalar_tags():
    assert article("title: T\ntags: [yes, no, 1.10, 2024]").tags == ["yes", "no", "1.10", "2024"]


def test_parse_article_keeps_the_source_text_of_a_scalar_slug():
    assert article("title: T\nslug: 2024").slug == "2024"


# Tags


@pytest.mark.parametrize(
    ("frontmatter", "tags"),
    [
        ('tags: "a, b; c"', ["a", "b", "c"]),
        ("tags:", []),
        ("tags: [a, ~, null, b]", ["a", "b"]),
        ("tags: [Python, python, PYTHON]", ["Python"]),
        ("tags: [IA generativa, ia-generativa, IA Generativa]", ["IA generativa"]),
        ("tags: ['  spaced    out  ']", ["spaced out"]),
    ],
)
def test_parse_article_reads_tags(frontmatter, tags):
    assert article(f"title: T\n{frontmatter}").tags == tags


def test_parse_article_refuses_tags_holding_a_mapping():
    message = error_of("---\ntitle: T\ntags: {a: 1}\n---\nBody\n")

    assert "'tags'" in message


def test_parse_article_refuses_a_tag_longer_than_100_characters():
    message = error_of(f"---\ntitle: T\ntags: [ok, {'x' * 101}]\n---\nBody\n")

    assert "100" in message


def test_parse_article_accepts_a_tag_of_exactly_100_characters():
    assert article(f"title: T\ntags: [{'x' * 100}]").tags == ["x" * 100]


# Titles and descriptions


@pytest.mark.parametrize(
    ("frontmatter", "title", "description"),
    [
        ("title: C&oacute;mo empezar\ndescription: Tom &amp; Jerry", "Cómo empezar", "Tom & Jerry"),
        ("title: '  Two   spaces  '\ndescription: \"line\\n  break\\tand tab\"", "Two spaces", "line break and tab"),
    ],
)
def test_parse_article_decodes_entities_and_collapses_whitespace(frontmatter, title, description):
    post = article(frontmatter)

    assert (post.title, post.description) == (title, description)


def test_parse_article_reads_description_aliases():
    assert article("title: T\nsummary: Short text").description == "Short text"


def test_parse_article_takes_the_title_from_the_first_heading_and_removes_it():
    post = article("date: 2024-05-21", body="# Hello world\n\nFirst paragraph.")

    assert post.title == "Hello world"
    assert post.body == "First paragraph."


def test_parse_article_prefers_an_h1_over_an_earlier_h2():
    post = article("date: 2024-05-21", body="## Intro\n\nText.\n\n# The real title\n\nMore.")

    assert post.title == "The real title"
    assert "The real title" not in post.body
    assert post.body.startswith("## Intro\n\nText.")


def test_parse_article_takes_an_h2_when_there_is_no_h1():
    post = article("date: 2024-05-21", body="Lead.\n\n## Only a section\n\nMore.")

    assert post.title == "Only a section"


@pytest.mark.parametrize(
    "body",
    [
        "```bash\n# not a heading\n```\n\n# Real title\n\nText.",
        "~~~\n# not a heading\n~~~\n\n# Real title\n\nText.",
        # A longer fence shows a shorter one as text; the inner ``` does not close it.
        "````markdown\n```\n# not a heading\n```\n````\n\n# Real title\n\nText.",
    ],
)
def test_parse_article_ignores_headings_inside_code_fences(body):
    assert article("date: 2024-05-21", body=body).title == "Real title"


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("# The **best** [guide](x)", "The best guide"),
        ("# Caf&eacute; <em>time</em>", "Café time"),
    ],
)
def test_parse_article_strips_inline_markdown_from_a_heading_title(heading, title):
    assert article("date: 2024-05-21", body=f"{heading}\n\nText.").title == title


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("2024-05-21-my_first-post.md", "My first post"),
        ("posts/2024-05-21-some-post/index.md", "Some post"),
        ("notes.es.md", "Notes"),
        ("[draft] idea.md", "Idea"),
    ],
)
def test_parse_article_takes_the_title_from_the_file_name_as_a_last_resort(path, title):
    assert parse("Just a paragraph, no heading.\n", path).title == title


def test_parse_article_prefers_the_frontmatter_title_to_a_heading():
    post = article("title: From frontmatter", body="# From heading\n\nText.")

    assert post.title == "From frontmatter"
    assert post.body == "# From heading\n\nText."


# Dates


@pytest.mark.parametrize(
    ("frontmatter", "expected"),
    [
        ("date: 2024-05-21", dt.datetime(2024, 5, 21, tzinfo=UTC)),
        ("date: 2024-05-21T10:30:00+02:00", dt.datetime(2024, 5, 21, 8, 30, tzinfo=UTC)),
        ("date: 2024-05-21T10:30:00Z", dt.datetime(2024, 5, 21, 10, 30, tzinfo=UTC)),
        ("date: '2024-05-21T10:30:00+02:00'", dt.datetime(2024, 5, 21, 8, 30, tzinfo=UTC)),
        ("date: Fri, 05 Apr 2024 10:00:00 GMT", dt.datetime(2024, 4, 5, 10, 0, tzinfo=UTC)),
        ("date: Tue, 05 Mar 2024 10:30:00 +0100", dt.datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
        ("publishDate: 2024-05-21", dt.datetime(2024, 5, 21, tzinfo=UTC)),
        ("pubDate: 2024-05-21T10:30:00Z", dt.datetime(2024, 5, 21, 10, 30, tzinfo=UTC)),
    ],
)
def test_parse_article_reads_publish_date_forms(frontmatter, expected):
    assert article(f"title: T\n{frontmatter}").publish_date == expected


@pytest.mark.parametrize(
    ("frontmatter", "local", "offset_hours"),
    [
        ("date: 2024-05-21", dt.datetime(2024, 5, 21), 2),
        ("date: 2024-05-21 10:30:00", dt.datetime(2024, 5, 21, 10, 30), 2),
        ("date: 2024-05-21T10:30:00", dt.datetime(2024, 5, 21, 10, 30), 2),
    ],
)
def test_parse_article_reads_naive_dates_in_the_given_zone(frontmatter, local, offset_hours):
    publish_date = article(f"title: T\n{frontmatter}", tz=MADRID).publish_date

    assert publish_date == local.replace(tzinfo=MADRID)
    assert publish_date.utcoffset() == dt.timedelta(hours=offset_hours)


def test_parse_article_keeps_the_offset_of_an_aware_date_whatever_the_zone():
    publish_date = article("title: T\ndate: 2024-05-21T10:30:00+00:00", tz=MADRID).publish_date

    assert publish_date == dt.datetime(2024, 5, 21, 10, 30, tzinfo=UTC)


def test_parse_article_reads_naive_dates_as_utc_by_default():
    post = parse_article(b"---\ntitle: T\ndate: 2024-05-21 10:30:00\n---\nBody\n", "post.md")

    assert post.publish_date == dt.datetime(2024, 5, 21, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("frontmatter", "path", "expected"),
    [
        ('date: ""', "post.md", None),
        ("title: T", "2024-05-21-post.md", dt.datetime(2024, 5, 21, tzinfo=UTC)),
        ("title: T", "blog/2024-05-21-post/index.md", dt.datetime(2024, 5, 21, tzinfo=UTC)),
        ("title: T", "2025-10-7-x/index.md", dt.datetime(2025, 10, 7, tzinfo=UTC)),
        ('date: ""', "2024-05-21-post.md", dt.datetime(2024, 5, 21, tzinfo=UTC)),
    ],
)
def test_parse_article_falls_back_to_the_date_in_the_path(frontmatter, path, expected):
    assert article(frontmatter, path=path).publish_date == expected


def test_parse_article_reads_a_path_date_in_the_given_zone():
    publish_date = parse("Text.\n", "2024-05-21-post.md", tz=MADRID).publish_date

    assert publish_date == dt.datetime(2024, 5, 21, tzinfo=MADRID)


@pytest.mark.parametrize("value", ["next tuesday", "2024-13-45"])
def test_parse_article_refuses_an_invalid_date_naming_the_field(value):
    message = error_of(f"---\ntitle: T\ndate: {value}\n---\nBody\n")

    assert "'date'" in message


@pytest.mark.parametrize(
    ("frontmatter", "expected"),
    [
        ("lastmod: 2024-06-01", dt.datetime(2024, 6, 1, tzinfo=UTC)),
        ("updated: 2024-06-01T08:00:00+02:00", dt.datetime(2024, 6, 1, 6, 0, tzinfo=UTC)),
    ],
)
def test_parse_article_reads_the_updated_date(frontmatter, expected):
    assert article(frontmatter).updated_date == expected


# Drafts


@pytest.mark.parametrize(
    ("frontmatter", "path", "in_drafts_folder", "is_draft"),
    [
        ("draft: true", "post.md", False, True),
        ("published: false", "post.md", False, True),
        ("status: draft", "post.md", False, True),
        ("title: T", "[draft] idea.md", False, True),
        ("title: T", "post.md", True, True),
        ("draft: false", "post.md", False, False),
        ("status: published", "post.md", False, False),
        ("title: T", "post.md", False, False),
    ],
)
def test_parse_article_decides_whether_it_is_a_draft(frontmatter, path, in_drafts_folder, is_draft):
    assert article(frontmatter, path=path, in_drafts_folder=in_drafts_folder).is_draft is is_draft


def test_parse_article_refuses_a_draft_value_that_is_not_true_or_false():
    message = error_of("---\ntitle: T\ndraft: maybe\n---\nBody\n")

    assert "'draft'" in message


# Slugs and identity


@pytest.mark.parametrize(
    ("frontmatter", "slug", "import_key"),
    [
        ("slug: /2024/11/20/My-Post", "my-post", "slug:my-post"),
        ("id: 42\nslug: my-post", "my-post", "id:42"),
        ("id: post-007", "", "id:post-007"),
        ("id: 007", "", "id:007"),
        ("title: T", "", "path:posts/hello.es.md"),
    ],
)
def test_parse_article_sets_the_slug_and_import_key(frontmatter, slug, import_key):
    post = article(frontmatter, path="posts/hello.es.md")

    assert (post.slug, post.import_key) == (slug, import_key)


# Authors


@pytest.mark.parametrize(
    ("frontmatter", "keys"),
    [
        ("authors: [ana, bea]", ["ana", "bea"]),
        ("author: Ana Pérez", ["Ana Pérez"]),
        ('author: "Ana, Bea; Carl"', ["Ana", "Bea", "Carl"]),
        ("authors:", []),
    ],
)
def test_parse_article_reads_authors(frontmatter, keys):
    authors = article(frontmatter).authors

    assert [author.key for author in authors] == keys
    assert all(author.profile == {} for author in authors)


@pytest.mark.parametrize(
    "frontmatter",
    [
        "authors: [{name: Ana, title: Editor, url: https://ana.example}]",
        "author: {name: Ana, title: Editor, url: https://ana.example}",
    ],
)
def test_parse_article_reads_an_inline_author_profile(frontmatter):
    assert article(frontmatter).authors == [
        AuthorRef(key="Ana", profile={"name": "Ana", "title": "Editor", "url": "https://ana.example"})
    ]


def test_parse_article_folds_legacy_author_keys_into_the_profile():
    post = article("author: Ana\nauthor_url: https://ana.example\nauthor_title: Editor\nauthor_image_url: /img/ana.png")

    assert post.authors == [
        AuthorRef(key="Ana", profile={"url": "https://ana.example", "title": "Editor", "image_url": "/img/ana.png"})
    ]
    assert post.extra == {}


# Language


@pytest.mark.parametrize(
    ("frontmatter", "path", "language"),
    [
        ("lang: es", "post.md", "es"),
        ("language: FR", "post.md", "fr"),
        ("locale: pt_BR", "post.md", "pt-br"),
        ("title: T", "posts/hello.es.md", "es"),
        ("title: T", "es/post.md", "es"),
        ("title: T", "content/zh-hans/post.md", "zh-hans"),
    ],
)
def test_parse_article_decides_the_language(frontmatter, path, language):
    assert article(frontmatter, path=path).language == language


def test_parse_article_uses_the_default_language_when_nothing_says_otherwise():
    assert article("title: T", path="post.md", default_language="ca").language == "ca"


def test_parse_article_refuses_a_language_that_is_not_a_code():
    message = error_of('---\ntitle: T\nlang: "not a code!"\n---\nBody\n')

    assert "'lang'" in message


# Real-world files


def test_parse_article_reads_crlf_line_endings():
    post = parse("---\r\ntitle: Windows\r\ntags: [a, b]\r\n---\r\nLine one.\r\nLine two.\r\n")

    assert (post.title, post.tags, post.body) == ("Windows", ["a", "b"], "Line one.\nLine two.")


def test_parse_article_reads_a_file_with_a_utf8_bom():
    post = parse(b"\xef\xbb\xbf---\ntitle: With BOM\n---\nText.\n")

    assert (post.title, post.body) == ("With BOM", "Text.")


def test_parse_article_accepts_trailing_spaces_on_the_delimiters():
    post = parse("---  \ntitle: Spaced\n--- \t\nText.\n")

    assert (post.title, post.body) == ("Spaced", "Text.")


def test_parse_article_keeps_horizontal_rules_in_the_body():
    post = parse("---\ntitle: Rules\n---\nIntro.\n\n---\n\nMore.\n\n---\n")

    assert post.body == "Intro.\n\n---\n\nMore.\n\n---"


def test_parse_article_reads_a_file_without_frontmatter():
    post = parse("# Plain file\n\nJust Markdown.\n", "plain.md")

    assert (post.title, post.body, post.extra, post.tags) == ("Plain file", "Just Markdown.", {}, [])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_parse_article_decodes_utf16_with_a_bom(encoding):
    data = "\ufeff---\ntitle: Título\n---\nCuerpo.\n".encode(encoding)

    post = parse(data)

    assert (post.title, post.body) == ("Título", "Cuerpo.")


# Files that cannot be imported


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: ok\ntitle2: a: b\n---\nBody\n",
        "---\ntitle: ok\n\tindented: 1\n---\nBody\n",
        # The construct opened on line 3 is never closed: line 3 is where to look.
        '---\ntitle: ok\nx: "unclosed\n---\nBody\n',
        "---\ntitle: ok\nx: [a, b\n---\nBody\n",
    ],
)
def test_parse_article_names_the_file_line_of_broken_yaml(text):
    message = error_of(text)

    assert "YAML" in message
    assert "line 3" in message


@pytest.mark.parametrize("frontmatter", ["- a\n- b", "just some text"])
def test_parse_article_refuses_frontmatter_that_is_not_a_mapping(frontmatter):
    assert "mapping" in error_of(f"---\n{frontmatter}\n---\nBody\n")


def test_parse_article_refuses_unclosed_frontmatter():
    message = error_of("---\ntitle: Never closed\n\nBody text.\n")

    assert "never closed" in message
    assert "---" in message


def test_parse_article_refuses_invalid_utf8_naming_the_line():
    message = error_of(b"---\ntitle: T\n---\nline four \xff here\n")

    assert "UTF-8" in message
    assert "line 4" in message


def test_parse_article_refuses_a_binary_file():
    message = error_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    assert "binary" in message


@pytest.mark.parametrize(
    "value",
    ['!!python/object/apply:os.system ["touch {marker}"]', "!!python/name:os.system"],
)
def test_parse_article_refuses_python_yaml_tags_without_running_them(value, tmp_path):
    marker = tmp_path / "executed"

    message = error_of(f"---\ntitle: T\nx: {value.format(marker=marker)}\n---\nBody\n")

    assert "not allowed" in message
    assert "python" in message
    assert not marker.exists()


def test_parse_article_refuses_keys_that_differ_only_in_case():
    message = error_of("---\ntitle: One\nTitle: Two\n---\nBody\n")

    assert "'title'" in message
    assert "twice" in message


def test_parse_article_refuses_a_file_over_max_bytes():
    data = b"---\ntitle: Big\n---\n" + b"x" * 2_200_000

    message = error_of(data, max_bytes=1_048_576)

    assert "limit" in message
    assert "1.0 MB" in message


def test_parse_article_states_a_small_size_limit_exactly():
    message = error_of(b"x" * 600, max_bytes=500)

    assert "500" in message


def test_parse_article_accepts_a_file_of_exactly_max_bytes():
    data = b"# Fits\n\nText."

    assert parse(data, max_bytes=len(data)).title == "Fits"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t  \n",
        "<!-- nothing here -->\n\n<!-- nor here -->\n",
        "---\ntitle: Only frontmatter\n---\n",
        "---\ntitle: Only a comment\n---\n<!-- todo -->\n",
    ],
)
def test_parse_article_skips_files_that_hold_no_article(text):
    with pytest.raises(NotAnArticle):
        parse(text)


# Cover image


@pytest.mark.parametrize(
    ("frontmatter", "cover"),
    [
        ("image: /img/a.png", "/img/a.png"),
        ("cover: /img/b.png", "/img/b.png"),
        ("images: [/img/a.png, /img/b.png]", "/img/a.png"),
    ],
)
def test_parse_article_reads_the_cover_image(frontmatter, cover):
    assert article(frontmatter).cover_image == cover


# Identity of the source


def test_parse_article_hashes_the_source_bytes():
    data = b"---\ntitle: Hashed\n---\nBody\n"

    assert parse(data).source_hash == hashlib.sha256(data).hexdigest()


def test_parse_article_gives_identical_articles_for_identical_bytes():
    data = b"---\ntitle: Same\ndate: 2024-05-21\ntags: [a, b]\nauthor: Ana\nextra_key: 1\n---\nBody\n"

    assert parse(data, "a/post.md") == parse(data, "a/post.md")


# Other frontmatter dialects


def test_parse_article_reads_docusaurus_tag_objects_by_label():
    post = article("title: T\ntags:\n  - label: Kubernetes\n    permalink: /k8s\n  - plain")

    assert post.tags == ["Kubernetes", "plain"]


def test_parse_article_refuses_a_tag_object_without_label():
    message = error_of("---\ntitle: T\ntags:\n  - permalink: /k8s\n---\nBody\n")

    assert "'tags'" in message and "label" in message


def test_parse_article_reads_hugo_toml_frontmatter():
    post = parse("+++\ntitle = 'Hugo post'\ndate = 2024-01-02T03:04:05Z\ntags = ['a', 'b']\ndraft = true\n+++\nBody\n")

    assert (post.title, post.tags, post.is_draft) == ("Hugo post", ["a", "b"], True)
    assert post.publish_date == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def test_parse_article_names_broken_toml():
    message = error_of("+++\ntitle = 'unclosed\n+++\nBody\n")

    assert "TOML" in message


def test_parse_article_reads_pelican_metadata_lines():
    post = parse(
        "Title: My super title\nDate: 2010-12-03 10:20\nModified: 2010-12-05 19:30\nCategory: Python\n"
        "Tags: pelican, publishing\nSlug: my-super-post\nAuthors: Alexis Métaireau, Conan Doyle\n"
        "Summary: Short version\n  for index and feeds\nStatus: draft\n\nThe content.\n"
    )

    assert (post.title, post.slug, post.description) == ("My super title", "my-super-post", "Short version for index and feeds")
    assert post.publish_date == dt.datetime(2010, 12, 3, 10, 20, tzinfo=UTC)
    assert post.updated_date == dt.datetime(2010, 12, 5, 19, 30, tzinfo=UTC)
    assert post.tags == ["pelican", "publishing"]
    assert [ref.key for ref in post.authors] == ["Alexis Métaireau", "Conan Doyle"]
    assert post.is_draft is True
    assert post.extra == {"Category": "Python"}
    assert post.body == "The content."


def test_parse_article_does_not_take_ordinary_text_for_pelican_metadata():
    post = parse("Note: this line is prose.\nTitle: not metadata either\n\nBody.\n", path="note.md")

    assert post.title == "Note"
    assert post.body.startswith("Note: this line is prose.")


def test_parse_article_keeps_commas_inside_a_listed_tag():
    post = article('title: T\ntags: ["Ships, boats", "plain"]')

    assert post.tags == ["Ships, boats", "plain"]


def test_parse_article_refuses_a_yaml_alias_bomb_quickly():
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join(['*' + previous] * 9)}]")
    message = error_of("---\ntitle: Bomb\n" + "\n".join(lines) + "\n---\nBody\n")

    assert "aliases" in message


@pytest.mark.parametrize("depth", [60, 5000])
def test_parse_article_refuses_deeply_nested_frontmatter(depth):
    message = error_of("---\ntitle: Deep\nx: " + "[" * depth + "]" * depth + "\n---\nBody\n")

    assert "nest" in message
