-- Fraud by scheme, contact channel, payment method and victim age group in the current 28-day
-- and year-to-date windows; the median needs the reports themselves, not daily sums.
with

fraud_reports as (

    select * from {{ ref('fct_fraud_reports') }}

),

windows as (

    {{ compstat_windows() }}

),

in_window as (

    select windows.compstat_window, windows.window_order, windows.window_start, windows.window_end, fraud_reports.*
    from fraud_reports
    inner join windows
        on fraud_reports.reported_date between windows.window_start and windows.window_end
    where windows.compstat_window in ('28d', 'ytd')

),

by_breakdown as (

    {%- for breakdown in ['scheme', 'channel', 'payment_method', 'victim_age_group'] %}
    select
        compstat_window,
        window_order,
        window_start,
        window_end,
        case when grouping(region_code) = 1 then 'nation' else 'region' end as area_level,
        region_code,
        '{{ breakdown }}' as breakdown,
        {{ breakdown }} as breakdown_value,
        count(*) as fraud_reports,
        count(*) filter (where has_loss) as reports_with_loss,
        coalesce(sum(loss_amount_reporting), 0) as loss_amount,
        median(loss_amount_reporting) filter (where has_loss) as median_loss_amount,
        coalesce(sum(recovered_amount_reporting), 0) as recovered_amount,
        sum(victims) as victims
    from in_window
    group by grouping sets (
        (compstat_window, window_order, window_start, window_end, region_code, {{ breakdown }}),
        (compstat_window, window_order, window_start, window_end, {{ breakdown }})
    )
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

final as (

    select
        *,
        {{ safe_ratio('fraud_reports', 'sum(fraud_reports) over (partition by compstat_window, area_level, region_code, breakdown)', 100, 1) }}
            as share_of_reports_pct,
        {{ safe_ratio('reports_with_loss', 'fraud_reports', 100, 1) }} as share_with_loss_pct,
        {{ safe_ratio('recovered_amount', 'loss_amount', 100, 1) }} as recovered_share_pct
    from by_breakdown

)

select * from final
