{#- The space_permissions stream: (space, principal, operation) grants, incremental on `updated_at`
    (the sync that read the row; a revoked grant arrives as a row with `deleted_at` set), the latest
    row per id wins, then the latest load. A table loaded while the stream was a full-refresh
    snapshot gains both columns at the first load of this release (Airbyte's and PyAirbyte's loaders
    add a stream's new columns). Column keys: see confluence_pages_entity and confluence_groups_entity. -#}
{% macro confluence_space_permissions_entity() -%}
    {{ return({
        'stream': 'space_permissions',
        'version_order': ['updated_at'],
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
            {'name': 'updated_at', 'type': 'timestamp'},
            {'name': 'deleted_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}
