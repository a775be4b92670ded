{#- The groups stream: a full-refresh snapshot without a cursor, the last loaded row wins
    (column keys: see confluence_pages_entity; `table_optional`: a raw table that is not there,
    because the stream was not synced, reads as empty). -#}
{% macro confluence_groups_entity() -%}
    {{ return({
        'stream': 'groups',
        'version_order': [],
        'history': false,
        'deletions': false,
        'table_optional': true,
        'columns': [
            {'name': 'group_id', 'source': 'id', 'type': 'string'},
            {'name': 'group_name', 'source': 'name', 'type': 'string'},
            {'name': 'group_type', 'source': 'type', 'type': 'string', 'lower': true},
            {'name': 'managed_by', 'type': 'string'},
        ],
    }) }}
{%- endmacro %}
