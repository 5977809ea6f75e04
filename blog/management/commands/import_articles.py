"""`manage.py import_articles`: a thin shell over :func:`blog.importer.import_articles`."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blog.importer import UNCHANGED, import_articles
from blog.models import ImportRun

PROGRESS_THRESHOLD = 50


class Command(BaseCommand):
    help = "Import Markdown articles with YAML frontmatter from files or folders (default: fixtures/articles)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH", help="A Markdown file, or a folder searched recursively.")
        parser.add_argument("--dry-run", action="store_true", help="Parse and validate everything; write nothing.")
        parser.add_argument("--force", action="store_true", help="Overwrite posts edited since their last import.")
        parser.add_argument(
            "--prune", action="store_true",
            help="Unpublish (never delete) posts imported from these folders whose files are gone, and list them.",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text", help="Report format (default: text).")

    def handle(self, *args, paths, dry_run, force, prune, format, **options):
        paths = [Path(path) for path in paths] or [Path(settings.TINTA_DEFAULT_IMPORT_PATH)]
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}", returncode=2)

        progress = self._progress if self.stderr.isatty() else None
        flags = [flag for flag, given in (("--dry-run", dry_run), ("--force", force), ("--prune", prune)) if given]
        command = " ".join(["manage.py import_articles", *map(str, paths), *flags])
        report = import_articles(
            paths, dry_run=dry_run, force=force, prune=prune, progress=progress, source=ImportRun.Source.COMMAND, command=command
        )

        if format == "json":
            self.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False))
        else:
            self._write_text(report)
        failed = report.counts["failed"]
        if failed:
            raise CommandError(f"{failed} file{'s' if failed != 1 else ''} failed to import", returncode=1)

    def _progress(self, done, total):
        if total > PROGRESS_THRESHOLD:
            end = "\n" if done == total else ""
            self.stderr.write(f"\rimporting {done}/{total} files…", ending=end)
            self.stderr.flush()

    def _write_text(self, report):
        styles = {"created": self.style.SUCCESS, "updated": self.style.SUCCESS, "conflict": self.style.WARNING,
                  "skipped": self.style.NOTICE, "failed": self.style.ERROR}
        for result in report.files:
            if result.status == UNCHANGED:
                continue
            line = f"{result.status:<9} {result.path}"
            if result.slug:
                line += f" → {result.slug}"
            if result.message:
                line += f": {result.message}"
            self.stdout.write(styles[result.status](line))
        for gone in report.pruned or []:
            self.stdout.write(self.style.WARNING(f"{'pruned':<9} {gone['path']} → {gone['slug']}: its file is gone; unpublished"))
        counts = report.counts
        summary = ", ".join(f"{counts[status]} {status}" for status in counts)
        total = len(report.files)
        suffix = " (dry run: nothing was written)" if report.dry_run else ""
        self.stdout.write(f"{total} file{'s' if total != 1 else ''}: {summary}{suffix}")
