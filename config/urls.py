"""Top-level URLs: the admin, language switching, sitemap, robots.txt, and the blog."""

from django.contrib import admin
from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from blog.health import healthz
from blog.sitemaps import SITEMAPS
from blog.views import RobotsView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Without CSRF: changing the interface language is harmless, and a token
    # in every page's switcher would set a cookie that makes pages uncacheable.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # An index of paginated sections, so a site of any size answers quickly.
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("healthz", healthz, name="healthz"),
    path("", include("blog.urls")),
]
