{#- The users stream: the latest `resolved_at` (when the connector looked the user up) wins, then
    the latest load. `optional`: raw tables written before the connector had the column lack it
    (a typed null stands in, and the load order decides alone). Other keys: see confluence_pages_entity. -#}
{% macro confluence_users_entity() -%}
    {{ return({
        'stream': 'users',
        'version_order': ['resolved_at'],
        'history': false,
        'deletions': false,
        'columns': [
            {'name': 'account_id', 'type': 'string'},
            {'name': 'display_name', 'type': 'string'},
            {'name': 'public_name', 'type': 'string'},
            {'name': 'email', 'type': 'string'},
            {'name': 'account_type', 'type': 'string', 'lower': true},
            {'name': 'account_status', 'type': 'string', 'lower': true},
            {'name': 'profile_url', 'type': 'string'},
            {'name': 'resolved_at', 'type': 'timestamp', 'optional': true},
        ],
    }) }}
{%- endmacro %}
