with

quarantined_rows as (

    select * from {{ ref('stg_lake__quarantined_rows') }}

),

counted as (

    select
        dataset,
        reason,
        coalesce(column_name, '(whole row)') as column_name,
        count(*) as rows_quarantined,
        count(distinct file_sha256) as files,
        min(quarantined_at) as first_quarantined_at,
        max(quarantined_at) as last_quarantined_at
    from quarantined_rows
    group by all

),

final as (

    select
        *,
        row_number() over (partition by dataset order by rows_quarantined desc, reason, column_name)
            as rank_in_dataset,
        {{ safe_ratio('rows_quarantined', 'sum(rows_quarantined) over (partition by dataset)', 100, 1) }}
            as share_of_dataset_pct
    from counted

)

select * from final
