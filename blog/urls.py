from django.urls import path

from . import views

app_name = "blog"

# <str:slug>, not <slug:slug>: post, tag and author slugs may be Unicode.
urlpatterns = [
    path("", views.PostListView.as_view(), name="home"),
    path("posts/<str:slug>/", views.PostDetailView.as_view(), name="post"),
    path("tags/<str:slug>/", views.TagPostListView.as_view(), name="tag"),
    path("authors/<str:slug>/", views.AuthorPostListView.as_view(), name="author"),
]
