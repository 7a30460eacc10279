-- The live stream's calls and the dispatch centre's daily export share the lake table (one row per call).
with

source as (

    select * from {{ lake_source('dispatch_call') }}
    where {{ this_geography() }}

),

final as (

    select
        call_id,
        region_code,
        district_code,
        unit_id,
        status,
        priority,
        category,
        {{ to_local('received_at') }} as received_at,
        cast({{ to_local('received_at') }} as date) as received_date,
        {{ to_local('created_at') }} as created_at,
        {{ to_local('dispatched_at') }} as dispatched_at,
        {{ to_local('arrived_at') }} as arrived_at,
        {{ to_local('closed_at') }} as closed_at,
        {{ to_local('updated_at') }} as updated_at,
        caller_phone as caller_phone_pseudonym,
        {{ lake_lineage() }}

    from source

)

select * from final
