"""The two editorial roles, as groups with least privilege.

Editors add and change posts, tags and authors, publish and import; Authors
add posts and change only those they author (``change_any_post`` is what lets
an editor past that), and cannot publish. Neither group has any permission on
users, groups or permissions. Deletions are left to superusers.
"""

from django.db import migrations

ROLES = {
    "Editors": [
        "add_post", "change_post", "view_post", "change_any_post", "publish_post",
        "add_tag", "change_tag", "view_tag",
        "add_author", "change_author", "view_author",
        "view_importrun", "import_articles",
    ],
    "Authors": [
        "add_post", "change_post", "view_post",
        "view_tag", "view_author",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make
    # sure this app's exist now, on a fresh database too.
    from django.contrib.auth.management import create_permissions

    blog = apps.get_app_config("blog")
    blog.models_module = True
    create_permissions(blog, apps=apps, verbosity=0)
    blog.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="blog", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions missing for the {name} group: {', '.join(sorted(missing))}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0002_post_version_import_run"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
