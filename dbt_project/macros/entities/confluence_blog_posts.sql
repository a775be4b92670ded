{#- The blog_posts stream (column keys: see confluence_pages_entity). -#}
{% macro confluence_blog_posts_entity() -%}
    {{ return({
        'stream': 'blog_posts',
        'version_order': ['updated_at'],
        'history': true,
        'deletions': true,
        'columns': [
            {'name': 'blog_post_id', 'source': 'id', 'type': 'string'},
            {'name': 'space_id', 'type': 'string', 'backfill': true},
            {'name': 'title', 'type': 'string', 'backfill': true},
            {'name': 'status', 'type': 'string', 'lower': true},
            {'name': 'author_account_id', 'source': 'author_id', 'type': 'string', 'backfill': true},
            {'name': 'owner_account_id', 'source': 'owner_id', 'type': 'string', 'backfill': true},
            {'name': 'created_at', 'type': 'timestamp', 'backfill': true},
            {'name': 'updated_at', 'type': 'timestamp'},
            {'name': 'version_number', 'type': 'bigint'},
            {'name': 'version_author_account_id', 'source': 'version_author_id', 'type': 'string', 'backfill': true},
            {'name': 'version_message', 'type': 'string'},
            {'name': 'is_minor_edit', 'source': 'minor_edit', 'type': 'boolean'},
            {'name': 'body_storage', 'type': 'string', 'history': false},
            {'name': 'body_text', 'type': 'string', 'history': false},
            {'name': 'word_count', 'type': 'bigint'},
            {'name': 'web_url', 'type': 'string', 'backfill': true},
            {'name': 'deleted_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}
