"""Tinta's one way of turning an article's Markdown into the HTML a reader sees.

:func:`render` runs Python-Markdown (tables, fenced code highlighted by Pygments
with CSS classes, footnotes, heading anchors, task lists, ``!!!`` and Docusaurus
``:::`` admonitions, Markdown inside ``<aside markdown="1">``) and then bleach with
an allow-list, and returns the sanitised body, a plain-text excerpt (everything
before ``<!-- truncate -->``, or the opening paragraphs) and the table of contents.
It is pure: no ORM, no settings, no template engine, so it is tested alone and
called by ``Post.save()`` and the importer alike.
"""

import html
import logging
import re
import secrets
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from .slugs import make_slug

logger = logging.getLogger(__name__)

EXCERPT_LENGTH = 300

DOCUSAURUS_ADMONITIONS = {"note", "tip", "info", "warning", "danger", "caution"}

# Exact hosts only: the embed services' wildcard subdomains (csb.app, repl.co)
# serve user-written pages, which is what the allow-list keeps out.
EMBED_HOSTS = {
    "www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "youtube-nocookie.com",
    "player.vimeo.com", "codesandbox.io", "replit.com",
}


@dataclass(frozen=True)
class Rendered:
    html: str  # sanitised body HTML
    excerpt: str  # plain text: no tags, entities decoded, whitespace collapsed
    toc: list = field(default_factory=list)  # [{"level": 2, "id": "que-es", "name": "¿Qué es?"}, …] in order
    word_count: int = 0  # words a reader reads (each CJK character counts as one)


# --- Docusaurus admonitions ---------------------------------------------------

_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_ADMONITION_OPEN = re.compile(
    r"^(?P<indent>\s*)(?P<colons>:{3,})\s*(?P<kind>[A-Za-z][\w-]*)"
    r"(?:\[(?P<bracketed>.*)\]|\s+(?P<title>.*?))?\s*$"
)
_ADMONITION_CLOSE = re.compile(r"^(?P<indent>\s*)(?P<colons>:{3,})\s*$")


def convert_docusaurus_admonitions(lines):
    """Rewrite ``:::note[Title]`` … ``:::`` as pymdownx ``/// note | Title`` … ``///``.

    Fenced code is copied untouched so that articles can show the syntax. Each
    container is remembered on a stack, so ``::::`` around ``:::`` nests, and
    the closing ``:::`` of an unknown directive is not mistaken for ours.
    """
    out, stack, fence = [], [], None
    for line in lines:
        if fence:
            if _closes_fence(line, fence):
                fence = None
            out.append(line)
        elif match := _FENCE.match(line):
            if not (match["fence"][0] == "`" and "`" in match["info"]):
                fence = match["fence"]
            out.append(line)
        elif match := _ADMONITION_OPEN.match(line):
            out.extend(_open_admonition(match, stack))
        elif (match := _ADMONITION_CLOSE.match(line)) and stack and len(match["colons"]) >= stack[-1][0]:
            colons, converted = stack.pop()
            # Blocks must start and end a Markdown block, hence the blank lines.
            out.extend(["", match["indent"] + "/" * colons, ""] if converted else [line])
        else:
            out.append(line)
    return out


def _closes_fence(line, fence):
    stripped = line.strip()
    return set(stripped) == {fence[0]} and len(stripped) >= len(fence)


def _open_admonition(match, stack):
    kind = match["kind"].lower()
    converted = kind in DOCUSAURUS_ADMONITIONS
    stack.append((len(match["colons"]), converted))
    if not converted:
        return [match.group(0)]
    title = (match["bracketed"] or match["title"] or "").strip()
    header = match["indent"] + "/" * len(match["colons"]) + " " + kind + (f" | {title}" if title else "")
    # The blank line after the header stops an indented first line being read as block options.
    return ["", header, ""]


class _DocusaurusPreprocessor(Preprocessor):
    def run(self, lines):
        return convert_docusaurus_admonitions(lines)


class _DocusaurusExtension(Extension):
    def extendMarkdown(self, md):
        # After whitespace is normalised (30), before fences (25) and raw HTML (20) are stashed.
        md.preprocessors.register(_DocusaurusPreprocessor(md), "docusaurus_admonitions", 28)


# --- Highlighted code -------------------------------------------------------
#
# Half of what bleach parses in a typical article is Pygments' <span>s, and
# html5lib reads them a character at a time. A block of exactly the shape
# Pygments writes (_HIGHLIGHTED: only div, pre, span and code, class
# attributes, text with its markup escaped) is safe by construction and comes
# out of bleach as it went in, but for the tabindex _ArticleFilter gives <pre>.
# So each such block is set aside before the raw HTML is put back, a
# placeholder <div> stands in its place while bleach reads the rest, and the
# block goes back in its sanitised form. It goes back only where its
# placeholder came out of bleach whole, alone in its <div>, inside nothing but
# plain block containers: there html5lib builds the same elements from the
# block as it would inside the document (a <div> start tag is handled the same
# for both; an unclosed <b> or an open <table> around it would show in the
# placeholder's ancestors). Anything else, and the whole body goes through
# bleach with the blocks in it, as before. tests/test_rendering.py checks that
# both ways give the same HTML.

_CODE_CLASS = r"[A-Za-z0-9_ .#+-]*"
# Text without markup: no "<", ">" or bare "&", no character html5lib reports
# or replaces (controls, CR, surrogates, noncharacters), and only the
# entities Pygments writes. Possessive, so a long block is matched in one pass.
_CODE_TEXT = (
    r"(?:[\t\n\x20-\x25\x27-\x3b\x3d\x3f-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010ffff]++"
    r"|&(?:amp|lt|gt|quot|#39);)*+"
)
_HIGHLIGHTED = re.compile(
    rf'<div class="{_CODE_CLASS}"><pre><span></span><code>{_CODE_TEXT}'
    rf'(?:<span class="{_CODE_CLASS}">{_CODE_TEXT}</span>{_CODE_TEXT})*+</code></pre></div>'
)
_ASTRAL_NONCHARACTER = re.compile("[" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17)) + "]")
# Where a set-aside block may go back: the containers Markdown puts code blocks in.
_CODE_CONTAINERS = {"div", "li", "ul", "ol", "blockquote", "details", "section", "aside", "dd", "dl", "figure"}
_PLACEHOLDER_PREFIX = "tintacode"


class _SetAsideHighlighted(Postprocessor):
    """Swaps each highlighted block in Markdown's stash of raw HTML for a placeholder <div>.

    Runs just before the stash is put back into the document (raw_html, 30).
    The placeholders carry a random nonce, so an article cannot forge one.
    """

    name = "tinta_set_aside_highlighted"

    def start(self):
        self.blocks = {}  # placeholder text -> the block
        self.prefix = f"{_PLACEHOLDER_PREFIX}{secrets.token_hex(8)}n"

    def run(self, text):
        stash = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(stash):
            if (
                isinstance(block, str) and _HIGHLIGHTED.fullmatch(block) and not _ASTRAL_NONCHARACTER.search(block)
                and not _TEXT_CLASSES.intersection(" ".join(_CLASS_ATTRIBUTE.findall(block)).split())
            ):
                key = f"{self.prefix}{len(self.blocks)}x"
                self.blocks[key] = block
                stash[index] = f"<div>{key}</div>"
        return text


class _SetAsideExtension(Extension):
    def extendMarkdown(self, md):
        md.postprocessors.register(_SetAsideHighlighted(md), _SetAsideHighlighted.name, 31)


def _restore(raw_html, blocks):
    """``raw_html`` as Markdown wrote it, the set-aside blocks back in their places."""
    if not blocks:
        return raw_html
    return _PLACEHOLDER.sub(lambda match: blocks.get(match[1], match[0]), raw_html)


_PLACEHOLDER = re.compile(rf"<div>({_PLACEHOLDER_PREFIX}[0-9a-f]+n[0-9]+x)</div>")


def _sanitised_block(block):
    # What bleach makes of a block of _HIGHLIGHTED's shape: _ArticleFilter's tabindex.
    return block.replace("<pre>", '<pre tabindex="0">', 1)


def _block_text(block):
    return html.unescape(_TAG.sub("", block))


_TAG = re.compile(r"<[^>]*>")
_CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')


# --- Markdown -----------------------------------------------------------------


def _heading_slug(value, separator):
    return make_slug(value) or "section"


def _build_markdown():
    return markdown.Markdown(
        extensions=[
            "tables", "footnotes", "toc", "admonition", "md_in_html", "attr_list",
            "pymdownx.superfences", "pymdownx.highlight", "pymdownx.tasklist", "pymdownx.tilde",
            "pymdownx.blocks.admonition", _DocusaurusExtension(), _SetAsideExtension(),
        ],
        extension_configs={
            # Alignment as an attribute: bleach removes every style attribute.
            "tables": {"use_align_attribute": True},
            "toc": {"slugify": _heading_slug},
            "pymdownx.highlight": {"css_class": "highlight", "pygments_lang_class": True, "guess_lang": False},
            "pymdownx.tilde": {"subscript": False},
            # pymdownx's own list plus Docusaurus's "info".
            "pymdownx.blocks.admonition": {
                "types": ["note", "attention", "caution", "danger", "error", "tip", "hint", "warning", "important"]
                + ["info"],
            },
        },
        output_format="html",
    )


_markdown = _build_markdown()

# Neither Markdown nor bleach.Cleaner is thread-safe, and both are built once for speed.
_lock = threading.Lock()


def _discard_markdown():
    # An exception mid-conversion leaves parser state behind (an open list
    # stops paragraphs getting <p>) that reset() does not clear.
    global _markdown
    with _lock:
        _markdown = _build_markdown()


def _flatten_toc(tokens):
    for token in tokens:
        yield {"level": token["level"], "id": token["id"], "name": html.unescape(token["name"])}
        yield from _flatten_toc(token["children"])


def _markdown_to_html(text):
    """(HTML with each highlighted code block set aside as a placeholder, table of contents, the blocks set aside)."""
    _markdown.reset()
    set_aside = _markdown.postprocessors[_SetAsideHighlighted.name]
    set_aside.start()
    body = _markdown.convert(text)
    return body, list(_flatten_toc(_markdown.toc_tokens)), set_aside.blocks


# --- Sanitising ---------------------------------------------------------------

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "pre", "code", "span", "div", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup",
    "mark", "kbd", "samp", "var", "abbr", "small", "cite", "q", "dfn", "time", "wbr", "ruby", "rt", "rp",
    "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "details", "summary", "aside", "section", "input", "picture", "source", "video", "audio", "track", "iframe",
}

# Stripping a tag keeps its text; these go with everything inside them, so
# that "<script>alert(1)</script>" leaves no "alert(1)" and a form no labels.
# They are listed as tags for bleach only so that html5lib parses them as
# elements (script and style contents are raw text) and _ArticleFilter drops them.
DROPPED_WITH_CONTENT = {
    "script", "style", "template", "noscript", "title", "textarea", "select", "option", "optgroup", "datalist",
    "button", "form", "object", "applet", "noembed", "noframes", "xmp",
}

_COMMON_ATTRIBUTES = {"class", "id", "title", "lang", "dir"}
_ATTRIBUTES = {
    "a": {"href", "rel", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "col": {"span", "align"},
    "colgroup": {"span", "align"},
    "details": {"open"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "input": {"type", "checked", "disabled"},
    "source": {"src", "srcset", "sizes", "type", "media"},
    "video": {"src", "controls", "width", "height", "poster", "preload", "loop", "muted", "playsinline"},
    "audio": {"src", "controls", "preload", "loop", "muted"},
    "track": {"src", "kind", "label", "srclang", "default"},
    # srcdoc is let through only so that _ArticleFilter sees it and drops the whole iframe.
    "iframe": {"src", "width", "height", "title", "allow", "allowfullscreen", "loading", "frameborder", "srcdoc"},
}


def _url_parts(value):
    """Split a URL the way a browser reads it: entities decoded, tabs and newlines ignored."""
    value = re.sub(r"[\t\n\r]", "", html.unescape(value)).strip("\x00- ")
    try:
        return urlsplit(value)
    except ValueError:
        return None


def _is_safe_url(value):
    parts = _url_parts(value)
    return parts is not None and parts.scheme in ("", "http", "https")


def safe_url(value):
    """``value`` if a browser would read it as an http(s) or relative URL, else "".

    For URLs that reach pages outside the sanitised body: author websites and
    avatars, cover images (a `javascript:` website link would run on click).
    """
    value = str(value or "").strip()
    return value if value and _is_safe_url(value) else ""


def _allow_attribute(tag, name, value):
    if tag in DROPPED_WITH_CONTENT:
        return False
    if name not in _COMMON_ATTRIBUTES and name not in _ATTRIBUTES.get(tag, ()):
        return False
    if name == "srcset":
        # bleach checks the protocol of src but not of srcset candidates.
        return all(_is_safe_url(candidate.split()[0]) for candidate in value.split(",") if candidate.strip())
    return True


def _is_embed(attrs):
    if (None, "srcdoc") in attrs:
        return False
    parts = _url_parts(attrs.get((None, "src"), ""))
    return (
        parts is not None and parts.scheme == "https" and parts.hostname in EMBED_HOSTS
        and "@" not in parts.netloc and "\\" not in parts.netloc
    )


def _is_external(href):
    parts = _url_parts(href)
    return parts is not None and bool(parts.netloc) and parts.scheme in ("", "http", "https")


class _ArticleFilter(Filter):
    """Runs after bleach's sanitizer: drops dangerous elements whole and adjusts links, images, checkboxes."""

    def __iter__(self):
        dropping = 0  # depth inside an element that goes with its content
        in_iframe = False
        in_label = False
        for token in super().__iter__():
            kind = token["type"]
            if dropping:
                dropping += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
            elif kind in ("StartTag", "EmptyTag") and self._drops(token):
                dropping = int(kind == "StartTag")
            elif in_iframe and kind != "EndTag":
                continue  # fallback text, never shown by a browser that renders the iframe
            else:
                in_iframe = token.get("name") == "iframe" and kind == "StartTag"
                # A checkbox is named by the text after it (a task-list item):
                # wrap both in a <label> up to the next block boundary.
                if in_label and kind in ("StartTag", "EndTag", "EmptyTag") and token["name"] in _LABEL_ENDS:
                    yield {"type": "EndTag", "name": "label", "data": {}}
                    in_label = False
                if token.get("name") == "input" and kind in ("StartTag", "EmptyTag") and not in_label:
                    yield {"type": "StartTag", "name": "label", "data": {(None, "class"): "task-list-label"}}
                    in_label = True
                yield self._adjust(token)
        if in_label:
            yield {"type": "EndTag", "name": "label", "data": {}}

    def _drops(self, token):
        name, attrs = token["name"], token["data"]
        if name in DROPPED_WITH_CONTENT:
            return True
        if name == "iframe":
            return not _is_embed(attrs)
        if name == "input":
            return attrs.get((None, "type"), "").strip().lower() != "checkbox"
        return False

    def _adjust(self, token):
        if token["type"] not in ("StartTag", "EmptyTag"):
            return token
        name, attrs = token["name"], token["data"]
        if name == "a" and _is_external(attrs.get((None, "href"), "")):
            rel = [word for word in attrs.get((None, "rel"), "").split() if word.lower() != "opener"]
            attrs[(None, "rel")] = " ".join(rel + [word for word in ("noopener", "noreferrer") if word not in rel])
        elif name == "img":
            attrs.setdefault((None, "loading"), "lazy")
        elif name == "input":
            attrs[(None, "type")] = "checkbox"
            attrs[(None, "disabled")] = "disabled"
        elif name in ("pre", "table"):
            # They scroll sideways when wide; keyboard users must reach them too.
            attrs[(None, "tabindex")] = "0"
        return token


_LABEL_ENDS = {
    "li", "ul", "ol", "p", "div", "table", "pre", "blockquote", "dl", "dt", "dd", "td", "th", "tr", "section", "aside",
    "details", "summary", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "label", "input", "br",
}


class _PlaceholderWatch(Filter):
    """Passes every token on unchanged, noting where each set-aside block's placeholder came out.

    ``found`` is reset by :func:`_sanitise` (under the rendering lock) before each use.
    """

    prefix = _PLACEHOLDER_PREFIX
    found = []  # (text, names of the elements it is inside, outermost first)

    def __iter__(self):
        open_tags = []
        for token in super().__iter__():
            kind = token["type"]
            if kind == "StartTag":
                open_tags.append(token["name"])
            elif kind == "EndTag":
                if open_tags and open_tags[-1] == token["name"]:
                    open_tags.pop()
                else:
                    open_tags.append("unbalanced")  # never expected; refuses every placeholder after it
            elif kind in ("Characters", "SpaceCharacters") and self.prefix in token["data"]:
                self.found.append((token["data"], tuple(open_tags)))
            yield token


_CLEANER_OPTIONS = {
    "tags": ALLOWED_TAGS | DROPPED_WITH_CONTENT,
    "attributes": _allow_attribute,
    "protocols": {"http", "https", "mailto"},
    "strip": True,
    "strip_comments": True,
}
_cleaner = bleach.Cleaner(**_CLEANER_OPTIONS, filters=[_ArticleFilter])
# The same, watching where placeholders land; the watch changes no token.
_watching_cleaner = bleach.Cleaner(**_CLEANER_OPTIONS, filters=[_ArticleFilter, _PlaceholderWatch])


def _sanitise(raw_html, blocks):
    """(bleach's HTML for the body ``raw_html`` with the set-aside ``blocks`` in their places, its text)."""
    if not blocks:
        body_html = _cleaner.clean(raw_html)
        return body_html, _collect(body_html)
    _PlaceholderWatch.prefix = next(iter(blocks)).rsplit("n", 1)[0]
    _PlaceholderWatch.found = []
    cleaned = _watching_cleaner.clean(raw_html)
    placed = {
        text for text, inside in _PlaceholderWatch.found
        if text in blocks and inside[-1:] == ("div",) and _CODE_CONTAINERS.issuperset(inside[:-1])
    }
    if len(placed) == len(blocks) and len(_PlaceholderWatch.found) == len(blocks) and all(
        cleaned.count(f"<div>{key}</div>") == 1 for key in blocks
    ):
        # (An article's own text shaped like a placeholder, without this run's nonce, stays as it is.)
        body_html = _PLACEHOLDER.sub(lambda match: _sanitised_block(blocks[match[1]]) if match[1] in blocks else match[0], cleaned)
        return body_html, _collect(cleaned, blocks)
    body_html = _cleaner.clean(_restore(raw_html, blocks))
    return body_html, _collect(body_html)


# --- Excerpt ------------------------------------------------------------------

_TRUNCATE = re.compile(r"<!--\s*truncate\s*-->", re.IGNORECASE)
_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "caption",
    "h1", "h2", "h3", "h4", "h5", "h6", "aside", "section", "figure", "figcaption", "details", "summary",
}
_VOID_TAGS = {"br", "hr", "img", "input", "source", "track", "wbr", "col"}
# Never text: footnote numbers and their list, a [TOC], heading permalinks.
_NOISE_CLASSES = {"footnote", "footnote-ref", "footnote-backref", "toc", "headerlink"}
# Text, but not the prose an excerpt is made of.
_NON_PROSE_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "figcaption", "summary"}
# Classes that change how text is read: a code block carrying one is never set aside.
_TEXT_CLASSES = _NOISE_CLASSES | {"admonition-title"}


class _TextCollector(HTMLParser):
    """Reads sanitised HTML into plain text, keeping paragraphs apart from headings and code.

    A set-aside code block's placeholder (alone in its <div>) is read as the
    block itself would be: a <pre> holding its text.
    """

    def __init__(self, blocks=None):
        super().__init__(convert_charrefs=True)
        self.blocks = blocks or {}
        self.text, self.prose, self.paragraphs = [], [], []
        self._open = []  # (tag, "noise" | "non-prose" | None)
        self._paragraph = None

    def handle_starttag(self, tag, attrs):
        self._separate(tag)
        if tag in _VOID_TAGS:
            return
        classes = set((dict(attrs).get("class") or "").split())
        kind = "noise" if classes & _NOISE_CLASSES else None
        if not kind and (tag in _NON_PROSE_TAGS or "admonition-title" in classes):
            kind = "non-prose"
        self._open.append((tag, kind))
        if tag == "p" and self._paragraph is None and not kind:
            self._paragraph = []

    def handle_endtag(self, tag):
        self._separate(tag)
        if tag not in (open_tag for open_tag, _ in self._open):
            return
        while self._open and self._open.pop()[0] != tag:
            pass
        if tag == "p" and self._paragraph is not None:
            self.paragraphs.append(_collapse("".join(self._paragraph)))
            self._paragraph = None

    def handle_data(self, data):
        if data in self.blocks:
            self.handle_starttag("pre", [])
            self.handle_data(_block_text(self.blocks[data]))
            self.handle_endtag("pre")
            return
        kinds = {kind for _, kind in self._open}
        if "noise" in kinds:
            return
        self.text.append(data)
        if "non-prose" in kinds:
            return
        self.prose.append(data)
        if self._paragraph is not None:
            self._paragraph.append(data)

    def _separate(self, tag):
        if tag in _BLOCK_TAGS or tag in ("br", "hr"):
            self.text.append(" ")
            self.prose.append(" ")
            if self._paragraph is not None:
                self._paragraph.append(" ")


def _collapse(text):
    return " ".join(text.split())


def _collect(fragment, blocks=None):
    collector = _TextCollector(blocks)
    collector.feed(fragment)
    collector.close()
    return collector


def shorten(text, limit=EXCERPT_LENGTH):
    """Cut ``text`` at the last word boundary before ``limit`` and add "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(None, 1)[0] if " " in text[: limit + 1] else ""
    # Text without spaces (Japanese, a long URL) is cut where the limit falls.
    if len(cut) < limit // 2:
        cut = text[:limit]
    return cut.rstrip(" ,;:.—–-") + "…"


def count_words(text):
    """Words separated by spaces, plus each character of scripts written without them."""
    unspaced = len(_UNSPACED_CHAR.findall(text))
    spaced = sum(1 for token in _UNSPACED_CHAR.sub(" ", text).split() if _WORD_CHAR.search(token))
    return spaced + unspaced


# Japanese kana, CJK ideographs and Thai are written without spaces between words.
_UNSPACED_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
_WORD_CHAR = re.compile(r"\w")


def _automatic_excerpt(collected):
    paragraphs = [p for p in collected.paragraphs if p] or [_collapse("".join(collected.prose))]
    text = ""
    for paragraph in paragraphs:
        text = f"{text} {paragraph}".strip()
        if len(text) >= EXCERPT_LENGTH:
            break
    return shorten(text)


def _excerpt(raw_html, blocks, collected):
    marker = _TRUNCATE.search(raw_html)
    if marker:
        before = _collapse("".join(_collect(_cleaner.clean(_restore(raw_html[: marker.start()], blocks))).text))
        if before:
            return before
    return _automatic_excerpt(collected)


# --- Public interface ---------------------------------------------------------


def _as_text(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = str(text or "")
    # Lone surrogates cannot be stored; STX/ETX are Markdown's own placeholder
    # markers and other control characters are never meant.
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


def _escaped_fallback(text):
    paragraphs = [_collapse(chunk) for chunk in re.split(r"\n\s*\n", text)]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return Rendered(html=body, excerpt=shorten(_collapse(text)), toc=[], word_count=count_words(text))


def render(text: str) -> Rendered:
    """Render Markdown ``text`` into a :class:`Rendered` body, excerpt and table of contents."""
    text = _as_text(text)
    if not text.strip():
        return Rendered(html="", excerpt="", toc=[])
    try:
        with _lock:
            raw_html, toc, blocks = _markdown_to_html(text)
            body_html, collected = _sanitise(raw_html, blocks)
            excerpt = _excerpt(raw_html, blocks, collected)
    except Exception:
        # A body that trips an extension (say, nesting deep enough to exhaust
        # the recursion limit) must still save; it is shown as escaped text.
        logger.exception("Markdown rendering failed; falling back to escaped text")
        _discard_markdown()
        return _escaped_fallback(text)
    return Rendered(html=body_html, excerpt=excerpt, toc=toc, word_count=count_words("".join(collected.text)))


def render_markdown(text: str) -> str:
    """Return only the sanitised HTML of :func:`render`."""
    return render(text).html
