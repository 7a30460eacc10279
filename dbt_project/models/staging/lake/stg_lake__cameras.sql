with

source as (

    select * from {{ lake_source('camera') }}

),

final as (

    select
        camera_id,
        region_code,
        district_code,
        site_id,
        programme,
        contractor,
        camera_type,
        state as lifecycle_state,
        installed_on,
        commissioned_on,
        latitude,
        longitude,
        {{ to_local('updated_at') }} as updated_at,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final
