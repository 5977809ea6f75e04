"""Template helpers for URLs that depend on the request: canonical and page links."""

from urllib.parse import urlencode

from django import template

from ..metadata import absolute
from ..rendering import safe_url as _safe_url

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's URL without tracking or sorting parameters; page 2+ keep ``page``."""
    request = context["request"]
    keep = {key: request.GET[key] for key in ("page", "q", "sort") if request.GET.get(key) and request.GET.get(key) != "1"}
    query = f"?{urlencode(keep)}" if keep else ""
    return request.build_absolute_uri(request.path) + query


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The URL of page ``number`` of the current list, keeping the search query."""
    request = context["request"]
    params = {key: request.GET[key] for key in ("q", "sort") if request.GET.get(key)}
    if number and int(number) > 1:
        params["page"] = number
    return f"{request.path}?{urlencode(params)}" if params else request.path


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    return absolute(context["request"], url)


@register.filter
def safe_url(value):
    """Only http(s) and relative URLs: a `javascript:` author website must never become a link."""
    return _safe_url(value)
