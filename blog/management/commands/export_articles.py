"""`manage.py export_articles OUTDIR`: a thin shell over :func:`blog.exporter.export_articles`."""

from django.core.management.base import BaseCommand, CommandError

from blog.exporter import ExportError, export_articles


class Command(BaseCommand):
    help = (
        "Write every post (drafts and scheduled ones too) to OUTDIR as Markdown with YAML frontmatter, "
        "with authors.yml and tags.yml, in the form import_articles reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("outdir", metavar="OUTDIR", help="The folder to write; created if missing, and it must be empty.")
        parser.add_argument(
            "--force", action="store_true",
            help="Write into a folder that is not empty: files the export writes are replaced, other files are left alone.",
        )

    def handle(self, *args, outdir, force, **options):
        try:
            report = export_articles(outdir, force=force)
        except ExportError as error:
            raise CommandError(str(error), returncode=2)

        for path, message in report.warnings:
            self.stdout.write(self.style.WARNING(f"warning {path}: {message}"))
        for path, message in report.errors:
            self.stdout.write(self.style.ERROR(f"failed  {path}: {message}"))
        posts = len(report.files)
        self.stdout.write(
            f"{posts} post{'s' if posts != 1 else ''}, {report.authors} author{'s' if report.authors != 1 else ''} "
            f"and {report.tags} tag{'s' if report.tags != 1 else ''} written to {report.outdir}"
        )
        if report.failed:
            count = len(report.errors)
            raise CommandError(f"{count} file{'s' if count != 1 else ''} could not be written", returncode=1)
