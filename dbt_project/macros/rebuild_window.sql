{#- The camera_days rebuild window: the one rule for which days an incremental build redoes.

    camera_days_rebuild_from(camera_days, statuses, camera_registry): the first day to redo, a SQL
    expression: the trailing var('camera_days_rebuild_days') days before the last day already built
    and before the as-of day, the oldest day of any status observation ingested after the previous
    build's lake mark (camera_days.lake_ingested_through), and the oldest commissioning day of any
    registry row ingested after it. An outage's minutes change only from the day of the observation
    that starts, ends, splits or re-causes it (its days before are whole days either way), and that
    observation is a newly ingested row: so a status file that ends a two-month outage redoes the
    days from that file's day, not the two months.
    fct_camera_days redoes whole days from it (int_camera_status_changes its episodes likewise). -#}
{% macro camera_days_rebuild_from(camera_days, statuses, camera_registry) -%}
    {%- set mark = "(select max(lake_ingested_through) from " ~ camera_days ~ ")" -%}
    least(
        (select max(date_day) from {{ camera_days }}) - {{ var('camera_days_rebuild_days') }} + 1,
        {{ as_of_date() }} - {{ var('camera_days_rebuild_days') }} + 1,
        (select min(status_date) from {{ statuses }} where ingested_at > {{ mark }}),
        (select min(commissioned_on) from {{ camera_registry }} where ingested_at > {{ mark }})
    )
{%- endmacro %}

{#- The same first day, computed when the model or test runs, as a date literal. A
    literal, unlike the subquery, lets DuckDB push a filter on the lake's UTC status time
    (utc_lower_bound) into the lake scan, so only the files of the window's days are read.
    none when there is no day yet (camera_days empty) or at parse time. -#}
{% macro camera_days_rebuild_first_day(camera_days) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set first_day = run_query('select cast(' ~ camera_days_rebuild_from(
        camera_days,
        _safelake_relation('stg_lake__camera_statuses'),
        _safelake_relation('stg_lake__cameras')) ~ ' as varchar)').columns[0].values()[0] -%}
    {{ return("date '" ~ first_day ~ "'" if first_day else none) }}
{%- endmacro %}

{#- A UTC instant no later than the first moment of the local day `local_day`: its local midnight
    in UTC, less a day (no time zone shifts its offset by more), to filter a UTC column whose local
    day must be on or after `local_day` without reading older lake files. -#}
{% macro utc_lower_bound(local_day) -%}
    (timezone('{{ var("timezone") }}', cast({{ local_day }} as timestamp)) - interval 1 day)
{%- endmacro %}

{#- Data tests on the big camera tables check only the rows this build rewrote, when the build is
    incremental; a full build (--full-refresh, or no camera_days yet) checks every row. A test opts
    in with a `where` config naming one of three placeholders, resolved here when the test runs (not
    at parse time, so the manifest is the same for full and incremental builds):
      __camera_days_rebuild_from__      the first day of the rebuild window above (a date literal),
                                        computed from the camera_days table of the previous build
                                        (tests on the models upstream of fct_camera_days run before
                                        it is rebuilt);
      __camera_days_rebuild_from_utc__  utc_lower_bound() of that day: for a UTC column, so the
                                        lake skips the files before the window (status_at_utc);
      __build_started_at__              this build's run_started_at, the rebuilt_at stamp of the
                                        rows fct_camera_days (re)wrote in this build.
    Filter on whole days, whole instants or whole rebuilt days only, so a unique test still sees
    every row of a key. A row for which the condition is null is tested: a row with no day, and on
    a full build every row (the placeholders are then null), while other conditions in the same
    `where` (e.g. "availability_pct is not null and ...") still apply. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- set placeholders = ['__camera_days_rebuild_from__', '__camera_days_rebuild_from_utc__', '__build_started_at__'] -%}
    {%- set uses_window = placeholders | select('in', where) | list | length > 0 -%}
    {%- if uses_window and execute -%}
        {%- set camera_days = _safelake_relation('fct_camera_days') -%}
        {%- if flags.FULL_REFRESH or adapter.get_relation(camera_days.database, camera_days.schema, camera_days.identifier) is none -%}
            {#- full build: the placeholders are null, so the window condition never drops a row -#}
            {%- set first_day, first_day_utc, started_at = 'null', 'null', 'null' -%}
        {%- else -%}
            {%- set first_day = (camera_days_rebuild_first_day(camera_days) or 'null')
                if '__camera_days_rebuild_from' in where else 'null' -%}
            {%- set first_day_utc = utc_lower_bound(first_day) -%}
            {%- set started_at = "cast('" ~ run_started_at ~ "' as timestamptz)" -%}
        {%- endif -%}
        {%- set where = where
            | replace('__camera_days_rebuild_from_utc__', first_day_utc)
            | replace('__camera_days_rebuild_from__', first_day)
            | replace('__build_started_at__', started_at) -%}
        {%- do return('(select * from ' ~ relation ~ ' where coalesce((' ~ where ~ '), true)) dbt_subquery') -%}
    {%- elif where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{% macro _safelake_relation(model_name) -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
    {%- do return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -%}
{%- endmacro %}

{#- int_camera_status_changes' first moment to redo, a timestamp literal computed when it is called
    (the pre-hook and the model both call it before the pre-hook deletes): the trailing
    var('camera_days_rebuild_days') days before the last episode already built and before the as-of
    day, and the oldest day of any observation ingested after the previous run's lake mark. -#}
{% macro status_changes_redo_from(changes) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set statuses = _safelake_relation('stg_lake__camera_statuses') -%}
    {%- set first_day = run_query(
        'select cast(least('
        ~ ' cast((select max(changed_at) from ' ~ changes ~ ') as date) - ' ~ var('camera_days_rebuild_days') ~ ' + 1,'
        ~ ' ' ~ as_of_date() ~ ' - ' ~ var('camera_days_rebuild_days') ~ ' + 1,'
        ~ ' (select min(status_date) from ' ~ statuses ~ ' where ingested_at > '
        ~ '(select max(lake_ingested_through) from ' ~ changes ~ '))) as varchar)'
    ).columns[0].values()[0] -%}
    {{ return("timestamp '" ~ first_day ~ "'") }}
{%- endmacro %}
