"""Small factories for posts, tags and authors, written straight to the database."""

import datetime as dt
import itertools

from django.utils import timezone

from blog.models import Author, Post, PostAuthor, Tag

_numbers = itertools.count(1)


def make_tag(name, **fields):
    from blog.slugs import make_slug

    return Tag.objects.get_or_create(slug=make_slug(name), defaults={"name": name, **fields})[0]


def make_author(name, **fields):
    from blog.slugs import make_slug

    return Author.objects.get_or_create(slug=make_slug(name), defaults={"name": name, **fields})[0]


def make_post(title=None, *, tags=(), authors=(), days_ago=None, **fields):
    """A published post (unless told otherwise), ``days_ago`` days old."""
    number = next(_numbers)
    title = title or f"Post number {number}"
    fields.setdefault("slug", f"post-{number}")
    fields.setdefault("status", Post.Status.PUBLISHED)
    fields.setdefault("body", f"Body of {title}.\n\nSecond paragraph.")
    if "publish_date" not in fields:
        fields["publish_date"] = timezone.now() - dt.timedelta(days=number if days_ago is None else days_ago)
    post = Post.objects.create(title=title, **fields)
    if tags:
        post.tags.set([make_tag(tag) if isinstance(tag, str) else tag for tag in tags])
    for order, author in enumerate(authors):
        PostAuthor.objects.create(post=post, author=make_author(author) if isinstance(author, str) else author, order=order)
    return post


def make_draft(title=None, **fields):
    return make_post(title, status=Post.Status.DRAFT, **fields)


def make_scheduled(title=None, **fields):
    fields.setdefault("publish_date", timezone.now() + dt.timedelta(days=3))
    return make_post(title, **fields)
