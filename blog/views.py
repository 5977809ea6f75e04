"""Reader pages: thin generic views over :class:`blog.models.PostQuerySet`."""

from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView

from .models import Author, Post, PostRedirect, Tag


class VisiblePostsMixin:
    """Posts this visitor may see: staff also see drafts and scheduled posts."""

    def visible_posts(self):
        posts = Post.objects.all()
        if not self.request.user.is_staff:
            posts = posts.published()
        return posts


class PostListView(VisiblePostsMixin, ListView):
    template_name = "blog/post_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Post.objects.published().with_related()


class PostDetailView(VisiblePostsMixin, DetailView):
    template_name = "blog/post_detail.html"

    def get_queryset(self):
        return self.visible_posts().with_related()

    def get(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        if not Post.objects.filter(slug=slug).exists():
            moved = PostRedirect.objects.filter(old_slug=slug).select_related("post").first()
            if moved:
                return redirect(moved.post, permanent=True)
        return super().get(request, *args, **kwargs)


class TagPostListView(ListView):
    template_name = "blog/post_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Post.objects.published().tagged(self.tag).with_related()

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.tag.name, intro=self.tag.description, **kwargs)


class AuthorPostListView(ListView):
    template_name = "blog/post_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return Post.objects.published().by_author(self.author).with_related()

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.author.name, intro=self.author.bio or self.author.role, **kwargs)
