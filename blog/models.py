"""Tinta's data: authors, tags and posts.

"Published" is defined once, in :meth:`PostQuerySet.published`; the default
manager stays unfiltered so the admin and the importer see every post. A post
stores its Markdown source beside the sanitised HTML and plain-text excerpt
rendered from it on save, so no page ever renders Markdown per request.
"""

import functools
import hashlib
import json
from urllib.parse import quote

import reversion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .rendering import render
from .slugs import make_slug

_SLUG_MARKER = "tinta-slug-marker"


@functools.lru_cache(maxsize=64)
def _slug_url_around(name, script_prefix):
    before, after = reverse(name, kwargs={"slug": _SLUG_MARKER}).split(_SLUG_MARKER)
    return before, after


def slug_url(name, slug):
    """``reverse(name, kwargs={"slug": slug})``, without resolving the pattern again for every link.

    The tag index and lists print thousands of links; reverse() costs tens of
    microseconds each. The slug is quoted as reverse() quotes it; a slug
    reverse() would refuse (empty, or with a "/") goes through reverse().
    """
    if not slug or "/" in slug:
        return reverse(name, kwargs={"slug": slug})
    before, after = _slug_url_around(name, get_script_prefix())
    return before + quote(slug, safe=RFC3986_SUBDELIMS + "/~:@") + after


class SlugHistoryMixin:
    """Leaves a permanent redirect behind when an object's slug changes.

    Post, Tag and Author URLs are their slugs; a rename in the admin or an
    import must not break links people already shared.
    """

    redirect_kind = ""

    def save(self, *args, **kwargs):
        old_slug = type(self).objects.filter(pk=self.pk).values_list("slug", flat=True).first() if self.pk else None
        super().save(*args, **kwargs)
        if old_slug and old_slug != self.slug:
            SlugRedirect.objects.update_or_create(kind=self.redirect_kind, old_slug=old_slug, defaults={"target_id": self.pk})
        if old_slug != self.slug:
            SlugRedirect.objects.filter(kind=self.redirect_kind, old_slug=self.slug).delete()

    @classmethod
    def redirect_for(cls, old_slug):
        """The object that used to answer at ``old_slug``, or None."""
        target = SlugRedirect.objects.filter(kind=cls.redirect_kind, old_slug=old_slug).values_list("target_id", flat=True).first()
        return cls.objects.filter(pk=target).first() if target else None


class Author(SlugHistoryMixin, models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=200, unique=True, allow_unicode=True,
        help_text=_("Used in the author's URL. Authors are matched by it on import: “Charlytoc” and “charlytoc” are one."),
    )
    role = models.CharField(_("role"), max_length=300, blank=True, help_text=_("A short line such as “Product Manager”."))
    bio = models.TextField(_("bio"), blank=True)
    url = models.URLField(_("website"), max_length=500, blank=True)
    avatar_url = models.CharField(_("avatar URL"), max_length=500, blank=True)
    socials = models.JSONField(_("social profiles"), default=dict, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff user"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="author",
    )

    redirect_kind = "author"

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = make_slug(self.name) or "author"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("blog:author", self.slug)


class Tag(SlugHistoryMixin, TagBase):
    """A taggit tag with a description; one tag per slug (see :func:`make_slug`)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Shown on the tag's page."))

    redirect_kind = "tag"

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def slugify(self, tag, i=None):
        slug = make_slug(tag, max_length=90) or "tag"
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return slug_url("blog:tag", self.slug)


class TaggedPost(TaggedItemBase):
    content_object = models.ForeignKey("Post", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_posts")

    class Meta:
        unique_together = [("content_object", "tag")]


def published_q(prefix=""):
    """The one definition of public: published status, publish date not in the
    future. ``prefix`` reaches posts through a relation (``"tagged_posts__content_object__"``)
    for annotations such as a tag's count of public posts."""
    return models.Q(**{f"{prefix}status": Post.Status.PUBLISHED, f"{prefix}publish_date__lte": timezone.now()})


LIST_DEFERRED_FIELDS = ("body", "body_html", "toc", "extra_frontmatter", "import_hash", "source_hash", "source_path", "source_root")


class PostQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_q())

    def tagged(self, tag):
        return self.filter(tags=tag)

    def by_author(self, author):
        return self.filter(authors=author)

    def with_related(self):
        """Everything a list of posts shows, in a fixed number of queries."""
        return self.prefetch_related("tags", models.Prefetch("post_authors", PostAuthor.objects.select_related("author")))

    def summaries(self):
        """:meth:`with_related` without the columns a list never shows (the Markdown, the
        rendered body, the table of contents), which are most of a post's bytes."""
        return self.with_related().defer(*LIST_DEFERRED_FIELDS)


class Post(SlugHistoryMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True, help_text=_("The post's URL segment."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("One or two sentences, shown in lists and search results.")
    )
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    excerpt = models.TextField(_("excerpt"), blank=True, editable=False)
    toc = models.JSONField(_("table of contents"), default=list, blank=True, editable=False)
    word_count = models.PositiveIntegerField(_("word count"), default=0, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    publish_date = models.DateTimeField(
        _("publish date"), default=timezone.now, db_index=True,
        help_text=_("A date in the future schedules the post: it becomes public then."),
    )
    updated_date = models.DateTimeField(
        _("updated date"), null=True, blank=True, help_text=_("When the article itself says it was last updated.")
    )
    language = models.CharField(_("language"), max_length=20, default="en", help_text=_("A language code such as “en” or “es”."))
    translation_key = models.CharField(
        _("translation key"), max_length=500, blank=True, db_index=True,
        help_text=_("Posts sharing this key are translations of one article (set by the importer from the file's path)."),
    )
    cover_image = models.CharField(_("cover image"), max_length=500, blank=True, help_text=_("URL of the image shown with the post."))
    authors = models.ManyToManyField(Author, through="PostAuthor", related_name="posts", blank=True, verbose_name=_("authors"))
    tags = TaggableManager(through=TaggedPost, blank=True, verbose_name=_("tags"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=0, editable=False,
        help_text=_("Counts saves; the admin compares it to refuse overwriting a change made since a form was opened."),
    )

    # Import provenance.
    import_key = models.CharField(
        _("import key"), max_length=500, unique=True, null=True, blank=True, editable=False,
        help_text=_("How re-imports find this post: its frontmatter slug or id, or its file's path."),
    )
    source_path = models.CharField(_("source file"), max_length=1000, blank=True, editable=False)
    source_root = models.CharField(
        _("source folder"), max_length=1000, blank=True, editable=False,
        help_text=_("The folder the import was given, so `import_articles --prune` knows which files it owns."),
    )
    source_hash = models.CharField(_("source file hash"), max_length=64, blank=True, editable=False)
    import_hash = models.CharField(
        _("imported content hash"), max_length=64, blank=True, editable=False,
        help_text=_("Fingerprint of the post as last imported; a different fingerprint now means an editor changed it."),
    )
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True, editable=False)
    extra_frontmatter = models.JSONField(
        _("other frontmatter"), default=dict, blank=True, help_text=_("Frontmatter keys Tinta does not use, kept for export.")
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_date", "-id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        # Lists walk it backwards in their own order (newest first, id breaking ties),
        # from the index alone when they only need ids: a deep page skips index entries, not rows.
        indexes = [models.Index(fields=["status", "publish_date", "id"], name="blog_post_public_order")]
        permissions = [
            ("publish_post", _("Can publish, unpublish and schedule posts")),
            ("change_any_post", _("Can edit posts by any author")),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Browsers submit textareas with CRLF; a save that changed nothing
        # must leave the body (and so the import fingerprint) as it was.
        self.body = self.body.replace("\r\n", "\n")
        prerendered = getattr(self, "_prerendered", None)
        rendered = prerendered[1] if prerendered and prerendered[0] == self.body else render(self.body)
        self.apply_rendered(rendered)
        self.version += 1  # every writer (admin, revert, merge, an import's changed files) saves through here
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("blog:post", self.slug)

    redirect_kind = "post"

    def apply_rendered(self, rendered):
        """Store what rendering the body gave: save() does it on every save; the
        importer's bulk insert of new posts, which skips save(), calls it itself."""
        self.body_html, self.excerpt, self.toc, self.word_count = rendered.html, rendered.excerpt, rendered.toc, rendered.word_count

    def use_rendered(self, rendered):
        """Let the next save() use ``rendered`` (made from the current body
        elsewhere, say by an import's worker process) instead of rendering again."""
        self._prerendered = (self.body, rendered)

    @property
    def is_public(self):
        """The same rule as :meth:`PostQuerySet.published`, for a post in hand."""
        return self.status == self.Status.PUBLISHED and self.publish_date <= timezone.now()

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_date > timezone.now()

    @property
    def reading_time(self):
        """Minutes at 220 words a minute, at least one."""
        return max(1, round(self.word_count / 220))

    @property
    def ordered_authors(self):
        """Authors in byline order; uses the prefetch from :meth:`PostQuerySet.with_related`."""
        return [link.author for link in self.post_authors.all()]

    def fingerprint(self, tag_slugs=None, author_slugs=None):
        """A hash of everything an import writes, as the post stands now.

        The importer stores it after writing; when it differs later, someone
        changed the post outside the importer and the next import must not
        overwrite that work without ``--force``. The importer passes the tags
        and authors it is about to write; otherwise they are read from the
        database.
        """
        if tag_slugs is None:
            tag_slugs = sorted(self.tags.values_list("slug", flat=True)) if self.pk else []
        if author_slugs is None:
            author_slugs = list(self.post_authors.values_list("author__slug", flat=True)) if self.pk else []
        state = {
            "title": self.title,
            "slug": self.slug,
            "description": self.description,
            "body": self.body,
            "status": self.status,
            "publish_date": self.publish_date.isoformat() if self.publish_date else None,
            "updated_date": self.updated_date.isoformat() if self.updated_date else None,
            "language": self.language,
            "cover_image": self.cover_image,
            "tags": sorted(tag_slugs),
            "authors": list(author_slugs),
            "extra": self.extra_frontmatter,
        }
        return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


class PostAuthor(models.Model):
    """An author's place in a post's byline."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_authors")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="post_links")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        unique_together = [("post", "author")]
        verbose_name = _("post author")
        verbose_name_plural = _("post authors")

    def __str__(self):
        return f"{self.author} on {self.post}"


class SlugRedirect(models.Model):
    """An old slug of a post, tag or author, answered with a permanent redirect."""

    kind = models.CharField(_("kind"), max_length=10)
    old_slug = models.CharField(_("old slug"), max_length=200)
    target_id = models.BigIntegerField(_("target"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "old_slug"], name="unique_old_slug_per_kind")]
        verbose_name = _("slug redirect")
        verbose_name_plural = _("slug redirects")

    def __str__(self):
        return f"{self.kind} {self.old_slug} → {self.target_id}"


class PostSearchDocument(models.Model):
    """A post's full-text search vector, on PostgreSQL only (see blog.search).

    Kept in a table of its own so SQLite databases simply do not have it:
    Django skips models whose ``required_db_vendor`` is not the database's.
    """

    # No database constraint and DO_NOTHING: deleting a post on SQLite must not
    # look for this table; on PostgreSQL blog.signals deletes the document.
    post = models.OneToOneField(
        Post, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="search_document"
    )
    config = models.CharField(max_length=40, help_text=_("PostgreSQL text-search configuration of the post's language."))
    text = models.TextField(help_text=_("The body as plain text, for result snippets."))
    vector = SearchVectorField()
    # Title, tags and description only: small enough to stay in the row, so ranking
    # thousands of matches does not read every body's vector (see blog.search).
    head = SearchVectorField(null=True)
    # The post's publish date while it is published, else empty, so a search
    # filters and sorts its matches without reading the posts. Kept in step by
    # index_post and, whatever writes the post, by a trigger on blog_post
    # (migration 0005).
    public_from = models.DateTimeField(null=True)

    class Meta:
        required_db_vendor = "postgresql"
        indexes = [GinIndex(fields=["vector"], name="blog_post_search_vector")]

    def __str__(self):
        return f"search document of post {self.post_id}"


# -- editors' CMS: states, tags by slug, import runs, history ------------------


def scheduled_q(prefix=""):
    """Published status with a publish date still to come: the post goes public by itself then."""
    return models.Q(**{f"{prefix}status": Post.Status.PUBLISHED}) & ~published_q(prefix)


def draft_q(prefix=""):
    return models.Q(**{f"{prefix}status": Post.Status.DRAFT})


def edited_since_import(post):
    """Whether someone changed an imported ``post`` since its last import.

    The importer's own test (``fingerprint() != import_hash``), computed from
    the tags and byline prefetched by :meth:`PostQuerySet.with_related`, so a
    list of posts asks it without a query per post.
    """
    if not post.import_key:
        return False
    tag_slugs = [tag.slug for tag in post.tags.all()]
    author_slugs = [author.slug for author in post.ordered_authors]
    return post.fingerprint(tag_slugs=tag_slugs, author_slugs=author_slugs) != post.import_hash


def tag_for_name(name):
    """The tag ``name`` means: the one with its slug, else one named so in any case, else a new one.

    "ia generativa" finds "IA generativa", and "ingenieria de prompts" finds
    "Ingeniería de Prompts", as the importer matches them; taggit on its own
    compares names only and would create a second tag with a suffixed slug.
    """
    name = " ".join(str(name).split())[:100]
    slug = make_slug(name, max_length=100)
    tag = (Tag.objects.filter(slug=slug).first() if slug else None) or Tag.objects.filter(name__iexact=name).first()
    return tag or Tag.objects.create(name=name, slug=slug or None)


class ImportRun(models.Model):
    """One run of the importer, from the command line or the admin, with its per-file report."""

    # The importer's per-file statuses, in the order reports list them.
    STATUSES = ("created", "updated", "unchanged", "conflict", "skipped", "failed")

    class Source(models.TextChoices):
        COMMAND = "command", _("command line")
        ADMIN = "admin", _("admin upload")
        CODE = "code", _("Python code")

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.CODE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    command = models.TextField(_("command or upload"), blank=True, help_text=_("The command line, or the names of the uploaded files."))
    dry_run = models.BooleanField(_("dry run"), default=False)
    force = models.BooleanField(_("forced"), default=False)
    counts = models.JSONField(_("counts"), default=dict)
    files = models.JSONField(_("files"), default=list, help_text=_("One entry per file: path, status, slug, message."))

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        permissions = [("import_articles", _("Can import articles from the admin"))]

    def __str__(self):
        return f"{self.get_source_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def failed(self):
        return bool(self.counts.get("failed"))

    @property
    def ordered_counts(self):
        """The counts in report order: PostgreSQL's jsonb does not keep the order they were saved in."""
        known = {status: self.counts.get(status, 0) for status in self.STATUSES}
        return known | {status: count for status, count in self.counts.items() if status not in known}


# History of posts (django-reversion, see blog.history). A post's version
# follows its byline and tag rows, and those follow the author and tag as
# they were then, so a version names them even after a rename or a merge.
# Rendered fields, the lock counter and import provenance are derived or
# belong to the importer; they are not versioned.
POST_HISTORY_FIELDS = [
    "title", "slug", "description", "body", "status", "publish_date", "updated_date",
    "language", "translation_key", "cover_image", "extra_frontmatter",
]
reversion.register(Tag, fields=["name", "slug", "description"])
reversion.register(Author, fields=["name", "slug", "role", "bio", "url", "avatar_url", "socials", "user"])
reversion.register(TaggedPost, follow=["tag"])
reversion.register(PostAuthor, follow=["author"])
reversion.register(Post, fields=POST_HISTORY_FIELDS, follow=["post_authors", "taggedpost_set"])
