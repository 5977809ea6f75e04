"""Hostile articles never run script: every vector of tests/xss_vectors.py, in every field.

Each vector is written into an article's body and into every frontmatter field
that reaches a page, a feed or JSON-LD (title, description, slug, cover image,
tags and their tags.yml label and description, authors and their authors.yml
name, title, url, image_url and bio; lang on files of its own, since a bad
language code fails the file), imported with the real importer, and every
page it reaches is opened in headless Chromium: its post, home pages, tag and
author pages, the tag and author indexes, search results. Before any page
script runs, ``alert``/``confirm``/``prompt``/``print`` are replaced by spies,
and dialogs, popups, requests and navigations to ``pwned`` URLs are recorded;
then a DOM audit lists what could still run (event-handler attributes,
``javascript:`` links, frames, forms...) and *activates* it (dispatches the
handler's event, clicks the link), so a latent vector is counted as an
execution rather than waiting for a reader's click. The browser bypasses the
site's Content-Security-Policy: the policy is a second wall with tests of its
own (test_browser_csp.py), and this suite tests the first, the sanitiser and
the templates.

Feeds and the sitemap are fetched and parsed as XML; the HTML they carry
(RSS descriptions, Atom content and summaries, which are declared
``type="html"``) is checked for executable constructs. The admin preview
endpoint gets the same vectors as a logged-in superuser (with CSRF).

The suite prints ``XSS suite: N vectors, M pages opened, K executions``.
"""

import html
import json
import re
import sys
import time
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import reverse
from xss_vectors import ALL_VECTORS, VECTORS

from blog.frontmatter import ArticleError, clean_text, parse_tags
from blog.models import Author, Post, Tag
from blog.slugs import make_slug

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # Vector-shaped URLs make long page-cache keys; that is not what this suite is about.
    pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning"),
]

PAGE_SIZE = 10
DIRECT_GROUP = 8
# The embed hosts the README promises, written out here so a widened allow-list fails.
EMBED_HOSTS = {
    "www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "youtube-nocookie.com",
    "player.vimeo.com", "codesandbox.io", "replit.com",
}
# Every article's body holds this word: one search pages through every post.
CORPUS_WORD = "xsscorpus"
# Words inside the vectors: their search results highlight matches in escaped titles and snippets.
HIGHLIGHTED_WORDS = ("script", "alert", "onerror", "javascript", "lt", "quot", "x27", "amp", "svg", "href")
# Vectors whose payload is also sent as a search query, to check its reflection in the page.
REFLECTED_PREFIXES = (
    "attr-breakout", "title-breakout", "jsonld", "polyglot", "script-upper", "script-src-unclosed", "img-onerror-quoted",
    "textarea-breakout", "noscript-breakout", "comment-close", "cdata", "template-injection", "entity", "js-string", "style-close",
)

# -- in the browser ------------------------------------------------------------------------------

# Runs in every frame before its own scripts: the marker functions become spies.
HOOKS = """
(() => {
  if (window.__xssHooked) return;
  window.__xssHooked = true;
  window.__xss = [];
  const report = (kind, detail) => {
    const entry = [kind, String(detail).slice(0, 200), String(location.href).slice(0, 300)];
    window.__xss.push(entry);
    try { window.__tintaXss(entry[0], entry[1], entry[2]); } catch (error) { /* the binding is async and best effort */ }
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    const spy = function (message) { report(name, message); return name === "confirm" ? false : null; };
    try { Object.defineProperty(window, name, {value: spy, writable: false, configurable: false}); }
    catch (error) { window[name] = spy; }
  }
})();
"""

# Lists what in the page could run script, then activates it. The site's own
# markup (its forms, the JSON-LD script, head links) is told apart by where it is.
AUDIT = """
async (embedHosts) => {
  // A moment for the page's own queued events (a details element's toggle, say) first.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const findings = [];
  const show = (element) => element.outerHTML.slice(0, 240);
  const add = (what, element) => findings.push(`${what}: ${show(element)}`);
  const SCRIPTISH = new Set(["javascript:", "vbscript:"]);
  const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "dynsrc", "lowsrc", "codebase", "cite", "ping", "longdesc", "usemap", "classid", "archive", "to", "values", "from", "by"]);
  const protocolOf = (value) => {
    try { return new URL(value, document.baseURI).protocol; } catch (error) { return ""; }
  };
  // Images and media never run a URL's script: their src is not audited (the renderer drops such URLs anyway).
  const MEDIA = new Set(["img", "picture", "source", "video", "audio", "track"]);
  const dangerousUrl = (element, name, value) => {
    if (MEDIA.has(element.localName) && ["src", "srcset", "poster"].includes(name)) return false;
    const candidates = name === "srcset" ? value.split(",").map((part) => part.trim().split(/\\s+/)[0]) : [value];
    return candidates.some((candidate) => {
      const protocol = protocolOf(candidate);
      if (SCRIPTISH.has(protocol)) return true;
      if (protocol === "data:") {
        const tag = element.localName;
        return !(["img", "source", "picture"].includes(tag) || (tag === "video" && name === "poster"));
      }
      return /^\\s*(javascript|vbscript):/i.test(candidate);
    });
  };
  const SITE_FORMS = ["search-form", "search-page-form", "language-switcher"];
  const siteForm = (element) => element.closest("form") && SITE_FORMS.some((name) => element.closest("form").classList.contains(name));
  const activate = [];

  for (const element of document.querySelectorAll("*")) {
    const tag = element.localName;
    const inHead = !!element.closest("head");
    if (tag === "script") {
      if (!(inHead && element.type === "application/ld+json" && !element.src)) add("script element", element);
    } else if (["iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "template", "noscript",
                "xmp", "plaintext", "listing", "noembed", "noframes", "isindex", "keygen", "marquee", "bgsound"].includes(tag)) {
      if (tag === "iframe") {
        let host = "";
        try {
          const url = new URL(element.getAttribute("src") || "", document.baseURI);
          host = url.protocol === "https:" ? url.hostname : "";
        } catch (error) { host = ""; }
        if (!embedHosts.includes(host) || element.hasAttribute("srcdoc")) add("iframe not from the embed allow-list", element);
      } else {
        add(`${tag} element`, element);
      }
    } else if (tag === "meta" && element.hasAttribute("http-equiv")) {
      add("meta http-equiv", element);
    } else if (tag === "style") {
      add("style element", element);
    } else if (tag === "link" && !inHead) {
      add("link element in the body", element);
    } else if (element.namespaceURI !== "http://www.w3.org/1999/xhtml") {
      add(`${element.namespaceURI} element`, element);
    } else if (["form", "button", "select", "textarea", "option"].includes(tag) && !siteForm(element)) {
      add(`${tag} element`, element);
    } else if (tag === "input" && !siteForm(element) && !(element.type === "checkbox" && element.disabled)) {
      add("input element", element);
    }
    for (const attribute of Array.from(element.attributes)) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) {
        add(`event handler ${name}`, element);
        activate.push(() => element.dispatchEvent(new Event(name.slice(2))));
      } else if (name === "srcdoc") {
        add("srcdoc", element);
      } else if (name === "style" && /expression|javascript|vbscript|url\\s*\\(|behavio|binding|@import/i.test(attribute.value)) {
        add("style attribute", element);
      } else if ((URL_ATTRIBUTES.has(name) || name === "srcset" || name.endsWith(":href"))
                 && dangerousUrl(element, name, attribute.value)) {
        add(`script URL in ${name}`, element);
        if (["a", "area"].includes(tag) && name === "href") activate.push(() => element.click());
        if (name === "formaction") activate.push(() => element.click());
        if (tag === "form" && name === "action") activate.push(() => element.submit());
      }
    }
  }
  const text = (selector) => { const element = document.querySelector(selector); return element ? element.textContent : null; };
  const meta = (selector) => { const element = document.querySelector(selector); return element ? element.getAttribute("content") : null; };
  const result = {
    findings,
    title: document.title,
    h1: text("main h1"),
    ogTitle: meta('meta[property="og:title"]'),
    jsonld: Array.from(document.querySelectorAll('script[type="application/ld+json"]')).map((element) => element.textContent),
    links: Array.from(document.querySelectorAll("main a[href]")).map((element) => element.getAttribute("href")),
    activated: activate.length,
  };
  for (const run of activate) { try { run(); } catch (error) { /* an activation may navigate away */ } }
  return result;
}
"""

def _pwned(url):
    """A URL only a vector asks for: ``/pwned…`` on the site, or a ``pwned`` host.

    (Slugs made from vector text contain the word too, hence the leading slash.)
    """
    parts = urlsplit(url.lower())
    return "pwned" in parts.netloc or parts.path.startswith("/pwned")


def _bad_navigation(url):
    return _pwned(url) or url.lower().startswith(("javascript:", "vbscript:", "data:text/html"))


class Watcher:
    """One browser context with the hooks installed, and a few tabs that open pages side by side."""

    TABS = 4

    def __init__(self, browser, origin):
        self.origin = origin
        self.executions = []  # (kind, detail, where)
        self.findings = []  # (page, what)
        self.pages = 0
        self.context = browser.new_context(base_url=origin, bypass_csp=True, viewport={"width": 1280, "height": 900})
        self.context.expose_binding("__tintaXss", lambda source, kind, detail, where: self.executions.append((kind, detail, where)))
        self.context.add_init_script(HOOKS)
        # Nothing leaves the machine: requests elsewhere are refused (and recorded when they are a
        # vector's). A regular expression is matched by Playwright itself, without a round trip here.
        self.context.route(re.compile(rf"^(?!{re.escape(origin)}/)"), lambda route: route.abort())
        self.context.on("request", self._request)
        self.tabs = [self.context.new_page() for _ in range(self.TABS)]
        self.current = dict.fromkeys(self.tabs, "")
        self.context.on("page", self._popup)
        for tab in self.tabs:
            tab.on("dialog", lambda dialog, tab=tab: self._dialog(dialog, tab))
            tab.on("framenavigated", lambda frame, tab=tab: self._navigated(frame, tab))

    def close(self):
        self.context.close()

    def _where(self, request):
        try:
            return self.current.get(request.frame.page, "")
        except Exception:  # noqa: BLE001 - a request of a worker has no frame
            return ""

    def _request(self, request):
        # An <img src="javascript:..."> shows up here too, without running: only /pwned counts.
        if _pwned(request.url):
            self.executions.append(("request", request.url[:200], self._where(request)))

    def _popup(self, popup):
        if popup not in self.current:
            self.executions.append(("popup", popup.url[:200], ""))

    def _dialog(self, dialog, tab):
        self.executions.append((f"dialog {dialog.type}", dialog.message[:200], self.current[tab]))
        dialog.dismiss()

    def _navigated(self, frame, tab):
        if _bad_navigation(frame.url):
            self.executions.append(("navigation", frame.url[:200], self.current[tab]))

    def open(self, url):
        return dict(self.open_all([url]))[url]

    def open_all(self, urls):
        """Open every URL, a few tabs at a time; yield ``(url, audit report or None)``.

        Each page is parsed, given a moment for its own events, then audited:
        what could still run is listed and activated (see AUDIT).
        """
        urls = list(urls)
        for start in range(0, len(urls), len(self.tabs)):
            batch = list(zip(self.tabs, urls[start:start + len(self.tabs)], strict=False))
            committed = []
            for tab, url in batch:
                self.current[tab] = url
                self.pages += 1
                try:
                    response = tab.goto(url, wait_until="commit")
                except Exception as error:  # noqa: BLE001 - a vector that breaks the page is a finding, not the end of the run
                    self.findings.append((url, f"the page failed to load: {type(error).__name__}: {str(error)[:200]}"))
                    continue
                if response is None or response.status != 200:
                    self.findings.append((url, f"answered {response.status if response else 'nothing'}, expected 200"))
                committed.append((tab, url))
            for tab, url in committed:
                yield url, self._audit(tab, url)

    def _audit(self, tab, url):
        try:
            # The DOM audit activates whatever a later event would have run, so the
            # parsed document is enough; waiting for every image would only cost time.
            tab.wait_for_load_state("domcontentloaded")
            report = tab.evaluate(AUDIT, sorted(EMBED_HOSTS))
            if report["activated"]:
                tab.wait_for_timeout(100)
            if urlsplit(tab.url).path != urlsplit(self.origin + url).path:
                self.findings.append((url, f"the page navigated away to {tab.url[:200]}"))
        except Exception as error:  # noqa: BLE001 - as above
            self.findings.append((url, f"the page could not be audited: {type(error).__name__}: {str(error)[:200]}"))
            return None
        self.findings.extend((url, finding) for finding in report["findings"])
        return report

    def set_content(self, markup):
        """Render ``markup`` as the document of a page on the site's origin (scripts in it would run)."""
        tab = self.tabs[0]
        self.pages += 1
        self.current[tab] = f"preview of {len(markup)} characters"
        tab.set_content(markup, wait_until="load")
        report = tab.evaluate(AUDIT, sorted(EMBED_HOSTS))
        if report["activated"]:
            tab.wait_for_timeout(100)
        return report


# -- HTML outside the browser: feeds, the preview endpoint -----------------------------------------

FORBIDDEN_TAGS = {
    "script", "style", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link", "form", "button", "select",
    "textarea", "option", "svg", "math", "template", "noscript", "xmp", "plaintext", "listing", "noembed", "noframes",
    "isindex", "keygen", "html", "head", "body", "title", "portal", "marquee", "bgsound",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "dynsrc", "lowsrc",
                  "codebase", "cite", "ping", "longdesc", "usemap", "classid", "archive", "srcset"}


def _scheme(url):
    """The scheme a browser reads in ``url`` (entities already decoded): C0 and spaces trimmed, tabs and newlines dropped."""
    url = re.sub(r"[\t\n\r]", "", url).strip("\x00- ").lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", url)
    return match.group(1) if match else ""


class _ExecutableFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        attributes = {name.lower(): value or "" for name, value in attrs}
        shown = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attributes.items())}>"[:200]
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element: {shown}")
        if tag == "iframe":
            parts = urlsplit(attributes.get("src", "").strip())
            if parts.scheme != "https" or parts.hostname not in EMBED_HOSTS or "@" in parts.netloc or "\\" in parts.netloc:
                self.problems.append(f"iframe not from the embed allow-list: {shown}")
        if tag == "input" and attributes.get("type", "").lower() != "checkbox":
            self.problems.append(f"input that is not a checkbox: {shown}")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {name}: {shown}")
            elif name in ("srcdoc", "formaction"):
                self.problems.append(f"{name} attribute: {shown}")
            elif name == "style":
                self.problems.append(f"style attribute: {shown}")
            elif name in URL_ATTRIBUTES or name.endswith(":href"):
                candidates = [part.strip().split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
                for candidate in candidates:
                    scheme = _scheme(candidate)
                    if scheme in ("javascript", "vbscript") or (scheme == "data" and tag not in ("img", "source")):
                        self.problems.append(f"{scheme}: URL in {name}: {shown}")


def executable_constructs(markup):
    """What in ``markup`` (an HTML fragment) could run script, as readable lines; [] when nothing."""
    problems = []
    if re.search(r"<\s*script", markup, re.IGNORECASE):
        problems.append("a '<script' tag")
    finder = _ExecutableFinder()
    finder.feed(markup)
    finder.close()
    return problems + finder.problems


# -- the articles ------------------------------------------------------------------------------


def _key(number):
    return f"{number:03d}"


def _article(meta, body):
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1_000_000)
    assert yaml.safe_load(text) == meta, "the test's YAML did not round-trip"
    return f"---\n{text}---\n\n{body}\n"


def _fits_as_tag(payload):
    try:
        names = parse_tags([payload])
    except ArticleError:
        return False
    return bool(names) and bool(make_slug(names[0]))


def write_corpus(root):
    """Write the hostile articles under ``root``; return {relative path: (vector names, kind)}."""
    files = {}
    posts = root / "profiles"
    posts.mkdir(parents=True)
    authors, tags = {}, {}
    for number, vector in enumerate(ALL_VECTORS):
        key, payload = _key(number), vector.payload
        meta = {
            "title": payload,
            "description": payload,
            # The slug keeps its key so that two vectors with one slug are still two posts.
            "slug": f"{payload} v{key}",
            "date": f"2024-01-01T00:{number // 60:02d}:{number % 60:02d}+00:00",
            "image": payload,
            "tags": [f"t{key}"],
            "authors": [f"a{key}"],
        }
        body = payload.replace("\x00", "&#0;")  # a NUL byte fails the whole file (tested by the fuzz suite)
        (posts / f"v{key}.md").write_text(_article(meta, f"{CORPUS_WORD} v{key}\n\n{body}"), encoding="utf-8")
        files[f"profiles/v{key}.md"] = ([vector.name], "main")
        authors[f"a{key}"] = {"name": payload, "title": payload, "url": payload, "image_url": payload, "bio": payload}
        tags[f"t{key}"] = {"label": payload, "description": payload}
    (posts / "authors.yml").write_text(yaml.safe_dump(authors, allow_unicode=True, width=1_000_000), encoding="utf-8")
    (posts / "tags.yml").write_text(yaml.safe_dump(tags, allow_unicode=True, width=1_000_000), encoding="utf-8")

    # Tags and authors written in the article itself (no tags.yml or authors.yml
    # above this folder): several vectors to a file, as lists.
    direct = root / "direct"
    direct.mkdir()
    for group, start in enumerate(range(0, len(ALL_VECTORS), DIRECT_GROUP)):
        chunk = ALL_VECTORS[start:start + DIRECT_GROUP]
        named = [v.payload for v in chunk if make_slug(clean_text(v.payload))]
        meta = {
            "title": f"Direct tags and authors {group}",
            "date": f"2023-06-01T00:{group // 60:02d}:{group % 60:02d}+00:00",
            "tags": [v.payload for v in chunk if _fits_as_tag(v.payload)],
            "authors": [{"name": p, "title": p, "url": p, "image_url": p, "bio": p} for p in named],
        }
        (direct / f"d{_key(group)}.md").write_text(_article(meta, f"{CORPUS_WORD} d{_key(group)}"), encoding="utf-8")
        files[f"direct/d{_key(group)}.md"] = ([v.name for v in chunk], "direct")

    # A language code is validated: a vector there fails its file, alone.
    lang = root / "languages"
    lang.mkdir()
    for number, vector in enumerate(ALL_VECTORS):
        meta = {"title": f"Language vector {_key(number)}", "lang": vector.payload}
        (lang / f"l{_key(number)}.md").write_text(_article(meta, "Body."), encoding="utf-8")
        files[f"languages/l{_key(number)}.md"] = ([vector.name], "lang")
    return files


def _normal(text):
    """Text as the page shows it: the HTML parser drops U+0000 (or makes it U+FFFD), and
    control characters and whitespace runs do not survive ``document.title``."""
    return " ".join(re.sub(r"[\x01-\x1f]", " ", re.sub(r"[\x00\ufffd]", "", text or "")).split())


def _post_page_problems(url, post, report, site):
    problems = []
    if _normal(report["title"]) != _normal(f"{post.title} · {site}"):
        problems.append((url, f"<title> is {report['title'][:120]!r}, not the post's title {post.title[:120]!r}"))
    if _normal(report["h1"]) != _normal(post.title):
        problems.append((url, f"<h1> is {str(report['h1'])[:120]!r}, not the post's title"))
    if _normal(report["ogTitle"]) != _normal(post.title):
        problems.append((url, f"og:title is {str(report['ogTitle'])[:120]!r}, not the post's title"))
    if len(report["jsonld"]) != 1:
        return problems + [(url, f"{len(report['jsonld'])} JSON-LD scripts")]
    try:
        data = json.loads(report["jsonld"][0])
    except ValueError as error:
        return problems + [(url, f"the JSON-LD does not parse ({error}): {report['jsonld'][0][:200]!r}")]
    if data.get("headline") != post.title:
        problems.append((url, f"JSON-LD headline {str(data.get('headline'))[:120]!r} is not the title"))
    if [author["name"] for author in data.get("author", [])] != [author.name for author in post.ordered_authors]:
        problems.append((url, "JSON-LD authors are not the post's authors"))
    if data.get("keywords") != sorted((tag.name for tag in post.tags.all()), key=str.lower):
        problems.append((url, f"JSON-LD keywords {data.get('keywords')!r} are not the post's tags"))
    return problems


# -- the suite -------------------------------------------------------------------------------------


def test_xss_vectors_never_execute_on_pages_feeds_or_sitemap(browser, live_server, tmp_path, run_import, capsys):
    started = time.monotonic()
    files = write_corpus(tmp_path / "articles")
    run = run_import(tmp_path / "articles")
    assert run.report is not None, run.stderr
    problems = []  # (where, what) that is not an execution but must not happen either

    statuses = {entry["path"]: entry for entry in run.report["files"]}
    assert set(statuses) == set(files), "every written file has one status"
    for path, (names, kind) in files.items():
        entry = statuses[path]
        if kind == "lang":
            if not (entry["status"] == "failed" and "'lang'" in entry["message"]) and entry["status"] != "created":
                problems.append((path, f"lang vector {names[0]}: {entry['status']} {entry['message']!r}"))
        elif entry["status"] != "created":
            problems.append((path, f"vectors {names} in {kind} fields were not imported: {entry['status']} {entry['message']!r}"))

    imported = time.monotonic()
    published = list(Post.objects.published().with_related().order_by("-publish_date", "-id"))
    site = settings.TINTA_SITE_NAME
    watcher = Watcher(browser, live_server.url)
    try:
        # Every post page, checked to say exactly what the article said.
        by_url = {post.get_absolute_url(): post for post in published}
        for url, report in watcher.open_all(by_url):
            if report is not None:
                problems += _post_page_problems(url, by_url[url], report, site)

        # Lists: home pages, every tag and author page (all their pages), the indexes.
        names = {}
        for tag in Tag.objects.all():
            count = Post.objects.published().tagged(tag).count()
            names.update({f"{tag.get_absolute_url()}?page={n}": tag.name for n in range(1, (count - 1) // PAGE_SIZE + 2)} if count else {})
        for author in Author.objects.all():
            count = Post.objects.published().by_author(author).count()
            names.update(
                {f"{author.get_absolute_url()}?page={n}": author.name for n in range(1, (count - 1) // PAGE_SIZE + 2)} if count else {}
            )
        lists = [f"/?page={n}" for n in range(1, (len(published) - 1) // PAGE_SIZE + 2)] + ["/tags/", "/tags/?sort=az", "/authors/"]
        for url, report in watcher.open_all(lists + list(names)):
            if report is not None and url in names and _normal(report["h1"]) != _normal(names[url]):
                problems.append((url, f"<h1> is {str(report['h1'])[:120]!r}, not the name {names[url][:120]!r}"))

        # Search: every post in the results for a word of its body, a page at a time; words of
        # the vectors (highlighted in escaped text); vectors' payloads as queries (reflected).
        corpus = [f"/search/?q={CORPUS_WORD}&page={n}" for n in range(1, (len(published) - 1) // PAGE_SIZE + 2)]
        words = [f"/search/?q={word}" for word in HIGHLIGHTED_WORDS]
        reflected = [f"/search/?q={quote(v.payload)}" for v in ALL_VECTORS if v.name.startswith(REFLECTED_PREFIXES)]
        found = set()
        for url, report in watcher.open_all(corpus + words + reflected):
            if report is not None and url in corpus:
                found.update(html.unescape(link) for link in report["links"])
        problems += [(f"/search/?q={CORPUS_WORD}", f"no page of results shows {url}") for url in sorted(set(by_url) - found)]
    finally:
        watcher.close()

    browsed = time.monotonic()
    feed_problems, feeds = check_feeds_and_sitemap()
    executions = watcher.executions
    line = f"XSS suite: {len(ALL_VECTORS)} vectors, {watcher.pages} pages opened, {len(executions)} executions"
    with capsys.disabled():
        sys.stderr.write(
            f"\n{line}\n"
            f"  ({len(published)} posts, {feeds} feeds and sitemap parsed, {len(watcher.findings)} executable constructs left in pages, "
            f"{len(feed_problems)} in feeds, {len(problems)} other problems; "
            f"import {imported - started:.0f} s, browser {browsed - imported:.0f} s, feeds {time.monotonic() - browsed:.0f} s)\n"
        )

    failures = (
        _listed("EXECUTED", [f"{kind} {detail!r} on {where}" for kind, detail, where in executions])
        + _listed("LEFT IN A PAGE", [f"{page}: {what}" for page, what in watcher.findings])
        + _listed("FEED", [f"{where}: {what}" for where, what in feed_problems])
        + _listed("OTHER", [f"{where}: {what}" for where, what in problems])
    )
    assert not failures, "\n".join(failures)


def _listed(heading, lines, shown=60):
    """``lines`` under a heading, cut after ``shown`` of them (a broken feed can give hundreds)."""
    if not lines:
        return []
    more = [f"  ... and {len(lines) - shown} more"] if len(lines) > shown else []
    return [f"{heading} ({len(lines)}):", *(f"  {line}" for line in lines[:shown]), *more]


def check_feeds_and_sitemap():
    """Every feed (site, each tag, each author; RSS and Atom) and the sitemap: (problems, how many were read)."""
    client = Client(raise_request_exception=False)
    problems = []
    urls = ["/feed/", "/feed/atom/"]
    for tag in Tag.objects.all():
        urls += [reverse("blog:tag_feed", args=[tag.slug]), reverse("blog:tag_feed_atom", args=[tag.slug])]
    for author in Author.objects.all():
        urls += [reverse("blog:author_feed", args=[author.slug]), reverse("blog:author_feed_atom", args=[author.slug])]
    atom = "{http://www.w3.org/2005/Atom}"
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            problems.append((url, f"answered {response.status_code}"))
            continue
        try:
            root = ElementTree.fromstring(response.content)
        except ElementTree.ParseError as error:
            problems.append((url, f"is not well-formed XML: {error}"))
            continue
        for item in root.iter("item"):
            where = f"{url} item {item.findtext('link')}"
            for problem in executable_constructs(item.findtext("description") or ""):
                problems.append((where, f"RSS <description> (HTML): {problem}"))
        for entry in root.iter(f"{atom}entry"):
            where = f"{url} entry {entry.findtext(f'{atom}id')}"
            for name in ("content", "summary"):
                element = entry.find(f"{atom}{name}")
                if element is not None and element.get("type") == "html":
                    for problem in executable_constructs(element.text or ""):
                        problems.append((where, f'Atom <{name} type="html">: {problem}'))
    sitemaps, read = ["/sitemap.xml"], 0
    while sitemaps:
        url = sitemaps.pop()
        read += 1
        response = client.get(url)
        if response.status_code != 200:
            problems.append((url, f"answered {response.status_code}"))
            continue
        root = ElementTree.fromstring(response.content)
        for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
            if root.tag.endswith("sitemapindex") and re.fullmatch(r"http://testserver/sitemap[\w-]*\.xml(\?p=\d+)?", loc.text or ""):
                sitemaps.append(loc.text.removeprefix("http://testserver"))
            elif not re.fullmatch(r"http://testserver/(posts|tags|authors)/[^\s<>\"'`]+/", loc.text or ""):
                problems.append((url, f"unexpected <loc> {loc.text!r}"))
    return problems, len(urls) + read


def test_xss_admin_preview_returns_nothing_executable(browser, live_server, django_user_model, capsys):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw-123456!")
    url = reverse("admin:blog_post_preview")

    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(url, {"body": "x"}).status_code in (302, 403), "the preview is staff-only"
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(url, {"body": "x"}).status_code == 403, "the preview needs the CSRF token"
    client.get(reverse("admin:blog_post_add"))
    token = client.cookies["csrftoken"].value

    problems, rendered = [], {}
    for vector in ALL_VECTORS:
        response = client.post(url, {"body": vector.payload}, HTTP_X_CSRFTOKEN=token)
        if response.status_code != 200:
            problems.append((vector.name, f"answered {response.status_code}"))
            continue
        markup = response.json()["html"]
        rendered[vector.name] = markup
        problems += [(vector.name, problem) for problem in executable_constructs(markup)]

    # The returned HTML as a document on the site's origin, where scripts would run.
    watcher = Watcher(browser, live_server.url)
    try:
        watcher.open("/tags/")
        for name, markup in rendered.items():
            report = watcher.set_content(f'<!doctype html><html><head><title>preview</title></head><body><main><div class="body">{markup}'
                                         "</div></main></body></html>")
            problems += [(name, f"in the browser: {finding}") for finding in report["findings"]]
        previews = watcher.pages - 1
    finally:
        watcher.close()

    # And a few in the real editor, typed into the body as an editor would.
    editor = browser_editor_previews(browser, live_server.url, [v for v in VECTORS if v.name in EDITOR_SAMPLE])
    problems += editor["problems"]
    executions = watcher.executions + editor["executions"]
    with capsys.disabled():
        sys.stderr.write(
            f"\nXSS admin preview: {len(ALL_VECTORS)} vectors, {previews} previews rendered in the browser, "
            f"{editor['typed']} typed into the editor, {len(executions)} executions\n"
        )
    assert executions == [], "\n".join(f"{kind} {detail!r} on {where}" for kind, detail, where in executions)
    assert problems == [], "\n".join(f"{name}: {what}" for name, what in problems)


EDITOR_SAMPLE = {
    "script", "img-onerror", "svg-onload", "iframe-srcdoc", "details-ontoggle", "noscript-title", "math-mglyph-style",
    "md-link-javascript", "md-link-decimal-entity", "md-ref-link", "md-autolink-javascript", "md-attr-list-href",
    "a-href-entity-tab", "form-action",
}


def browser_editor_previews(browser, origin, vectors):
    """Type each vector into the post editor and audit the live preview it shows."""
    context = browser.new_context(base_url=origin, bypass_csp=True, viewport={"width": 1280, "height": 900})
    executions, problems = [], []
    context.expose_binding("__tintaXss", lambda source, kind, detail, where: executions.append((kind, detail, where)))
    context.add_init_script(HOOKS)
    context.route(lambda url: not url.startswith(origin), lambda route: route.abort())
    page = context.new_page()
    page.on("dialog", lambda dialog: (executions.append((f"dialog {dialog.type}", dialog.message, "editor")), dialog.dismiss()))
    try:
        page.goto("/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", "pw-123456!")
        page.click("input[type=submit]")
        page.goto(reverse("admin:blog_post_add"))
        status = page.locator(".md-preview-status")
        body = page.frame_locator("iframe.md-preview").locator(".body")
        for vector in vectors:
            with page.expect_response(lambda response: response.url.endswith(reverse("admin:blog_post_preview"))):
                page.fill("#id_body", vector.payload)
            status.filter(has_text="Preview up to date").wait_for(timeout=10_000)
            page.wait_for_timeout(50)
            problems += [(vector.name, f"in the editor's preview: {problem}") for problem in executable_constructs(body.inner_html())]
    finally:
        context.close()
    return {"executions": executions, "problems": problems, "typed": len(vectors)}


def test_xss_detector_catches_planted_vectors(browser, live_server):
    """The suite's instruments work: planted script runs are counted, latent ones activated, HTML flagged."""
    planted = (
        '<img src=x onerror="alert(1)"><a href="JaVa&#x09;Script:confirm(2)">x</a><div onclick="prompt(3)">y</div>'
        "<iframe srcdoc=\"<script>parent.print()</script>\"></iframe><script>fetch('/pwned')</script>"
    )
    watcher = Watcher(browser, live_server.url)
    try:
        watcher.open("/tags/")
        report = watcher.set_content(f"<!doctype html><html><body><main>{planted}</main></body></html>")
        watcher.tabs[0].wait_for_timeout(200)
    finally:
        watcher.close()
    kinds = {kind for kind, _, _ in watcher.executions}
    assert {"alert", "confirm", "prompt", "print", "request"} <= kinds, watcher.executions
    assert any("event handler onerror" in finding for finding in report["findings"])
    assert any("srcdoc" in finding for finding in report["findings"])
    found = executable_constructs(planted)
    assert any("onerror" in problem for problem in found) and any("javascript: URL" in problem for problem in found)
    assert any("'<script' tag" in problem for problem in found)
