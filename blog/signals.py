"""Keeping derived state in step with posts, tags and authors: the PostgreSQL
search documents, and the content version that keys the page cache.

One save in the admin reindexes its post and bumps the content version at
once. A writer of many posts (the importer) runs inside :func:`held`: there
the receivers only note which posts changed; the writer reindexes them with
:meth:`Held.reindex` (once each, in the transaction that wrote them) and the
content version is bumped once, when the block ends, instead of once per row.
"""

import contextvars
from contextlib import contextmanager

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .cache import content_changed
from .models import Author, Post, PostAuthor, PostSearchDocument, SlugRedirect, Tag, TaggedPost
from .search import index_post, is_postgresql

READER_VISIBLE = (Post, Tag, Author, PostAuthor, TaggedPost, SlugRedirect)


class Held:
    """What changed inside :func:`held`: posts to reindex, and whether readers could see a change."""

    def __init__(self):
        self.post_ids = set()
        self.changed = False

    def post_changed(self, *post_ids):
        self.post_ids.update(post_ids)
        self.changed = True

    def reindex(self):
        """Refresh the search document of each post noted so far, once, and forget them."""
        if self.post_ids:
            index_posts(self.post_ids)
        self.post_ids.clear()


_held = contextvars.ContextVar("tinta_signals_held", default=None)


@contextmanager
def held():
    """Note changes instead of acting on each; bump the content version once at the end.

    The bump goes through :func:`blog.cache.content_changed`, so it waits for
    the commit of a transaction still open then (and is dropped with a
    rollback, as in an import's dry run).
    """
    state = Held()
    token = _held.set(state)
    try:
        yield state
    finally:
        _held.reset(token)
        if state.changed:
            content_changed()


def index_posts(post_ids):
    """Refresh the search documents of these posts (PostgreSQL only)."""
    if is_postgresql():
        for post in Post.objects.filter(pk__in=post_ids):
            index_post(post)


def _posts_changed(post_ids, post=None):
    """Reindex these posts now (``post`` itself when it is the one), or note them for the writer holding signals."""
    if (state := _held.get()) is not None:
        state.post_changed(*post_ids)
    elif post is not None:
        index_post(post)
    else:
        index_posts(post_ids)


@receiver(post_save, sender=Post)
def index_saved_post(sender, instance, raw=False, **kwargs):
    if not raw:
        _posts_changed([instance.pk], instance)


@receiver(m2m_changed, sender=Post.tags.through)
def index_retagged_post(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Post):
        _posts_changed([instance.pk], instance)
    elif pk_set:
        _posts_changed(pk_set)


@receiver(post_save, sender=Tag)
def index_posts_of_renamed_tag(sender, instance, created, raw=False, **kwargs):
    if not created and not raw and is_postgresql():
        _posts_changed(Post.objects.filter(tags=instance).values_list("pk", flat=True))


@receiver(post_delete, sender=Post)
def delete_search_document(sender, instance, **kwargs):
    if is_postgresql():
        PostSearchDocument.objects.filter(post_id=instance.pk).delete()


def bump_content_version(sender, raw=False, **kwargs):
    if raw:
        return
    if (state := _held.get()) is not None:
        state.changed = True
    else:
        content_changed()


for model in READER_VISIBLE:
    post_save.connect(bump_content_version, sender=model, dispatch_uid=f"content-version-save-{model.__name__}")
    post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"content-version-delete-{model.__name__}")
m2m_changed.connect(bump_content_version, sender=Post.tags.through, dispatch_uid="content-version-tags")
