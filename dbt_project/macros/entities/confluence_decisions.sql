{#- The decisions stream: decision items of page and blog post bodies (column keys: see
    confluence_pages_entity). A row with `deleted_at` set is the tombstone of a decision removed
    from its container's body. `table_optional`: the table may be absent (stream not synced). -#}
{% macro confluence_decisions_entity() -%}
    {{ return({
        'stream': 'decisions',
        'version_order': ['updated_at'],
        'history': false,
        'deletions': false,
        'table_optional': true,
        'columns': [
            {'name': 'decision_id', 'source': 'id', 'type': 'string'},
            {'name': 'decision_local_id', 'source': 'local_id', 'type': 'string'},
            {'name': 'container_id', 'type': 'string'},
            {'name': 'container_type', 'type': 'string', 'lower': true},
            {'name': 'space_id', 'type': 'string'},
            {'name': 'state', 'type': 'string', 'lower': true},
            {'name': 'decision_text', 'source': 'text', 'type': 'string'},
            {'name': 'first_seen_at', 'type': 'timestamp'},
            {'name': 'updated_at', 'type': 'timestamp'},
            {'name': 'deleted_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}
