{#-
    LLM-ready documents: one row per live page and blog post with its metadata, one Markdown text
    (title and path as a header, the body, then its comments, tasks and decisions), the text's hash
    and the principals who can view it; and one per attachment of theirs whose text the connector
    extracted, linked to its page. Rules: models/docs/marts.md (confluence__documents).
-#}
{%- set nl = confluence_newline() -%}
with content as (

    select * from {{ ref('confluence__content_enhanced') }}

),

bodies as (

    select page_id as content_id, body_text from {{ ref('stg_confluence__pages') }}
    union all
    select blog_post_id as content_id, body_text from {{ ref('stg_confluence__blog_posts') }}

),

appendices as (

    select * from {{ ref('int_confluence__document_appendices') }}

),

viewers as (

    select
        content_id,
        count(*) as viewer_principal_count,
        {{ confluence_json_array_agg("case when principal_type in ('user', 'group') then "
            ~ dbt.concat(['principal_type', "':'", 'principal_id']) ~ " else principal_type end") }} as viewer_principals
    from {{ ref('confluence__content_access') }}
    group by content_id

),

described as (

    select
        content.content_id,
        content.content_type,
        content.title,
        content.space_id,
        content.space_key,
        content.space_name,
        cast({{ dbt.concat([
            "coalesce(content.space_name, content.space_key, content.space_id, 'Unknown space')",
            "' > '", "coalesce(content.page_path_titles, content.title, content.content_id)",
        ]) }} as {{ dbt.type_string() }}) as document_path,
        content.label_names,
        content.owner_account_id,
        content.owner_name,
        cast(case
            when content.last_updated_by_name is null or content.last_updated_by_name = content.author_name
                then content.author_name
            when content.author_name is null then content.last_updated_by_name
            else {{ dbt.concat(['content.author_name', "', '", 'content.last_updated_by_name']) }}
        end as {{ dbt.type_string() }}) as author_names,
        content.created_at,
        content.updated_at,
        content.web_url,
        bodies.body_text,
        appendices.comments_markdown,
        appendices.tasks_markdown,
        appendices.decisions_markdown
    from content
    left join bodies
        on bodies.content_id = content.content_id
    left join appendices
        on appendices.content_id = content.content_id

),

documents as (

    select
        described.*,
        cast({{ dbt.concat([
            "'# '", "coalesce(title, content_id)", nl, nl,
            "'Path: '", "document_path", nl,
            "'Type: '", "case when content_type = 'blogpost' then 'blog post' else content_type end",
            "case when label_names is null then '' else " ~ dbt.concat(["'; labels: '", 'label_names']) ~ " end",
            "'; updated: '", "coalesce(cast(cast(updated_at as date) as " ~ dbt.type_string() ~ "), 'unknown')",
            "coalesce(" ~ dbt.concat([nl, nl, confluence_shift_markdown_headings("nullif(trim(body_text), '')", 1)]) ~ ", '')",
            "coalesce(" ~ dbt.concat([nl, nl, "'## Comments'", nl, nl, 'comments_markdown']) ~ ", '')",
            "coalesce(" ~ dbt.concat([nl, nl, "'## Tasks'", nl, nl, 'tasks_markdown']) ~ ", '')",
            "coalesce(" ~ dbt.concat([nl, nl, "'## Decisions'", nl, nl, 'decisions_markdown']) ~ ", '')",
        ]) }} as {{ dbt.type_string() }}) as document_text
    from described

),

-- Attachments of live pages and blog posts whose text was extracted: documents of their own.
attachments as (

    select
        attachments.attachment_id as document_id,
        attachments.container_id,
        coalesce(attachments.file_name, attachments.attachment_id) as title,
        attachments.media_type,
        attachments.author_account_id,
        attachments.created_at,
        attachments.updated_at,
        attachments.web_url,
        attachments.text_content,
        people.display_name as author_name
    from {{ ref('stg_confluence__attachments') }} as attachments
    left join {{ ref('int_confluence__people') }} as people
        on people.account_id = attachments.author_account_id
    where not attachments.is_deleted
      and attachments.text_status = 'ok'

),

attachment_documents as (

    select
        attachments.document_id,
        documents.content_id,
        attachments.title,
        documents.space_id,
        documents.space_key,
        documents.space_name,
        cast({{ dbt.concat(['documents.document_path', "' > '", 'attachments.title']) }} as {{ dbt.type_string() }}) as document_path,
        attachments.author_account_id,
        attachments.author_name,
        attachments.created_at,
        attachments.updated_at,
        attachments.web_url,
        cast({{ dbt.concat([
            "'# '", "attachments.title", nl, nl,
            "'Path: '", "documents.document_path", "' > '", "attachments.title", nl,
            "'Type: attachment'", "coalesce(" ~ dbt.concat(["' ('", 'attachments.media_type', "')'"]) ~ ", '')",
            "' of '", "coalesce(documents.title, documents.content_id)",
            "'; updated: '", "coalesce(cast(cast(attachments.updated_at as date) as " ~ dbt.type_string() ~ "), 'unknown')",
            "coalesce(" ~ dbt.concat([nl, nl, "nullif(trim(attachments.text_content), '')"]) ~ ", '')",
        ]) }} as {{ dbt.type_string() }}) as document_text
    from attachments
    inner join documents
        on documents.content_id = attachments.container_id

)

select
    documents.content_id as document_id,
    cast(documents.content_type as {{ dbt.type_string() }}) as document_type,
    cast(null as {{ dbt.type_string() }}) as parent_document_id,
    documents.content_id,
    documents.title,
    documents.space_id,
    documents.space_key,
    documents.space_name,
    documents.document_path,
    documents.label_names,
    documents.owner_account_id,
    documents.owner_name,
    documents.author_names,
    documents.created_at,
    documents.updated_at,
    documents.web_url,
    documents.document_text,
    cast({{ dbt.hash('documents.document_text') }} as {{ dbt.type_string() }}) as content_hash,
    cast(coalesce(viewers.viewer_principals, '[]') as {{ dbt.type_string() }}) as viewer_principals,
    coalesce(viewers.viewer_principal_count, 0) as viewer_principal_count
from documents
left join viewers
    on viewers.content_id = documents.content_id

union all

select
    attachment_documents.document_id,
    cast('attachment' as {{ dbt.type_string() }}),
    attachment_documents.content_id,
    attachment_documents.content_id,
    attachment_documents.title,
    attachment_documents.space_id,
    attachment_documents.space_key,
    attachment_documents.space_name,
    attachment_documents.document_path,
    cast(null as {{ dbt.type_string() }}),
    attachment_documents.author_account_id,
    attachment_documents.author_name,
    attachment_documents.author_name,
    attachment_documents.created_at,
    attachment_documents.updated_at,
    attachment_documents.web_url,
    attachment_documents.document_text,
    cast({{ dbt.hash('attachment_documents.document_text') }} as {{ dbt.type_string() }}),
    cast(coalesce(viewers.viewer_principals, '[]') as {{ dbt.type_string() }}),
    coalesce(viewers.viewer_principal_count, 0)
from attachment_documents
left join viewers
    on viewers.content_id = attachment_documents.content_id
