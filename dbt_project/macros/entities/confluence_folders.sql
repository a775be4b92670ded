{#- The folders stream (Cloud only): the latest `resolved_at` (the sync that looked the folder up)
    wins, then the latest load; a deleted folder's tombstone keeps the last live row's descriptive
    values. Column keys: see confluence_pages_entity and confluence_groups_entity. -#}
{% macro confluence_folders_entity() -%}
    {{ return({
        'stream': 'folders',
        'version_order': ['resolved_at'],
        'history': false,
        'deletions': true,
        'table_optional': true,
        'columns': [
            {'name': 'folder_id', 'source': 'id', 'type': 'string'},
            {'name': 'title', 'type': 'string', 'backfill': true},
            {'name': 'space_id', 'type': 'string', 'backfill': true},
            {'name': 'parent_id', 'type': 'string', 'backfill': true},
            {'name': 'parent_type', 'type': 'string', 'lower': true, 'backfill': true},
            {'name': 'created_at', 'type': 'timestamp', 'backfill': true},
            {'name': 'author_account_id', 'source': 'author_id', 'type': 'string', 'backfill': true},
            {'name': 'owner_account_id', 'source': 'owner_id', 'type': 'string', 'backfill': true},
            {'name': 'status', 'type': 'string', 'lower': true},
            {'name': 'resolved_at', 'type': 'timestamp'},
            {'name': 'deleted_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}
