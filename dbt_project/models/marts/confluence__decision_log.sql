{#-
    One row per live decision (rules: the confluence__decision_log doc in models/docs/marts.md):
    tombstones (decisions removed from their page) leave the log, and so do decisions of deleted
    or draft containers; a container that is not synced counts as live, as for tasks.
-#}
with decisions as (

    select * from {{ ref('stg_confluence__decisions') }}
    where not is_deleted

),

content as (

    select * from {{ ref('int_confluence__content') }}

),

meeting_notes as (

    select distinct content_id
    from {{ ref('stg_confluence__content_labels') }}
    where lower(label_name) = lower('{{ var("meeting_notes_label", "meeting-notes") }}')

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

)

select
    decisions.decision_id,
    decisions.decision_local_id,
    decisions.decision_text,
    decisions.state,
    decisions.is_decided,
    cast(coalesce(decisions.first_seen_at, content.created_at) as date) as decision_date,
    decisions.first_seen_at,
    decisions.updated_at,
    decisions.container_id,
    coalesce(decisions.container_type, content.content_type) as container_type,
    content.title as container_title,
    content.web_url as container_web_url,
    (meeting_notes.content_id is not null) as is_meeting_note,
    coalesce(decisions.space_id, content.space_id) as space_id,
    spaces.space_key,
    spaces.space_name

from decisions
left join content
    on content.content_id = decisions.container_id
left join meeting_notes
    on meeting_notes.content_id = decisions.container_id
left join spaces
    on spaces.space_id = coalesce(decisions.space_id, content.space_id)
where coalesce(content.is_live, true)
