"""Articles uploaded in the admin, laid out in a temporary folder for the importer.

An upload is either Markdown files or one ``.zip`` of a folder (with its
``authors.yml`` / ``tags.yml``). :func:`unpacked` checks it against the
bounds in settings and writes it under a fresh temporary folder, which the
one importer (:func:`blog.importer.import_articles`) then reads exactly as it
reads a folder on the command line. A zip entry that is absolute, climbs out
with ``..``, is a symbolic link or is encrypted refuses the whole upload, and
so does one that unpacks beyond the bounds: nothing is imported from a zip
that is not what it claims to be.
"""

import posixpath
import re
import stat
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .importer import ARTICLE_EXTENSIONS

TEXT_EXTENSIONS = (*ARTICLE_EXTENSIONS, ".txt")
INDEX_FILES = ("authors.yml", "tags.yml")
UPLOAD_EXTENSIONS = (*TEXT_EXTENSIONS, ".zip")
_CHUNK = 64 * 1024


class UploadRefused(Exception):
    """An upload that is not imported at all; the message says why, for the editor."""


def max_upload_bytes():
    return getattr(settings, "TINTA_IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


def max_unpacked_bytes():
    return getattr(settings, "TINTA_IMPORT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)


def max_files():
    return getattr(settings, "TINTA_IMPORT_MAX_FILES", 1000)


def check_uploads(uploads):
    """Refuse an upload that mixes kinds, has unknown kinds, or is too large, before anything is written."""
    if not uploads:
        raise UploadRefused(_("Choose Markdown files or a .zip to import."))
    names = [upload.name for upload in uploads]
    unknown = [name for name in names if not name.lower().endswith(UPLOAD_EXTENSIONS)]
    if unknown:
        raise UploadRefused(
            _("%(names)s: only Markdown files (.md, .markdown, .mdx, .txt) or a .zip can be imported.") % {"names": ", ".join(unknown)}
        )
    zips = [name for name in names if name.lower().endswith(".zip")]
    if zips and len(names) > 1:
        raise UploadRefused(_("Upload either one .zip or Markdown files, not both or several zips."))
    if len(names) > max_files():
        raise UploadRefused(
            _("%(count)d files were uploaded; at most %(max)d can be imported at once.") % {"count": len(names), "max": max_files()}
        )
    total = sum(upload.size for upload in uploads)
    if total > max_upload_bytes():
        raise UploadRefused(
            _("The upload is %(size)s; at most %(max)s can be imported at once.")
            % {"size": filesizeformat(total), "max": filesizeformat(max_upload_bytes())}
        )


@contextmanager
def unpacked(uploads):
    """Yield a temporary folder holding the upload, laid out for the importer; removed afterwards."""
    check_uploads(uploads)
    with tempfile.TemporaryDirectory(prefix="tinta-import-") as tmp:
        folder = Path(tmp)
        if uploads[0].name.lower().endswith(".zip"):
            yield _unzip(uploads[0], folder)
        else:
            for upload in uploads:
                _write_upload(upload, folder)
            yield folder


def _safe_file_name(name):
    # Browsers send a base name, but a client may send anything.
    base = posixpath.basename(name.replace("\\", "/")).strip()
    if not base or base in (".", "..") or "\x00" in base:
        raise UploadRefused(_("“%(name)s” is not a usable file name.") % {"name": name})
    return base


def _write_upload(upload, folder):
    target = folder / _safe_file_name(upload.name)
    if target.exists():
        raise UploadRefused(_("Two uploaded files are named “%(name)s”; rename one.") % {"name": target.name})
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)


def entry_path(name):
    """The relative path a zip entry's ``name`` stands for, or UploadRefused when it would escape its folder."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or re.match(r"^[A-Za-z]:", clean):
        raise UploadRefused(_("The zip entry “%(name)s” has an absolute path; nothing was imported.") % {"name": name})
    normal = posixpath.normpath(clean)
    if normal == ".." or normal.startswith("../"):
        raise UploadRefused(_("The zip entry “%(name)s” points outside the zip's folder; nothing was imported.") % {"name": name})
    return normal


def _wanted(path):
    """Whether the importer reads this file; images and the like stay in the zip."""
    parts = path.split("/")
    if parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts):
        return False
    name = parts[-1].lower()
    return name.endswith(TEXT_EXTENSIONS) or name in INDEX_FILES


def _unzip(upload, folder):
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile:
        raise UploadRefused(_("“%(name)s” is not a valid zip file.") % {"name": upload.name})
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > max_files():
            raise UploadRefused(
                _("The zip holds %(count)d files; at most %(max)d can be imported at once.") % {"count": len(entries), "max": max_files()}
            )
        declared = sum(info.file_size for info in entries)
        if declared > max_unpacked_bytes():
            raise UploadRefused(
                _("The zip unpacks to %(size)s; at most %(max)s can be imported at once.")
                % {"size": filesizeformat(declared), "max": filesizeformat(max_unpacked_bytes())}
            )
        # Check every entry before writing any.
        paths = []
        for info in entries:
            path = entry_path(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UploadRefused(_("The zip entry “%(name)s” is a symbolic link; nothing was imported.") % {"name": info.filename})
            if info.flag_bits & 0x1:
                raise UploadRefused(_("The zip entry “%(name)s” is encrypted; nothing was imported.") % {"name": info.filename})
            paths.append(path)
        root = folder.resolve()
        budget = max_unpacked_bytes()
        for info, path in zip(entries, paths, strict=True):
            if not _wanted(path):
                continue
            target = (root / path).resolve()
            if not target.is_relative_to(root):  # belt and braces: entry_path already refused it
                raise UploadRefused(
                    _("The zip entry “%(name)s” points outside the zip's folder; nothing was imported.") % {"name": info.filename}
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            budget = _extract(archive, info, target, budget)
        return _single_top_folder(root, [path for path in paths if _wanted(path)])


def _extract(archive, info, target, budget):
    # Count what really comes out: a zip's declared sizes can lie.
    written = 0
    try:
        with archive.open(info) as source, open(target, "wb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > budget or written > info.file_size:
                    raise UploadRefused(
                        _("The zip unpacks to more than %(max)s; nothing was imported.") % {"max": filesizeformat(max_unpacked_bytes())}
                    )
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise UploadRefused(
            _("The zip entry “%(name)s” could not be unpacked (%(error)s); nothing was imported.") % {"name": info.filename, "error": error}
        )
    return budget - written


def _single_top_folder(root, paths):
    """A zip of a folder holds it as its one top entry; import that folder, so paths match the command line's."""
    tops = {path.split("/")[0] for path in paths}
    if len(tops) == 1 and all("/" in path for path in paths):
        return root / tops.pop()
    return root

