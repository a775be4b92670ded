{#- The comments stream, footer and inline (column keys: see confluence_pages_entity). -#}
{% macro confluence_comments_entity() -%}
    {{ return({
        'stream': 'comments',
        'version_order': ['updated_at'],
        'history': true,
        'deletions': true,
        'columns': [
            {'name': 'comment_id', 'source': 'id', 'type': 'string'},
            {'name': 'comment_type', 'type': 'string', 'lower': true, 'backfill': true},
            {'name': 'container_id', 'type': 'string', 'backfill': true},
            {'name': 'container_type', 'type': 'string', 'lower': true, 'backfill': true},
            {'name': 'space_id', 'type': 'string', 'backfill': true},
            {'name': 'parent_comment_id', 'type': 'string', 'backfill': true},
            {'name': 'status', 'type': 'string', 'lower': true},
            {'name': 'resolution_status', 'type': 'string', 'lower': true},
            {'name': 'inline_original_selection', 'type': 'string'},
            {'name': 'title', 'type': 'string', 'backfill': true},
            {'name': 'author_account_id', 'source': 'author_id', 'type': 'string', 'backfill': true},
            {'name': 'created_at', 'type': 'timestamp', 'backfill': true},
            {'name': 'updated_at', 'type': 'timestamp'},
            {'name': 'version_number', 'type': 'bigint'},
            {'name': 'body_storage', 'type': 'string', 'history': false},
            {'name': 'body_text', 'type': 'string', 'history': false},
            {'name': 'web_url', 'type': 'string', 'backfill': true},
            {'name': 'deleted_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}
