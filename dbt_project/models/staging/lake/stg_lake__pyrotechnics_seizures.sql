with

source as (

    select * from {{ lake_source('pyrotechnics_seizure') }}
    -- this build's geography only: other countries' rows in the lake have regions outside its reference set
    where region_code in (select region_code from {{ ref('regions') }})

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

)

select * from final
