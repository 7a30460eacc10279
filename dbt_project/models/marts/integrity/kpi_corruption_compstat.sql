with

crime_reports as (

    select * from {{ ref('stg_lake__crime_reports') }}

),

articles as (

    select * from {{ ref('corruption_articles') }}

),

corruption_daily as (

    select
        crime_reports.registered_date as date_day,
        crime_reports.region_code,
        crime_reports.district_code,
        crime_reports.article,
        count(*) as corruption_offences,
        count(*) filter (where crime_reports.is_cleared) as offences_cleared,
        count(*) filter (where crime_reports.sent_to_court_at is not null) as sent_to_court,
        sum(crime_reports.officers_charged) as officers_charged
    from crime_reports
    inner join articles
        on crime_reports.article = articles.article
    group by all

),

compstat as (

    {{ compstat('corruption_daily',
                ['corruption_offences', 'offences_cleared', 'sent_to_court', 'officers_charged'],
                dimension='article') }}

),

final as (

    select
        {{ compstat_columns('compstat') }},
        compstat.dimension_value as article,
        articles.title_en as article_title_en,
        articles.title_ru as article_title_ru,
        compstat.corruption_offences_current,
        compstat.corruption_offences_prior,
        compstat.corruption_offences_change,
        compstat.corruption_offences_pct_change,
        compstat.offences_cleared_current,
        -- clearance counts offences: cleared ÷ registered among the window's registrations, as for crime
        {{ safe_ratio('compstat.offences_cleared_current', 'compstat.corruption_offences_current', 100, 1) }}
            as clearance_rate_pct,
        {{ safe_ratio('compstat.offences_cleared_prior', 'compstat.corruption_offences_prior', 100, 1) }}
            as clearance_rate_pct_prior,
        compstat.sent_to_court_current,
        compstat.sent_to_court_prior,
        {{ safe_ratio('compstat.sent_to_court_current', 'compstat.corruption_offences_current', 100, 1) }}
            as sent_to_court_pct,
        compstat.officers_charged_current,
        compstat.officers_charged_prior
    from compstat
    left join articles
        on compstat.dimension_value = articles.article

)

select * from final
