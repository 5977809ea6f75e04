"""Reader pages: thin generic views over :class:`blog.models.PostQuerySet`.

Every list starts from ``Post.objects.published()``; only a post's own page
shows a draft or scheduled post, and only to staff. Templates get everything
they show from here, prefetched, so no template queries.
"""

from django.db.models import Count
from django.db.models.functions import Substr, Upper
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView, TemplateView

from . import search as post_search
from .metadata import post_jsonld
from .models import Author, Post, Tag, published_q

PAGE_SIZE = 10
RELATED_POSTS = 5
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


class PostListView(ListView):
    template_name = "blog/post_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Post.objects.published().with_related()


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
        published = Post.objects.published()
        tags = sorted(post.tags.all(), key=lambda tag: tag.name.lower())
        order = ("publish_date", "id")
        older = published.filter(publish_date__lt=post.publish_date) | published.filter(publish_date=post.publish_date, id__lt=post.id)
        newer = published.filter(publish_date__gt=post.publish_date) | published.filter(publish_date=post.publish_date, id__gt=post.id)
        links = ("slug", "title", "language")
        related = (
            published.filter(tags__in=tags).exclude(pk=post.pk).annotate(shared_tags=Count("tags"))
            .order_by("-shared_tags", "-publish_date", "-id").only(*links)[:RELATED_POSTS]
            if tags else []
        )
        translations = (
            published.filter(translation_key=post.translation_key).exclude(pk=post.pk).order_by("language").only(*links)
            if post.translation_key else []
        )
        return super().get_context_data(
            tags=tags,
            previous_post=older.order_by(*(f"-{field}" for field in order)).only(*links).first(),
            next_post=newer.order_by(*order).only(*links).first(),
            related_posts=list(related),
            translations=list(translations),
            toc=post.toc if len([h for h in post.toc if h["level"] > 1]) >= TOC_MIN_HEADINGS else [],
            jsonld=post_jsonld(post, tags, self.request),
            **kwargs,
        )


class TagIndexView(ListView):
    template_name = "blog/tag_list.html"

    def get_queryset(self):
        tags = Tag.objects.annotate(post_count=Count("tagged_posts", filter=published_q("tagged_posts__content_object__")))
        tags = tags.filter(post_count__gt=0)
        if self.alphabetical:
            return tags.annotate(initial=Upper(Substr("name", 1, 1))).order_by(Upper("name"), "name")
        return tags.order_by("-post_count", "name")

    @property
    def alphabetical(self):
        return self.request.GET.get("sort") == "az"

    def get_context_data(self, **kwargs):
        return super().get_context_data(alphabetical=self.alphabetical, **kwargs)


class TagDetailView(RedirectOldSlugMixin, ListView):
    model = Tag
    template_name = "blog/tag_detail.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Post.objects.published().tagged(self.tag).with_related()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorIndexView(ListView):
    template_name = "blog/author_list.html"

    def get_queryset(self):
        authors = Author.objects.annotate(post_count=Count("post_links", filter=published_q("post_links__post__")))
        return authors.filter(post_count__gt=0).order_by("name")


class AuthorDetailView(RedirectOldSlugMixin, ListView):
    model = Author
    template_name = "blog/author_detail.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return Post.objects.published().by_author(self.author).with_related()

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class SearchView(ListView):
    template_name = "blog/search.html"
    paginate_by = PAGE_SIZE

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
