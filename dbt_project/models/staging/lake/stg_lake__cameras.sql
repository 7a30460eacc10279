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
        _file_sha256 as source_file_sha256,
        _line as source_line,
        _profile as source_profile,
        _ingested_at as ingested_at

    from source

)

select * from final
