"""Reader pages: thin generic views over :class:`blog.models.PostQuerySet`.

Every list starts from ``Post.objects.published()``; only a post's own page
shows a draft or scheduled post, and only to staff. Templates get everything
they show from here, prefetched, so no template queries.
"""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Upper
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import get_script_prefix
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView, TemplateView

from . import search as post_search
from .cache import ContentPaginator, cached_for_content
from .metadata import post_jsonld
from .models import Author, Post, Tag, published_q, slug_url

PAGE_SIZE = 10
TAGS_PAGE_SIZE = 200
RELATED_POSTS = 5
RELATED_CANDIDATES = 50
TOC_MIN_HEADINGS = 3


class RedirectOldSlugMixin:
    """Answer a slug that was renamed with a permanent redirect to the new URL."""

    model = None

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Only a miss pays for the redirect lookup.
            moved = self.model.redirect_for(kwargs["slug"])
            if moved is None:
                raise
            return redirect(moved, permanent=True)


class CachedCountMixin:
    """A ListView whose paginator counts through the data cache, under :meth:`count_name`."""

    paginator_class = ContentPaginator

    def count_name(self):
        raise NotImplementedError

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, count_name=self.count_name(), **kwargs)


class PostListView(CachedCountMixin, ListView):
    template_name = "blog/post_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Post.objects.published().summaries()

    def count_name(self):
        return "home"


def related_candidates(published, tags):
    """The posts related posts are picked from: the RELATED_CANDIDATES newest of each tag.

    Ranking every post that shares a tag by how many it shares would read
    all of a popular tag's posts for every page view; the newest few of each
    tag are where related reading is, and they cost the same at any size.
    """
    newest = [
        Post.objects.filter(pk__in=published.filter(tags=tag).order_by("-publish_date", "-id").values("pk")[:RELATED_CANDIDATES])
        .order_by().values_list("pk", flat=True)
        for tag in tags
    ]
    return list(newest[0].union(*newest[1:]))  # one query, a few ids


class PostDetailView(RedirectOldSlugMixin, DetailView):
    model = Post
    template_name = "blog/post_detail.html"

    def get_queryset(self):
        posts = Post.objects.with_related()
        # Staff see drafts and scheduled posts at their URL; nobody else does.
        return posts if self.request.user.is_staff else posts.published()

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_public:
            # Only staff get here; no shared cache may keep a draft.
            patch_cache_control(response, private=True, no_cache=True)
        return response

    def get_context_data(self, **kwargs):
        post = self.object
        tags = sorted(post.tags.all(), key=lambda tag: tag.name.lower())
        return super().get_context_data(
            tags=tags,
            **post_neighbours(post, tags),
            toc=post.toc if len([h for h in post.toc if h["level"] > 1]) >= TOC_MIN_HEADINGS else [],
            jsonld=post_jsonld(post, tags, self.request),
            **kwargs,
        )


def post_neighbours(post, tags):
    """The posts a post's page links to: previous, next, related, translations.

    Five queries that change only with the content, so worked out once per
    content version (:func:`blog.cache.cached_for_content`).
    """

    def compute():
        published = Post.objects.published()
        order = ("publish_date", "id")
        when, pk = post.publish_date, post.pk
        # The plain bound on publish_date lets the index walk from this post and stop at the first row.
        older = published.filter(Q(publish_date__lt=when) | Q(publish_date=when, id__lt=pk), publish_date__lte=when)
        newer = published.filter(Q(publish_date__gt=when) | Q(publish_date=when, id__gt=pk), publish_date__gte=when)
        links = ("slug", "title", "language")
        related = (
            published.filter(pk__in=related_candidates(published, tags), tags__in=tags).exclude(pk=pk)
            .annotate(shared_tags=Count("tags")).order_by("-shared_tags", "-publish_date", "-id").only(*links)[:RELATED_POSTS]
            if tags else []
        )
        translations = (
            published.filter(translation_key=post.translation_key).exclude(pk=pk).order_by("language").only(*links)
            if post.translation_key else []
        )
        return {
            "previous_post": older.order_by(*(f"-{field}" for field in order)).only(*links).first(),
            "next_post": newer.order_by(*order).only(*links).first(),
            "related_posts": list(related),
            "translations": list(translations),
        }

    # The key names the post's own date and tags: a draft's page (staff only) must not
    # wait for a commit to see them, and the neighbours depend on nothing else of it.
    tag_ids = ",".join(str(tag.pk) for tag in tags)
    return cached_for_content(f"neighbours:{post.pk}:{post.publish_date.isoformat()}:{post.translation_key}:{tag_ids}", compute)


@dataclass(frozen=True)
class TagEntry:
    """A tag as the tag index shows it."""

    name: str
    url: str
    post_count: int

    @property
    def initial(self):
        return self.name[:1].upper()

    def get_absolute_url(self):
        return self.url


def tag_index_entries(alphabetical):
    """Every tag with public posts and their number, most used or A–Z first.

    Counting 5,000 tags' posts reads every tag link, so the list is worked
    out once per content version and kept as plain rows.
    """

    def compute():
        tags = Tag.objects.annotate(post_count=Count("tagged_posts", filter=published_q("tagged_posts__content_object__")))
        tags = tags.filter(post_count__gt=0)
        tags = tags.order_by(Upper("name"), "name") if alphabetical else tags.order_by("-post_count", "name")
        return [TagEntry(name, slug_url("blog:tag", slug), count) for name, slug, count in tags.values_list("name", "slug", "post_count")]

    return cached_for_content(f"tag-index:{'az' if alphabetical else 'used'}:{get_script_prefix()}", compute)


class TagIndexView(ListView):
    template_name = "blog/tag_list.html"
    paginate_by = TAGS_PAGE_SIZE

    def get_queryset(self):
        return tag_index_entries(self.alphabetical)

    @property
    def alphabetical(self):
        return self.request.GET.get("sort") == "az"

    def get_context_data(self, **kwargs):
        return super().get_context_data(alphabetical=self.alphabetical, **kwargs)


class TagDetailView(RedirectOldSlugMixin, CachedCountMixin, ListView):
    model = Tag
    template_name = "blog/tag_detail.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Post.objects.published().tagged(self.tag).summaries()

    def count_name(self):
        return f"tag:{self.tag.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorIndexView(ListView):
    template_name = "blog/author_list.html"

    def get_queryset(self):
        authors = Author.objects.annotate(post_count=Count("post_links", filter=published_q("post_links__post__")))
        return authors.filter(post_count__gt=0).order_by("name")


class AuthorDetailView(RedirectOldSlugMixin, CachedCountMixin, ListView):
    model = Author
    template_name = "blog/author_detail.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return Post.objects.published().by_author(self.author).summaries()

    def count_name(self):
        return f"author:{self.author.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class SearchView(CachedCountMixin, ListView):
    template_name = "blog/search.html"
    paginate_by = PAGE_SIZE

    def count_name(self):
        return "search:" + hashlib.sha256(self.query.encode()).hexdigest()

    def get_queryset(self):
        self.query = post_search.clean_query(self.request.GET.get("q", ""))
        return post_search.search(Post.objects.published(), self.query).prefetch_related("tags")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("q", "")
        context.update(
            query=self.query,
            raw_query=raw,
            query_was_cut=len(" ".join(raw.split())) > post_search.MAX_QUERY_LENGTH,
            results=post_search.results(context["page_obj"], self.query) if self.query else [],
        )
        return context


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
