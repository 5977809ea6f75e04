"""The sitemap: every published post, and the tags and authors that have one.

`/sitemap.xml` is an index of sections (`/sitemap-posts.xml?p=2`, …) of at most
SECTION_SIZE URLs each, so neither it nor a section grows with the site.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max

from .models import Author, Post, Tag, published_q

SECTION_SIZE = 2000


class PostSitemap(Sitemap):
    limit = SECTION_SIZE
    def items(self):
        return Post.objects.published().only("slug", "updated_at").order_by("-publish_date", "-id")

    def lastmod(self, post):
        return post.updated_at


class TagSitemap(Sitemap):
    limit = SECTION_SIZE
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


class AuthorSitemap(Sitemap):
    limit = SECTION_SIZE
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


SITEMAPS = {"posts": PostSitemap, "tags": TagSitemap, "authors": AuthorSitemap}
