"""What a page says about itself to machines: JSON-LD for posts, absolute URLs.

Values are escaped for their context by the templates (attributes) and by
:func:`jsonld_script` (a ``<script>`` element), so a title holding
``</script>`` or quotes cannot break out of either.
"""

import json

from django.utils.safestring import mark_safe

from .rendering import safe_url

# The characters that could end a <script> element or start a comment in it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def absolute(request, url):
    """``url`` as an absolute URL on this site (remote URLs are kept; unsafe ones give "")."""
    url = safe_url(url)
    if not url or url.startswith(("http://", "https://")):
        return url
    return request.build_absolute_uri(url)


def post_jsonld(post, tags, request):
    """The schema.org BlogPosting of a post."""
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.description or post.excerpt,
        "datePublished": post.publish_date.isoformat(),
        "dateModified": (post.updated_date or post.updated_at or post.publish_date).isoformat(),
        "inLanguage": post.language,
        "mainEntityOfPage": request.build_absolute_uri(post.get_absolute_url()),
        "author": [
            {"@type": "Person", "name": author.name, "url": request.build_absolute_uri(author.get_absolute_url())}
            for author in post.ordered_authors
        ],
        "keywords": [tag.name for tag in tags],
        "wordCount": post.word_count,
    }
    if absolute(request, post.cover_image):
        data["image"] = absolute(request, post.cover_image)
    return jsonld_script(data)


def jsonld_script(data):
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
