with

source as (

    select * from {{ lake_source('reception_session') }}
    where {{ this_geography() }}

),

final as (

    select
        session_id,
        region_code,
        district_code,
        unit_id,
        leader_position,
        scheduled_on as scheduled_date,
        held as is_held,
        held_on as held_date,
        coalesce(citizens_received, 0) as citizens_received,
        {{ to_local('updated_at') }} as updated_at,
        {{ lake_lineage() }}

    from source

)

select * from final
