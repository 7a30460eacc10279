with

source as (

    select * from {{ lake_source('pyrotechnics_seizure') }}

),

final as (

    select
        raid_id as pyrotechnics_raid_id,
        raid_date,
        region_code,
        district_code,
        retail_points_checked,
        units_seized,
        boxes_seized,
        offender_name as offender_name_pseudonym,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final
