with

source as (

    select * from {{ lake_source('crime_report') }}

),

final as (

    select
        report_id as crime_report_id,
        offence_code,
        region_code,
        district_code,
        place_type,
        -- exports without the flag still say where it happened: streets and transport are public
        coalesce(public_place, place_type in ('street', 'public_place', 'transport')) as is_public_place,
        coalesce(victim_minor, false) as is_victim_minor,
        coalesce(domestic_violence, false) as is_domestic_violence,
        cleared as is_cleared,
        coalesce(camera_evidence, false) as has_camera_evidence,
        {{ to_local('registered_at') }} as registered_at,
        cast({{ to_local('registered_at') }} as date) as registered_date,
        {{ to_local('occurred_at') }} as occurred_at,
        {{ to_local('cleared_at') }} as cleared_at,
        article,
        {{ to_local('sent_to_court_at') }} as sent_to_court_at,
        coalesce(officers_charged, 0) as officers_charged,
        {{ to_local('updated_at') }} as updated_at,
        latitude,
        longitude,
        victim_name as victim_name_pseudonym,
        victim_phone as victim_phone_pseudonym,
        address as address_pseudonym,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final
