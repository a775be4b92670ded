{#- The audit_records stream: events never change, so the latest `created_at`, then the latest
    load, only decides between re-reads of one event. `json`: an array the loader writes as JSON,
    passed through unchanged. Column keys: see confluence_pages_entity and confluence_groups_entity. -#}
{% macro confluence_audit_records_entity() -%}
    {{ return({
        'stream': 'audit_records',
        'version_order': ['created_at'],
        'history': false,
        'deletions': false,
        'table_optional': true,
        'columns': [
            {'name': 'audit_record_id', 'source': 'id', 'type': 'string'},
            {'name': 'created_at', 'type': 'timestamp'},
            {'name': 'author_account_id', 'type': 'string'},
            {'name': 'author_display_name', 'type': 'string'},
            {'name': 'remote_address', 'type': 'string'},
            {'name': 'category', 'type': 'string'},
            {'name': 'summary', 'type': 'string'},
            {'name': 'description', 'type': 'string'},
            {'name': 'affected_object_name', 'type': 'string'},
            {'name': 'affected_object_type', 'type': 'string'},
            {'name': 'changed_values', 'type': 'json'},
            {'name': 'associated_objects', 'type': 'json'},
            {'name': 'is_system_event', 'type': 'boolean'},
        ],
    }) }}
{%- endmacro %}
