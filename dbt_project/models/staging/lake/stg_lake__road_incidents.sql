with

source as (

    select * from {{ lake_source('road_incident') }}

),

final as (

    select
        incident_id as road_incident_id,
        region_code,
        district_code,
        road_name,
        incident_type,
        cause,
        killed,
        injured,
        -- not every export separates serious injuries; missing is counted as none, not unknown
        coalesce(seriously_injured, 0) as seriously_injured,
        coalesce(children_hurt, 0) as children_hurt,
        vehicles,
        {{ to_local('occurred_at') }} as occurred_at,
        cast({{ to_local('occurred_at') }} as date) as occurred_date,
        {{ to_local('updated_at') }} as updated_at,
        latitude,
        longitude,
        driver_name as driver_name_pseudonym,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final
