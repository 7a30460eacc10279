with

source as (

    select * from {{ lake_source('cyber_incident') }}
    where {{ this_geography() }}

),

final as (

    select
        incident_id,
        system,
        incident_type,
        impact,
        region_code,
        {{ to_local('detected_at') }} as detected_at,
        cast({{ to_local('detected_at') }} as date) as detected_date,
        {{ to_local('contained_at') }} as contained_at,
        {{ to_local('updated_at') }} as updated_at,
        {{ lake_lineage() }}

    from source

)

select * from final
