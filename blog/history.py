"""The history of posts: who changed what and when, diffs between versions, reverts.

django-reversion stores the versions (see the registrations at the end of
:mod:`blog.models`): every admin save, import, revert, merge and bulk action
runs inside :func:`revision`, and a post's version carries its byline and tag
rows and the authors and tags as they were named then. This module reads
those versions back as :class:`Snapshot` values, compares two of them, and
reverts a post to one by writing it like any other edit — through
``Post.save()`` and the tag and byline rows, in a new revision — rather than
with reversion's raw revert, which would skip rendering, slug redirects and
the search index.
"""

import difflib
import json
from contextlib import contextmanager
from dataclasses import dataclass, field

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.models import Revision, Version

from .models import POST_HISTORY_FIELDS, Author, Post, PostAuthor, Tag, TaggedPost, tag_for_name

# Fields an author without the publish permission never changes, not even by a revert.
PUBLISHING_FIELDS = ("status", "publish_date")


@contextmanager
def revision(user=None, comment=""):
    """Group every versioned write inside into one revision by ``user``."""
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(str(comment))
        yield


def record(post):
    """Put ``post`` as it stands now, byline and tags included, into the current revision.

    Saving a post records it, but its byline may change afterwards (the admin
    saves inlines after the post; the importer bulk-creates them, which sends
    no signal), so writers call this once they are done.
    """
    if reversion.is_active():
        reversion.add_to_revision(post)


def record_new(entries, user=None):
    """Give each new post its first revision, as :func:`revision` and :func:`record` around its creation would.

    ``entries`` are ``(post, comment, byline rows, tag rows)``, each row with
    its ``author`` or ``tag`` set: the revision holds the post, those rows and
    their authors and tags, and nothing is read back from the database, so
    any number of posts takes a fixed number of queries. django-reversion
    has no bulk API; the versions hold what its ``_add_to_revision`` stores.
    """
    if not entries:
        return
    now = timezone.now()
    user = user if user is not None and user.is_authenticated else None
    revisions = Revision.objects.bulk_create(Revision(date_created=now, user=user, comment=str(entry[1])) for entry in entries)
    contents = {}  # (model, pk) -> [object, revisions it belongs to]
    for (post, _comment, bylines, taggings), revision in zip(entries, revisions, strict=True):
        followed = [post]
        for link in bylines:
            followed += [link, link.author]
        for link in taggings:
            followed += [link, link.tag]
        for obj in followed:
            revisions_of = contents.setdefault((type(obj), obj.pk), [obj, []])[1]
            if revision not in revisions_of:
                revisions_of.append(revision)
    data = _serialized([obj for obj, _revisions in contents.values()])
    _insert_versions(
        _version(obj, revision, data[type(obj), obj.pk]) for obj, revisions_of in contents.values() for revision in revisions_of
    )


def _insert_versions(rows):
    """Insert versions given as {column attname: value} with one executemany: nine versions a post
    make ``bulk_create``'s per-row work (model instances, the ids it reads back, which nothing
    here needs) the largest cost of an import."""
    fields = [field for field in Version._meta.concrete_fields if not field.primary_key]
    connection = connections[router.db_for_write(Version)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(Version._meta.db_table), ", ".join(quote(field.column) for field in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row[field.attname] for field in fields] for row in rows])


def _serialized(objects):
    """{(model, pk): the text reversion stores for it}: Django's JSON serializer's output, each object serialized once."""
    by_model = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    data = {}
    for model, group in by_model.items():
        options = reversion.revisions._get_options(model)
        if options.format != "json" or options.use_natural_foreign_keys:
            for obj in group:
                data[model, obj.pk] = serializers.serialize(
                    options.format, (obj,), fields=options.fields, use_natural_foreign_keys=options.use_natural_foreign_keys
                )
            continue
        # The "python" serializer builds the very dicts the "json" one dumps, for the whole group at once.
        for obj, item in zip(group, serializers.serialize("python", group, fields=options.fields), strict=True):
            data[model, obj.pk] = json.dumps([item], cls=DjangoJSONEncoder, ensure_ascii=False)
    return data


def _version(obj, revision, serialized_data):
    """The columns of the Version django-reversion's ``_add_to_revision`` makes of ``obj``."""
    model = type(obj)
    options = reversion.revisions._get_options(model)
    return {
        "revision_id": revision.pk,
        "object_id": str(getattr(obj, options.object_id_field)),
        "content_type_id": ContentType.objects.get_for_model(model).pk,
        "db": router.db_for_write(model, instance=obj),
        "format": options.format,
        "serialized_data": serialized_data,
        "object_repr": str(obj),
    }


def mark_edited(post):
    """Make sure the next import sees ``post`` as changed by an editor.

    A revert or a merge is an editor's decision even when it lands exactly on
    the imported content; the import must not silently replace it.
    """
    if post.import_key and post.import_hash and post.fingerprint() == post.import_hash:
        Post.objects.filter(pk=post.pk).update(import_hash="")
        post.import_hash = ""


# -- snapshots ----------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A tag or an author as a version names it."""

    id: int
    slug: str
    name: str


@dataclass
class Snapshot:
    fields: dict
    tags: list = field(default_factory=list)  # [Ref], by name
    authors: list = field(default_factory=list)  # [Ref], in byline order


def snapshot(post):
    """The post as it stands in the database now."""
    post = Post.objects.with_related().get(pk=post.pk)
    return Snapshot(
        fields={name: getattr(post, name) for name in POST_HISTORY_FIELDS},
        tags=sorted((Ref(tag.pk, tag.slug, tag.name) for tag in post.tags.all()), key=lambda ref: ref.name.lower()),
        authors=[Ref(author.pk, author.slug, author.name) for author in post.ordered_authors],
    )


def _content_types():
    return {model: ContentType.objects.get_for_model(model) for model in (TaggedPost, PostAuthor, Tag, Author)}


def version_snapshot(version):
    """The post as ``version`` kept it, with its tags and authors named as they were then."""
    post_id = int(version.object_id)
    data = version.field_dict
    types = _content_types()
    by_type = {ct.pk: model for model, ct in types.items()}
    links, bylines, tag_names, author_names = [], [], {}, {}
    related = version.revision.version_set.filter(content_type__in=types.values())
    for other in related:
        model = by_type[other.content_type_id]
        values = other.field_dict
        if model is TaggedPost and values.get("content_object_id") == post_id:
            links.append(values["tag_id"])
        elif model is PostAuthor and values.get("post_id") == post_id:
            bylines.append((values.get("order", 0), int(other.object_id), values["author_id"]))
        elif model is Tag:
            tag_names[int(other.object_id)] = (values.get("slug", ""), values.get("name", ""))
        elif model is Author:
            author_names[int(other.object_id)] = (values.get("slug", ""), values.get("name", ""))
    # A name the version does not hold comes from the tag or author as it is now.
    missing_tags = set(links) - set(tag_names)
    tag_names.update({pk: (slug, name) for pk, slug, name in Tag.objects.filter(pk__in=missing_tags).values_list("pk", "slug", "name")})
    author_ids = [author_id for _order, _pk, author_id in bylines]
    missing_authors = set(author_ids) - set(author_names)
    author_names.update(
        {pk: (slug, name) for pk, slug, name in Author.objects.filter(pk__in=missing_authors).values_list("pk", "slug", "name")}
    )

    def ref(pk, names):
        slug, name = names.get(pk, ("", f"#{pk}"))
        return Ref(pk, slug, name)

    return Snapshot(
        fields={name: data.get(name) for name in POST_HISTORY_FIELDS},
        tags=sorted((ref(pk, tag_names) for pk in set(links)), key=lambda r: r.name.lower()),
        authors=[ref(author_id, author_names) for _order, _pk, author_id in sorted(bylines)],
    )


def versions(post):
    """The post's versions, newest first, with their revisions and users."""
    return (
        Version.objects.get_for_object(post)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def latest_change(post):
    """(who, when, what) of the post's most recent version, for messages; None without history."""
    version = versions(post).first()
    if version is None:
        return None
    return describe_user(version.revision), version.revision.date_created, version.revision.get_comment()


def describe_user(revision):
    if revision.user is not None:
        return revision.user.get_full_name() or revision.user.get_username()
    return _("the importer or a script")


def format_when(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


# -- diffs --------------------------------------------------------------------------


@dataclass
class Change:
    name: str
    label: str
    old: str
    new: str
    html: str  # safe HTML showing the change


def _label(name):
    return capfirst(Post._meta.get_field(name).verbose_name)


def _show(name, value):
    if value is None or value == "":
        return "—"
    if name in ("publish_date", "updated_date"):
        return format_when(value)
    if name == "status":
        return str(Post.Status(value).label)
    if name == "extra_frontmatter":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) if value else "—"
    return str(value)


def _text_diff(old, new):
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2))[2:]
    kinds = {"+": "ins", "-": "del", "@": "hunk"}
    rows = format_html_join("", '<tr class="diff-{}"><td>{}</td></tr>', ((kinds.get(line[:1], "ctx"), line) for line in lines))
    return format_html('<table class="text-diff"><tbody>{}</tbody></table>', rows)


def _value_diff(old, new):
    return format_html('<del class="diff-old">{}</del> <span aria-hidden="true">→</span> <ins class="diff-new">{}</ins>', old, new)


def _list_diff(old_refs, new_refs, ordered):
    old_names = [ref.name for ref in old_refs]
    new_names = [ref.name for ref in new_refs]
    removed = [name for name in old_names if name not in new_names]
    added = [name for name in new_names if name not in old_names]
    parts = []
    if removed:
        parts.append(format_html_join(" ", '<del class="diff-old">{}</del>', ((name,) for name in removed)))
    if added:
        parts.append(format_html_join(" ", '<ins class="diff-new">{}</ins>', ((name,) for name in added)))
    if ordered and not removed and not added:
        return _value_diff(", ".join(old_names), ", ".join(new_names))
    return format_html_join(" ", "{}", ((part,) for part in parts))


def diff(old, new):
    """What changed from snapshot ``old`` to snapshot ``new``, field by field."""
    changes = []
    for name in POST_HISTORY_FIELDS:
        before, after = old.fields.get(name), new.fields.get(name)
        if (before or "") == (after or ""):
            continue
        shown_before, shown_after = _show(name, before), _show(name, after)
        if name in ("body", "description", "extra_frontmatter"):
            html = _text_diff("" if before in (None, "", {}) else shown_before, "" if after in (None, "", {}) else shown_after)
        else:
            html = _value_diff(shown_before, shown_after)
        changes.append(Change(name, _label(name), shown_before, shown_after, html))
    if [ref.slug or ref.id for ref in old.tags] != [ref.slug or ref.id for ref in new.tags]:
        changes.append(Change("tags", _("Tags"), _names(old.tags), _names(new.tags), _list_diff(old.tags, new.tags, ordered=False)))
    if [ref.slug or ref.id for ref in old.authors] != [ref.slug or ref.id for ref in new.authors]:
        changes.append(
            Change("authors", _("Authors"), _names(old.authors), _names(new.authors), _list_diff(old.authors, new.authors, ordered=True))
        )
    return changes


def _names(refs):
    return ", ".join(ref.name for ref in refs) or "—"


# -- revert -------------------------------------------------------------------------


@dataclass
class RevertResult:
    post: Post
    notes: list = field(default_factory=list)  # what could not be restored, for the editor


def revert(post, version, *, user=None, can_publish=True):
    """Make ``post`` what ``version`` kept — fields, tags and byline — as a new edit by ``user``.

    Tags and authors merged away since are found through their redirects; a
    slug another post has taken since is left as it is, and so are status and
    publish date for someone who may not publish. The result notes each.
    """
    target = version_snapshot(version)
    notes = []
    comment = _("Reverted to the version of %(when)s") % {"when": format_when(version.revision.date_created)}
    with transaction.atomic(), revision(user=user, comment=comment):
        post = Post.objects.select_for_update().get(pk=post.pk)
        for name, value in target.fields.items():
            if name in PUBLISHING_FIELDS and not can_publish:
                if value != getattr(post, name):
                    notes.append(_("%(field)s was left as it is: you may not publish.") % {"field": _label(name)})
                continue
            if name == "slug" and Post.objects.filter(slug=value).exclude(pk=post.pk).exists():
                notes.append(_("The slug “%(slug)s” now belongs to another post; the current slug was kept.") % {"slug": value})
                continue
            if name == "extra_frontmatter" and value is None:
                value = {}
            setattr(post, name, value)
        post.save()
        tags = [(ref, _tag(ref)) for ref in target.tags]
        authors = [(ref, _author(ref)) for ref in target.authors]
        for ref, found in tags + authors:
            if found is None:
                notes.append(_("“%(name)s” no longer exists and was left out.") % {"name": ref.name})
        post.tags.set([tag for _ref, tag in tags if tag is not None], clear=False)
        authors = list(dict.fromkeys(author for _ref, author in authors if author is not None))
        PostAuthor.objects.filter(post=post).delete()
        for order, author in enumerate(authors):
            PostAuthor.objects.create(post=post, author=author, order=order)
        record(post)
        mark_edited(post)
    return RevertResult(post=post, notes=notes)


def _tag(ref):
    """The tag a version's reference means now: itself, what it was merged into, or one of its name."""
    found = Tag.objects.filter(pk=ref.id).first()
    if found is None and ref.slug:
        found = Tag.redirect_for(ref.slug) or tag_for_name(ref.name)
    return found


def _author(ref):
    found = Author.objects.filter(pk=ref.id).first()
    if found is None and ref.slug:
        found = Author.redirect_for(ref.slug) or Author.objects.filter(slug=ref.slug).first()
        found = found or Author.objects.create(name=ref.name, slug=ref.slug)
    return found
