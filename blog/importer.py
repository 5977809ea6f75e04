"""Importing folders of Markdown articles: the one writer of imported posts.

:func:`import_articles` walks the paths it is given, reads and renders each
article with :mod:`blog.frontmatter` and :mod:`blog.rendering` (in worker
processes when there are many), resolves its authors and tags through the
``authors.yml`` / ``tags.yml`` files around it, and writes the files in
batches, one transaction a batch: new posts, their tag and byline rows and
their first history revisions go in with a few bulk inserts, and the search
index and the page cache's content version are refreshed once (see
:func:`blog.signals.held`), not once a row. Every file ends with exactly one
status; a failed file changes nothing and stops nothing else: everything that
can fail for one file is checked before the batch writes, and a batch the
database refuses (a race with another import or an editor, a value it will
not store) is rolled back and written again file by file, each file in a
transaction of its own. Posts remember which file they came from and a
fingerprint of what was imported, so re-imports find them again, write
nothing when nothing changed, and never overwrite an editor's work unless
``force`` is given.
"""

import collections
import contextlib
import datetime as dt
import functools
import hashlib
import logging
import multiprocessing
import os
import zoneinfo
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone

from . import history, signals, workers
from .frontmatter import ArticleError, NotAnArticle, clean_text, load_yaml_data, to_json, too_large
from .models import Author, ImportRun, Post, PostAuthor, SlugRedirect, Tag, TaggedPost
from .slugs import make_slug

logger = logging.getLogger(__name__)

STATUSES = ImportRun.STATUSES
CREATED, UPDATED, UNCHANGED, CONFLICT, SKIPPED, FAILED = STATUSES

ARTICLE_EXTENSIONS = (".md", ".markdown", ".mdx")
# Jekyll's folders of posts are articles even though their names start with "_".
IMPORTED_UNDERSCORE_FOLDERS = {"_posts", "_drafts"}
DRAFTS_FOLDER = "_drafts"


@dataclass
class FileResult:
    path: str
    status: str
    slug: str | None = None
    message: str = ""

    def to_dict(self):
        return {"path": self.path, "status": self.status, "slug": self.slug, "message": self.message}


@dataclass
class ImportReport:
    files: list = field(default_factory=list)
    dry_run: bool = False
    run: object = None  # the ImportRun that records it

    @property
    def counts(self):
        counts = dict.fromkeys(STATUSES, 0)
        for result in self.files:
            counts[result.status] += 1
        return counts

    @property
    def failed(self):
        return self.counts[FAILED] > 0

    pruned: list = None  # with prune: the posts unpublished because their file is gone

    def to_dict(self):
        report = {"files": [result.to_dict() for result in self.files], "counts": self.counts}
        if self.pruned is not None:
            report["pruned"] = self.pruned
        return report


@dataclass
class Source:
    """A file to import: where it is, and its path relative to the folder given."""

    path: Path
    rel: str
    root: Path
    in_drafts_folder: bool = False


def import_articles(
    paths, *, dry_run=False, force=False, prune=False, progress=None, source=ImportRun.Source.CODE, user=None, command=""
):
    """Import every article under ``paths`` (files or folders) and report on each.

    ``progress``, if given, is called as ``progress(done, total)`` after each file.
    With ``dry_run`` everything is parsed, validated and checked against the
    database exactly as a real run would, then rolled back.

    Every run is recorded as an :class:`~blog.models.ImportRun` (dry runs too)
    saying where it came from (``source``: the command, the admin), who ran it
    (``user``) and how (``command``); posts it writes get a history revision
    by ``user``.

    With ``prune``, published posts imported earlier from a folder given here
    whose file is no longer in it are unpublished (made drafts, never deleted)
    and listed in ``report.pruned``.
    """
    run = ImportRun(source=source, user=user, command=command or " ".join(map(str, paths)), dry_run=dry_run, force=force)
    report = ImportReport(dry_run=dry_run, run=run)
    sources = []
    for path in paths:
        sources.extend(collect(Path(path), report))
    # Each batch commits on its own; a dry run wraps them all in one
    # transaction that is rolled back, so later files still see earlier ones.
    with transaction.atomic() if dry_run else contextlib.nullcontext(), signals.held() as held:
        importer = _Importer(force=force, user=user, held=held)
        done = 0
        for batch in _batches(importer.prepare(sources), BATCH_SIZE):
            report.files.extend(importer.import_batch(batch))
            done += len(batch)
            if progress:
                progress(done, len(sources))
        if prune:
            report.pruned = _prune(paths, sources, report, user)
            held.reindex()
        if dry_run:
            transaction.set_rollback(True)
    run.counts, run.files, run.finished_at = report.counts, [result.to_dict() for result in report.files], timezone.now()
    run.save()
    return report


def _prune(paths, sources, report, user):
    """Unpublish the posts whose files disappeared from the folders imported."""
    present = {(str(source.root.resolve()), source.rel) for source in sources}
    present |= {(str(Path(path).resolve()), result.path) for path in paths for result in report.files}
    roots = [str(Path(path).resolve()) for path in paths if Path(path).is_dir()]
    pruned = []
    for post in Post.objects.filter(source_root__in=roots).published().order_by("source_root", "source_path"):
        if (post.source_root, post.source_path) in present:
            continue
        with transaction.atomic(), history.revision(user=user, comment=f"Unpublished: {post.source_path} is gone"):
            post.status = Post.Status.DRAFT
            # Not an editor's edit, and a file that comes back is imported again.
            post.source_hash = ""
            post.import_hash = post.fingerprint()
            post.save()
            history.record(post)
        pruned.append({"path": post.source_path, "slug": post.slug})
    return pruned


def collect(path, report):
    """The sources under ``path``; what is skipped on the way goes in ``report``."""
    if path.is_file():
        return [Source(path=path, rel=path.name, root=path.parent, in_drafts_folder=path.parent.name == DRAFTS_FOLDER)]
    root = path
    sources = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        folder = Path(folder)
        rel_folder = folder.relative_to(root)
        for name in sorted(dirnames):
            rel = (rel_folder / name).as_posix()
            if name.startswith("."):
                dirnames.remove(name)
            elif (folder / name).is_symlink():
                report.files.append(FileResult(rel + "/", SKIPPED, message="a symbolic link to a folder; not followed"))
            elif name.startswith("_") and name not in IMPORTED_UNDERSCORE_FOLDERS:
                dirnames.remove(name)
                report.files.append(
                    FileResult(
                        rel + "/", SKIPPED,
                        message=f"folders starting with '_' hold partials and guides, not posts; "
                        f"to import it (a Jekyll collection, say), name it: import_articles {root / rel}",
                    )
                )
        dirnames.sort()
        in_drafts = DRAFTS_FOLDER in rel_folder.parts
        for name in sorted(filenames):
            file_path = folder / name
            rel = (rel_folder / name).as_posix()
            lower = name.lower()
            if name.startswith(".") or not (lower.endswith(ARTICLE_EXTENSIONS) or lower.endswith(".txt")):
                continue
            if lower.endswith(".txt") and not _opens_with_frontmatter(file_path):
                continue
            if lower.split(".")[0] == "readme":
                report.files.append(FileResult(rel, SKIPPED, message="README files describe a folder; they are not posts"))
            elif name.startswith("_"):
                report.files.append(
                    FileResult(rel, SKIPPED, message="names starting with '_' are partials, not posts; import the file by naming it")
                )
            elif file_path.is_symlink() and not _is_inside(file_path, root):
                report.files.append(FileResult(rel, SKIPPED, message="a symbolic link to a file outside the folder; not followed"))
            else:
                sources.append(Source(path=file_path, rel=rel, root=root, in_drafts_folder=in_drafts))
    return sources


def _opens_with_frontmatter(path):
    try:
        with open(path, "rb") as handle:
            start = handle.read(8)
    except OSError:
        return False
    return start.removeprefix(b"\xef\xbb\xbf").startswith((b"---", b"+++"))


def _is_inside(path, root):
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 24
# Files in flight per worker: enough to keep every core busy while this
# process writes a batch, few enough that 10,000 articles do not sit in
# memory at once.
WINDOW_PER_WORKER = 40
# Files written per transaction: one commit (one sync to disk) and a few bulk
# inserts for this many new posts.
BATCH_SIZE = 50


def _batches(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _finish(source, job, call=None):
    """The outcome of a job started by ``_Importer.prepare``: its result, or the exception it raised."""
    try:
        if isinstance(job, Future):
            try:
                return source, job.result()
            except BrokenProcessPool:
                return source, call()  # a worker died (killed, out of memory): do this file here
        if callable(job):
            return source, job()
        return source, job
    except Exception as error:  # noqa: BLE001 - reported for this file alone
        return source, error


def _outcome(source, call):
    """``call()``'s FileResult, or the failure it raised, reported for ``source`` alone."""
    try:
        return call()
    except ArticleError as error:
        return FileResult(source.rel, FAILED, message=str(error))
    except NotAnArticle as error:
        return FileResult(source.rel, SKIPPED, message=str(error))
    except DatabaseError as error:
        logger.exception("Database error importing %s", source.path)
        return FileResult(source.rel, FAILED, message=f"the database refused the post: {error}")
    except OSError as error:
        return FileResult(source.rel, FAILED, message=f"the file could not be read: {error.strerror or error}")
    except Exception as error:  # noqa: BLE001 - one file's surprise must not stop the others
        logger.exception("Unexpected error importing %s", source.path)
        return FileResult(source.rel, FAILED, message=f"unexpected error ({type(error).__name__}: {error}); this is a bug in Tinta")


def _raise(error):
    raise error


@dataclass
class ResolvedAuthor:
    slug: str
    name: str
    profile: dict


@dataclass
class ResolvedTag:
    slug: str
    name: str
    description: str = ""


@dataclass
class Plan:
    """One parsed and rendered file, its authors and tags resolved: ready to write."""

    source: Source
    article: object
    rendered: object
    authors: list
    tags: list


class _FileByFile(Exception):
    """The batch cannot be written at once without changing what file-by-file writing would do."""


class _Importer:
    """One import run: its caches of authors.yml / tags.yml, of known posts, tags and authors."""

    def __init__(self, force, user=None, held=None):
        self.force = force
        self.user = user
        self.held = held or signals.Held()
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.max_bytes = settings.TINTA_MAX_ARTICLE_BYTES
        self.default_language = settings.TINTA_DEFAULT_LANGUAGE
        # Whole seconds: the admin's date widgets drop microseconds, and a save
        # that changed nothing must not look like an edit.
        self.now = timezone.now().replace(microsecond=0)
        self.index_cache = {}
        self.lookups = {}
        self.roots = {}
        self.keys_seen = {}
        # Tags and authors by the slug an article resolved them to, as far as
        # the batches written so far know them.
        self.tags, self.authors = {}, {}
        # Re-imports of unchanged files are answered from this, without parsing.
        self.known = {
            (path, digest): (slug, key)
            for path, digest, slug, key in Post.objects.exclude(import_key=None).values_list(
                "source_path", "source_hash", "slug", "import_key"
            )
        }
        self.workers = settings.TINTA_IMPORT_WORKERS or os.cpu_count() or 1

    def prepare(self, sources):
        """Yield ``(source, prepared)`` in order, where prepared is what the
        file became: a :class:`FileResult` when there is nothing to do, the
        (article, rendered body) pair, or the exception that stopped it.

        Reading, parsing and rendering, the costly and pure part, runs in
        worker processes when there are enough files, while this process
        writes the batches before; a bounded window of files in flight keeps
        memory flat however many there are, and the database is written from
        this process alone, in order.
        """
        pool = None
        parallel = len(sources) >= PARALLEL_MIN_FILES and self.workers > 1
        in_flight = collections.deque()
        try:
            for source in sources:
                call = job = self._start(source)
                if callable(job) and parallel:
                    try:
                        if pool is None:
                            pool = ProcessPoolExecutor(self.workers, mp_context=_worker_context())
                        job = pool.submit(job.func, *job.args)
                    except (BrokenProcessPool, OSError):
                        logger.exception("Import worker processes failed; going on in this process")
                        parallel = False
                in_flight.append((source, job, call))
                if len(in_flight) >= self.workers * WINDOW_PER_WORKER:
                    yield _finish(*in_flight.popleft())
            while in_flight:
                yield _finish(*in_flight.popleft())
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)

    def _start(self, source):
        """What to do for ``source``: a FileResult already, or the parse-and-render call to make."""
        try:
            size = source.path.stat().st_size
            if size > self.max_bytes:
                raise too_large(size, self.max_bytes)  # before reading a huge file into memory
            data = source.path.read_bytes()
        except (ArticleError, OSError) as error:
            return error
        known = self.known.get((source.rel, hashlib.sha256(data).hexdigest()))
        if known is not None and not self.force:
            slug, key = known
            self.keys_seen.setdefault(key, source.rel)
            return FileResult(source.rel, UNCHANGED, slug=slug)
        options = (self.tz.key, self.default_language, source.in_drafts_folder, self.max_bytes)
        return functools.partial(workers.prepare_article, data, source.rel, *options)

    # -- one batch ----------------------------------------------------------

    def import_batch(self, batch):
        """Write the ``(source, prepared)`` pairs of ``batch``; their FileResults, in order."""
        results = [None] * len(batch)
        plans = {}
        for index, (source, prepared) in enumerate(batch):
            if isinstance(prepared, FileResult):
                results[index] = prepared
            elif isinstance(prepared, BaseException):
                results[index] = _outcome(source, functools.partial(_raise, prepared))
            else:
                plan = self._plan(source, *prepared)
                if isinstance(plan, FileResult):
                    results[index] = plan
                else:
                    plans[index] = plan
        if plans:
            try:
                with transaction.atomic():
                    written = self._write_batch(list(plans.values()))
                    self.held.reindex()
            except Exception as error:  # noqa: BLE001 - written again file by file, where each failure is its own
                if not isinstance(error, (_FileByFile, IntegrityError)):
                    logger.info("Writing a batch of %s files at once failed (%r); writing them one by one", len(plans), error)
                # The rolled-back batch may have created tags and authors these remember.
                self.tags.clear()
                self.authors.clear()
                written = [self.import_alone(plan) for plan in plans.values()]
            for index, result in zip(plans, written, strict=True):
                results[index] = result
        return results

    def _plan(self, source, article, rendered):
        """The Plan for one parsed file, or the FileResult that says why it cannot be written."""

        def plan():
            first = self.keys_seen.setdefault(article.import_key, source.rel)
            if first != source.rel:
                what = article.import_key.split(":", 1)[0]
                raise ArticleError(f"it has the same {what} as {first}, so both would be one post; give one of them another {what}")
            authors = [self._resolve_author(ref, source) for ref in article.authors]
            tags = [self._resolve_tag(name, source) for name in article.tags]
            authors = list({author.slug: author for author in reversed(authors)}.values())[::-1]
            tags = list({tag.slug: tag for tag in reversed(tags)}.values())[::-1]
            return Plan(source, article, rendered, authors, tags)

        return _outcome(source, plan)

    def _write_batch(self, plans):
        """Write ``plans`` inside the caller's transaction; their FileResults, in order.

        Posts already in the database are written one by one, each in a
        savepoint (they are few: changed files); new posts are written
        together. Anything that could fail one new post is decided here
        first, so the bulk inserts either all succeed or the database
        refused something, which rolls the batch back (the caller then
        writes it file by file).
        """
        keys = [plan.article.import_key for plan in plans]
        existing = {post.import_key: post for post in Post.objects.select_for_update().filter(import_key__in=keys)}
        named = [plan.article.slug for plan in plans if plan.article.import_key not in existing and plan.article.slug]
        if named:
            # The file now names the slug its post already has (an export written
            # back in place, say): the same file, so the same post under a new key.
            for post in Post.objects.select_for_update().filter(slug__in=named):
                existing.setdefault(("slug", post.slug, post.source_path), post)
        taken = {
            slug: (title, source_path)
            for slug, title, source_path in Post.objects.filter(slug__in=self._slug_candidates(plans, existing)).values_list(
                "slug", "title", "source_path"
            )
        }
        results = [None] * len(plans)
        new = []  # (index, plan, post)
        for index, plan in enumerate(plans):
            article = plan.article
            post = existing.get(article.import_key) or existing.get(("slug", article.slug, article.path))
            if post is not None:
                if new and any(item[2].slug == article.slug for item in new):
                    raise _FileByFile(f"{article.path} renames its post to the slug of a new post before it")
                slug = post.slug
                results[index] = self._update(plan, post)
                if post.slug != slug:
                    # The slug it leaves may be the one a new post below would get.
                    raise _FileByFile(f"{article.path} changes its post's slug")
                taken.setdefault(post.slug, (post.title, post.source_path))
                continue
            claimed = {item[2].slug: (item[2].title, item[2].source_path) for item in new}
            outcome = _outcome(plan.source, functools.partial(self._new_post, plan, {**taken, **claimed}))
            if isinstance(outcome, FileResult):
                results[index] = outcome
            else:
                new.append((index, plan, outcome))
        if new:
            self._create(new)
            for index, plan, post in new:
                results[index] = FileResult(plan.article.path, CREATED, slug=post.slug)
        return results

    def _slug_candidates(self, plans, existing):
        candidates = set()
        for plan in plans:
            article = plan.article
            if article.slug:
                candidates.add(article.slug)
            elif article.import_key not in existing:
                base = make_slug(article.title) or "post"
                candidates.update([base, f"{base}-{make_slug(article.language)}"] if article.language else [base])
        return candidates

    def _update(self, plan, post):
        """Write a file whose post exists, in a savepoint: only this file is lost if it fails."""

        def update():
            comment = f"Imported from {plan.source.rel}"
            try:
                with transaction.atomic(), history.revision(user=self.user, comment=comment):
                    return self._write(plan, post)
            except IntegrityError as error:
                return error

        result = _outcome(plan.source, update)
        if isinstance(result, IntegrityError):
            # A race with another import or an editor: the file is written again on its own, and retried once.
            raise _FileByFile(f"{plan.source.rel}: {result}")
        return result

    def _new_post(self, plan, taken):
        """The unsaved Post for a file that has none yet; its slug checked against ``taken``."""
        article = plan.article
        if article.slug:
            if article.slug in taken:
                title, source_path = taken[article.slug]
                raise ArticleError(_slug_taken_message(article.slug, title, source_path))
            slug = article.slug
        else:
            slug = self._unique_slug(make_slug(article.title) or "post", article.language, taken)
        post = Post(import_key=article.import_key, slug=slug)
        self._fill(post, plan, created=True)
        post.import_hash = post.fingerprint(
            tag_slugs=sorted(tag.slug for tag in plan.tags), author_slugs=[author.slug for author in plan.authors]
        )
        post.imported_at = self.now
        # What Post.save() stores beside the body, from the worker's rendering.
        post.apply_rendered(plan.rendered)
        post.version = 1
        return post

    def _create(self, new):
        """Insert the new posts of a batch with their tags, bylines and first revisions."""
        plans = [plan for _index, plan, _post in new]
        tags = self._tag_objects([tag for plan in plans for tag in plan.tags])
        authors = self._author_objects([author for plan in plans for author in plan.authors])
        posts = Post.objects.bulk_create([post for _index, _plan, post in new])
        # A new post takes its slug back from any post that answered at it before.
        SlugRedirect.objects.filter(kind=Post.redirect_kind, old_slug__in=[post.slug for post in posts]).delete()
        taggings, bylines, entries = [], [], []
        for plan, post in zip(plans, posts, strict=True):
            post_tags = list({tags[tag.slug].pk: tags[tag.slug] for tag in plan.tags}.values())
            post_taggings = [TaggedPost(content_object=post, tag=tag) for tag in post_tags]
            post_bylines = [PostAuthor(post=post, author=authors[author.slug], order=order) for order, author in enumerate(plan.authors)]
            taggings += post_taggings
            bylines += post_bylines
            entries.append((post, f"Imported from {plan.source.rel}", post_bylines, post_taggings))
        TaggedPost.objects.bulk_create(taggings)
        PostAuthor.objects.bulk_create(bylines)
        history.record_new(entries, user=self.user)
        self.held.post_changed(*(post.pk for post in posts))

    def _tag_objects(self, resolved):
        """{resolved slug: Tag} for ``resolved``, each found (by slug, then by name) or created, in a few queries."""
        wanted = {}
        for tag in resolved:
            wanted.setdefault(tag.slug, tag)
        missing = [slug for slug in wanted if slug not in self.tags]
        if missing:
            for tag in Tag.objects.filter(slug__in=missing):
                self.tags[tag.slug] = tag
            unfound = [wanted[slug] for slug in missing if slug not in self.tags]
            by_name = {}
            for chunk in range(0, len(unfound), 200):
                names = models.Q()
                for tag in unfound[chunk : chunk + 200]:
                    names |= models.Q(name__iexact=tag.name)
                by_name.update({tag.name.lower(): tag for tag in Tag.objects.filter(names)})
            created = []
            for tag in unfound:
                found = by_name.get(tag.name.lower())
                if found is None:
                    found = Tag(slug=tag.slug, name=tag.name, description=tag.description)
                    by_name[tag.name.lower()] = found
                    created.append(found)
                self.tags[tag.slug] = found
            if created:
                Tag.objects.bulk_create(sorted(created, key=lambda tag: tag.slug))  # one order for every import: no deadlock
                SlugRedirect.objects.filter(kind=Tag.redirect_kind, old_slug__in=[tag.slug for tag in created]).delete()
        for resolved_tag in resolved:
            tag = self.tags[resolved_tag.slug]
            if resolved_tag.description and not tag.description:
                tag.description = resolved_tag.description
                tag.save(update_fields=["description"])
        return self.tags

    def _author_objects(self, resolved):
        """{slug: Author} for ``resolved``, created or their empty fields filled as one file at a time would."""
        missing = {author.slug for author in resolved} - set(self.authors)
        if missing:
            self.authors.update((author.slug, author) for author in Author.objects.filter(slug__in=missing))
        created, changed = {}, {}
        for resolved_author in resolved:
            values, socials = _author_values(resolved_author.profile)
            author = self.authors.get(resolved_author.slug)
            if author is None:
                author = Author(slug=resolved_author.slug, name=resolved_author.name, socials=socials, **values)
                self.authors[author.slug] = created[author.slug] = author
                continue
            fields = _fill_author(author, values, socials)
            if fields and author.slug not in created:
                changed.setdefault(author.slug, set()).update(fields)
        if created:
            Author.objects.bulk_create(sorted(created.values(), key=lambda author: author.slug))
            SlugRedirect.objects.filter(kind=Author.redirect_kind, old_slug__in=list(created)).delete()
        for slug, fields in changed.items():
            self.authors[slug].save(update_fields=sorted(fields))
        return self.authors

    # -- one file -------------------------------------------------------------

    def import_alone(self, plan):
        """Write one file in a transaction of its own: the way a batch the database refused is written."""

        def write():
            try:
                return self._import(plan)
            except IntegrityError:
                # Another import (or an editor) created this post or took this
                # slug between our read and our write; the file's transaction
                # was rolled back, so looking again sees what they wrote.
                return self._import(plan)

        return _outcome(plan.source, write)

    def _import(self, plan):
        with transaction.atomic(), history.revision(user=self.user, comment=f"Imported from {plan.source.rel}"):
            post = Post.objects.select_for_update().filter(import_key=plan.article.import_key).first()
            if post is None and plan.article.slug:
                post = Post.objects.select_for_update().filter(slug=plan.article.slug, source_path=plan.article.path).first()
            result = self._write(plan, post)
            self.held.reindex()
            return result

    def _write(self, plan, post):
        article, rendered, authors, tags = plan.article, plan.rendered, plan.authors, plan.tags
        if post is not None and post.import_key != article.import_key:
            post.import_key = article.import_key
            Post.objects.filter(pk=post.pk).update(import_key=article.import_key)
        created = post is None
        if created:
            post = Post(import_key=article.import_key)
        elif post.source_hash == article.source_hash and not self.force:
            return FileResult(article.path, UNCHANGED, slug=post.slug)

        current = None if created else post.fingerprint()
        edited = not created and current != post.import_hash
        if article.slug:
            self._check_slug_free(article.slug, post)
            post.slug = article.slug
        elif created:
            post.slug = self._unique_slug(make_slug(article.title) or "post", article.language)
        self._fill(post, plan, created)
        tag_slugs = sorted(tag.slug for tag in tags)
        author_slugs = [author.slug for author in authors]
        new = post.fingerprint(tag_slugs=tag_slugs, author_slugs=author_slugs)

        if not created and new == current:
            # Same content (a whitespace change in the file, say): remember the
            # file's new hash so the next run takes the fast path.
            Post.objects.filter(pk=post.pk).update(source_hash=article.source_hash, source_path=article.path, import_hash=new)
            return FileResult(article.path, UNCHANGED, slug=post.slug)
        if edited and not self.force:
            return FileResult(
                article.path, CONFLICT, slug=Post.objects.filter(pk=post.pk).values_list("slug", flat=True).first(),
                message="the post was edited since it was last imported and its file changed too; "
                "the editor's version was kept. Re-run with --force to replace it with the file",
            )
        post.import_hash = new
        post.imported_at = self.now
        post.use_rendered(rendered)
        post.save()
        post.tags.set([self._tag(tag) for tag in tags], clear=True)
        PostAuthor.objects.filter(post=post).delete()
        PostAuthor.objects.bulk_create(
            PostAuthor(post=post, author=self._author(author), order=order) for order, author in enumerate(authors)
        )
        history.record(post)
        return FileResult(article.path, CREATED if created else UPDATED, slug=post.slug)

    def _fill(self, post, plan, created):
        """Set what the file says on ``post`` (all but its slug, hashes and rendering)."""
        article = plan.article
        post.title = article.title
        post.description = article.description
        post.body = article.body
        post.status = Post.Status.DRAFT if article.is_draft else Post.Status.PUBLISHED
        # In UTC, as the database gives them back: the fingerprint compares
        # isoformat() strings, and "10:00+02:00" is not "08:00+00:00".
        post.publish_date = _utc(article.publish_date) or (post.publish_date if not created else self.now)
        post.updated_date = _utc(article.updated_date)
        post.language = article.language
        post.translation_key = article.translation_key
        post.cover_image = article.cover_image
        post.extra_frontmatter = article.extra
        post.source_path = article.path
        post.source_root = self._resolved(plan.source.root)
        post.source_hash = article.source_hash

    def _resolved(self, root):
        if root not in self.roots:
            self.roots[root] = str(root.resolve())
        return self.roots[root]

    def _check_slug_free(self, slug, post):
        other = Post.objects.filter(slug=slug).exclude(pk=post.pk).first()
        if other:
            raise ArticleError(_slug_taken_message(slug, other.title, other.source_path))

    def _unique_slug(self, base, language, taken=None):
        """``base``, else ``base-<language>``, else ``base-2``, ``base-3``…

        Files are imported in sorted order, so the same files get the same
        slugs on every fresh import. ``taken``, if given, holds the slugs
        among the first two known to be taken (or claimed in this batch);
        without it, the database is asked.
        """

        def free(candidate):
            if taken is not None and candidate in taken:
                return False
            return not Post.objects.filter(slug=candidate).exists() if taken is None else True

        candidates = [base, f"{base}-{make_slug(language)}"] if language else [base]
        for candidate in candidates:
            if free(candidate):
                return candidate
        number = 2
        while (taken is not None and f"{base}-{number}" in taken) or Post.objects.filter(slug=f"{base}-{number}").exists():
            number += 1
        return f"{base}-{number}"

    # -- authors and tags -------------------------------------------------

    def _resolve_author(self, ref, source):
        key_slug, entry = self._lookup("authors.yml", ref.key, source) or (None, None)
        profile = {**(entry if isinstance(entry, dict) else {}), **ref.profile}
        name = clean_text(str(profile.get("name") or (entry if isinstance(entry, str) else "") or ref.key))
        # An authors.yml key is the author's identity (and URL), as in Docusaurus;
        # it also lets an export, keyed by slug, come back unchanged.
        slug = key_slug or make_slug(name) or make_slug(ref.key)
        if not slug:
            raise ArticleError(f"field 'authors': {ref.key!r} gives no usable name; write the author's name")
        return ResolvedAuthor(slug=slug, name=name[:200], profile=profile)

    def _resolve_tag(self, name, source):
        key_slug, entry = self._lookup("tags.yml", name, source) or (None, None)
        if isinstance(entry, dict):
            label = clean_text(str(entry.get("label") or name))
            description = clean_text(str(entry.get("description") or ""))
        else:
            label, description = (clean_text(entry) if isinstance(entry, str) and entry else name), ""
        slug = (key_slug or make_slug(label))[:100]
        if not slug:
            raise ArticleError(f"field 'tags': {name!r} gives no usable tag name; use letters or digits")
        return ResolvedTag(slug=slug, name=label[:100], description=description)

    def _lookup(self, filename, key, source):
        """(slug of its key, entry) for ``key`` in the nearest ``filename`` from
        the article's folder up to the folder given, matching keys (or else
        names and labels) by slug; None when no file has it."""
        # Thousands of articles name the same few authors and tags from one folder.
        cache_key = (filename, key, source.path.parent, source.root)
        if cache_key not in self.lookups:
            self.lookups[cache_key] = self._find(filename, key, source)
        return self.lookups[cache_key]

    def _find(self, filename, key, source):
        folder = source.path.parent
        wanted = make_slug(key)
        while True:
            candidate = folder / filename
            # A symbolic link out of the folder imported is not followed, here as for articles.
            index = {} if candidate.is_symlink() and not _is_inside(candidate, source.root) else self._index(candidate)
            if wanted in index:
                return index[wanted]
            if folder == source.root or folder == folder.parent or source.root not in folder.parents:
                return None
            folder = folder.parent

    def _index(self, path):
        if path not in self.index_cache:
            self.index_cache[path] = _load_index(path)
        return self.index_cache[path]

    def _author(self, resolved):
        values, socials = _author_values(resolved.profile)
        author = Author.objects.filter(slug=resolved.slug).first()
        if author is None:
            return Author.objects.create(slug=resolved.slug, name=resolved.name, socials=socials, **values)
        changed = _fill_author(author, values, socials)
        if changed:
            author.save(update_fields=changed)
        return author

    def _tag(self, resolved):
        tag = Tag.objects.filter(slug=resolved.slug).first() or Tag.objects.filter(name__iexact=resolved.name).first()
        if tag is None:
            return Tag.objects.create(slug=resolved.slug, name=resolved.name, description=resolved.description)
        if resolved.description and not tag.description:
            tag.description = resolved.description
            tag.save(update_fields=["description"])
        return tag


def _author_values(profile):
    """(the Author fields a profile gives, its socials)."""
    values = {
        "role": clean_text(_first(profile, "title", "role", "job_title"))[:300],
        "bio": clean_text(_first(profile, "bio", "description", "about")),
        "url": _first(profile, "url", "website", "homepage")[:500],
        "avatar_url": _first(profile, "image_url", "avatar", "avatar_url", "image")[:500],
    }
    socials = to_json(profile["socials"]) if isinstance(profile.get("socials"), dict) else {}
    return values, socials


def _fill_author(author, values, socials):
    """Fill what is empty on ``author``; an editor's profile is never overwritten. The names of the fields filled."""
    changed = [name for name, value in values.items() if value and not getattr(author, name)]
    for name in changed:
        setattr(author, name, values[name])
    if socials and not author.socials:
        author.socials = socials
        changed.append("socials")
    return changed


def _slug_taken_message(slug, title, source_path):
    where = f" (from {source_path})" if source_path else ""
    return f"field 'slug': {slug!r} is already the slug of the post {title!r}{where}; give this article another slug"


def _worker_context():
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the parsing and rendering modules once, and each
    # worker starts as a copy of it (when this process starts the server).
    context.set_forkserver_preload(["blog.workers"])
    return context


def _utc(value):
    return value.astimezone(dt.UTC) if value is not None else None


def _first(profile, *keys):
    for key in keys:
        value = profile.get(key)
        if isinstance(value, str) and value.strip():
            return value.replace("\x00", "").strip()
    return ""


def _load_index(path):
    """An authors.yml or tags.yml as {slug of key or of name: (slug of key, entry)}; {} when there is none."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ArticleError(f"{path} could not be read ({error}); fix or remove it")
    data = load_yaml_data(text, what=str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ArticleError(f"{path} must map keys to entries (key: {{name: ...}}), not hold a {type(data).__name__}")
    index, by_name = {}, {}
    for key, entry in data.items():
        if isinstance(entry, dict):
            entry = {str(k).lower(): v for k, v in entry.items()}
        slug = make_slug(str(key))
        index.setdefault(slug, (slug, entry))
        # An article may also name the author or tag in full ("Ana Rivera" for ana).
        name = entry.get("name") or entry.get("label") if isinstance(entry, dict) else entry
        if isinstance(name, str) and make_slug(name):
            by_name.setdefault(make_slug(name), (slug, entry))
    return {**by_name, **index}
