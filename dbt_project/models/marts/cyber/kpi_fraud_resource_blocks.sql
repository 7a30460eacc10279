with

blocks as (

    select * from {{ ref('fct_fraud_resource_blocks') }}

),

blocks_daily as (

    -- requests count on the day the resource was reported, blocks on the day it was blocked
    select reported_date as date_day, region_code, null::varchar as district_code, resource_type,
        count(*) as block_requests, 0 as resources_blocked, 0 as blocked_within_24h
    from blocks
    group by all
    union all
    select blocked_date, region_code, null, resource_type,
        0, count(*), count(*) filter (where hours_to_block <= 24)
    from blocks
    where is_blocked
    group by all

),

compstat as (

    {{ compstat('blocks_daily', ['block_requests', 'resources_blocked', 'blocked_within_24h'],
                dimension='resource_type') }}

),

windows as (

    {{ compstat_windows() }}

),

time_to_block as (

    -- of the resources blocked in the window
    select
        windows.compstat_window,
        case when grouping(blocks.region_code) = 1 then 'nation' else 'region' end as area_level,
        blocks.region_code,
        case when grouping(blocks.resource_type) = 1 then 'all' else blocks.resource_type end as resource_type,
        round(median(blocks.hours_to_block), 1) as median_hours_to_block
    from blocks
    inner join windows
        on blocks.blocked_date between windows.window_start and windows.window_end
    group by grouping sets (
        (windows.compstat_window, blocks.region_code, blocks.resource_type),
        (windows.compstat_window, blocks.region_code),
        (windows.compstat_window, blocks.resource_type),
        (windows.compstat_window)
    )

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as resource_type,
        compstat.block_requests_current,
        compstat.block_requests_prior,
        compstat.block_requests_pct_change,
        compstat.resources_blocked_current,
        compstat.resources_blocked_prior,
        compstat.resources_blocked_change,
        compstat.resources_blocked_pct_change,
        {{ safe_ratio('compstat.blocked_within_24h_current', 'compstat.resources_blocked_current', 100, 1) }}
            as blocked_within_24h_pct,
        time_to_block.median_hours_to_block
    from compstat
    left join time_to_block
        on compstat.compstat_window = time_to_block.compstat_window
        and compstat.area_level = time_to_block.area_level
        and compstat.region_code is not distinct from time_to_block.region_code
        and compstat.dimension_value = time_to_block.resource_type
    where compstat.area_level != 'district'

)

select * from final
