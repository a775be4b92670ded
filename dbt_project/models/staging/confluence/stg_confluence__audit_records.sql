{#-
    One row per audit event. Empty when the stream was not synced (it needs admin rights). Renames and casts of base_confluence__audit_records (columns:
    macros/entities/confluence_audit_records.sql).
-#}
select
    {{ confluence_staged_columns('audit_records', 'base') }},
    {{ confluence_load_columns('audit_records', 'base') }}

from {{ ref('base_confluence__audit_records') }} as base
