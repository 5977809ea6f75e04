"""Merging duplicate tags or authors into one.

A merge re-tags (or re-bylines) every post of the merged tags (or authors),
leaves a permanent redirect from each merged slug to the one kept, so shared
links such as ``/tags/ia-generativa/`` keep working, and deletes the merged
rows. Each post it touches is saved like any other edit: its history gets a
revision saying what was merged, its lock version moves on, and the next
import sees it as changed by an editor.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import history
from .models import Author, Post, PostAuthor, SlugRedirect, Tag


@dataclass
class MergeResult:
    target: object
    merged: list = field(default_factory=list)  # names of the tags or authors merged away
    old_slugs: list = field(default_factory=list)  # now redirecting to the target
    posts: list = field(default_factory=list)  # posts re-tagged or re-bylined

    def message(self):
        merged = _("Merged %(merged)s into “%(target)s”.") % {
            "merged": ", ".join(f"“{name}”" for name in self.merged), "target": self.target,
        }
        posts = ngettext("%(count)d post changed.", "%(count)d posts changed.", len(self.posts)) % {"count": len(self.posts)}
        slugs = ngettext(
            "The old slug %(slugs)s redirects to it.", "The old slugs %(slugs)s redirect to it.", len(self.old_slugs)
        ) % {"slugs": ", ".join(self.old_slugs)}
        return " ".join([merged, posts, slugs])


def merge_tags(target, tags, *, user=None):
    """Merge ``tags`` into ``target``; ``target`` may be among ``tags``."""
    others = [tag for tag in tags if tag.pk != target.pk]
    result = MergeResult(target=target, merged=[tag.name for tag in others])
    if not others:
        return result
    comment = _("Merged tags %(merged)s into “%(target)s”") % {"merged": ", ".join(f"“{t.name}”" for t in others), "target": target.name}
    with transaction.atomic(), history.revision(user=user, comment=comment):
        posts = list(Post.objects.filter(tags__in=others).distinct().order_by("pk"))
        for post in posts:
            post.tags.remove(*[tag.name for tag in others])
            post.tags.add(target)
            _save_edit(post)
        for tag in others:
            if tag.description and not target.description:
                target.description = tag.description
            _leave_redirect(Tag, tag, target, result)
        target.save()
    result.posts = posts
    return result


def merge_authors(target, authors, *, user=None):
    """Merge ``authors`` into ``target``: bylines keep their order, profiles fill the target's gaps."""
    others = [author for author in authors if author.pk != target.pk]
    result = MergeResult(target=target, merged=[author.name for author in others])
    if not others:
        return result
    merged_ids = {author.pk for author in others}
    comment = _("Merged authors %(merged)s into “%(target)s”") % {
        "merged": ", ".join(f"“{a.name}”" for a in others), "target": target.name,
    }
    with transaction.atomic(), history.revision(user=user, comment=comment):
        posts = list(Post.objects.filter(post_authors__author__in=others).distinct().order_by("pk"))
        for post in posts:
            byline = [target.pk if link.author_id in merged_ids else link.author_id for link in PostAuthor.objects.filter(post=post)]
            PostAuthor.objects.filter(post=post).delete()
            for order, author_id in enumerate(dict.fromkeys(byline)):
                PostAuthor.objects.create(post=post, author_id=author_id, order=order)
            _save_edit(post)
        for author in others:
            for name in ("role", "bio", "url", "avatar_url", "socials"):
                if getattr(author, name) and not getattr(target, name):
                    setattr(target, name, getattr(author, name))
            if author.user_id and not target.user_id:
                user_link, author.user = author.user, None
                author.save(update_fields=["user"])
                target.user = user_link
            _leave_redirect(Author, author, target, result)
        target.save()
    result.posts = posts
    return result


def _save_edit(post):
    post.save()  # moves the lock version on, re-indexes
    history.record(post)
    history.mark_edited(post)


def _leave_redirect(model, merged, target, result):
    kind = model.redirect_kind
    # Redirects that led to the merged row now lead to the target.
    SlugRedirect.objects.filter(kind=kind, target_id=merged.pk).update(target_id=target.pk)
    old_slug = merged.slug
    merged.delete()
    SlugRedirect.objects.update_or_create(kind=kind, old_slug=old_slug, defaults={"target_id": target.pk})
    result.old_slugs.append(old_slug)
