"""The admin's own pages beside Django's: preview, slug, tag suggestions, history, import.

Each is a function of the ModelAdmin that mounts it (see ``get_urls`` in
:mod:`blog.admin`), wrapped by ``admin_site.admin_view`` there, so every one
is staff-only and CSRF-protected; each checks the model permission it needs.
They call the core (:mod:`blog.rendering`, :mod:`blog.slugs`,
:mod:`blog.history`, :mod:`blog.importer`) and present its result.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import history
from .forms import ImportForm, _unique_post_slug
from .importer import import_articles
from .imports import UploadRefused, max_upload_bytes, unpacked
from .models import ImportRun, Tag
from .rendering import render_markdown
from .slugs import make_slug

SUGGESTIONS = 10
HISTORY_PAGE = 50


def _can_edit_posts(model_admin, request):
    return model_admin.has_add_permission(request) or model_admin.has_change_permission(request)


def preview(model_admin, request):
    """POST ``body`` → ``{"html": …}``: the Markdown rendered and sanitised exactly as the site renders it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _can_edit_posts(model_admin, request):
        raise PermissionDenied
    text = request.POST.get("body", "")
    if len(text.encode("utf-8")) > settings.TINTA_MAX_ARTICLE_BYTES:
        return JsonResponse({"error": _("The text is too long to preview.")}, status=413)
    return JsonResponse({"html": render_markdown(text)})


def slug(model_admin, request):
    """GET ``text`` → ``{"slug": …}`` by :func:`make_slug`; for posts (``kind=post``) one no other post has."""
    if not request.user.has_module_perms("blog"):
        raise PermissionDenied
    text = request.GET.get("text", "")[:500]
    if request.GET.get("kind") == "post":
        exclude = request.GET.get("exclude") or None
        return JsonResponse({"slug": _unique_post_slug(text, exclude) if make_slug(text) else ""})
    return JsonResponse({"slug": make_slug(text, max_length=100 if request.GET.get("kind") == "tag" else 200)})


def tag_suggestions(model_admin, request):
    """GET ``q`` → tags whose name or slug match, the one with the same slug first."""
    if not _can_edit_posts(model_admin, request):
        raise PermissionDenied
    query = " ".join(request.GET.get("q", "").split())[:100]
    wanted = make_slug(query, max_length=100)
    if not query:
        return JsonResponse({"results": []})
    match = Q(name__icontains=query) | (Q(slug__contains=wanted) if wanted else Q(pk__in=[]))
    tags = (
        Tag.objects.filter(match)
        .annotate(
            post_count=Count("tagged_posts"),
            rank=Case(When(slug=wanted, then=Value(0)), When(slug__startswith=wanted, then=Value(1)), default=Value(2),
                      output_field=IntegerField()),
        )
        .order_by("rank", "-post_count", "name")[:SUGGESTIONS]
    )
    return JsonResponse({"results": [
        {"name": tag.name, "slug": tag.slug, "count": tag.post_count, "exact": tag.rank == 0} for tag in tags
    ]})


# -- history ------------------------------------------------------------------------


def _post_or_404(model_admin, request, object_id, *, change=False):
    post = model_admin.get_object(request, object_id)
    if post is None:
        raise Http404(_("No post with this ID."))
    allowed = model_admin.has_change_permission(request, post) if change else model_admin.has_view_or_change_permission(request, post)
    if not allowed:
        raise PermissionDenied
    return post


def _context(model_admin, request, post, title, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "object": post,
        "title": title,
        "subtitle": str(post),
        "can_change": model_admin.has_change_permission(request, post),
        **extra,
    }


def history_list(model_admin, request, object_id):
    """Every version of the post: when, who, why and what changed from the one before."""
    post = _post_or_404(model_admin, request, object_id)
    page = Paginator(history.versions(post), HISTORY_PAGE).get_page(request.GET.get("p"))
    entries = []
    versions = list(page.object_list)
    # The version just older than this page's last, to say what the last one changed.
    older = history.versions(post).filter(revision__date_created__lt=versions[-1].revision.date_created).first() if versions else None
    snapshots = [history.version_snapshot(version) for version in [*versions, *([older] if older else [])]]
    for index, version in enumerate(versions):
        before = snapshots[index + 1] if index + 1 < len(snapshots) else None
        changed = [change.label for change in history.diff(before, snapshots[index])] if before else None
        entries.append({"version": version, "who": history.describe_user(version.revision), "changed": changed})
    return TemplateResponse(
        request, "admin/blog/post/object_history.html",
        _context(model_admin, request, post, _("History"), entries=entries, page=page),
    )


def _version(post, version_id):
    version = history.versions(post).filter(pk=version_id).first()
    if version is None:
        raise Http404(_("This post has no such version."))
    return version


def history_compare(model_admin, request, object_id):
    """The differences between two versions (``from`` and ``to``; ``to`` may be ``current``)."""
    post = _post_or_404(model_admin, request, object_id)
    try:
        old = _version(post, int(request.GET.get("from", "")))
        new = None if request.GET.get("to", "current") == "current" else _version(post, int(request.GET["to"]))
    except ValueError:
        raise Http404(_("Choose two versions to compare."))
    if new is not None and (new.revision.date_created, new.pk) < (old.revision.date_created, old.pk):
        old, new = new, old
    changes = history.diff(history.version_snapshot(old), history.version_snapshot(new) if new else history.snapshot(post))
    return TemplateResponse(
        request, "admin/blog/post/history_compare.html",
        _context(model_admin, request, post, _("Compare versions"),
                 old=old, new=new, old_who=history.describe_user(old.revision),
                 new_who=history.describe_user(new.revision) if new else "", changes=changes),
    )


def history_revert(model_admin, request, object_id, version_id):
    """GET: what reverting would change; POST: revert, as a new version by this user."""
    post = _post_or_404(model_admin, request, object_id, change=True)
    version = _version(post, version_id)
    if request.method == "POST":
        result = history.revert(post, version, user=request.user, can_publish=model_admin.has_publish_permission(request))
        model_admin.log_change(request, result.post, _("Reverted to the version of %(when)s.") % {
            "when": history.format_when(version.revision.date_created)})
        messages.success(request, _("“%(post)s” was reverted to the version of %(when)s.") % {
            "post": result.post, "when": history.format_when(version.revision.date_created)})
        for note in result.notes:
            messages.warning(request, note)
        return redirect(reverse("admin:blog_post_change", args=[post.pk]))
    changes = history.diff(history.snapshot(post), history.version_snapshot(version))
    return TemplateResponse(
        request, "admin/blog/post/history_revert.html",
        _context(model_admin, request, post, _("Revert to an earlier version"),
                 version=version, who=history.describe_user(version.revision), changes=changes),
    )


# -- import --------------------------------------------------------------------------


def import_upload(model_admin, request):
    """Upload files or a zip, run the importer on them, and show its per-file report."""
    if not request.user.has_perm("blog.import_articles"):
        raise PermissionDenied
    report = None
    if request.method == "POST":
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > max_upload_bytes() + 64 * 1024:  # before Django reads the body into files
            form = ImportForm()
            form.add_error(None, _("The upload is too large: at most %(max)s can be imported at once.") % {
                "max": filesizeformat(max_upload_bytes())})
        else:
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                uploads = form.cleaned_data["files"]
                try:
                    with unpacked(uploads) as folder:
                        report = import_articles(
                            [folder], dry_run=form.cleaned_data["dry_run"], force=form.cleaned_data["force"],
                            source=ImportRun.Source.ADMIN, user=request.user,
                            command=", ".join(upload.name for upload in uploads),
                        )
                except UploadRefused as refusal:
                    form.add_error("files", str(refusal))
    else:
        form = ImportForm()
    opts = ImportRun._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": _("Import articles"),
        "form": form,
        "report": report,
        "run": report.run if report else None,
        "max_upload": max_upload_bytes(),
        "has_view_permission": model_admin.has_view_permission(request),
    }
    return TemplateResponse(request, "admin/blog/importrun/import.html", context)

