from django.urls import path

from . import feeds, views

app_name = "blog"

# <str:slug>, not <slug:slug>: post, tag and author slugs may be Unicode.
urlpatterns = [
    path("", views.PostListView.as_view(), name="home"),
    path("posts/<str:slug>/", views.PostDetailView.as_view(), name="post"),
    path("tags/", views.TagIndexView.as_view(), name="tags"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag"),
    path("tags/<str:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tags/<str:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("authors/", views.AuthorIndexView.as_view(), name="authors"),
    path("authors/<str:slug>/", views.AuthorDetailView.as_view(), name="author"),
    path("authors/<str:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path("authors/<str:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author_feed_atom"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", feeds.PostsFeed(), name="feed"),
    path("feed/atom/", feeds.PostsAtomFeed(), name="feed_atom"),
]
