{{ config(alias='cameras') }}

with

cameras as (

    select * from {{ ref('stg_lake__cameras') }}

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
        lifecycle_state,
        installed_on,
        commissioned_on,
        lifecycle_state in ('installed', 'commissioned') and installed_on is not null as is_installed,
        lifecycle_state = 'commissioned' and commissioned_on is not null as is_commissioned,
        latitude,
        longitude
    from cameras

)

select * from final
