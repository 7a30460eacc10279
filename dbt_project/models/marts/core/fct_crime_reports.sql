{{ config(alias='crime_reports') }}

with

crime_reports as (

    select * from {{ ref('stg_lake__crime_reports') }}

),

final as (

    select
        crime_report_id,
        registered_at,
        registered_date,
        occurred_at,
        -- the hour and weekday profile uses when it happened, else when it was registered
        hour(coalesce(occurred_at, registered_at)) as hour_of_day,
        isodow(coalesce(occurred_at, registered_at)) as day_of_week,
        offence_code,
        region_code,
        district_code,
        place_type,
        is_public_place,
        is_victim_minor,
        is_domestic_violence,
        is_cleared,
        cleared_at,
        has_camera_evidence,
        is_cleared and has_camera_evidence as is_cleared_with_camera_evidence,
        latitude,
        longitude,
        victim_name_pseudonym,
        victim_phone_pseudonym
    from crime_reports

)

select * from final
