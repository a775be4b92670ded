{#- The spaces stream: no cursor, the last loaded row wins (column keys: see confluence_pages_entity). -#}
{% macro confluence_spaces_entity() -%}
    {{ return({
        'stream': 'spaces',
        'version_order': [],
        'history': false,
        'deletions': false,
        'columns': [
            {'name': 'space_id', 'source': 'id', 'type': 'string'},
            {'name': 'space_key', 'source': 'key', 'type': 'string'},
            {'name': 'space_name', 'source': 'name', 'type': 'string'},
            {'name': 'space_type', 'source': 'type', 'type': 'string', 'lower': true},
            {'name': 'status', 'type': 'string', 'lower': true},
            {'name': 'space_description', 'source': 'description', 'type': 'string'},
            {'name': 'homepage_page_id', 'source': 'homepage_id', 'type': 'string'},
            {'name': 'author_account_id', 'source': 'author_id', 'type': 'string'},
            {'name': 'created_at', 'type': 'timestamp'},
            {'name': 'web_url', 'type': 'string'},
        ],
    }) }}
{%- endmacro %}
