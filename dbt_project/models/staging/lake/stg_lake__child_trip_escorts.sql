with

source as (

    select * from {{ lake_source('child_trip_escort') }}

),

final as (

    select
        trip_id as child_trip_id,
        {{ to_local('departs_at') }} as departs_at,
        cast({{ to_local('departs_at') }} as date) as departure_date,
        region_code,
        district_code,
        destination,
        children,
        escorted as is_escorted,
        patrol_unit,
        {{ to_local('updated_at') }} as updated_at,
        leader_name as leader_name_pseudonym,
        leader_phone as leader_phone_pseudonym,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final
