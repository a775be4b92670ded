{#-
    One row per (content, label) pair still labelled: its latest row (removed labels' tombstones
    are dropped by the base model). Renames and casts of
    base_confluence__content_labels (columns: macros/entities/confluence_content_labels.sql).
-#}
select
    {{ confluence_staged_columns('content_labels', 'base') }},
    {{ confluence_load_columns('content_labels', 'base') }}

from {{ ref('base_confluence__content_labels') }} as base
