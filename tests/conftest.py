"""Shared fixtures: a helper that writes article files, and one that runs the importer command."""

import json
import textwrap

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.fixture
def write(tmp_path):
    """write("name.md", text) creates a file under tmp_path (dedented, parent folders made)."""

    def _write(name, text="", *, raw=None):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


class ImportRun:
    """The result of one `import_articles` run: exit code, JSON report, stderr."""

    def __init__(self, code, report, stderr):
        self.code = code
        self.report = report
        self.stderr = stderr

    @property
    def counts(self):
        return self.report["counts"]

    def file(self, path):
        matches = [entry for entry in self.report["files"] if entry["path"] == path]
        assert len(matches) == 1, f"{path} has {len(matches)} entries in {self.report['files']}"
        return matches[0]


@pytest.fixture
def run_import(capsys):
    """run_import(*paths, "--force", ...) runs the command with --format json."""

    def _run(*args):
        code = 0
        try:
            call_command("import_articles", *map(str, args), "--format", "json")
        except CommandError as error:
            code = error.returncode
        out, err = capsys.readouterr()
        return ImportRun(code, json.loads(out) if out.strip() else None, err)

    return _run
