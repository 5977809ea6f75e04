"""Keeping derived state in step with posts, tags and authors: the PostgreSQL
search documents, and the content version that keys the page cache."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .cache import content_changed
from .models import Author, Post, PostAuthor, PostSearchDocument, SlugRedirect, Tag, TaggedPost
from .search import index_post, is_postgresql

READER_VISIBLE = (Post, Tag, Author, PostAuthor, TaggedPost, SlugRedirect)


@receiver(post_save, sender=Post)
def index_saved_post(sender, instance, raw=False, **kwargs):
    if not raw:
        index_post(instance)


@receiver(m2m_changed, sender=Post.tags.through)
def index_retagged_post(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Post):
        index_post(instance)
    elif pk_set:
        for post in Post.objects.filter(pk__in=pk_set):
            index_post(post)


@receiver(post_save, sender=Tag)
def index_posts_of_renamed_tag(sender, instance, created, raw=False, **kwargs):
    if not created and not raw and is_postgresql():
        for post in Post.objects.filter(tags=instance):
            index_post(post)


@receiver(post_delete, sender=Post)
def delete_search_document(sender, instance, **kwargs):
    if is_postgresql():
        PostSearchDocument.objects.filter(post_id=instance.pk).delete()


def bump_content_version(sender, raw=False, **kwargs):
    if not raw:
        content_changed()


for model in READER_VISIBLE:
    post_save.connect(bump_content_version, sender=model, dispatch_uid=f"content-version-save-{model.__name__}")
    post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"content-version-delete-{model.__name__}")
m2m_changed.connect(bump_content_version, sender=Post.tags.through, dispatch_uid="content-version-tags")
