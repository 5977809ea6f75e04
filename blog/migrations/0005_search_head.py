"""Search documents learn what ranking and filtering need without reading posts:
the ``head`` vector (title, tags, description) and ``public_from`` (the publish
date of a published post), kept in step with blog_post by a trigger."""

import django.contrib.postgres.search
from django.db import migrations, models

# Existing documents, as blog.search.index_post builds them.
FILL = """
UPDATE blog_postsearchdocument AS document
SET head = setweight(to_tsvector(document.config::regconfig, COALESCE(post.title, '')), 'A')
        || setweight(to_tsvector(document.config::regconfig, COALESCE((
               SELECT string_agg(tag.name, ' ') FROM blog_taggedpost AS link JOIN blog_tag AS tag ON tag.id = link.tag_id
               WHERE link.content_object_id = post.id), '')), 'B')
        || setweight(to_tsvector(document.config::regconfig, COALESCE(post.description, '')), 'C'),
    public_from = CASE WHEN post.status = 'published' THEN post.publish_date END
FROM blog_post AS post
WHERE post.id = document.post_id
"""

# Whatever changes a post's status or date (the ORM, update(), raw SQL), its
# search document follows in the same transaction: search can never show a
# post that is no longer public.
TRIGGER = """
CREATE FUNCTION blog_post_search_visibility() RETURNS trigger AS $$
BEGIN
    UPDATE blog_postsearchdocument
    SET public_from = CASE WHEN NEW.status = 'published' THEN NEW.publish_date END
    WHERE post_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER blog_post_search_visibility
AFTER UPDATE OF status, publish_date ON blog_post
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.publish_date IS DISTINCT FROM NEW.publish_date)
EXECUTE FUNCTION blog_post_search_visibility();

-- Its matches are read through the GIN index; a parallel scan of the table
-- looks cheap to the planner but reads every post's vector.
ALTER TABLE blog_postsearchdocument SET (parallel_workers = 0);
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS blog_post_search_visibility ON blog_post;
DROP FUNCTION IF EXISTS blog_post_search_visibility();
ALTER TABLE blog_postsearchdocument RESET (parallel_workers);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)
        schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_post_source_root"),
    ]

    operations = [
        migrations.AddField(
            model_name="postsearchdocument",
            name="head",
            field=django.contrib.postgres.search.SearchVectorField(null=True),
        ),
        migrations.AddField(
            model_name="postsearchdocument",
            name="public_from",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
