{#- Every row of the raw `attachments` table seen by a build (see macros/confluence_history.sql). -#}
{% snapshot confluence__attachments_history %}
    {{ config(unique_key='id', strategy='check', check_cols=['_airbyte_raw_id']) }}
    {{ confluence_history_snapshot('attachments') }}
{% endsnapshot %}
