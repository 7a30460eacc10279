with

source as (

    select * from {{ lake_source('fire_alarm_installation') }}
    -- this build's geography only: other countries' rows in the lake have regions outside its reference set
    where region_code in (select region_code from {{ ref('regions') }})

),

final as (

    select
        act_id as fire_alarm_act_id,
        installed_on,
        region_code,
        district_code,
        household_category,
        households,
        sensors,
        {{ lake_lineage() }}

    from source

)

select * from final
