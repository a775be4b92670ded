{#- The content_labels stream: incremental on `updated_at` (the sync that read the row), a removed
    label arrives as a row with `deleted_at` set; the latest row per id wins (column keys: see
    confluence_pages_entity). Both columns are optional: tables loaded before 2.1 lack them. -#}
{% macro confluence_content_labels_entity() -%}
    {{ return({
        'stream': 'content_labels',
        'version_order': ['updated_at'],
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
            {'name': 'updated_at', 'type': 'timestamp', 'optional': true},
            {'name': 'deleted_at', 'type': 'timestamp', 'optional': true},
        ],
    }) }}
{%- endmacro %}
