"""A plain admin for posts, authors and tags; the editors' CMS is built on it later."""

from django.contrib import admin

from .models import Author, Post, PostAuthor, Tag


class PostAuthorInline(admin.TabularInline):
    model = PostAuthor
    extra = 1
    autocomplete_fields = ["author"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "publish_date", "language"]
    list_filter = ["status", "language"]
    search_fields = ["title", "description", "body"]
    date_hierarchy = "publish_date"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PostAuthorInline]
    readonly_fields = ["source_path", "imported_at", "extra_frontmatter"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "body", "tags"]}),
        ("Publishing", {"fields": ["status", "publish_date", "updated_date", "language", "cover_image"]}),
        ("Import", {"fields": ["source_path", "imported_at", "extra_frontmatter"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "role"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
