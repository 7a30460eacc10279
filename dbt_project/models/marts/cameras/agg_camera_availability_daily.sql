{#- Incremental like camera_days: recomputes exactly the days camera_days rewrote since this
    table was last built. -#}
{{ replace_whole_days() }}

with

camera_days as (

    select * from {{ ref('fct_camera_days') }}
    {% if is_incremental() %}
    where date_day in (
        select distinct date_day from {{ ref('fct_camera_days') }}
        where rebuilt_at > (select max(source_rebuilt_at) from {{ this }})
    )
    {% endif %}

),

final as (

    select
        date_day,
        region_code,
        district_code,
        contractor,
        count(*) filter (where expected_minutes > 0) as cameras_expected,
        count(*) filter (where is_reporting) as cameras_reporting,
        sum(expected_minutes) as expected_minutes,
        sum(up_minutes) as up_minutes,
        sum(down_minutes) as down_minutes,
        sum(maintenance_minutes) as maintenance_minutes,
        {{ safe_ratio('sum(up_minutes)', 'sum(expected_minutes)', 100, 2) }} as availability_pct,
        max(rebuilt_at) as source_rebuilt_at
    from camera_days
    group by all

)

select * from final
