{#- The group_members stream: a full-refresh snapshot of (group, member) pairs without a cursor,
    the last loaded row wins (column keys: see confluence_pages_entity and confluence_groups_entity). -#}
{% macro confluence_group_members_entity() -%}
    {{ return({
        'stream': 'group_members',
        'version_order': [],
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
        ],
    }) }}
{%- endmacro %}
