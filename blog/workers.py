"""What an import's worker processes run: parse and render one file.

Kept apart from blog.importer because a worker process (started fresh by the
forkserver) imports this module without setting Django up: nothing here may
import models. It takes and returns plain, picklable values.
"""

import zoneinfo

from .frontmatter import parse_article
from .rendering import render


def prepare_article(data, rel, tz_name, default_language, in_drafts_folder, max_bytes):
    """Parse the bytes of one file and render its body: the pure, costly part of an import."""
    article = parse_article(
        data, rel, tz=zoneinfo.ZoneInfo(tz_name), default_language=default_language,
        in_drafts_folder=in_drafts_folder, max_bytes=max_bytes,
    )
    return article, render(article.body)
