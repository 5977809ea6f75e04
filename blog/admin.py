"""The editors' CMS, in Django's admin: posts, tags, authors and import runs.

Writes go through the core — :mod:`blog.history` for versions and reverts,
:mod:`blog.merges` for merging tags and authors, :mod:`blog.importer` for
imports — and every admin write is one history revision by the user who made
it. Who may do what is said once, here: ``change_any_post`` lets an editor
edit every post, without it a user edits only the posts they author (their
staff user is linked from an Author); ``publish_post`` is needed to publish,
unpublish or schedule. The ``Editors`` and ``Authors`` groups (migration
0003) hold these permissions.
"""

from contextlib import nullcontext

import reversion
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.db.models import Count
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, npgettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag as TaggitTag

from . import admin_views, history
from .forms import AuthorAdminForm, MergeForm, PostAdminForm, PostAuthorForm, ScheduleForm, TagAdminForm
from .merges import merge_authors, merge_tags
from .models import Author, ImportRun, Post, PostAuthor, Tag, draft_q, edited_since_import, published_q, scheduled_q

# Editors work in wide tables and a side-by-side editor; the breadcrumbs and
# the index page are navigation enough.
admin.site.enable_nav_sidebar = False


class HistoryMixin:
    """Every write the admin makes is one revision by the user, commented with the admin's own change message."""

    def changeform_view(self, request, *args, **kwargs):
        with history.revision(user=request.user) if request.method == "POST" else nullcontext():
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with history.revision(user=request.user) if request.method == "POST" else nullcontext():
            return super().changelist_view(request, *args, **kwargs)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.get_change_message() or gettext("Added."))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if reversion.is_active() and not reversion.get_comment():
            reversion.set_comment(entry.get_change_message() or gettext("Saved without changes."))
        return entry


# -- posts ------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"
    QUERIES = {"published": published_q, "scheduled": scheduled_q, "draft": draft_q}

    def lookups(self, request, model_admin):
        return [("published", _("Published")), ("scheduled", _("Scheduled")), ("draft", _("Draft"))]

    def queryset(self, request, queryset):
        query = self.QUERIES.get(self.value())
        return queryset.filter(query()) if query else queryset


class TagFilter(admin.SimpleListFilter):
    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return list(Tag.objects.order_by("name").values_list("slug", "name"))

    def queryset(self, request, queryset):
        return queryset.filter(tags__slug=self.value()) if self.value() else queryset


class EditedFilter(admin.SimpleListFilter):
    title = _("edited since import")
    parameter_name = "edited"

    def lookups(self, request, model_admin):
        return [("yes", _("Edited since import")), ("no", _("As imported")), ("local", _("Not imported"))]

    def queryset(self, request, queryset):
        if self.value() == "local":
            return queryset.filter(import_key=None)
        if self.value() in ("yes", "no"):
            # The importer's own test, in Python: a fixed three queries, whatever the number of posts.
            imported = Post.objects.exclude(import_key=None).with_related()
            wanted = self.value() == "yes"
            return queryset.filter(pk__in=[post.pk for post in imported if edited_since_import(post) == wanted])
        return queryset


class PostAuthorInline(admin.TabularInline):
    """The byline is part of the post: whoever may edit the post may edit its byline."""

    model = PostAuthor
    form = PostAuthorForm
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name = _("author")
    verbose_name_plural = _("authors (in byline order)")

    def _post_admin(self):
        return self.admin_site.get_model_admin(Post)

    def _may_edit_post(self, request, obj):
        post_admin = self._post_admin()
        return post_admin.has_add_permission(request) if obj is None else post_admin.has_change_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        return self._post_admin().has_view_or_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may_edit_post(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit_post(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit_post(request, obj)


def _status(post):
    if post.is_public:
        return "published", Post.Status.PUBLISHED.label
    if post.is_scheduled:
        return "scheduled", _("Scheduled")
    return "draft", Post.Status.DRAFT.label


@admin.register(Post)
class PostAdmin(HistoryMixin, admin.ModelAdmin):
    form = PostAdminForm
    list_display = ["title", "status_badge", "published_on", "author_names", "tag_names", "language", "edited"]
    list_filter = [StatusFilter, "authors", TagFilter, "language", EditedFilter]
    search_fields = ["title", "description", "body"]
    date_hierarchy = "publish_date"
    list_per_page = 50
    save_on_top = True
    inlines = [PostAuthorInline]
    actions = ["publish_now", "unpublish", "schedule"]
    readonly_fields = ["import_key", "source_path", "imported_at", "edited_status", "extra_frontmatter"]
    fieldsets = [
        (_("Content"), {"fields": ["title", "body", "tags", "lock_version"]}),
        (_("Publishing"), {
            "fields": ["status", "publish_date", "updated_date", "language", "translation_key"],
            "description": _("A published post with a publish date in the future is scheduled: it goes public by itself then."),
        }),
        (_("Search engines and sharing"), {"fields": ["slug", "description", "cover_image"]}),
        (_("Import provenance"), {
            "fields": ["import_key", "source_path", "imported_at", "edited_status", "extra_frontmatter"],
            "classes": ["collapse"],
        }),
    ]

    class Media:
        css = {"all": ["blog/admin/admin.css"]}
        js = ["blog/admin/slug.js", "blog/admin/editor.js", "blog/admin/tags.js"]

    # -- who may do what ----------------------------------------------------------

    def may_edit_any(self, request):
        return request.user.has_perm("blog.change_any_post")

    def is_author(self, request, post):
        return post.post_authors.filter(author__user=request.user).exists()

    def has_publish_permission(self, request):
        return request.user.has_perm("blog.publish_post")

    def has_add_permission(self, request):
        allowed = super().has_add_permission(request)
        return allowed and (self.may_edit_any(request) or Author.objects.filter(user=request.user).exists())

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.may_edit_any(request) or self.is_author(request, obj))

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.may_edit_any(request) or self.is_author(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.may_edit_any(request) or self.is_author(request, obj))

    def get_queryset(self, request):
        posts = super().get_queryset(request).with_related()
        if not self.may_edit_any(request):
            posts = posts.filter(post_authors__author__user=request.user)
        return posts

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields += ["status", "publish_date"]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only: there is no form to lock.
            fieldsets = [(name, {**options, "fields": [f for f in options["fields"] if f != "lock_version"]})
                         for name, options in fieldsets]
        return fieldsets

    # -- the change list ----------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, post):
        key, label = _status(post)
        return format_html('<span class="post-status post-status-{}">{}</span>', key, label)

    @admin.display(description=_("publish date"), ordering="publish_date")
    def published_on(self, post):
        when = timezone.localtime(post.publish_date)
        return format_html('<time datetime="{}">{}</time>', when.isoformat(), formats.date_format(when, "SHORT_DATETIME_FORMAT"))

    @admin.display(description=_("authors"))
    def author_names(self, post):
        return ", ".join(author.name for author in post.ordered_authors) or "—"

    @admin.display(description=_("tags"))
    def tag_names(self, post):
        return ", ".join(sorted((tag.name for tag in post.tags.all()), key=str.lower)) or "—"

    @admin.display(description=_("import"))
    def edited(self, post):
        if not post.import_key:
            return format_html('<span class="import-state import-local">{}</span>', gettext("not imported"))
        if edited_since_import(post):
            return format_html('<span class="import-state import-edited">{}</span>', gettext("edited"))
        return format_html('<span class="import-state import-same">{}</span>', gettext("as imported"))

    @admin.display(description=_("edited since import"))
    def edited_status(self, post):
        if not post.pk or not post.import_key:
            return gettext("Not imported.")
        if edited_since_import(post):
            return gettext("Yes: the next import leaves this post alone (status “conflict”) unless it is forced.")
        return gettext("No: the next import of a changed file updates this post.")

    # -- saving -------------------------------------------------------------------

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        post = form.instance
        links = list(PostAuthor.objects.filter(post=post))
        author = Author.objects.filter(user=request.user).first()
        if not self.may_edit_any(request) and author and all(link.author_id != author.pk for link in links):
            # An author keeps their own post: they stay on its byline.
            links.append(PostAuthor.objects.create(post=post, author=author, order=len(links)))
        for order, link in enumerate(links):
            if link.order != order:
                PostAuthor.objects.filter(pk=link.pk).update(order=order)
        history.record(post)

    def view_on_site(self, post):
        # Staff see drafts and scheduled posts at their public URL: that is the draft preview.
        return post.get_absolute_url()

    # -- bulk actions -------------------------------------------------------------

    def _apply(self, request, queryset, change, comment):
        changed = 0
        for post in queryset:
            if change(post):
                post.save()
                history.record(post)
                changed += 1
        if reversion.is_active():
            reversion.set_comment(comment)
        return changed

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        now = timezone.now()

        def publish(post):
            if post.is_public:
                return False
            post.status = Post.Status.PUBLISHED
            post.publish_date = min(post.publish_date, now)
            return True

        count = self._apply(request, queryset, publish, gettext("Published now."))
        message = ngettext("%(count)d post published.", "%(count)d posts published.", count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        def unpublish(post):
            if post.status == Post.Status.DRAFT:
                return False
            post.status = Post.Status.DRAFT
            return True

        count = self._apply(request, queryset, unpublish, gettext("Unpublished."))
        message = ngettext("%(count)d post is a draft again.", "%(count)d posts are drafts again.", count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Schedule…"), permissions=["publish"])
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            when = form.cleaned_data["publish_date"]

            def schedule(post):
                post.status, post.publish_date = Post.Status.PUBLISHED, when
                return True

            count = self._apply(request, queryset, schedule, gettext("Scheduled for %(when)s.") % {"when": history.format_when(when)})
            self.message_user(
                request,
                ngettext("%(count)d post scheduled for %(when)s.", "%(count)d posts scheduled for %(when)s.", count)
                % {"count": count, "when": history.format_when(when)},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(request, "admin/blog/post/schedule.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "title": gettext("Schedule posts"), "form": form, "posts": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME, "media": self.media + form.media,
        })

    # -- the editor's own pages ---------------------------------------------------

    def get_urls(self):
        def view(function, *, cacheable=False):
            def wrapped(request, *args, **kwargs):
                return function(self, request, *args, **kwargs)

            return self.admin_site.admin_view(wrapped, cacheable=cacheable)

        return [
            path("preview/", view(admin_views.preview), name="blog_post_preview"),
            path("slug/", view(admin_views.slug), name="blog_slug"),
            path("tags/", view(admin_views.tag_suggestions), name="blog_post_tag_suggestions"),
            path("<path:object_id>/history/compare/", view(admin_views.history_compare), name="blog_post_history_compare"),
            path("<path:object_id>/history/<int:version_id>/revert/", view(admin_views.history_revert), name="blog_post_revert"),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        return admin_views.history_list(self, request, object_id)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm("blog.import_articles")}
        return super().changelist_view(request, extra_context)


# -- tags and authors ----------------------------------------------------------------------


class MergeMixin:
    """The "merge selected" action: choose the one to keep, the others merge into it."""

    merge_function = None

    def _merge(self, request, queryset):
        objects = list(queryset)
        if len(objects) < 2:
            self.message_user(request, gettext("Select at least two to merge."), messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, queryset=queryset)
        if form.is_bound and form.is_valid():
            target = form.cleaned_data["target"]
            result = self.merge_function(target, objects, user=request.user)
            self.log_change(request, target, result.message())
            self.message_user(request, result.message(), messages.SUCCESS)
            return None
        if not form.is_bound:
            form.initial["target"] = max(objects, key=lambda obj: (obj.post_count, -obj.pk)).pk
        return TemplateResponse(request, "admin/blog/merge.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "title": gettext("Merge %(things)s") % {"things": self.model._meta.verbose_name_plural},
            "form": form, "objects": objects, "action": request.POST.get("action"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        })

    def has_merge_permission(self, request):
        return self.has_change_permission(request)


@admin.register(Tag)
class TagAdmin(HistoryMixin, MergeMixin, admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug", "post_count", "public_count"]
    search_fields = ["name", "slug", "description"]
    fields = ["name", "slug", "description"]
    actions = ["merge"]
    merge_function = staticmethod(merge_tags)

    class Media:
        css = {"all": ["blog/admin/admin.css"]}
        js = ["blog/admin/slug.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            post_count=Count("tagged_posts", distinct=True),
            public_count=Count("tagged_posts", filter=published_q("tagged_posts__content_object__"), distinct=True),
        )

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, tag):
        return tag.post_count

    @admin.display(description=_("public posts"), ordering="public_count")
    def public_count(self, tag):
        return tag.public_count

    @admin.action(description=_("Merge selected tags…"), permissions=["merge"])
    def merge(self, request, queryset):
        return self._merge(request, queryset)


@admin.register(Author)
class AuthorAdmin(HistoryMixin, MergeMixin, admin.ModelAdmin):
    form = AuthorAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "slug", "role", "user", "post_count"]
    search_fields = ["name", "slug"]
    list_select_related = ["user"]
    fields = ["name", "slug", "role", "bio", "url", "avatar_url", "socials", "user"]
    actions = ["merge"]
    merge_function = staticmethod(merge_authors)

    class Media:
        css = {"all": ["blog/admin/admin.css"]}
        js = ["blog/admin/slug.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("post_links", distinct=True))

    def get_readonly_fields(self, request, obj=None):
        # Linking a staff user to an author lets that user edit the author's
        # posts: that is for those who manage users.
        return [] if request.user.has_perm("auth.change_user") else ["user"]

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, author):
        return author.post_count

    @admin.action(description=_("Merge selected authors…"), permissions=["merge"])
    def merge(self, request, queryset):
        return self._merge(request, queryset)


# -- imports ------------------------------------------------------------------------------


def import_status_word(status, count):
    """The importer's status word (``created``…) in the interface's language, agreeing with ``count``.

    The same entries as ``admin/blog/importrun/_status.html``, which the import report uses.
    """
    words = {
        "created": npgettext("import status", "created", "created", count),
        "updated": npgettext("import status", "updated", "updated", count),
        "unchanged": npgettext("import status", "unchanged", "unchanged", count),
        "conflict": npgettext("import status", "conflict", "conflict", count),
        "skipped": npgettext("import status", "skipped", "skipped", count),
        "failed": npgettext("import status", "failed", "failed", count),
    }
    return words.get(status, status)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Import runs are read, never edited; "add" is running a new import."""

    list_display = ["started_at", "source", "who", "dry_run", "force", "summary", "result"]
    list_filter = ["source", "dry_run"]
    list_select_related = ["user"]
    date_hierarchy = "started_at"
    fields = ["started_at", "finished_at", "source", "user", "command", "dry_run", "force", "report"]
    readonly_fields = fields

    class Media:
        css = {"all": ["blog/admin/admin.css"]}

    def has_add_permission(self, request):
        return request.user.has_perm("blog.import_articles")

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.import_upload(self, request)

    @admin.display(description=_("who"))
    def who(self, run):
        if run.user:
            return run.user.get_full_name() or run.user.get_username()
        return run.command

    @admin.display(description=_("files"))
    def summary(self, run):
        return ", ".join(f"{count} {import_status_word(status, count)}" for status, count in run.ordered_counts.items() if count) or "—"

    @admin.display(description=_("result"))
    def result(self, run):
        if run.failed:
            return format_html('<span class="import-state import-edited">{}</span>', gettext("some files failed"))
        return format_html('<span class="import-state import-same">{}</span>', gettext("ok"))

    @admin.display(description=_("report"))
    def report(self, run):
        context = {"counts": run.ordered_counts, "files": run.files, "dry_run": run.dry_run}
        html = render_to_string("admin/blog/importrun/_report.html", context)
        # The admin turns newlines in a read-only value into <br>, which do not belong in a table.
        return mark_safe(" ".join(html.splitlines()))  # noqa: S308 - rendered by the template engine, escaped there


# taggit registers an admin for its own Tag model, which Tinta does not use
# (blog.Tag is the tag model); two "Tags" in the admin would only confuse.
if admin.site.is_registered(TaggitTag):
    admin.site.unregister(TaggitTag)
