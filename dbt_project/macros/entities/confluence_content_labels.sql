{#- The content_labels stream: a full-refresh snapshot without a cursor, the last loaded row wins
    (column keys: see confluence_pages_entity). -#}
{% macro confluence_content_labels_entity() -%}
    {{ return({
        'stream': 'content_labels',
        'version_order': [],
        'history': false,
        'deletions': false,
        'columns': [
            {'name': 'content_label_id', 'source': 'id', 'type': 'string'},
            {'name': 'content_id', 'type': 'string'},
            {'name': 'content_type', 'type': 'string', 'lower': true},
            {'name': 'space_id', 'type': 'string'},
            {'name': 'label_id', 'type': 'string'},
            {'name': 'label_name', 'type': 'string', 'lower': true},
            {'name': 'label_prefix', 'type': 'string', 'lower': true},
        ],
    }) }}
{%- endmacro %}
