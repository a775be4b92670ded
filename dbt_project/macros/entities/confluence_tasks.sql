{#- The tasks stream, inline action items (column keys: see confluence_pages_entity). -#}
{% macro confluence_tasks_entity() -%}
    {{ return({
        'stream': 'tasks',
        'version_order': ['updated_at'],
        'history': false,
        'deletions': false,
        'columns': [
            {'name': 'task_id', 'source': 'id', 'type': 'string'},
            {'name': 'task_local_id', 'source': 'local_id', 'type': 'string'},
            {'name': 'container_id', 'type': 'string'},
            {'name': 'container_type', 'type': 'string', 'lower': true},
            {'name': 'space_id', 'type': 'string'},
            {'name': 'status', 'type': 'string', 'lower': true},
            {'name': 'task_text', 'source': 'body_text', 'type': 'string'},
            {'name': 'created_by_account_id', 'source': 'created_by', 'type': 'string'},
            {'name': 'assignee_account_id', 'source': 'assigned_to', 'type': 'string'},
            {'name': 'completed_by_account_id', 'source': 'completed_by', 'type': 'string'},
            {'name': 'due_at', 'type': 'timestamp'},
            {'name': 'created_at', 'type': 'timestamp'},
            {'name': 'updated_at', 'type': 'timestamp'},
            {'name': 'completed_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}
