{#- The content_restrictions stream: the latest `updated_at` (when the connector observed the
    state) wins, then the latest load. A lifted restriction arrives as a tombstone (`deleted_at`
    set; the stream has no status column), which keeps the last live row's descriptive values.
    Column keys: see confluence_pages_entity and confluence_groups_entity. -#}
{% macro confluence_content_restrictions_entity() -%}
    {{ return({
        'stream': 'content_restrictions',
        'version_order': ['updated_at'],
        'history': false,
        'deletions': true,
        'status_column': false,
        'table_optional': true,
        'columns': [
            {'name': 'content_restriction_id', 'source': 'id', 'type': 'string'},
            {'name': 'content_id', 'type': 'string'},
            {'name': 'content_type', 'type': 'string', 'lower': true, 'backfill': true},
            {'name': 'space_id', 'type': 'string', 'backfill': true},
            {'name': 'operation', 'type': 'string', 'lower': true},
            {'name': 'principal_type', 'type': 'string', 'lower': true},
            {'name': 'principal_id', 'type': 'string'},
            {'name': 'principal_name', 'type': 'string', 'backfill': true},
            {'name': 'updated_at', 'type': 'timestamp'},
            {'name': 'deleted_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}
