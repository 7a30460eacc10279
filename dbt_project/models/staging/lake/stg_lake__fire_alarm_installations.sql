with

source as (

    select * from {{ lake_source('fire_alarm_installation') }}

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
    where {{ this_geography() }}

)

select * from final
