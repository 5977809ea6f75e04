"""The sitemap: every published post, and the tags and authors that have one.

`/sitemap.xml` is an index of sections (`/sitemap-posts.xml?p=2`, …) of at most
SECTION_SIZE URLs each, so neither it nor a section grows with the site. The
index needs each section's number of items and latest change, which read
every post; both are worked out once per content version
(:func:`blog.cache.cached_for_content`), with an aggregate, not by loading
the items as Django's Sitemap would.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max

from .cache import ContentPaginator, cached_for_content
from .models import Author, Post, PostAuthor, Tag, TaggedPost, published_q

SECTION_SIZE = 2000


class ContentSitemap(Sitemap):
    limit = SECTION_SIZE
    section = ""

    @property
    def paginator(self):
        return ContentPaginator(self._items(), self.limit, count_name=f"sitemap:{self.section}")

    def get_latest_lastmod(self):
        return cached_for_content(f"sitemap-lastmod:{self.section}", self.latest_change)

    def latest_change(self):
        raise NotImplementedError


class PostSitemap(ContentSitemap):
    section = "posts"

    def items(self):
        return Post.objects.published().only("slug", "updated_at").order_by("-publish_date", "-id")

    def lastmod(self, post):
        return post.updated_at

    def latest_change(self):
        return Post.objects.published().aggregate(last=Max("updated_at"))["last"]


class TagSitemap(ContentSitemap):
    section = "tags"

    def items(self):
        public = published_q("tagged_posts__content_object__")
        return (
            Tag.objects.annotate(
                post_count=Count("tagged_posts", filter=public), last=Max("tagged_posts__content_object__updated_at", filter=public)
            )
            .filter(post_count__gt=0)
            .order_by("slug")
        )

    def lastmod(self, tag):
        return tag.last

    def latest_change(self):
        return TaggedPost.objects.filter(published_q("content_object__")).aggregate(last=Max("content_object__updated_at"))["last"]


class AuthorSitemap(ContentSitemap):
    section = "authors"

    def items(self):
        public = published_q("post_links__post__")
        return (
            Author.objects.annotate(
                post_count=Count("post_links", filter=public), last=Max("post_links__post__updated_at", filter=public)
            )
            .filter(post_count__gt=0)
            .order_by("slug")
        )

    def lastmod(self, author):
        return author.last

    def latest_change(self):
        return PostAuthor.objects.filter(published_q("post__")).aggregate(last=Max("post__updated_at"))["last"]


SITEMAPS = {"posts": PostSitemap, "tags": TagSitemap, "authors": AuthorSitemap}
