{#- The content_labels stream: incremental on `updated_at` (the sync that read the row), a removed
    label arrives as a row with `deleted_at` set; the latest row per id wins (column keys: see
    confluence_pages_entity). A table loaded by an older release gains both columns at the first
    load of this one (Airbyte's and PyAirbyte's loaders add a stream's new columns). -#}
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
            {'name': 'updated_at', 'type': 'timestamp'},
            {'name': 'deleted_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}
