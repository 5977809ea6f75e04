from django.conf import settings


def site(request):
    """The site's name and description, for every page's header and metadata."""
    return {"site_name": settings.TINTA_SITE_NAME, "site_description": settings.TINTA_SITE_DESCRIPTION}
