{#- The group_members stream: incremental on `updated_at` (the sync that read the row; a member
    removed arrives as a row with `deleted_at` set), the latest row per id wins, then the latest
    load. A table loaded while the stream was a full-refresh snapshot gains both columns at the
    first load of this release (Airbyte's and PyAirbyte's loaders add a stream's new columns).
    Column keys: see confluence_pages_entity and confluence_groups_entity. -#}
{% macro confluence_group_members_entity() -%}
    {{ return({
        'stream': 'group_members',
        'version_order': ['updated_at'],
        'history': false,
        'deletions': false,
        'table_optional': true,
        'columns': [
            {'name': 'group_member_id', 'source': 'id', 'type': 'string'},
            {'name': 'group_id', 'type': 'string'},
            {'name': 'group_name', 'type': 'string'},
            {'name': 'account_id', 'type': 'string'},
            {'name': 'username', 'type': 'string'},
            {'name': 'display_name', 'type': 'string'},
            {'name': 'account_type', 'type': 'string', 'lower': true},
            {'name': 'updated_at', 'type': 'timestamp'},
            {'name': 'deleted_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}
