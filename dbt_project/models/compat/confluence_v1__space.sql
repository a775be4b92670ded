{#- `space` as Airbyte's source-confluence 1.x loaded it: what GET /wiki/api/v2/spaces lists (every
    space), one row per space, with the API's field names and nested objects. -#}
{{ confluence_compat_config('space') }}

select
    space_id as {{ adapter.quote('id') }},
    space_key as {{ adapter.quote('key') }},
    space_name as {{ adapter.quote('name') }},
    space_type as {{ adapter.quote('type') }},
    status as {{ adapter.quote('status') }},
    author_account_id as {{ adapter.quote('authorId') }},
    created_at as {{ adapter.quote('createdAt') }},
    homepage_page_id as {{ adapter.quote('homepageId') }},
    case when space_description is null then null else
        {{ confluence_compat_json_object([('plain', confluence_compat_json_object([
            ('value', 'space_description'), ('representation', "'plain'")]))]) }}
    end as {{ adapter.quote('description') }},
    {#- A null of the JSON type: 1.x read the icon, this connector does not. -#}
    case when 1 = 0 then {{ confluence_compat_json_object([]) }} end as {{ adapter.quote('icon') }},
    {{ confluence_compat_json_object([('webui', confluence_compat_webui('web_url'))]) }} as {{ adapter.quote('_links') }},
    airbyte_raw_id as {{ adapter.quote('_airbyte_raw_id') }},
    airbyte_extracted_at as {{ adapter.quote('_airbyte_extracted_at') }}

from {{ ref('stg_confluence__spaces') }}
