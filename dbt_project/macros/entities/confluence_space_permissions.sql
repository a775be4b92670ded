{#- The space_permissions stream: a full-refresh snapshot of (space, principal, operation) grants
    without a cursor, the last loaded row wins (column keys: see confluence_pages_entity and
    confluence_groups_entity). -#}
{% macro confluence_space_permissions_entity() -%}
    {{ return({
        'stream': 'space_permissions',
        'version_order': [],
        'history': false,
        'deletions': false,
        'table_optional': true,
        'columns': [
            {'name': 'space_permission_id', 'source': 'id', 'type': 'string'},
            {'name': 'space_id', 'type': 'string'},
            {'name': 'space_key', 'type': 'string'},
            {'name': 'principal_type', 'type': 'string', 'lower': true},
            {'name': 'principal_id', 'type': 'string'},
            {'name': 'operation_key', 'type': 'string', 'lower': true},
            {'name': 'operation_target', 'type': 'string', 'lower': true},
            {'name': 'granted_through', 'type': 'string', 'lower': true},
            {'name': 'role_id', 'type': 'string'},
            {'name': 'role_name', 'type': 'string'},
        ],
    }) }}
{%- endmacro %}
