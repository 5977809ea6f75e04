"""Keeping PostgreSQL search documents in step with posts and their tags."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Post, PostSearchDocument, Tag
from .search import index_post, is_postgresql


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
