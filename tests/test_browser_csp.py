"""The Content-Security-Policy holds for readers and editors: no page, the admin's
live preview included, needs anything the policy refuses."""

import pytest
from django.core.management import call_command

from blog.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browser_site_and_admin_work_under_the_content_security_policy(page, django_user_model, capsys):
    call_command("import_articles")
    capsys.readouterr()
    django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-123456!")
    post = Post.objects.get(slug="ia-generativa-vs-llm-entendiendo-las-diferencias-y-sinergias")
    refused = []
    page.on("console", lambda message: refused.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None)

    for url in ("/", post.get_absolute_url(), "/tags/", "/search/?q=ia"):
        page.goto(url)
    page.goto("/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-123456!")
    page.click("input[type=submit]")
    for url in ("/admin/", "/admin/blog/post/", "/admin/blog/post/add/", "/admin/blog/tag/", f"/admin/blog/post/{post.pk}/history/"):
        page.goto(url)
    page.goto(f"/admin/blog/post/{post.pk}/change/")
    page.fill("#id_body", "# Changed\n\nNew **bold** text")
    preview = page.frame_locator("iframe.md-preview")
    preview.locator("strong", has_text="bold").wait_for(timeout=5000)

    assert refused == []
