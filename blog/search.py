"""Searching published posts: PostgreSQL full-text search, or a portable fallback.

On PostgreSQL each post has a :class:`~blog.models.PostSearchDocument`: a
tsvector built with the text-search configuration of the post's language
(Spanish stemming for Spanish posts), title weighted above tags, tags above
the description and the description above the body, behind a GIN index. The
query is parsed with each post's own configuration, so ``generativas`` finds a
Spanish post about ``IA generativa``. Elsewhere (SQLite) every word must
appear in the title, tags, description or body, and matches in the title and
tags rank first. Both give :class:`Result` objects with the matched words
highlighted in escaped HTML.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from .cache import cached_for_content
from .models import Post, PostSearchDocument, TaggedPost

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
SNIPPET_LENGTH = 240
# PostgreSQL's text-search configurations by language; "simple" for the rest.
CONFIGS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
    "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}
# Headline markers that cannot occur in text, swapped for <mark> after escaping.
_START, _STOP = "\x02", "\x03"


@dataclass
class Result:
    post: Post
    title: str  # safe HTML with <mark>
    snippet: str  # safe HTML with <mark>


def search_config(language):
    return CONFIGS.get((language or "").split("-")[0].lower(), "simple")


def clean_query(text):
    """The query as searched: trimmed, bounded, or "" when nothing is left to search for."""
    text = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
    return text if re.search(r"\w", text) else ""


def is_postgresql():
    return connection.vendor == "postgresql"


def index_post(post):
    """Refresh the post's search document (PostgreSQL only; a no-op elsewhere)."""
    if not is_postgresql() or not post.pk:
        return
    config = search_config(post.language)
    tags = " ".join(post.tags.values_list("name", flat=True))
    text = " ".join(strip_tags(post.body_html).split())
    head = (
        SearchVector(Value(post.title), weight="A", config=config)
        + SearchVector(Value(tags), weight="B", config=config)
        + SearchVector(Value(post.description), weight="C", config=config)
    )
    vector = head + SearchVector(Value(text), weight="D", config=config)
    public_from = post.publish_date if post.status == Post.Status.PUBLISHED else None
    PostSearchDocument.objects.update_or_create(
        post=post, defaults={"config": config, "text": text, "vector": vector, "head": head, "public_from": public_from}
    )


def search(posts, text):
    """The posts among ``posts`` that match ``text``, best first: a queryset, or
    on PostgreSQL a :class:`RankedMatches` that pages like one."""
    text = clean_query(text)
    if not text:
        return posts.none()
    return RankedMatches(posts, text) if is_postgresql() else _portable_search(posts, text)


def results(page_of_posts, text):
    """Highlight one page of posts found by :func:`search`."""
    text = clean_query(text)
    if is_postgresql():
        return [
            Result(post, _marks(post.title_headline or escape(post.title)), _marks(post.snippet_headline or ""))
            for post in page_of_posts
        ]
    terms = _terms(text)
    return [Result(post, _highlight(post.title, terms), _highlight(_snippet(post, terms), terms)) for post in page_of_posts]


def configs_in_use():
    """The text-search configurations the search documents use, a handful at most."""
    return cached_for_content(
        "search-configs", lambda: sorted(PostSearchDocument.objects.values_list("config", flat=True).distinct())
    )


class RankedMatches:
    """The posts matching a query on PostgreSQL, best first, read a page at a time.

    Matching, filtering and ranking read the search documents alone: the
    query is spelled out once per configuration in use, as a constant, so
    PostgreSQL finds the matches through the GIN index; they are ranked by
    their ``head`` (title, tags, description) and then by date, and only the
    posts of the page asked for are read, through ``posts`` (so never a post
    ``posts`` leaves out). Sliced and counted like a queryset, for Paginator.
    """

    model = Post

    def __init__(self, posts, text):
        self.posts, self.text, self.lookups = posts, text, ()
        configs = configs_in_use()
        queries = {config: SearchQuery(text, config=config, search_type="websearch") for config in configs}
        matches = Q(pk__in=[])
        for config, query in queries.items():
            matches |= Q(config=config, vector=query)
        rank = Case(
            *(When(config=config, then=SearchRank(Coalesce(F("head"), Value("", output_field=SearchVectorField())), query))
              for config, query in queries.items()),
            default=Value(0.0), output_field=FloatField(),
        )
        self.documents = (
            PostSearchDocument.objects.filter(matches, public_from__lte=timezone.now())
            .annotate(rank=rank).order_by("-rank", "-public_from", "-post_id")
        )

    def prefetch_related(self, *lookups):
        self.lookups += lookups
        return self

    def count(self):
        return self.documents.count()

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = list(self.documents.values_list("post_id", flat=True)[index])
        if not ids:
            return []
        row_config = F("search_document__config")
        query = SearchQuery(self.text, config=row_config, search_type="websearch")
        options = {"config": row_config, "start_sel": _START, "stop_sel": _STOP}
        found = self.posts.filter(pk__in=ids).prefetch_related(*self.lookups).annotate(
            title_headline=SearchHeadline("title", query, highlight_all=True, **options),
            snippet_headline=SearchHeadline(
                "search_document__text", query, max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … ", **options
            ),
        )
        by_id = {post.pk: post for post in found}
        return [by_id[pk] for pk in ids if pk in by_id]


def _terms(text):
    return [term for term in re.findall(r"\w[\w'’-]*", text)][:MAX_TERMS]


def _portable_search(posts, text):
    terms = _terms(text)
    score = Value(0)
    for term in terms:
        in_title = Q(title__icontains=term)
        in_tags = Exists(TaggedPost.objects.filter(content_object=OuterRef("pk"), tag__name__icontains=term))
        in_description = Q(description__icontains=term)
        in_body = Q(body__icontains=term)
        posts = posts.filter(in_title | in_tags | in_description | in_body)
        score = score + Case(
            When(in_title, then=Value(8)), When(in_tags, then=Value(4)), When(in_description, then=Value(2)),
            default=Value(1), output_field=IntegerField(),
        )
    return posts.annotate(rank=Coalesce(score, Value(0))).order_by("-rank", "-publish_date", "-id")


def _snippet(post, terms):
    """The part of the post around the first matched word, as plain text."""
    text = post.description or ""
    plain = " ".join(strip_tags(post.body_html).split())
    lowered = plain.lower()
    positions = [lowered.find(term.lower()) for term in terms if lowered.find(term.lower()) >= 0]
    if positions:
        start = max(0, min(positions) - SNIPPET_LENGTH // 3)
        excerpt = plain[start : start + SNIPPET_LENGTH]
        text = ("… " if start else "") + excerpt + (" …" if start + SNIPPET_LENGTH < len(plain) else "")
    return text or post.excerpt


def _highlight(text, terms):
    html = escape(text)
    if not terms:
        return mark_safe(html)
    pattern = re.compile("|".join(re.escape(escape(term)) for term in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda match: f"<mark>{match.group(0)}</mark>", html))


def _marks(headline):
    return mark_safe(escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>"))
