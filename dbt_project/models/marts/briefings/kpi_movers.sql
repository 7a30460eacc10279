-- The e-mails' "movers": every CompStat count the briefings compare, for the nation and each region, with the
-- size of its change in Poisson standard deviations, (current − prior) ÷ √(current + prior). The briefings rank
-- on the 28-day window by the absolute score (ties by metric); a score of 0 is never a mover.
-- The counts about minors, domestic violence and children hurt on the roads live in columns of their own
-- (crimes_against_minors_*, dv_crimes_*, children_hurt_*), declared withheld: scopes not cleared for them never
-- read them (the complementary suppression of the CompStat marts does not reach a copy of their cells); the
-- other metrics use the plain columns.
{%- set min_volume = 10 %}{#- current + prior below this is noise, never a mover #}

with

crime as (select * from {{ ref('kpi_crime_compstat') }} where area_level in ('nation', 'region')),
road as (select * from {{ ref('kpi_road_compstat') }} where area_level in ('nation', 'region') and cause = 'all'),
fraud as (select * from {{ ref('kpi_fraud_compstat') }} where area_level in ('nation', 'region')),

counts as (

    select
        area_level, region_code, compstat_window, prior_is_complete, 'crime' as domain,
        if(offence_code = 'all', 'crimes_registered', 'offence:' || offence_code) as metric, false as is_sensitive,
        crimes_registered_current as current_count, crimes_registered_prior as prior_count,
        crimes_registered_pct_change as pct_change
    from crime
    union all
    select
        area_level, region_code, compstat_window, prior_is_complete, 'crime', 'crimes_against_minors', true,
        crimes_against_minors_current, crimes_against_minors_prior, crimes_against_minors_pct_change
    from crime where offence_code = 'all'
    union all
    select
        area_level, region_code, compstat_window, prior_is_complete, 'crime', 'dv_crimes', true,
        dv_crimes_current, dv_crimes_prior, dv_crimes_pct_change
    from crime where offence_code = 'all'
    union all
    select
        area_level, region_code, compstat_window, prior_is_complete, 'road',
        unnest(['road_incidents', 'road_killed', 'road_ksi', 'road_children_hurt']),
        unnest([false, false, false, true]),
        unnest([incidents_current, killed_current, ksi_current, children_hurt_current]),
        unnest([incidents_prior, killed_prior, ksi_prior, children_hurt_prior]),
        unnest([incidents_pct_change, killed_pct_change, ksi_pct_change, children_hurt_pct_change])
    from road
    union all
    select
        area_level, region_code, compstat_window, prior_is_complete, 'fraud',
        if(scheme = 'all', 'fraud_reports', 'scheme:' || scheme), false,
        fraud_reports_current, fraud_reports_prior, fraud_reports_pct_change
    from fraud

),

filled as (

    -- a NULL count reads 0 (as the e-mails always showed it); a sensitive count stays as it is
    select
        * replace (
            if(is_sensitive, current_count, coalesce(current_count, 0)) as current_count,
            if(is_sensitive, prior_count, coalesce(prior_count, 0)) as prior_count
        )
    from counts

),

scored as (

    select
        *,
        case
            when prior_is_complete and prior_count > 0 and current_count + prior_count >= {{ min_volume }}
                then (current_count - prior_count) / sqrt(current_count + prior_count)
            else 0
        end as move_score
    from filled

)

select
    area_level,
    region_code,
    compstat_window,
    domain,
    metric,
    is_sensitive,
    prior_is_complete,
    if(is_sensitive, null, current_count)::bigint as current_count,
    if(is_sensitive, null, prior_count)::bigint as prior_count,
    if(is_sensitive, null, pct_change) as pct_change,
    if(is_sensitive, null, move_score)::double as move_score,
    if(metric = 'crimes_against_minors', current_count, null)::bigint as crimes_against_minors_current,
    if(metric = 'crimes_against_minors', prior_count, null)::bigint as crimes_against_minors_prior,
    if(metric = 'crimes_against_minors', pct_change, null) as crimes_against_minors_pct_change,
    if(metric = 'crimes_against_minors', move_score, null)::double as crimes_against_minors_move_score,
    if(metric = 'dv_crimes', current_count, null)::bigint as dv_crimes_current,
    if(metric = 'dv_crimes', prior_count, null)::bigint as dv_crimes_prior,
    if(metric = 'dv_crimes', pct_change, null) as dv_crimes_pct_change,
    if(metric = 'dv_crimes', move_score, null)::double as dv_crimes_move_score,
    if(metric = 'road_children_hurt', current_count, null)::bigint as children_hurt_current,
    if(metric = 'road_children_hurt', prior_count, null)::bigint as children_hurt_prior,
    if(metric = 'road_children_hurt', pct_change, null) as children_hurt_pct_change,
    if(metric = 'road_children_hurt', move_score, null)::double as children_hurt_move_score
from scored
