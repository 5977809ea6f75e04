from django.db import migrations, models


class Migration(migrations.Migration):
    """Lists' index gains the id that breaks ties, so it gives their order by itself
    (no sort step) and answers a deep page's offset from the index alone."""

    dependencies = [
        ("blog", "0005_search_head"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["status", "publish_date", "id"], name="blog_post_public_order"),
        ),
        migrations.RemoveIndex(
            model_name="post",
            name="blog_post_status_8279bd_idx",
        ),
    ]
