-- 102 end to end, as New York's 911 reporting measures it: answered → entered → unit assigned → first unit
-- on scene, each segment's median and 90th percentile, and the shares within the response standard.
with

calls as (

    select * from {{ ref('fct_dispatch_calls') }}
    where received_date <= {{ as_of_date() }}

),

calls_by_area_type as (

    select * exclude (area_type), coalesce(area_type, 'unknown') as area_type from calls

),

dispatch_daily as (

    select * from {{ ref('agg_dispatch_daily') }}

),

compstat as (

    {{ compstat(
        'dispatch_daily',
        ['calls', 'calls_dispatched', 'dispatched_within_standard', 'calls_attended', 'arrived_within_standard'],
        dimension='area_type'
    ) }}

),

{%- set segments = ['answer_to_entry', 'entry_to_dispatch', 'dispatch_to_arrival', 'to_dispatch', 'to_arrival'] %}

quantiles as (

    {{ compstat_quantiles('calls_by_area_type', 'received_date', [
        ['answer_to_entry_p50', 'answer_to_entry_minutes', 0.5],
        ['answer_to_entry_p90', 'answer_to_entry_minutes', 0.9],
        ['entry_to_dispatch_p50', 'entry_to_dispatch_minutes', 0.5],
        ['entry_to_dispatch_p90', 'entry_to_dispatch_minutes', 0.9],
        ['dispatch_to_arrival_p50', 'dispatch_to_arrival_minutes', 0.5],
        ['dispatch_to_arrival_p90', 'dispatch_to_arrival_minutes', 0.9],
        ['to_dispatch_p50', 'minutes_to_dispatch', 0.5],
        ['to_dispatch_p90', 'minutes_to_dispatch', 0.9],
        ['to_arrival_p50', 'minutes_to_arrival', 0.5],
        ['to_arrival_p90', 'minutes_to_arrival', 0.9],
    ], dimension='area_type') }}

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as area_type,
        compstat.calls_current,
        compstat.calls_prior,
        compstat.calls_change,
        compstat.calls_pct_change,
        compstat.calls_dispatched_current,
        compstat.calls_attended_current,
        {{ safe_ratio('compstat.dispatched_within_standard_current', 'compstat.calls_dispatched_current', 100, 1) }}
            as dispatch_within_standard_pct,
        {{ compstat_share('arrived_within_standard', 'calls_attended', 'arrival_within_standard_pct') }},
        {%- for segment in segments %}
        round(quantiles.{{ segment }}_p50_current, 2) as {{ segment }}_p50_minutes,
        round(quantiles.{{ segment }}_p90_current, 2) as {{ segment }}_p90_minutes,
        {%- endfor %}
        case when compstat.prior_is_complete then round(quantiles.to_arrival_p90_prior, 2) end
            as to_arrival_p90_minutes_prior,
        case when compstat.prior_is_complete then
            quantiles.to_arrival_p90_current > quantiles.to_arrival_p90_prior
        end as is_worse
    from compstat
    left join quantiles on {{ compstat_match('compstat', 'quantiles') }}

)

select * from final
