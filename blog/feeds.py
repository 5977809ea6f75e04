"""RSS 2.0 and Atom feeds of published posts: the whole site, a tag, an author.

Items carry the full sanitised body and the post's tags as categories.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import Author, Post, Tag

FEED_SIZE = 20


class FullContentAtomFeed(Atom1Feed):
    """Atom with the whole post in <content>, the excerpt staying in <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class PostsFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self, obj=None):
        return settings.TINTA_SITE_NAME

    def description(self, obj=None):
        return settings.TINTA_SITE_DESCRIPTION

    def link(self, obj=None):
        return reverse("blog:home")

    def posts(self, obj):
        return Post.objects.published()

    def items(self, obj=None):
        return self.posts(obj).with_related()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.publish_date

    def item_updateddate(self, item):
        return item.updated_date or item.updated_at

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.ordered_authors) or None


class PostsAtomFeed(PostsFeed):
    feed_type = FullContentAtomFeed

    def subtitle(self, obj=None):
        return self.description(obj)

    def item_description(self, item):
        # Atom's <summary type="html"> is read as HTML; the description is plain text.
        return escape(item.description or item.excerpt)

    def item_extra_kwargs(self, item):
        return {"content": item.body_html}


class TagFeedMixin:
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj=None):
        return _("%(site)s: posts tagged “%(tag)s”") % {"site": settings.TINTA_SITE_NAME, "tag": obj.name}

    def description(self, obj=None):
        return obj.description or self.title(obj)

    def link(self, obj=None):
        return obj.get_absolute_url()

    def posts(self, obj):
        return Post.objects.published().tagged(obj)


class AuthorFeedMixin:
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj=None):
        return _("%(site)s: posts by %(author)s") % {"site": settings.TINTA_SITE_NAME, "author": obj.name}

    def description(self, obj=None):
        return obj.bio or obj.role or self.title(obj)

    def link(self, obj=None):
        return obj.get_absolute_url()

    def posts(self, obj):
        return Post.objects.published().by_author(obj)


class TagFeed(TagFeedMixin, PostsFeed):
    pass


class TagAtomFeed(TagFeedMixin, PostsAtomFeed):
    pass


class AuthorFeed(AuthorFeedMixin, PostsFeed):
    pass


class AuthorAtomFeed(AuthorFeedMixin, PostsAtomFeed):
    pass
