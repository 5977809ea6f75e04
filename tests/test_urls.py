"""Links to posts, tags and authors: slug_url builds exactly what reverse() builds, faster."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from blog.models import slug_url

SLUGS = ["hello-world", "diseño", "ia-generativa-vs-llm", "中文-指南", "a b", "100%-sure", "q?x=1#frag", "ümlaut~:@!$&'()*+,;="]


@pytest.mark.parametrize("name", ["blog:post", "blog:tag", "blog:author"])
@pytest.mark.parametrize("slug", SLUGS)
def test_slug_url_is_reverse(name, slug):
    assert slug_url(name, slug) == reverse(name, kwargs={"slug": slug})


def test_slug_url_follows_the_script_prefix():
    set_script_prefix("/blog/")
    try:
        assert slug_url("blog:post", "diseño") == reverse("blog:post", kwargs={"slug": "diseño"}) == "/blog/posts/dise%C3%B1o/"
    finally:
        clear_script_prefix()
    assert slug_url("blog:post", "diseño") == "/posts/dise%C3%B1o/"


@pytest.mark.parametrize("slug", ["", "a/b"])
def test_slug_url_refuses_what_reverse_refuses(slug):
    with pytest.raises(NoReverseMatch):
        slug_url("blog:post", slug)
