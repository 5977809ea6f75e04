"""The admin's forms: the post editor, uploads to import, scheduling and merging.

The post form keeps the rules the rest of Tinta keeps: tags are found by
slug (:func:`blog.models.tag_for_name`), an empty slug is made from the title
by :func:`blog.slugs.make_slug`, and a save that would overwrite a change made
since the form was opened is refused with the editor's text kept in the form
(optimistic locking on ``Post.version``).
"""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagWidget

from . import history
from .models import Author, Post, PostAuthor, Tag, tag_for_name
from .rendering import render_markdown
from .slugs import make_slug


def preview_document(body_html, *, title="", language="en"):
    """A whole HTML page showing ``body_html`` (already sanitised) the way the site shows a post."""
    return render_to_string(
        "admin/blog/post/preview_document.html",
        {"body_html": body_html, "title": title, "language": language,
         "stylesheets": [static("blog/site.css"), static("blog/pygments.css"), static("blog/admin/preview.css")]},
    )


class MarkdownEditor(forms.Textarea):
    """A Markdown textarea beside a preview of it, rendered by the site's own pipeline.

    Without JavaScript the preview shows the text as the form was loaded
    (after a save, or with the errors of a refused save); ``editor.js`` keeps
    it up to date as the editor types, asking the admin's preview view.
    """

    def __init__(self, attrs=None):
        super().__init__({"rows": 28, "class": "md-source", "spellcheck": "true", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        document = preview_document(render_markdown(value or ""), title=self.attrs.get("data-title", ""),
                                    language=self.attrs.get("data-language", "en"))
        return format_html(
            '<div class="md-editor" data-preview-url="{url}">'
            '<div class="md-pane md-pane-source">{textarea}</div>'
            '<div class="md-pane md-pane-preview">'
            '<p class="md-preview-heading"><span>{heading}</span> '
            '<span class="md-preview-status" role="status" aria-live="polite"></span></p>'
            '<iframe class="md-preview" title="{heading}" sandbox="allow-same-origin allow-popups" srcdoc="{document}"></iframe>'
            "</div></div>",
            # The page goes in an attribute: escaped once, whole (it is a SafeString, which format_html would not escape).
            url=reverse("admin:blog_post_preview"), textarea=textarea, heading=gettext("Preview"), document=escape(document),
        )


class TagInput(TagWidget):
    """taggit's comma-separated tags, which ``tags.js`` turns into chips with suggestions."""

    def __init__(self, attrs=None):
        super().__init__({"class": "vLargeTextField tag-input", "autocomplete": "off", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-suggest-url"] = reverse("admin:blog_post_tag_suggestions")
        return context


class SlugInput(forms.TextInput):
    """A slug field filled from another field by the site's one slug rule, asked of the server (``slug.js``).

    Only an empty slug is filled: a post's URL never changes behind an editor's back.
    """

    def __init__(self, source, kind, attrs=None):
        self.source, self.kind = source, kind
        super().__init__({"class": "vTextField", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {"data-slug-from": self.source, "data-slug-kind": self.kind, "data-slug-url": reverse("admin:blog_slug")}
        )
        return context


def _unique_post_slug(title, exclude_pk):
    base = make_slug(title) or "post"
    slug, number = base, 2
    while Post.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


class PostAdminForm(forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False, label=_("Lock version"))

    class Meta:
        model = Post
        fields = ["title", "slug", "description", "body", "tags", "status", "publish_date", "updated_date", "language",
                  "translation_key", "cover_image"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField post-title-input"}),
            "body": MarkdownEditor, "tags": TagInput, "slug": SlugInput(source="title", kind="post"),
        }
        help_texts = {
            "slug": _("The post's URL segment. Left empty, it is made from the title the way imports make it."),
            "tags": _("Type to find a tag; Enter or a comma adds it. Without JavaScript: tags separated by commas."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            if self.instance.pk:
                self.fields["slug"].widget.attrs["data-slug-exclude"] = self.instance.pk
        self.fields["lock_version"].initial = self.instance.version
        if "body" in self.fields:
            self.fields["body"].widget.attrs.update({"data-title": self.instance.title, "data-language": self.instance.language})

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = _unique_post_slug(cleaned["title"], self.instance.pk)
        self._check_lock(cleaned.get("lock_version"))
        return cleaned

    def _check_lock(self, opened_at):
        """Refuse to overwrite a change saved since this form was opened; keep what was typed."""
        if self.instance.pk is None or opened_at is None:
            return
        posts = Post.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            posts = posts.select_for_update()  # a concurrent save waits for this one, then sees its version
        current = posts.values_list("version", flat=True).first()
        if current is None or current == opened_at:
            return
        # A second save of this form means "keep mine": it carries the version it was shown.
        self.data = self.data.copy()
        self.data[self.add_prefix("lock_version")] = current
        change = history.latest_change(self.instance)
        if change:
            who, when, what = change
            said = gettext("%(who)s saved it on %(when)s (%(what)s).") % {"who": who, "when": history.format_when(when), "what": what}
        else:
            said = gettext("It was saved on %(when)s.") % {"when": history.format_when(self.instance.updated_at)}
        raise ValidationError(
            gettext(
                "This post changed since you opened it: %(said)s Nothing was saved. Your text is still in the form below; "
                "compare it with the post's history, then save again to replace that version with yours."
            ),
            params={"said": said},
            code="stale",
        )

    def _save_m2m(self):
        # Tags are matched by slug, as the importer matches them, never by name alone.
        names = self.cleaned_data.pop("tags", None)
        super()._save_m2m()
        if names is not None:
            self.instance.tags.set(list(dict.fromkeys(tag_for_name(name) for name in names)), clear=False)


class PostAuthorForm(forms.ModelForm):
    """A row of the byline; its columns named here, in the interface's language (the model's fields have no verbose names)."""

    class Meta:
        model = PostAuthor
        fields = ["author", "order"]
        labels = {"author": _("author"), "order": _("order")}


class SlugFromNameForm(forms.ModelForm):
    """Tags and authors: an empty slug is made from the name by the site's one slug rule."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].widget = SlugInput(source="name", kind=self._meta.model._meta.model_name)
            self.fields["slug"].help_text = _("Used in URLs. Left empty, it is made from the name; a change leaves a redirect.")

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get("name"):
            cleaned["slug"] = make_slug(cleaned["name"], max_length=100 if self._meta.model is Tag else 200)
            if not cleaned["slug"]:
                self.add_error("name", _("Use letters or digits: this name gives no slug."))
        return cleaned


class TagAdminForm(SlugFromNameForm):
    class Meta:
        model = Tag
        fields = ["name", "slug", "description"]


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")  # what Django 6 assumes; says so now
    return field.formfield(**kwargs)


class AuthorAdminForm(SlugFromNameForm):
    class Meta:
        model = Author
        formfield_callback = _https_urls
        fields = ["name", "slug", "role", "bio", "url", "avatar_url", "socials", "user"]


# -- uploads ---------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.markdown,.mdx,.txt,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            if not data and self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data or self.required else []


class ImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Articles"),
        help_text=_("Markdown files (.md, .markdown, .mdx, .txt), or one .zip of a folder with its authors.yml and tags.yml."),
        error_messages={"required": _("Choose Markdown files or a .zip to import.")},
    )
    dry_run = forms.BooleanField(
        label=_("Dry run"), required=False, initial=True,
        help_text=_("Check every file and show what would happen; write nothing."),
    )
    force = forms.BooleanField(
        label=_("Overwrite editors' changes"), required=False,
        help_text=_("Replace posts edited in the admin since their last import with the uploaded files."),
    )


# -- bulk actions -------------------------------------------------------------------------


class ScheduleForm(forms.Form):
    publish_date = forms.SplitDateTimeField(label=_("Publish on"), widget=AdminSplitDateTime)

    def clean_publish_date(self):
        value = self.cleaned_data["publish_date"]
        if value <= timezone.now():
            raise ValidationError(_("Choose a date in the future; to publish now, use “Publish now”."))
        return value


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None, label=_("Keep"))

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = queryset
