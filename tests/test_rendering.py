"""Specifications for blog.rendering: Markdown in, sanitised HTML, excerpt and contents out (no database)."""

import re
import textwrap
from html.parser import HTMLParser

import hypothesis
import pytest
from hypothesis import strategies as st

from blog import rendering
from blog.rendering import Rendered, convert_docusaurus_admonitions, render, render_markdown, shorten


def md(text):
    return textwrap.dedent(text).strip("\n") + "\n"


class _UrlCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value or "" for name, value in attrs if name in ("href", "src", "srcset")]


def urls_as_browser_reads_them(html):
    """Every href/src/srcset in ``html``, entities decoded and blanks dropped, as a browser resolves them."""
    collector = _UrlCollector()
    collector.feed(html)
    return [re.sub(r"[\x00-\x20]", "", url).lower() for url in collector.urls]


# --- Markdown features --------------------------------------------------------


def test_render_table_becomes_html_table_with_alignment_attributes():
    html = render(md("""
        | Name | Score |
        |:-----|------:|
        | Ana  | 10    |
    """)).html

    assert "<table tabindex=\"0\">" in html
    assert '<th align="left">Name</th>' in html
    assert '<td align="right">10</td>' in html
    assert "style=" not in html


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("python", "def greet():\n    return 1", '<span class="k">def</span>'),
        ("javascript", "const greet = () => 1;", '<span class="kd">const</span>'),
    ],
)
def test_render_fenced_code_is_highlighted_with_css_classes(language, source, expected):
    html = render(f"```{language}\n{source}\n```\n").html

    assert f'<div class="language-{language} highlight"><pre tabindex=\"0\">' in html
    assert expected in html
    assert "style=" not in html


def test_render_fenced_code_keeps_markup_in_code_escaped():
    html = render("```html\n<script>alert(1)</script>\n```\n").html

    assert "&lt;" in html
    assert "<script" not in html


def test_render_footnotes_link_reference_and_note():
    html = render("Claim.[^src]\n\n[^src]: The source.\n").html

    assert '<a class="footnote-ref" href="#fn:src">1</a>' in html
    assert '<li id="fn:src">' in html
    assert "The source." in html
    assert 'href="#fnref:src"' in html


def test_render_headings_get_ids_and_appear_in_toc_in_order():
    rendered = render(md("""
        # Guía

        ## ¿Qué es?

        ### Detalles
    """))

    assert '<h2 id="que-es">¿Qué es?</h2>' in rendered.html
    assert rendered.toc == [
        {"level": 1, "id": "guia", "name": "Guía"},
        {"level": 2, "id": "que-es", "name": "¿Qué es?"},
        {"level": 3, "id": "detalles", "name": "Detalles"},
    ]


def test_render_japanese_heading_keeps_its_letters_in_id():
    rendered = render("## 日本語の見出し\n")

    assert '<h2 id="日本語の見出し">' in rendered.html
    assert rendered.toc[0]["id"] == "日本語の見出し"


def test_render_duplicate_headings_get_unique_ids():
    rendered = render("## Intro\n\n## Intro\n\n## !!!\n\n## ???\n")
    ids = [entry["id"] for entry in rendered.toc]

    assert len(set(ids)) == 4
    assert ids[:2] == ["intro", "intro_1"]
    assert all(f'id="{heading_id}"' in rendered.html for heading_id in ids)


def test_render_toc_name_is_plain_text():
    rendered = render("## Fish &amp; *chips*\n")

    assert rendered.toc == [{"level": 2, "id": "fish-chips", "name": "Fish & chips"}]


def test_render_custom_heading_id_is_kept():
    assert '<h2 id="custom">Title</h2>' in render("## Title {#custom}\n").html


def test_render_task_list_becomes_disabled_checkboxes():
    html = render("- [x] done\n- [ ] todo\n").html

    assert '<ul class="task-list">' in html
    assert re.search(r'<input type="checkbox" disabled checked>\s*done', html)
    assert re.search(r'<input type="checkbox" disabled>\s*todo', html)


def test_render_python_markdown_admonition_with_nested_code():
    html = render(md("""
        !!! warning "Mind the gap"
            Body text.

            ```python
            x = 1
            ```
    """)).html

    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Mind the gap</p>' in html
    assert '<div class="language-python highlight">' in html


@pytest.mark.parametrize("kind", ["note", "tip", "info", "warning", "danger", "caution"])
def test_render_docusaurus_admonition_without_title_uses_type_name(kind):
    html = render(f":::{kind}\nBe **careful**.\n:::\n").html

    assert f'<div class="admonition {kind}">' in html
    assert f'<p class="admonition-title">{kind.title()}</p>' in html
    assert "<p>Be <strong>careful</strong>.</p>" in html
    assert ":::" not in html


@pytest.mark.parametrize("header", [":::tip[Pro tip]", ":::tip Pro tip", "::: tip Pro tip"])
def test_render_docusaurus_admonition_with_title(header):
    html = render(f"Before.\n{header}\nInside.\n:::\nAfter.\n").html

    assert '<div class="admonition tip">\n<p class="admonition-title">Pro tip</p>\n<p>Inside.</p>\n</div>' in html
    assert "<p>Before.</p>" in html
    assert "<p>After.</p>" in html


def test_render_docusaurus_admonitions_nest_with_more_colons():
    html = render(md("""
        ::::info Outer
        Outer text.
        :::danger
        Inner text.
        :::
        Outer again.
        ::::
    """)).html

    outer = html.index('<div class="admonition info">')
    inner = html.index('<div class="admonition danger">')
    assert outer < inner < html.index("<p>Outer again.</p>")
    assert html.count("</div>") == 2


def test_render_docusaurus_syntax_inside_code_fence_is_left_alone():
    html = render("````md\n:::note\nshown as code\n:::\n````\n").html

    assert "admonition" not in html
    assert ":::note\nshown as code\n:::" in html


def test_render_fenced_code_inside_docusaurus_admonition_keeps_its_colons():
    html = render(md("""
        :::note
        ```bash
        echo done
        :::
        ```
        :::
    """)).html

    assert '<div class="admonition note">' in html
    assert '<div class="language-bash highlight">' in html
    assert "\n:::\n</code>" in html


def test_render_docusaurus_admonition_inside_list_item():
    html = render("1. Step\n\n    :::tip\n    Inside.\n    :::\n\n2. Next\n").html

    assert re.search(r'<li>\s*<p>Step</p>\s*<div class="admonition tip">', html)


def test_convert_docusaurus_admonitions_leaves_unknown_directives_and_their_close():
    lines = [":::details Summary", "text", ":::", ":::note", "n", ":::"]

    converted = convert_docusaurus_admonitions(lines)

    assert converted[:3] == [":::details Summary", "text", ":::"]
    assert [line for line in converted[3:] if line] == ["/// note", "n", "///"]


def test_render_aside_with_markdown_attribute_renders_markdown_inside():
    html = render('<aside markdown="1">\n**bold** and [link](/guide)\n</aside>\n').html

    assert '<aside>\n<p><strong>bold</strong> and <a href="/guide">link</a></p>\n</aside>' in html
    assert "markdown=" not in html


def test_render_strikethrough_becomes_del():
    assert "<del>old</del>" in render("~~old~~ new\n").html


# --- Excerpt ------------------------------------------------------------------


TRUNCATE_MARKERS = ["<!-- truncate -->", "<!--truncate-->", "<!--   TRUNCATE  -->", "<!-- Truncate\t-->"]


@pytest.mark.parametrize("marker", TRUNCATE_MARKERS)
def test_excerpt_is_plain_text_before_truncate_marker(marker):
    rendered = render(f"First *paragraph*.\n\nSecond &amp; last.\n\n{marker}\n\nHidden from lists.\n")

    assert rendered.excerpt == "First paragraph. Second & last."
    assert "<!--" not in rendered.html
    assert "Hidden from lists." in rendered.html


def test_excerpt_marker_inside_code_fence_is_not_a_marker():
    rendered = render("Opening words.\n\n```html\n<!-- truncate -->\n```\n\nClosing words.\n")

    assert rendered.excerpt == "Opening words. Closing words."
    assert "&lt;!-- truncate --&gt;" in rendered.html


def test_excerpt_leaves_out_footnote_numbers():
    assert render("A claim.[^1]\n\n<!-- truncate -->\n\n[^1]: Source.\n").excerpt == "A claim."


def test_excerpt_without_marker_prefers_paragraphs_over_headings_code_and_tables():
    rendered = render(md("""
        # Big title

        :::note Heads up
        Admonition body.
        :::

        ```python
        print("code")
        ```

        | a | b |
        |---|---|
        | 1 | 2 |

        The   opening&nbsp;paragraph.
    """))

    assert rendered.excerpt == "Admonition body. The opening paragraph."


def test_excerpt_without_marker_is_cut_at_word_boundary():
    long_paragraph = " ".join(["palabra"] * 80)

    excerpt = render(f"Short start.\n\n{long_paragraph}\n\nNever reached.\n").excerpt

    assert excerpt.startswith("Short start. palabra")
    assert excerpt.endswith("palabra…")
    assert len(excerpt) <= rendering.EXCERPT_LENGTH + 1
    assert "Never reached" not in excerpt


def test_excerpt_without_marker_keeps_short_text_whole():
    assert render("One.\n\nTwo.\n").excerpt == "One. Two."


def test_excerpt_falls_back_to_list_text_when_there_are_no_paragraphs():
    assert render("- first\n- second\n").excerpt == "first second"


def test_shorten_cuts_text_without_spaces_at_the_limit():
    assert shorten("日本語" * 10, limit=7) == "日本語日本語日…"


def test_render_comments_never_reach_html_or_excerpt():
    rendered = render("<!-- editor's secret -->\n\nVisible <!-- inline secret --> text.\n")

    assert "secret" not in rendered.html
    assert "secret" not in rendered.excerpt
    assert rendered.excerpt == "Visible text."


# --- Sanitising ---------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<SCRIPT type='text/javascript'>alert(1)</SCRIPT>",
        "<p>before<script>alert(1)</script>after</p>",
        "<style>body{background:url(alert(1))}</style>",
        "<svg><script>alert(1)</script></svg>",
        "<noscript><p>alert(1)</p></noscript>",
        "<textarea>alert(1)</textarea>",
    ],
)
def test_sanitise_removes_script_and_style_with_their_content(payload):
    rendered = render(payload)

    assert "alert" not in rendered.html
    assert "alert" not in rendered.excerpt
    assert "<script" not in rendered.html.lower()
    assert "<style" not in rendered.html.lower()


@pytest.mark.parametrize(
    "payload",
    [
        '<img src="/a.png" onerror="alert(1)">',
        '<p onclick="alert(1)">text</p>',
        '<a href="/x" onmouseover="alert(1)">x</a>',
        "<details ontoggle=alert(1) open><summary>s</summary></details>",
    ],
)
def test_sanitise_removes_event_handlers(payload):
    html = render(payload).html

    assert not re.search(r"\son\w+=", html)
    assert "alert" not in html


DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
DANGEROUS_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "jav&#9;ascript:alert(1)",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:image/svg+xml,<svg onload=alert(1)>",
]


@pytest.mark.parametrize("url", DANGEROUS_URLS)
def test_sanitise_removes_dangerous_link_urls(url):
    html = render(f'<a href="{url}">click</a>').html

    assert not [u for u in urls_as_browser_reads_them(html) if u.startswith(DANGEROUS_SCHEMES)]
    assert "click" in html


@pytest.mark.parametrize("url", DANGEROUS_URLS)
def test_sanitise_removes_dangerous_image_urls(url):
    html = render(f'<img src="{url}" alt="pic">').html

    assert not [u for u in urls_as_browser_reads_them(html) if u.startswith(DANGEROUS_SCHEMES)]
    assert 'alt="pic"' in html


def test_sanitise_dangerous_url_check_sees_what_a_browser_sees():
    assert urls_as_browser_reads_them('<a href="jav&#x09;aScript&#58;x">') == ["javascript:x"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x"])
def test_sanitise_removes_dangerous_markdown_link_and_image_urls(url):
    html = render(f"[click]({url}) ![pic]({url})\n").html

    assert "href" not in html
    assert "src=" not in html


def test_sanitise_removes_dangerous_srcset_and_keeps_safe_one():
    html = render('<img src="/a.png" srcset="javascript:alert(1) 2x"> <img src="/b.png" srcset="/b@2x.png 2x">').html

    assert "javascript" not in html
    assert 'srcset="/b@2x.png 2x"' in html


@pytest.mark.parametrize("url", ["/relative/page", "../up", "#section", "mailto:ana@example.com", "https://example.com/"])
def test_sanitise_keeps_safe_link_urls(url):
    assert f'href="{url}"' in render(f'<a href="{url}">ok</a>').html


@pytest.mark.parametrize("href", ["https://example.com/post", "http://example.com", "//example.com/x"])
def test_sanitise_external_links_get_noopener_noreferrer(href):
    html = render(f"[out]({href})\n").html

    assert f'<a href="{href}" rel="noopener noreferrer">out</a>' in html


def test_sanitise_external_link_keeps_author_rel_but_not_opener():
    html = render('<a href="https://example.com" rel="nofollow opener">x</a>').html

    assert 'rel="nofollow noopener noreferrer"' in html


@pytest.mark.parametrize("href", ["/blog/other-post/", "#fn:1", "mailto:ana@example.com"])
def test_sanitise_internal_links_stay_as_written(href):
    assert f'<a href="{href}">in</a>' in render(f"[in]({href})\n").html


def test_sanitise_images_load_lazily_unless_author_says_otherwise():
    html = render('![Cat](/media/cat.png "A cat")\n\n<img src="/hero.png" alt="Hero" loading="eager">\n').html

    assert '<img alt="Cat" src="/media/cat.png" title="A cat" loading="lazy">' in html
    assert 'loading="eager"' in html


@pytest.mark.parametrize(
    "src",
    [
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://player.vimeo.com/video/76979871",
        "https://codesandbox.io/embed/new",
        "https://replit.com/@user/repl?embed=true",
    ],
)
def test_sanitise_keeps_iframes_from_embed_hosts(src):
    html = render(
        f'<iframe src="{src}" width="560" height="315" title="Video" allowfullscreen onload="alert(1)" '
        f'style="border:0">fallback</iframe>\n'
    ).html

    assert f'<iframe src="{src}" width="560" height="315" title="Video" allowfullscreen=""></iframe>' in html


@pytest.mark.parametrize(
    "iframe",
    [
        '<iframe src="https://evil.example/embed"></iframe>',
        '<iframe src="http://www.youtube.com/embed/x"></iframe>',
        '<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>',
        '<iframe src="https://www.youtube.com@evil.example/embed/x"></iframe>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe src="//www.youtube.com/embed/x"></iframe>',
        '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
        '<iframe src="https://www.youtube.com/embed/x" srcdoc="<p>hi</p>"></iframe>',
        "<iframe>no source</iframe>",
    ],
)
def test_sanitise_removes_other_iframes_entirely(iframe):
    html = render(f"{iframe}\n\nAfter.\n").html

    assert "iframe" not in html
    assert "srcdoc" not in html
    assert "<p>After.</p>" in html


def test_sanitise_removes_forms_and_their_controls_but_keeps_checkboxes():
    html = render(md("""
        <form action="https://evil.example/steal" method="post">
        <label>Password</label><input type="password" name="pw"><button>Send</button>
        <select><option>Choose</option></select>
        </form>

        <input type="text" value="typed"> <input type="CHECKBOX" checked>
    """)).html

    for gone in ("<form", "Password", "Send", "Choose", "typed", 'type="text"', "<button", "<select"):
        assert gone not in html
    assert '<input type="checkbox" checked disabled>' in html


@pytest.mark.parametrize(
    "payload",
    [
        '<base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<object data="https://evil.example/x.swf"><p>fallback</p></object>',
        '<embed src="https://evil.example/x.swf">',
    ],
)
def test_sanitise_removes_document_level_and_plugin_tags(payload):
    html = render(f"{payload}\n\nBody.\n").html

    assert "evil.example" not in html
    assert "fallback" not in html
    assert "<p>Body.</p>" in html


def test_sanitise_removes_style_attributes():
    html = render('<p style="position:fixed;top:0">Styled</p>\n').html

    assert html == "<p>Styled</p>"


def test_sanitise_keeps_harmless_raw_html():
    html = render(md("""
        <details open>
        <summary>More</summary>
        Hidden text.
        </details>

        <table><tr><th scope="col" colspan="2">Head</th></tr></table>

        <aside class="callout">Aside text</aside>

        <p><kbd>Ctrl</kbd>+<kbd>C</kbd> <mark>marked</mark> <abbr title="HyperText">HTML</abbr></p>
    """)).html

    assert "<details open>\n<summary>More</summary>\nHidden text.\n</details>" in html
    assert '<th scope="col" colspan="2">Head</th>' in html
    assert '<aside class="callout">Aside text</aside>' in html
    assert '<kbd>Ctrl</kbd>+<kbd>C</kbd> <mark>marked</mark> <abbr title="HyperText">HTML</abbr>' in html


def test_sanitise_escapes_stray_angle_brackets():
    html = render("if a < b and c > d: <notatag>\n").html

    assert "a &lt; b" in html
    assert "<notatag>" not in html


# --- Robustness and interface -------------------------------------------------


@pytest.mark.parametrize("text", ["", None, "   \n\t\n"])
def test_render_empty_input_gives_empty_result(text):
    assert render(text) == Rendered(html="", excerpt="", toc=[])


@pytest.mark.parametrize(
    "text",
    [
        b"**bytes** \xff\xfe\x00 ok",
        "nul\x00 stx\x02 etx\x03 bell\x07 text",
        "lone surrogate \ud800 here",
        "<div><p><table><td><b><i>unbalanced",
        "</div></p></aside>",
        "[unclosed](",
        "```\nunclosed fence",
        ":::note\nunclosed admonition",
        "- " * 2000 + "deep",
        ">" * 2000 + " deep",
        "<div>" * 3000 + "deep",
        ("Word " * 20 + "\n\n") * 5000,
    ],
)
def test_render_never_raises(text):
    rendered = render(text)

    assert isinstance(rendered.html, str)
    assert isinstance(rendered.excerpt, str)
    assert rendered.html.encode("utf-8")
    assert "\x00" not in rendered.html


def test_render_falls_back_to_escaped_text_when_markdown_fails(monkeypatch):
    def broken(text):
        raise RecursionError("too deep")

    monkeypatch.setattr(rendering, "_markdown_to_html", broken)

    rendered = render("<b>bold</b> & more\n\nSecond")

    assert rendered.html == "<p>&lt;b&gt;bold&lt;/b&gt; &amp; more</p>\n<p>Second</p>"
    assert rendered.excerpt == "<b>bold</b> & more Second"


def test_render_recovers_after_a_document_that_breaks_markdown():
    render("- " * 2000 + "deep")

    assert render("Some *text*.\n").html == "<p>Some <em>text</em>.</p>"


def test_render_does_not_leak_state_between_documents():
    render("## Intro\n\nText.[^1]\n\n[^1]: Note.\n")

    rendered = render("## Intro\n\nPlain.\n")

    assert rendered.toc == [{"level": 2, "id": "intro", "name": "Intro"}]
    assert "footnote" not in rendered.html


def test_render_markdown_returns_the_html_of_render():
    text = "# Title\n\nSome *text*.\n"

    assert render_markdown(text) == render(text).html == '<h1 id="title">Title</h1>\n<p>Some <em>text</em>.</p>'


def test_render_task_list_checkbox_is_labelled_by_its_text():
    html = render_markdown("- [x] Write the draft\n- [ ] Review it\n")

    assert '<label class="task-list-label"><input type="checkbox" disabled checked> Write the draft</label>' in html
    assert '<label class="task-list-label"><input type="checkbox" disabled> Review it</label>' in html


def test_render_raw_checkboxes_each_get_their_own_label():
    html = render_markdown('<p><input type="checkbox" checked> one<br><input type="checkbox"> two</p>')

    assert html.count("<label") == 2
    assert "one</label><br>" in html


@pytest.mark.parametrize("markdown", ["```\ncode\n```", "| a |\n|---|\n| 1 |"])
def test_render_scrolling_blocks_are_reachable_by_keyboard(markdown):
    assert 'tabindex="0"' in render_markdown(markdown)


def test_render_drops_author_tabindex():
    assert "tabindex" not in render_markdown('<p tabindex="5">text</p>')


# --- Highlighted code set aside from bleach ------------------------------------------
#
# render() keeps Pygments' blocks out of bleach's parse and puts them back in their
# sanitised form (see "Highlighted code" in blog/rendering.py). These check that it
# gives exactly what bleach gives with the blocks left in, wherever a block lands.


def render_through_bleach_alone(text, monkeypatch):
    """render() with nothing set aside: the whole body goes through bleach."""
    with monkeypatch.context() as patched:
        patched.setattr(rendering._SetAsideHighlighted, "run", lambda self, text: text)
        return render(text)


CODE = "```python\nx = '<b>' & \"q\"  # ünïcode \u00a0 tab\t\n```\n"
SET_ASIDE_CASES = {
    "top level": CODE,
    "two blocks and prose": "Intro *text*.\n\n" + CODE + "\nMiddle.\n\n```js\nlet y = `<i>`;\n```\n",
    "in a list item": "- item\n\n    ```bash\n    echo \"$HOME\" > /dev/null\n    ```\n",
    "in an admonition": ":::note[Title]\n\n" + CODE + "\n:::\n",
    "in a footnote": "Text.[^1]\n\n[^1]: Note.\n\n    ```python\n    x = 1\n    ```\n",
    "in a quote": "> quoted\n>\n> ```sql\n> SELECT 1;\n> ```\n",
    "after an unclosed bold": "<b>open\n\n" + CODE,
    "after an unclosed paragraph and link": '<p><a href="https://example.com">open\n\n' + CODE,
    "inside a raw table": "<table><tr>\n\n" + CODE + "\n</tr></table>\n",
    "inside a raw script": "<script>\n\n" + CODE + "\n</script>\n",
    "inside an attribute": '<div title="\n\n' + CODE + '\n">x</div>\n',
    "inside a textarea": "<textarea>\n\n" + CODE + "\n</textarea>\n",
    "before the truncate marker": CODE + "\n<!-- truncate -->\n\nAfter.\n",
    "indented code": "Para.\n\n    plain <code> & stuff\n\nAfter.\n",
    "unknown language": "```nosuchlang\n<x> & y\n```\n",
    "a forged placeholder": "<div>tintacode0123456789abcdefn0x</div>\n\n" + CODE,
    "a task list around code": "- [ ] task\n\n    ```python\n    x = 1\n    ```\n- [x] done\n",
    "code in a details block": "<details markdown=\"1\"><summary>More</summary>\n\n" + CODE + "\n</details>\n",
}


@pytest.mark.parametrize("text", SET_ASIDE_CASES.values(), ids=SET_ASIDE_CASES.keys())
def test_render_with_code_set_aside_gives_what_bleach_gives(text, monkeypatch):
    assert render(text) == render_through_bleach_alone(text, monkeypatch)


def test_render_sets_plain_highlighted_blocks_aside(monkeypatch):
    put_back = []
    original = rendering._sanitised_block
    monkeypatch.setattr(rendering, "_sanitised_block", lambda block: put_back.append(block) or original(block))

    html = render("Intro.\n\n" + CODE + "\n- item\n\n    ```bash\n    ls\n    ```\n").html

    assert len(put_back) == 2
    assert html.count('<pre tabindex="0">') == 2


def test_render_does_not_put_a_block_back_where_bleach_would_build_other_elements(monkeypatch):
    put_back = []
    monkeypatch.setattr(rendering, "_sanitised_block", lambda block: put_back.append(block) or block)

    render(SET_ASIDE_CASES["after an unclosed bold"])

    assert put_back == []


def test_render_forged_placeholder_stays_text():
    html = render(SET_ASIDE_CASES["a forged placeholder"]).html

    assert "<div>tintacode0123456789abcdefn0x</div>" in html
    assert html.count("<pre") == 1


_AROUND = ["", "<b>", "</b>", "<p>", "<table>", "<tr>", "<td>", "<a href='x'>", "</div>", "<div>", '<div markdown="1">',
           "<ul><li>", "- ", "> ", "1. ", ":::note", ":::", "<!--", "-->", "<select>", "<pre>", "<span>", "<i>", "\n"]


@hypothesis.settings(max_examples=150, derandomize=True, database=None, deadline=None)
@hypothesis.given(
    before=st.lists(st.sampled_from(_AROUND), max_size=4).map("".join),
    after=st.lists(st.sampled_from(_AROUND), max_size=4).map("".join),
    language=st.sampled_from(["python", "html", "js", "yaml", "", "text", "nope"]),
    code=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80),
)
def test_render_with_code_set_aside_gives_what_bleach_gives_whatever_surrounds_it(before, after, language, code):
    text = f"{before}\n\n```{language}\n{code.replace('`', '')}\n```\n\n{after}\n"
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(rendering._SetAsideHighlighted, "run", lambda self, text: text)
        expected = render(text)

    assert render(text) == expected
