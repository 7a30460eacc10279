"""The one catalogue of words both readers show, in Russian and English, and the number and date formats.

`STRINGS`: phrases by key; `CODES`: the warehouse's codes (plan statuses and KPIs, the contracts' code lists:
offences, causes, schemes, channels ...; datasets, quarantine reasons). Every entry is (English, Russian).
A code without an entry reads as the code made readable, so a new code never breaks a page or an e-mail.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal
from zoneinfo import ZoneInfo

Lang = Literal["ru", "en"]
LANGS: tuple[Lang, ...] = ("ru", "en")
LANG_NAMES = {"ru": "Русский", "en": "English"}

STRINGS: dict[str, tuple[str, str]] = {
    # --- dashboards ---
    # pages
    "plan": ("Plan 2026", "План 2026"),
    "cameras": ("Cameras", "Камеры"),
    "crime": ("Crime", "Преступность"),
    "road": ("Road safety", "Безопасность дорожного движения"),
    "fraud": ("Fraud", "Мошенничество"),
    "data_health": ("Data health", "Состояние данных"),
    "sql": ("SQL", "SQL-запросы"),
    # login
    "login": ("Log in", "Вход"),
    "username": ("User name", "Имя пользователя"),
    "password": ("Password", "Пароль"),
    "login_button": ("Log in", "Войти"),
    "login_sso": ("Log in with single sign-on", "Войти через единый вход (SSO)"),
    "login_or": ("or with a SafeLake password:", "или с паролем SafeLake:"),
    "login_wrong": ("Wrong user name or password.", "Неверное имя пользователя или пароль."),
    "login_no_users": (
        "No users yet: the users file {path} does not exist. Create one user per role with `safelake users demo` "
        "(the passwords are shown once), or a user with `safelake users add NAME --role ROLE [--region CODE]`.",
        "Пользователей пока нет: файла {path} не существует. Создайте по пользователю на каждую роль командой "
        "`safelake users demo` (пароли показываются один раз) или пользователя командой "
        "`safelake users add ИМЯ --role РОЛЬ [--region КОД]`.",
    ),
    "login_sso_refused": (
        "Access refused: no SafeLake user has the e-mail {email}. Ask an administrator to add you "
        "(`safelake users add NAME --role ROLE --email {email}`).",
        "Доступ запрещён: нет пользователя SafeLake с адресом {email}. Попросите администратора добавить вас "
        "(`safelake users add ИМЯ --role РОЛЬ --email {email}`).",
    ),
    "logout": ("Log out", "Выйти"),
    "role_leadership": ("Leadership", "Руководство"),
    "role_regional_chief": ("Regional chief", "Начальник региона"),
    "role_analyst": ("Analyst", "Аналитик"),
    "role_admin": ("Administrator", "Администратор"),
    "small_counts_hidden": ("small counts hidden", "малые значения скрыты"),
    # sidebar
    "language": ("Language", "Язык"),
    "period": ("Period", "Период"),
    "region": ("Region", "Регион"),
    "district": ("District", "Район"),
    "all_country": ("Whole country", "Вся страна"),
    "all_districts": ("All districts", "Все районы"),
    "period_wtd": ("Week to date", "С начала недели"),
    "period_28d": ("28 days", "28 дней"),
    "period_ytd": ("Year to date", "С начала года"),
    "share_hint": (
        "The address bar holds these filters: copy it to share this view.",
        "Фильтры хранятся в адресной строке: скопируйте её, чтобы поделиться видом.",
    ),
    # no data, stamps
    "no_data": ("No data yet: no warehouse has been published.", "Данных пока нет: хранилище ещё не опубликовано."),
    "no_data_hint": (
        "Run `make up` (demo data, ingest and first build) or `safelake build` after `safelake ingest`.",
        "Выполните `make up` (демо-данные, загрузка и первая сборка) или `safelake build` после `safelake ingest`.",
    ),
    "as_of": ("Data as of {date} · build {build}, built {built}", "Данные на {date} · сборка {build} от {built}"),
    "silent_warning": ("Silent: {items}. See Data health.", "Нет данных: {items}. См. «Состояние данных»."),
    "no_boundaries": (
        "No boundaries for this level in the reference data: shown as a table.",
        "Для этого уровня нет границ в справочных данных: показано таблицей.",
    ),
    # --- maps (dashboards' choropleths, the e-mails' map) ---
    "map_no_data": ("no data", "нет данных"),
    "map_installed_share": ("Installed, % of the year-end target", "Установлено, % от цели на конец года"),
    "map_click": ("Click an area on the map to open it.", "Нажмите на область на карте, чтобы открыть её."),
    "map_shared_shape": (
        "{area}: one shape for several districts (no open boundaries of its districts); not coloured, the figures "
        "of each are in its tooltip and the table.",
        "{area}: одна фигура на несколько районов (открытых границ районов нет); не закрашена, цифры каждого — "
        "во всплывающей подсказке и в таблице.",
    ),
    "map_attribution_kg": (
        "Administrative boundaries of Kyrgyzstan: Ministry of Emergency Situations of the Kyrgyz Republic / UN OCHA, "
        "Common Operational Datasets (HDX), CC BY 3.0 IGO. Simplified by SafeLake.",
        "Административные границы Кыргызстана: Министерство чрезвычайных ситуаций Кыргызской Республики / УКГВ ООН "
        "(OCHA), общие оперативные наборы данных (HDX), лицензия CC BY 3.0 IGO. Упрощены SafeLake.",
    ),
    "map_attribution_kz": (
        "Administrative boundaries of Kazakhstan (2024): geokz by Alexander Rodionov (CC BY 4.0), based on UN OCHA "
        "Common Operational Datasets (HDX, CC BY 3.0 IGO). Simplified by SafeLake.",
        "Административные границы Казахстана (2024): geokz, автор Александр Родионов (лицензия CC BY 4.0), на основе "
        "общих оперативных наборов данных УКГВ ООН (OCHA) (HDX, лицензия CC BY 3.0 IGO). Упрощены SafeLake.",
    ),
    "national_only": (
        "This view exists nationally and per region only: showing {area}.",
        "Этот показатель есть только по стране и регионам: показано — {area}.",
    ),
    "window": ("{start} – {end}", "{start} – {end}"),
    # plan
    "plan_targets": ("Plan targets", "Целевые показатели плана"),
    "actual": ("Actual", "Факт"),
    "target": ("Target", "Цель"),
    "milestone": ("Milestone due", "Веха на сегодня"),
    "prior_year": ("Prior year", "Прошлый год"),
    "forecast": ("Year-end forecast", "Прогноз на конец года"),
    "pace_up": (
        "Needs {pace} a month to reach {target} (now {now} a month).",
        "Нужно {pace} в месяц, чтобы достичь {target} (сейчас {now} в месяц).",
    ),
    "pace_up_ratio": ("Needs {target} by {due}; now {actual}.", "Нужно {target} к {due}; сейчас {actual}."),
    "pace_down": (
        "{gap} left under the limit: at most {pace} a month until {due} (now {now} a month).",
        "Запас до лимита {gap}: не более {pace} в месяц до {due} (сейчас {now} в месяц).",
    ),
    "pace_down_ratio": ("At most {target} by {due}; now {actual}.", "Не более {target} к {due}; сейчас {actual}."),
    "pace_up_met": ("Reached: {actual} against {target}.", "Достигнуто: {actual} при цели {target}."),
    "pace_up_missed": ("Short of the target by {gap}.", "До цели не хватило {gap}."),
    "pace_down_met": ("{gap} under the limit.", "Ниже лимита на {gap}."),
    "pace_down_missed": ("Limit exceeded by {gap}.", "Лимит превышен на {gap}."),
    "pace_no_data": ("No data yet.", "Данных пока нет."),
    "plan_to_date": ("Plan to date", "План на сегодня"),
    "plan_score": ("% of the plan to date", "% плана на сегодня"),
    "plan_rule_help": (
        "**How to read a target.** ≥ : a target to reach (more is better); ≤ : a limit not to exceed "
        "(less is better). The bar is the actual against the plan to date (the milestone due by today): "
        "100 % is exactly on plan, a longer bar is better for both kinds — for a limit, 5 % under the "
        "allowance to date scores 105 %. Status: **on track** (green) within 2 points of 100 %, **ahead** "
        "(green) above, **behind** (orange) below; **met** / **kept within the limit** (green) and "
        "**missed** / **limit exceeded** (red) once decided — on the due date, or earlier when a limit is "
        "already exceeded or a total already reached. Instead of a negative pace a limit shows its headroom "
        "or its overshoot.",
        "**Как читать цель.** ≥ — цель, которую нужно достичь (больше — лучше); ≤ — лимит, который нельзя "
        "превысить (меньше — лучше). Полоса — факт относительно плана на сегодня (вехи на текущую дату): "
        "100 % — точно по плану, длиннее — лучше для обоих видов; для лимита 5 % ниже допустимого на "
        "сегодня — это 105 %. Статус: **в графике** (зелёный) — в пределах 2 пунктов от 100 %, "
        "**опережает план** (зелёный) — выше, **отстаёт от плана** (оранжевый) — ниже; **достигнута** / "
        "**в пределах лимита** (зелёный) и **не достигнута** / **лимит превышен** (красный) — когда итог "
        "определён: в срок или раньше, если лимит уже превышен или цель уже достигнута. Вместо "
        "отрицательного темпа для лимита показан запас или превышение.",
    ),
    "national_only_target": ("national only", "только по стране"),
    "national_only_note": (
        "The plan sets this target for the whole country only; the region's actual is shown for reference.",
        "План задаёт эту цель только для страны в целом; факт области приведён для справки.",
    ),
    "regional_share": ("share of the national plan", "доля национального плана"),
    "plan_of": ("Plan for {area}", "План: {area}"),
    "baseline_pro_rata": ("{year} baseline, pro rata", "база {year} г., пропорционально"),
    "baseline_level": ("{year} baseline", "база {year} г."),
    "first_year_note": (
        "No data for last year yet: compared with the plan's {year} baseline (a yearly total, pro rata by days).",
        "Данных за прошлый год пока нет: сравнение с базой плана за {year} г. (годовой итог, пропорционально "
        "числу дней).",
    ),
    "status": ("Status", "Статус"),
    "owner": ("Owner", "Ответственный"),
    "since_yesterday": ("Since yesterday ({day} against the day before)", "За сутки ({day} к предыдущему дню)"),
    "no_change": ("no change", "без изменений"),
    "burnup": ("Camera burn-up", "Накопительный график камер"),
    "installed": ("Installed", "Установлено"),
    "commissioned": ("Commissioned", "Подключено"),
    "reporting": ("Reporting", "Передают данные"),
    "planned": ("Monthly plan", "План по месяцам"),
    "planned_month_end": ("Plan by this month's end", "План на конец месяца"),
    "year_end_target": ("Year-end target", "Цель на конец года"),
    "per_10k": ("Per 10,000 residents", "На 10 000 жителей"),
    "by_region": ("By region", "По регионам"),
    "by_district": ("By district", "По районам"),
    # cameras
    "availability": ("Availability", "Доступность"),
    "offline_now": ("Offline now", "Не в сети сейчас"),
    "offline_24h": ("Offline > 24 h", "Не в сети > 24 ч"),
    "mttr": ("MTTR, h", "Среднее время ремонта (MTTR), ч"),
    "mtbf": ("MTBF, h", "Наработка на отказ (MTBF), ч"),
    "cameras_n": ("Cameras", "Камер"),
    "cameras_commissioned_n": ("Cameras commissioned", "Подключено камер"),
    "commissioned_note": (
        "Commissioned: installed cameras connected to monitoring (the plan page counts installed ones).",
        "Подключено — установленные камеры, подключённые к мониторингу (на странице плана — установленные).",
    ),
    "availability_target": ("Plan target", "Цель плана"),
    "failures": ("Failures", "Отказы"),
    "availability_by_area": ("Availability by area", "Доступность по территориям"),
    "availability_by_contractor": ("Availability by contractor", "Доступность по подрядчикам"),
    "contractor": ("Contractor", "Подрядчик"),
    "downtime_by_cause": ("Downtime by cause", "Простои по причинам"),
    "camera_hours_down": ("Camera-hours down", "Камеро-часы простоя"),
    "incidents_once": ("Incidents (mass outage once)", "Инциденты (массовый сбой — один)"),
    "offline_list": ("Cameras offline now", "Камеры не в сети сейчас"),
    "worst_cameras": ("Worst 20 cameras", "20 худших камер"),
    "camera": ("Camera", "Камера"),
    "site": ("Site", "Площадка"),
    "cause": ("Cause", "Причина"),
    "offline_since": ("Offline since", "Не в сети с"),
    "offline_hours": ("Hours offline", "Часов без связи"),
    "unplanned": ("Unplanned", "Внеплановые"),
    "planned_maintenance": ("Planned maintenance", "Плановое обслуживание"),
    # compstat
    "compstat": ("CompStat", "CompStat"),
    "by_category": ("By category", "По категориям"),
    "category": ("Category", "Категория"),
    "area": ("Area", "Территория"),
    "metric": ("Measure", "Показатель"),
    "wtd": ("WTD", "Неделя"),
    "28d": ("28 days", "28 дней"),
    "ytd": ("YTD", "С начала года"),
    "prior": ("prior yr", "прошл. год"),
    "pct_change": ("% change", "изм., %"),
    "worse_note": ("Red = worse than the same period last year.", "Красным — хуже, чем год назад."),
    "compstat_through": (
        "Windows up to {date}, the last whole day.",
        "Периоды — по {date}, последний полный день.",
    ),
    "no_prior": (
        "No comparison with last year where the data does not cover the whole prior-year period (–).",
        "Без сравнения с прошлым годом там, где данные не охватывают весь тот же период год назад (–).",
    ),
    # a suppressed cell is either small (1 to k) or hidden with one so that no sum or difference reveals it
    "suppressed_cell": ("hidden", "скрыто"),
    "suppressed_note": (
        "Counts from 1 to {k} are hidden, and a few others with them so that none can be worked out from totals.",
        "Значения от 1 до {k} скрыты, а с ними и некоторые другие, чтобы их нельзя было вычислить из итогов.",
    ),
    # crime
    "crimes_registered": ("Crimes registered", "Зарегистрировано преступлений"),
    "rate_per_100k": ("Per 100,000", "На 100 000"),
    "rate_per_10k": ("Per 10,000", "На 10 000"),
    "clearance": ("Clearance", "Раскрываемость"),
    "clearance_prior": ("Clearance, prior yr", "Раскрываемость, прошл. год"),
    "camera_share": ("Public-place cleared with camera", "Раскрыто с камерами (общ. места)"),
    "rates_clearance": ("Rates and clearance", "Уровень и раскрываемость"),
    "minors_dv": ("Minors and domestic violence", "Несовершеннолетние и домашнее насилие"),
    "minors": ("Against minors", "Против несовершеннолетних"),
    "dv": ("Domestic violence", "Домашнее насилие"),
    "hour_weekday": ("Hour × weekday (last 365 days)", "Час × день недели (последние 365 дней)"),
    "hour": ("Hour", "Час"),
    "weekday": ("Weekday", "День недели"),
    "map": ("Map", "Карта"),
    # road
    "incidents": ("Incidents", "ДТП"),
    "killed": ("Killed", "Погибли"),
    "injured": ("Injured", "Ранены"),
    "ksi": ("Killed or seriously injured", "Погибшие и тяжелораненые"),
    "ksi_short": ("KSI", "Погиб. и тяж. ран."),
    "causes": ("Causes", "Причины"),
    "period_start": ("Start", "Начало"),
    "period_end": ("End", "Окончание"),
    "daily_incidents": (
        "Incidents per day, holidays and mass events shaded",
        "ДТП по дням, праздники и массовые мероприятия выделены",
    ),
    "holiday_periods": (
        "Holiday and mass-event periods vs ordinary days",
        "Праздники и массовые мероприятия против обычных дней",
    ),
    "period_name": ("Period", "Период"),
    "per_day": ("per day", "в день"),
    "ordinary_per_day": ("ordinary day", "обычный день"),
    "ratio": ("× ordinary", "× к обычному"),
    # fraud
    "fraud_reports": ("Reports", "Заявления"),
    "loss_amount": ("Loss, KGS", "Ущерб, сом"),
    "median_loss": ("Median loss, KGS", "Медианный ущерб, сом"),
    "share_with_loss": ("With a loss", "С ущербом"),
    "recovered": ("Recovered", "Возмещено"),
    "breakdowns": ("Scheme, channel, payment method, victim age", "Схема, канал, способ оплаты, возраст жертвы"),
    "scheme": ("Scheme", "Схема"),
    "channel": ("Channel", "Канал"),
    "payment_method": ("Payment method", "Способ оплаты"),
    "victim_age_group": ("Victim age", "Возраст жертвы"),
    # data health
    "warehouse": ("Published warehouse", "Опубликованное хранилище"),
    "build": ("Build", "Сборка"),
    "built_at": ("Built", "Собрано"),
    "lake_snapshot": ("Lake snapshot", "Снимок озера"),
    "as_of_day": ("As-of day", "Дата данных"),
    "sources": ("Sources", "Источники"),
    "dataset": ("Source", "Источник"),
    "rows": ("Rows", "Строк"),
    "newest_record": ("Newest record", "Последняя запись"),
    "last_ingest": ("Last ingest", "Последняя загрузка"),
    "quarantined": ("Set aside (quarantine)", "Отложено (карантин)"),
    "top_reason": ("Top reason", "Главная причина"),
    "silent": ("Silent", "Молчит"),
    "silent_regions": ("Sources and regions that went silent", "Источники и регионы, переставшие присылать данные"),
    "none_silent": ("Every source and region is reporting.", "Все источники и регионы присылают данные."),
    "days_since": ("Days since last record", "Дней с последней записи"),
    "records_28d": ("Records, 28 days", "Записей за 28 дней"),
    "quarantine_by_reason": ("Quarantine by reason", "Карантин по причинам"),
    "health_summary": (
        "The numbers on every page run through **{date}**; they were last brought up to date on {built}.",
        "Цифры на всех страницах — по **{date}**; последнее обновление: {built}.",
    ),
    "files": ("Files", "Файлов"),
    "technical_view": (
        "Technical view for engineers: build, lake snapshot, rows set aside by column",
        "Техническая информация для инженеров: сборка, снимок озера, отложенные строки по столбцам",
    ),
    "reason": ("Reason", "Причина"),
    "column": ("Column", "Столбец"),
    "yes": ("yes", "да"),
    # sql
    "sql_editor": (
        "SQL: one SELECT on `marts.*`, `analytics.*`, `meta.build`",
        "SQL: один SELECT по `marts.*`, `analytics.*`, `meta.build`",
    ),
    "run": ("Run", "Выполнить"),
    # the policy's refusal (access.policy.QueryRefused) in the reader's language: one sql_refusal_<kind> below
    "sql_refused": ("Query refused: {reason}", "Запрос отклонён: {reason}"),
    # fixes: why a query was refused (access.policy.Refusal); names, SQL words and DuckDB's own messages as code
    "sql_refusal_too_long": ("the query is longer than {kb} kB; shorten it", "запрос длиннее {kb} КБ; сократите его"),
    "sql_refusal_only_select": (
        "only SELECT queries are allowed (no CREATE, INSERT, COPY, ATTACH, SET, PRAGMA ...)",
        "разрешены только запросы SELECT (без `CREATE`, `INSERT`, `COPY`, `ATTACH`, `SET`, `PRAGMA` ...)",
    ),
    "sql_refusal_does_not_parse": ("the query does not parse: {message}", "запрос не разбирается: `{message}`"),
    "sql_refusal_one_statement": ("one statement at a time, please", "по одному запросу за раз"),
    "sql_refusal_nested_check": (
        "the query is nested too deeply to check; flatten it (CTEs, fewer brackets)",
        "запрос вложен слишком глубоко для проверки; упростите его (`WITH`, меньше скобок)",
    ),
    "sql_refusal_cte_shadows": (
        "a CTE may not be named like a catalog object ({names}); rename it",
        "имя в `WITH` совпадает с объектом каталога (`{names}`); переименуйте его",
    ),
    "sql_refusal_clause": (
        "{clause} is not allowed; read the views in marts and analytics",
        "`{clause}` не разрешено; читайте представления marts и analytics",
    ),
    "sql_refusal_not_readable": (
        "{name}: only the views in {schemas} can be read",
        "`{name}`: читать можно только представления `{schemas}`",
    ),
    "sql_refusal_meta_only_build": (
        "meta.{table}: only meta.build can be read",
        "`meta.{table}`: из meta можно читать только `meta.build`",
    ),
    "sql_refusal_table_function": (
        "table function {name}() is not allowed; read the views in marts and analytics",
        "табличная функция `{name}()` запрещена; читайте представления marts и analytics",
    ),
    "sql_refusal_function": ("function {name}() is not allowed", "функция `{name}()` запрещена"),
    "sql_refusal_row_too_large": (
        "one row of the result is larger than the {mb} MB result limit; select fewer or smaller columns "
        "(no whole tables in one cell)",
        "одна строка результата больше лимита результата {mb} МБ; выберите меньше столбцов или поменьше "
        "(не целую таблицу в одной ячейке)",
    ),
    "sql_refusal_timeout": (
        "the query ran longer than {seconds} s and was stopped; narrow it (filters, aggregates) or ask for a "
        "longer SQL timeout",
        "запрос выполнялся дольше {seconds} с и остановлен; сузьте его (фильтры, агрегаты) или попросите "
        "больший тайм-аут SQL",
    ),
    "sql_refusal_memory": (
        "the query needed more than the {limit} memory limit; filter first",
        "запросу не хватило лимита памяти `{limit}`; сначала отфильтруйте данные",
    ),
    "sql_refusal_nested_run": (
        "the query is nested too deeply to run; flatten it (CTEs, fewer brackets)",
        "запрос вложен слишком глубоко для выполнения; упростите его (`WITH`, меньше скобок)",
    ),
    "sql_refusal_error": ("{message}", "ошибка выполнения запроса: `{message}`"),
    "sql_refusal_failed": (
        "the query failed ({name}); the details are in the audit log",
        "запрос не выполнен (`{name}`); подробности — в журнале аудита",
    ),
    "sql_rows": ("Rows: {rows} · {seconds} s", "Строк: {rows} · {seconds} с"),
    "sql_truncated": (
        "Cut at {limit} rows (SAFELAKE_SQL_ROW_LIMIT): narrow the query or aggregate.",
        "Обрезано до {limit} строк (SAFELAKE_SQL_ROW_LIMIT): сузьте запрос или агрегируйте.",
    ),
    "sql_truncated_bytes": (
        "Cut at {rows} rows, the {mb} MB result limit (`SAFELAKE_SQL_RESULT_MB`): narrow the query or aggregate.",
        "Обрезано до {rows} строк — лимит результата {mb} МБ (`SAFELAKE_SQL_RESULT_MB`): сузьте запрос или "
        "агрегируйте.",
    ),
    "sql_scope": (
        "Rows of {area} only: your scope is applied to every view.",
        "Только строки: {area} — ваша область доступа применяется ко всем представлениям.",
    ),
    "download_csv": ("Download CSV", "Скачать CSV"),
    "download_parquet": ("Download Parquet", "Скачать Parquet"),
    "saved_queries": ("Saved queries", "Сохранённые запросы"),
    "query_name": ("Name", "Название"),
    "save": ("Save", "Сохранить"),
    "load": ("Load", "Загрузить"),
    "delete": ("Delete", "Удалить"),
    "no_saved": ("No saved queries yet.", "Сохранённых запросов пока нет."),
    "schema_browser": ("Schema: marts and analytics", "Схема: marts и analytics"),
    "table": ("Table", "Таблица"),
    "description": ("Description", "Описание"),
    "type": ("Type", "Тип"),
    "no_descriptions": (
        "This build has no descriptions (built before dbt's persist_docs was on): names and types only.",
        "В этой сборке нет описаний (собрана до включения persist_docs в dbt): только имена и типы.",
    ),
    "no": ("no", "нет"),
    # --- e-mail briefings ---
    "daily": ("Daily KPI briefing", "Ежедневная сводка KPI"),
    "weekly": ("Weekly KPI briefing", "Еженедельная сводка KPI"),
    "delayed_subject": ("Data delayed", "Данные задерживаются"),
    "hello": ("Dear {name},", "{name}, здравствуйте."),
    "mail_as_of": (
        "As of {as_of}: warehouse build {build_id}, built {built_at}.",
        "По состоянию на {as_of}: сборка хранилища {build_id}, собрана {built_at}.",
    ),
    "plan_status": ("Plan status", "Выполнение плана"),
    "plan_regional": ("Plan: camera programme", "План: программа видеонаблюдения"),
    "plan_headline": ("{n} targets: {counts}.", "Целей: {n}; {counts}."),
    "actual_to_date": ("Actual to date", "Факт с начала года"),
    "target_value": ("Target", "План"),
    "pct_of_target": ("% of target", "% плана"),
    "cameras_line": (
        "cameras installed {installed} (commissioned {commissioned}); plan by now {planned}; year-end target {target}.",
        "камер установлено {installed} (подключено {commissioned}); по плану на сегодня {planned}; "
        "цель на год {target}.",
    ),
    "movers": ("KPIs that moved most", "Наибольшие изменения показателей"),
    "movers_note": (
        "Ranked by the size of the 28-day change against the same days a year earlier; red = worse.",
        "По величине изменения за 28 дней к тем же дням прошлого года; красным — ухудшение.",
    ),
    "kpi": ("KPI", "Показатель"),
    "cur": ("now", "сейчас"),
    "year_ago_short": ("a year ago", "год назад"),
    "chg": ("%", "%"),
    "no_movers": ("No KPI moved noticeably.", "Заметных изменений нет."),
    "no_comparison": (
        "No comparison with last year yet: the data does not cover the same days a year ago.",
        "Сравнения с прошлым годом пока нет: данных за те же дни год назад нет.",
    ),
    "offline": ("Cameras offline for more than 24 h", "Камеры без связи более 24 ч"),
    "offline_none": ("No camera has been offline for more than 24 hours.", "Нет камер без связи более 24 часов."),
    "offline_more": ("… and {n} more (all in the CSV attachment).", "… и ещё {n} (все — во вложении CSV)."),
    "since": ("Offline since", "Без связи с"),
    "hours": ("Hours", "Часов"),
    "health": ("Data health", "Качество данных"),
    "health_ok": ("No data-health warnings.", "Замечаний к данным нет."),
    "source_silent": (
        "Source {dataset} has sent no new record for {days} days.",
        "Источник {dataset}: новых записей нет {days} дн.",
    ),
    "region_silent": (
        "Region {region} has sent no {dataset} for {days} days.",
        "Регион {region}: нет данных {dataset} {days} дн.",
    ),
    "quarantine": (
        "{dataset}: {rows} rows quarantined ({pct}%), mostly {reason}.",
        "{dataset}: {rows} строк в карантине ({pct}%), чаще всего — {reason}.",
    ),
    "chart_plan": ("Plan targets against the plan to date", "Цели плана относительно плана на сегодня"),
    "chart_rollout": ("Cameras installed this year against the plan", "Установка камер в этом году и план"),
    "chart_trend": (
        "Crimes registered per day, last 8 weeks (grey: a year earlier)",
        "Зарегистрировано преступлений в день, 8 недель (серым — год назад)",
    ),
    # fixes: the trend chart without a year-earlier line (the lake's first year)
    "chart_trend_this_year": (
        "Crimes registered per day, last 8 weeks",
        "Зарегистрировано преступлений в день, 8 недель",
    ),
    "chart_offline": ("Cameras offline > 24 h", "Камеры без связи > 24 ч"),
    "chart_movers": ("Change over 28 days, %", "Изменение за 28 дней, %"),
    "attachments": ("The tables are attached as CSV files.", "Таблицы приложены файлами CSV."),
    "footer": (
        "SafeLake KPI briefing for {name} ({scope}). Numbers from the published warehouse only.",
        "Сводка SafeLake для: {name} ({scope}). Только данные опубликованного хранилища.",
    ),
    "delayed_body": (
        "The {briefing} is delayed: the published warehouse (build {build_id}, built {built_at}) is older than "
        "{hours} hours, so no stale numbers are sent. The briefing follows when fresh data is published.",
        "{briefing} задерживается: опубликованное хранилище (сборка {build_id}, собрана {built_at}) старше {hours} ч, "
        "устаревшие цифры не отправляются. Сводка придёт, когда будут опубликованы свежие данные.",
    ),
    "delayed_none": (
        "The {briefing} is delayed: no warehouse has been published yet.",
        "{briefing} задерживается: хранилище ещё не опубликовано.",
    ),
    "day": ("Day", "День"),
    "crimes": ("Crimes", "Преступления"),
    "year_ago": ("A year earlier", "Год назад"),
    # the e-mails' per-category movers (briefings: marts.kpi_movers.metric "offence:<code>", "scheme:<code>")
    # (name: the category's label; lower: the same in lower case)
    "metric_offence": ("Crimes: {lower}", "{name}"),
    "metric_scheme": ("Fraud: {lower}", "Мошенничество: {lower}"),
    # --- the live path: the Cameras page's live strip and the Live operations page ---
    "live": ("Live operations", "Оперативная обстановка"),
    "live_cameras": ("Cameras now (live feed)", "Камеры сейчас (онлайн-поток)"),
    "live_online": ("Online", "В сети"),
    "live_offline": ("Offline", "Не в сети"),
    "live_silent": ("of them silent", "из них молчат"),
    "live_outages": ("Outages (a site once)", "Отключения (площадка — одно)"),
    "live_updated": (
        "Live data at {time}; refreshes every {seconds} s. Offline: reported by the VMS, or silent for {timeout} s.",
        "Онлайн-данные на {time}; обновление каждые {seconds} с. Не в сети: по данным VMS или без сигнала {timeout} с.",
    ),
    "live_none": (
        "No live data yet: the stream has not brought any into the lake.",
        "Онлайн-данных пока нет: поток ещё ничего не доставил в озеро.",
    ),
    "open_calls": ("Open 102 calls", "Открытые вызовы 102"),
    "call": ("Call", "Вызов"),
    "received": ("Received", "Принят"),
    "priority": ("Priority", "Приоритет"),
    "unit": ("Unit", "Наряд"),
    "minutes_open": ("Minutes open", "Минут открыт"),
    "response_times": ("Today's response times, minutes", "Время реагирования сегодня, минут"),
    "calls_n": ("Calls", "Вызовов"),
    "to_dispatch": ("To dispatch {p}", "До направления наряда {p}"),
    "to_arrival": ("To arrival {p}", "До прибытия {p}"),
    "standard": ("standard", "норматив"),
    "over_standard": (
        "Regions over the arrival standard (p90): {regions}",
        "Регионы с превышением норматива прибытия (p90): {regions}",
    ),
    "recent_incidents": ("Incidents of the last {hours} h", "Происшествия за последние {hours} ч"),
    "occurred": ("Occurred", "Время"),
    "what": ("What", "Что"),
    "stream_lag": ("Stream lag (messages not yet in the lake)", "Отставание потока (сообщений ещё не в озере)"),
    "stream_down": (
        "The live feed's broker does not answer: the figures stand still.",
        "Брокер онлайн-потока не отвечает: данные не обновляются.",
    ),
    # geography: a build is of one country (access.read.Stamp.geography)
    "no_plan": (
        "{geography} has no plan in its reference data yet: there are no plan targets to show.",
        "В справочных данных ({geography}) пока нет плана: целевых показателей нет.",
    ),
    # --- the live path on the Data health page ---
    "live_streams": ("Live feeds", "Онлайн-потоки"),
    "stream_messages": ("Messages held by the broker", "Сообщений у брокера"),
    "stream_lag_short": ("Not yet in the lake", "Ещё не в озере"),
    "consumer_pulling": ("Loader running", "Загрузчик работает"),
    "last_commit": ("Last written to the lake", "Последняя запись в озеро"),
    "stream_quarantine": ("Live feeds: set aside by reason", "Онлайн-потоки: отложено по причинам"),
    "stream_none_quarantined": ("No live message was set aside.", "Ни одно сообщение онлайн-потоков не отложено."),
    # --- discipline & integrity, cybersecurity (issue 22) ---
    "integrity": ("Discipline & integrity", "Дисциплина и антикоррупция"),
    "cyber": ("Cybersecurity", "Кибербезопасность"),
    "role_internal_security": ("Internal security", "Служба собственной безопасности"),
    "disciplinary_cases": ("Disciplinary cases", "Дисциплинарные дела"),
    "cases_per_100_staff": ("Cases per 100 staff", "Дел на 100 сотрудников"),
    "cases_per_100_staff_prior": ("Per 100 staff, a year earlier", "На 100 сотрудников, год назад"),
    "staff": ("Staff", "Штатная численность"),
    "dismissals": ("Dismissals", "Увольнения"),
    "breach_type": ("Breach", "Вид нарушения"),
    "corruption_offences": ("Corruption offences", "Коррупционные преступления"),
    "article": ("Article", "Статья"),
    "offences_cleared": ("Cleared", "Раскрыто"),
    "sent_to_court": ("Sent to court", "Направлено в суд"),
    "sent_to_court_pct": ("Sent to court, %", "Направлено в суд, %"),
    "officers_charged": ("Employees charged", "Привлечено сотрудников МВД"),
    "discipline_cases_list": ("Cases (employees as pseudonyms)", "Дела (сотрудники — под псевдонимами)"),
    "personnel_rows_note": (
        "Case rows are personnel data: only internal security sees them, and employees only as pseudonyms.",
        "Дела — кадровые данные: их видит только служба собственной безопасности, сотрудников — только под "
        "псевдонимами.",
    ),
    "personnel_suppressed_note": (
        "Counts from 1 to {k} about employees are hidden (personnel data), with cells that would give them away.",
        "Значения от 1 до {k} о сотрудниках скрыты (кадровые данные), вместе с ячейками, которые бы их выдали.",
    ),
    "officer_pseudonym": ("Employee (pseudonym)", "Сотрудник (псевдоним)"),
    "police_unit": ("Unit", "Подразделение"),
    "opened_date": ("Opened", "Возбуждено"),
    "decided_date": ("Decided", "Решение"),
    "sanction": ("Sanction", "Взыскание"),
    "case_id": ("Case", "Дело"),
    "cyber_incidents": ("Incidents against the ministry's systems", "Инциденты в системах МВД"),
    "cyber_incidents_n": ("Incidents", "Инциденты"),
    "incident_type": ("Incident type", "Тип инцидента"),
    "median_hours_to_contain": ("Median hours to contain", "Медиана, часов до локализации"),
    "p90_hours_to_contain": ("Hours to contain, 90th percentile", "Часов до локализации, 90-й процентиль"),
    "contained_within_24h_pct": ("Contained within 24 h", "Локализовано за 24 ч"),
    "open_incidents": ("Not contained yet", "Ещё не локализовано"),
    "high_impact_incidents": ("High or critical impact", "Высокого или критического уровня"),
    "fraud_resources": ("Fraud resources blocked", "Заблокированные ресурсы мошенников"),
    "resources_blocked": ("Resources blocked", "Заблокировано ресурсов"),
    "block_requests": ("Blocking requests", "Запросов на блокировку"),
    "median_hours_to_block": ("Median hours to block", "Медиана, часов до блокировки"),
    "blocked_within_24h_pct": ("Blocked within 24 h", "Заблокировано за 24 ч"),
    "resource_type": ("Resource", "Тип ресурса"),
    "integrity_line": (
        "Discipline, 28 days: {cases} cases, {rate} per 100 staff. Corruption offences: {corruption}, {clearance} "
        "cleared.",
        "Дисциплина за 28 дней: {cases} дел, {rate} на 100 сотрудников. Коррупционные преступления: {corruption}, "
        "раскрыто {clearance}.",
    ),
    "cyber_line": (
        "Cyber incidents, 28 days: {incidents}, median {hours} h to contain. Fraud resources blocked: {blocked}, "
        "median {block_hours} h from the report.",
        "Киберинциденты за 28 дней: {incidents}, медиана локализации {hours} ч. Заблокировано ресурсов мошенников: "
        "{blocked}, медиана {block_hours} ч от заявления.",
    ),
    "region_level_only": (
        "These figures are kept per region: showing {area}.",
        "Эти показатели ведутся по регионам: показано — {area}.",
    ),
    # --- service to citizens (appeals, receptions, 102 response) ---
    "service": ("Service to citizens", "Работа с гражданами"),
    "appeals": ("Citizens' appeals", "Обращения граждан"),
    "appeals_received": ("Appeals received", "Поступило обращений"),
    "on_time": ("Answered on time", "Рассмотрено в срок"),
    "median_days_to_answer": ("Median days to answer", "Медиана срока ответа, дней"),
    "overdue_open_appeals": ("Overdue, not answered", "Просрочено, без ответа"),
    "of_open": ("of {n} open appeals", "из {n} обращений на рассмотрении"),
    "repeat_share": ("Repeat appeals", "Повторные обращения"),
    "receptions": ("Personal receptions of citizens", "Личный приём граждан"),
    "sessions_scheduled": ("Scheduled", "По графику"),
    "sessions_held": ("Held", "Проведено"),
    "held_pct": ("Held as scheduled", "Проведено по графику"),
    "citizens_received": ("Citizens received", "Принято граждан"),
    "leader_position": ("Leader", "Руководитель"),
    "response_102": ("102 response", "Реагирование на вызовы 102"),
    "calls_102": ("102 calls", "Вызовы 102"),
    "arrival_within_standard": ("On scene within the standard", "Прибытие в пределах норматива"),
    "dispatch_within_standard": ("Dispatched within the standard", "Направление в пределах норматива"),
    "segments_end_to_end": (
        "End to end: answered → entered → unit assigned → on scene, minutes",
        "От звонка до прибытия: ответ → карточка → наряд → на месте, минуты",
    ),
    "area_type": ("Area", "Местность"),
    "segment": ("Segment", "Этап"),
    "seg_answer_to_entry": ("Answered → entered", "Ответ → карточка"),
    "seg_entry_to_dispatch": ("Entered → unit assigned", "Карточка → наряд"),
    "seg_dispatch_to_arrival": ("Assigned → on scene", "Наряд → на месте"),
    "seg_to_dispatch": ("Answered → unit assigned", "Ответ → наряд"),
    "seg_to_arrival": ("Answered → on scene", "Ответ → на месте"),
    "service_line": (
        "Service to citizens, 28 days: appeals answered on time {on_time}, {overdue} overdue without an answer; "
        "receptions held as scheduled {held}; 102: first unit on scene within {p90} min for 9 calls in 10, "
        "{within} within the standard.",
        "Работа с гражданами, 28 дней: обращений рассмотрено в срок {on_time}, просрочено без ответа {overdue}; "
        "личных приёмов проведено по графику {held}; 102: наряд на месте за {p90} мин в 9 вызовах из 10, "
        "в пределах норматива {within}.",
    ),
    "segments_note": (
        "Medians (p50) and 90th percentiles (p90) of each segment, as New York's 911 end-to-end reporting measures "
        "them; the standard depends on the region and whether the district is a city or rural.",
        "Медианы (p50) и 90-е процентили (p90) каждого этапа, как в сквозной отчётности службы 911 Нью-Йорка; "
        "норматив зависит от региона и от того, городской район или сельский.",
    ),
    # --- holiday operations (the Holiday operations page; Kazakhstan's "Law and Order" plan) ---
    "holiday": ("Holiday operations", "Праздничный период"),
    "holiday_intro": (
        "A holiday or mass-event period against the ordinary days before it: each measure's daily rate in the "
        "period and on the ordinary days among the 28 before it.",
        "Праздничный период или период массовых мероприятий в сравнении с обычными днями: среднее в день за период "
        "и за обычные дни из 28 предшествующих.",
    ),
    "holiday_none": (
        "No holiday or mass-event period has data yet.",
        "Пока нет данных ни за один праздничный период.",
    ),
    "holiday_choose": ("Period", "Период"),
    "holiday_days": ("{start} – {end}, {days} days", "{start} – {end}, дней: {days}"),
    "holiday_measure": ("Measure", "Показатель"),
    "holiday_in_period": ("In the period", "За период"),
    "holiday_ratio_chart": ("Period against ordinary days (× ordinary)", "Период к обычным дням (× к обычному)"),
    "holiday_not_collected": (
        "Not collected in this country: {items}.",
        "В этой стране не собираются: {items}.",
    ),
    "holiday_by_region": ("{measure} by region in the period", "{measure}: по регионам за период"),
    "holiday_response": ("102 response: the period against ordinary days", "Реагирование по 102: период и обычные дни"),
    "holiday_response_none": (
        "No 102 dispatch data in the lake for these days (the live dispatch feed brings it).",
        "Нет данных диспетчерской 102 за эти дни (их приносит онлайн-поток диспетчерской).",
    ),
    "holiday_ordinary": ("Ordinary days", "Обычные дни"),
    "holiday_calls_per_day": ("102 calls per day", "Вызовов 102 в день"),
    "holiday_targets": ("Holiday-operations targets of the plan", "Цели плана по праздничному периоду"),
    "holiday_target": ("Plan target", "Цель плана"),
    "holiday_targets_none": (
        "This country's plan has no holiday-operations targets.",
        "В плане этой страны нет целей по праздничному периоду.",
    ),
}

CODES: dict[str, tuple[str, str]] = {
    # plan statuses (access.read.TARGET_RULES)
    "ahead": ("Ahead of plan", "Опережает план"),
    "on_pace": ("On track", "В графике"),
    "behind": ("Behind plan", "Отстаёт от плана"),
    "met": ("Met", "Достигнута"),
    "missed": ("Missed", "Не достигнута"),
    "within_ceiling": ("Kept within the limit", "В пределах лимита"),
    "ceiling_exceeded": ("Limit exceeded", "Лимит превышен"),
    "no_data": ("No data", "Нет данных"),
    "cameras_installed": ("Cameras installed", "Установлено камер"),
    "availability_pct": ("Camera availability, %", "Доступность камер, %"),
    "crimes_registered": ("Crimes registered", "Зарегистрировано преступлений"),
    "clearance_rate_pct": ("Clearance rate, %", "Раскрываемость, %"),
    "road_deaths": ("Road deaths", "Погибшие в ДТП"),
    "ksi": ("Killed or seriously injured", "Погибшие и тяжелораненые"),
    "crimes_against_minors": ("Crimes against minors", "Преступления против несовершеннолетних"),
    "dv_crimes_registered": ("Domestic-violence crimes", "Преступления домашнего насилия"),
    "fraud_reports": ("Fraud reports", "Заявления о мошенничестве"),
    "fraud_loss_kgs": ("Fraud loss, KGS", "Ущерб от мошенничества, сом"),
    "dv_crimes": ("Domestic violence", "Домашнее насилие"),
    "road_incidents": ("Road incidents", "ДТП"),
    "road_killed": ("Road deaths", "Погибли в ДТП"),
    "road_ksi": ("Killed or seriously injured on roads", "Погибшие и тяжелораненые в ДТП"),
    "road_children_hurt": ("Children hurt on roads", "Пострадавшие дети в ДТП"),
    "all": ("All", "Все"),
    "anti_social_behaviour": ("Anti-social behaviour", "Антиобщественное поведение"),
    "assault": ("Assault", "Нападения"),
    "burglary": ("Burglary", "Кражи со взломом"),
    "criminal_damage": ("Criminal damage", "Повреждение имущества"),
    "drugs": ("Drugs", "Наркотики"),
    "fraud": ("Fraud", "Мошенничество"),
    "homicide": ("Homicide", "Убийства"),
    "hooliganism": ("Hooliganism", "Хулиганство"),
    "other": ("Other", "Прочее"),
    "public_order": ("Public order", "Общественный порядок"),
    "robbery": ("Robbery", "Грабежи и разбои"),
    "sexual_offence": ("Sexual offences", "Половые преступления"),
    "theft": ("Theft", "Кражи"),
    "vehicle_crime": ("Vehicle crime", "Преступления с автотранспортом"),
    "weapons": ("Weapons", "Оружие"),
    "distraction": ("Distraction", "Отвлечение"),
    "drunk_driving": ("Drunk driving", "Вождение в нетрезвом виде"),
    "failure_to_yield": ("Failure to yield", "Непредоставление преимущества"),
    "fatigue": ("Fatigue", "Усталость"),
    "pedestrian_violation": ("Pedestrian violation", "Нарушение пешеходом"),
    "road_conditions": ("Road conditions", "Дорожные условия"),
    "speeding": ("Speeding", "Превышение скорости"),
    "unknown": ("Unknown", "Неизвестно"),
    "vehicle_defect": ("Vehicle defect", "Неисправность ТС"),
    "bank_impersonation": ("Bank impersonation", "Звонок «из банка»"),
    "extortion": ("Extortion", "Вымогательство"),
    "fake_relative": ("Fake relative", "«Родственник в беде»"),
    "identity_theft": ("Identity theft", "Кража личности"),
    "investment": ("Investment", "Инвестиции"),
    "job_offer": ("Job offer", "Предложение работы"),
    "lottery_prize": ("Lottery prize", "Выигрыш в лотерею"),
    "online_purchase": ("Online purchase", "Покупка в интернете"),
    "phishing": ("Phishing", "Фишинг"),
    "romance": ("Romance", "Знакомства"),
    "email": ("E-mail", "Эл. почта"),
    "in_person": ("In person", "Лично"),
    "messenger": ("Messenger", "Мессенджер"),
    "phone_call": ("Phone call", "Телефонный звонок"),
    "sms": ("SMS", "SMS"),
    "social_media": ("Social media", "Соцсети"),
    "website": ("Website", "Сайт"),
    "bank_transfer": ("Bank transfer", "Банковский перевод"),
    "card": ("Card", "Карта"),
    "cash": ("Cash", "Наличные"),
    "crypto": ("Crypto", "Криптовалюта"),
    "e_wallet": ("E-wallet", "Электронный кошелёк"),
    "mobile_balance": ("Mobile balance", "Баланс телефона"),
    "none": ("None", "Нет"),
    "under_18": ("Under 18", "До 18"),
    "18_24": ("18–24", "18–24"),
    "25_34": ("25–34", "25–34"),
    "35_44": ("35–44", "35–44"),
    "45_54": ("45–54", "45–54"),
    "55_64": ("55–64", "55–64"),
    "65_plus": ("65+", "65+"),
    "power": ("Power", "Электропитание"),
    "network": ("Network", "Сеть"),
    "hardware": ("Hardware", "Оборудование"),
    "maintenance": ("Maintenance", "Обслуживание"),
    "vandalism": ("Vandalism", "Вандализм"),
    "unplanned": ("Unplanned", "Внеплановые"),
    "planned_maintenance": ("Planned maintenance", "Плановое обслуживание"),
    "offline": ("Offline", "Не в сети"),
    "no_heartbeat": ("No heartbeat", "Нет сигнала"),
    "crime_report": ("Crime reports", "Сообщения о преступлениях"),
    "road_incident": ("Road incidents", "ДТП"),
    "camera": ("Camera registry", "Реестр камер"),
    "camera_status": ("Camera status", "Статусы камер"),
    "fraud_report": ("Fraud reports", "Заявления о мошенничестве"),
    "bad_date": ("Bad date", "Неверная дата"),
    "bad_timestamp": ("Bad timestamp", "Неверное время"),
    "out_of_range": ("Out of range", "Вне допустимого диапазона"),
    "unknown_code": ("Unknown code", "Неизвестный код"),
    "unknown_region": ("Unknown region", "Неизвестный регион"),
    "missing": ("Missing value", "Пропущено значение"),
    "future_date": ("Future date", "Дата в будущем"),
    "unreadable": ("Unreadable row", "Нечитаемая строка"),
    # fixes: the rest of the quarantine reasons (safelake.validate.QuarantineReason)
    "bad_int": ("Not a whole number", "Не целое число"),
    "bad_double": ("Not a number", "Не число"),
    "bad_decimal": ("Not an exact amount", "Не точная сумма"),
    "bad_bool": ("Not yes or no", "Не «да» или «нет»"),
    "nonexistent_local_time": ("Time skipped by the clock change", "Время, пропущенное при переводе часов"),
    "implausible_date": ("Implausibly early date", "Неправдоподобно ранняя дата"),
    "inconsistent": ("Inconsistent values", "Противоречивые значения"),
    # 102 calls (contracts: call_status, call_priority, call_category) and incident kinds
    "received": ("Received", "Принят"),
    "dispatched": ("Dispatched", "Наряд направлен"),
    "arrived": ("Arrived", "Наряд прибыл"),
    "closed": ("Closed", "Закрыт"),
    "cancelled": ("Cancelled", "Отменён"),
    "urgent": ("Urgent", "Срочный"),
    "high": ("High", "Высокий"),
    "normal": ("Normal", "Обычный"),
    "low": ("Low", "Низкий"),
    "crime_in_progress": ("Crime in progress", "Преступление в процессе"),
    "violence": ("Violence", "Насилие"),
    "missing_person": ("Missing person", "Пропал человек"),
    "noise": ("Noise", "Шум"),
    # holidays and mass events (seeds/holidays.csv: period_id without its year)
    "april_revolution": ("Day of the People's April Revolution", "День Народной апрельской революции"),
    "constitution_day": ("Constitution Day", "День Конституции"),
    "defenders_day": ("Defender of the Fatherland Day", "День защитника Отечества"),
    "history_days": ("Days of History and Commemoration of Ancestors", "Дни истории и памяти предков"),
    "independence_day": ("Independence Day", "День независимости"),
    "kurman_ait": ("Kurman Ait (Eid al-Adha)", "Курман айт"),
    "labour_day": ("Labour Day", "Праздник труда"),
    "new_year": ("New Year", "Новый год"),
    "nooruz": ("Nooruz", "Нооруз"),
    "orozo_ait": ("Orozo Ait (Eid al-Fitr)", "Орозо айт"),
    "orthodox_christmas": ("Orthodox Christmas", "Рождество Христово"),
    "victory_day": ("Victory Day", "День Победы"),
    "womens_day": ("International Women's Day", "Международный женский день"),
    # aggregate statistics (contract crime_aggregate: dataset, measures, quarantine reasons)
    "crime_aggregate": ("Crime statistics (aggregate tables)", "Статистика преступлений (сводные таблицы)"),
    "registered": ("Registered", "Зарегистрировано"),
    "solved": ("Solved", "Раскрыто"),
    "sent_to_court": ("Sent to court", "Направлено в суд"),
    "discontinued": ("Discontinued", "Прекращено"),
    "total_mismatch": ("Total differs from its parts", "Итог не равен сумме слагаемых"),
    "total_unchecked": ("Total cannot be checked", "Итог не проверить"),
    # the live path: its datasets and the quarantine reasons only a stream message can have (stream/events.py)
    "camera_heartbeat": ("Camera heartbeats (live)", "Сигналы камер (онлайн)"),
    "dispatch_call": ("102 calls (live)", "Вызовы 102 (онлайн)"),
    "incident_report": ("Incident reports (live)", "Сообщения о происшествиях (онлайн)"),
    "too_large": ("Message too large", "Слишком большое сообщение"),
    "not_json": ("Not JSON", "Неверный формат сообщения"),
    "bad_schema": ("Unknown or nested fields", "Неизвестные или вложенные поля"),
    "subject_mismatch": ("Region differs from the feed's", "Регион не совпадает с потоком"),
    "unknown_district": ("Unknown district", "Неизвестный район"),
    # --- discipline & integrity, cybersecurity (issue 22): plan KPIs and the contracts' code lists ---
    "disciplinary_cases": ("Disciplinary cases", "Дисциплинарные дела"),
    "corruption_clearance_pct": ("Corruption offences cleared, %", "Раскрываемость коррупционных преступлений, %"),
    "cyber_contained_24h_pct": ("Cyber incidents contained within 24 h, %", "Киберинциденты, закрытые за 24 ч, %"),
    "fraud_resources_blocked": ("Fraud resources blocked", "Заблокировано ресурсов мошенников"),
    "absence_without_leave": ("Absence without leave", "Отсутствие без уважительной причины"),
    "misconduct_with_public": ("Misconduct towards citizens", "Некорректное обращение с гражданами"),
    "abuse_of_authority": ("Abuse of authority", "Превышение полномочий"),
    "negligence_of_duty": ("Negligence of duty", "Ненадлежащее исполнение обязанностей"),
    "alcohol_on_duty": ("Alcohol on duty", "Опьянение на службе"),
    "traffic_violation": ("Traffic violation", "Нарушение ПДД"),
    "loss_of_weapon_or_id": ("Loss of weapon or ID", "Утрата оружия или удостоверения"),
    "ethics_violation": ("Ethics violation", "Нарушение этики"),
    "corruption_risk": ("Corruption risk", "Коррупционный риск"),
    "remark": ("Remark", "Замечание"),
    "reprimand": ("Reprimand", "Выговор"),
    "severe_reprimand": ("Severe reprimand", "Строгий выговор"),
    "incomplete_fitness_warning": ("Warning of incomplete fitness", "Предупреждение о неполном соответствии"),
    "demotion": ("Demotion", "Понижение в должности"),
    "dismissal": ("Dismissal", "Увольнение"),
    "no_sanction": ("No sanction", "Без взыскания"),
    "malware": ("Malware", "Вредоносное ПО"),
    "ddos": ("Denial of service", "Отказ в обслуживании"),
    "unauthorised_access": ("Unauthorised access", "Несанкционированный доступ"),
    "data_leak": ("Data leak", "Утечка данных"),
    "account_compromise": ("Account compromise", "Компрометация учётной записи"),
    "vulnerability_exploit": ("Vulnerability exploited", "Эксплуатация уязвимости"),
    "medium": ("Medium", "Средний"),
    "critical": ("Critical", "Критический"),
    "phone_number": ("Phone number", "Номер телефона"),
    "disciplinary_case": ("Disciplinary cases", "Дисциплинарные дела"),
    "cyber_incident": ("Cyber incidents", "Киберинциденты"),
    "fraud_resource_block": ("Blocked fraud resources", "Блокировки ресурсов мошенников"),
    "citizen_appeal": ("Citizens' appeals", "Обращения граждан"),
    "reception_session": ("Personal reception sessions", "Личный приём граждан"),
    # service to citizens: plan KPIs, appeal categories, channels and outcomes, leaders, area types
    "appeals_on_time_pct": ("Appeals answered on time, %", "Обращения, рассмотренные в срок, %"),
    "receptions_held_pct": ("Receptions held as scheduled, %", "Личные приёмы, проведённые по графику, %"),
    "arrival_within_standard_pct": ("102: on scene within the standard, %", "102: прибытие в пределах норматива, %"),
    "complaint": ("Complaint", "Жалоба"),
    "statement": ("Statement", "Заявление"),
    "proposal": ("Proposal", "Предложение"),
    "information_request": ("Request for information", "Запрос информации"),
    "office": ("In person", "Лично"),
    "post": ("Post", "Почта"),
    "online_portal": ("Online portal", "Интернет-приёмная"),
    "102": ("102", "102"),
    "hotline": ("Hotline", "Телефон доверия"),
    "upheld": ("Upheld", "Удовлетворено"),
    "partially_upheld": ("Partly upheld", "Удовлетворено частично"),
    "rejected": ("Rejected", "Отказано"),
    "explained": ("Explained", "Разъяснено"),
    "forwarded": ("Forwarded", "Направлено по подведомственности"),
    "withdrawn": ("Withdrawn", "Отозвано"),
    "minister": ("Minister", "Министр"),
    "deputy_minister": ("Deputy minister", "Заместитель министра"),
    "department_head": ("Head of department", "Начальник департамента"),
    "regional_chief": ("Regional chief", "Начальник ГУВД/УВД"),
    "district_chief": ("District chief", "Начальник РОВД"),
    "city": ("City", "Город"),
    "rural": ("Rural", "Сельская местность"),
    # --- holiday operations: code lists, datasets, measures and plan KPIs (Kazakhstan's "Law and Order" plan) ---
    "new_year_tree": ("New Year tree", "Новогодняя ёлка"),
    "concert": ("Concert", "Концерт"),
    "sports": ("Sports event", "Спортивное мероприятие"),
    "religious": ("Religious event", "Религиозное мероприятие"),
    "festival": ("Festival", "Народное гуляние"),
    "shopping_centre": ("Shopping centre, market", "Торговый центр, рынок"),
    "education": ("School, college", "Организация образования"),
    "culture_entertainment": ("Culture and leisure", "Объект культуры и досуга"),
    "hotel": ("Hotel", "Гостиница"),
    "healthcare": ("Healthcare", "Организация здравоохранения"),
    "no_violations": ("No violations", "Нарушений нет"),
    "violations_found": ("Violations found", "Выявлены нарушения"),
    "operation_suspended": ("Operation suspended", "Деятельность приостановлена"),
    "large_family": ("Large families", "Многодетные семьи"),
    "low_income": ("Low-income families", "Малообеспеченные семьи"),
    "disability": ("Families with a disabled member", "Семьи с лицами с инвалидностью"),
    "elderly_alone": ("Elderly living alone", "Одиноко проживающие пожилые"),
    "mass_event": ("Mass events", "Массовые мероприятия"),
    "pyrotechnics_seizure": ("Pyrotechnics raids", "Рейды по пиротехнике"),
    "fire_inspection": ("Fire-safety inspections", "Проверки пожарной безопасности"),
    "fire_alarm_installation": ("Fire alarm installations", "Установка пожарных извещателей"),
    "child_trip_escort": ("Children's group trips", "Выезды организованных групп детей"),
    "mass_events": ("Mass events", "Массовые мероприятия"),
    "mass_events_with_children": ("Mass events with children", "Мероприятия с участием детей"),
    "mass_events_secured": ("Mass events secured by police", "Мероприятия под охраной полиции"),
    "mass_events_round_the_clock": ("Events with round-the-clock duty", "Мероприятия с круглосуточным дежурством"),
    "police_assigned": ("Police assigned to events", "Задействовано сотрудников полиции"),
    "event_attendance": ("Attendance at events", "Участников мероприятий"),
    "event_incidents": ("Incidents at or near events", "Происшествия на мероприятиях и рядом"),
    "pyrotechnics_raids": ("Pyrotechnics raids", "Рейды по пиротехнике"),
    "retail_points_checked": ("Retail points checked", "Проверено торговых точек"),
    "pyrotechnics_units_seized": ("Pyrotechnics seized, items", "Изъято пиротехники, шт."),
    "pyrotechnics_boxes_seized": ("Pyrotechnics seized, boxes", "Изъято пиротехники, коробок"),
    "fire_inspections": ("Fire-safety inspections", "Проверки пожарной безопасности"),
    "fire_inspections_with_violations": ("Inspections with violations", "Проверки с нарушениями"),
    "fire_violations": ("Fire-safety violations found", "Выявлено нарушений пожарной безопасности"),
    "fire_alarm_sensors": ("Fire alarm sensors installed", "Установлено пожарных извещателей"),
    "fire_alarm_households": ("Homes fitted with fire alarms", "Домов с пожарными извещателями"),
    "child_trips": ("Children's group trips", "Выезды групп детей"),
    "child_trips_escorted": ("Trips escorted by police", "Выезды с сопровождением полиции"),
    "children_on_trips": ("Children on the trips", "Детей в выездах"),
    "highway_road_incidents": ("Road incidents on highways", "ДТП на трассах"),
    "highway_road_deaths": ("Road deaths on highways", "Погибшие в ДТП на трассах"),
    "highway_ksi": ("Killed or seriously injured on highways", "Погибшие и тяжелораненые на трассах"),
    "street_crimes": ("Crimes in streets and public places", "Преступления на улицах и в общественных местах"),
    "child_trips_escorted_pct": ("Children's trips escorted, %", "Выезды детей с сопровождением, %"),
}

WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "ru": ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс")}
MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
}
MONTHS_NOMINATIVE_RU = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
DASH = "–"


def t(key: str, lang: Lang, **values: object) -> str:
    en, ru = STRINGS[key]
    text = ru if lang == "ru" else en
    return text.format(**values) if values else text


def code(value: str | None, lang: Lang) -> str:
    """A warehouse code (status, offence, cause, scheme ...) in the reader's language."""
    if value is None or value != value:  # None or NaN
        value = "unknown"
    names = CODES.get(str(value))
    if names is None:
        return str(value).replace("_", " ").capitalize()
    return names[1] if lang == "ru" else names[0]


def missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def num(value: float | int | None, lang: Lang, digits: int = 0) -> str:
    """1234567.8 -> '1,234,568' (en) or '1 234 568' (ru, non-breaking space); None -> a dash."""
    if missing(value):
        return DASH
    # + 0.0 turns the -0.0 of a small negative change into 0.0: a change that rounds to nothing has no sign
    text = f"{round(float(value), digits) + 0.0:,.{digits}f}"  # type: ignore[arg-type]  # not None: missing() above
    if lang == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def pct(value: float | None, lang: Lang, digits: int = 1, signed: bool = False) -> str:
    if missing(value):
        return DASH
    sign = "+" if signed and round(value, digits) > 0 else ""  # type: ignore[arg-type]  # not None: missing()
    return f"{sign}{num(value, lang, digits)}{chr(160) + '%' if lang == 'ru' else '%'}"


def points(value: float | None, lang: Lang, digits: int = 1) -> str:
    """A change of a percentage, signed: '+0.4 pp' / '+0,4 п.п.'."""
    if value is None or missing(value):
        return DASH
    sign = "+" if round(value, digits) > 0 else ""
    return f"{sign}{num(value, lang, digits)}\u00a0{'п.п.' if lang == 'ru' else 'pp'}"


def date(value: dt.date | None, lang: Lang) -> str:
    if value is None:
        return DASH
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


def month(value: dt.date, lang: Lang) -> str:
    names = MONTHS_NOMINATIVE_RU if lang == "ru" else MONTHS["en"]
    return f"{names[value.month - 1]} {value.year}"


def datetime(value: dt.datetime | None, lang: Lang, tz: str) -> str:
    """A timestamp in the plan's time zone (naive values are taken as already local)."""
    if value is None:
        return DASH
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(tz))
    return f"{date(value.date(), lang)}, {value:%H:%M}"


def holiday(period_id: str, lang: Lang) -> str:
    """A holiday or mass-event period (its id ends in the year) by its name in the catalogue."""
    return code(re.sub(r"_\d{4}$", "", period_id), lang)


def metric(name: str, lang: Lang) -> str:
    """A KPI of the e-mails' movers: a code, or "<kind>:<code>" for one category of a CompStat mart."""
    kind, _, value = name.rpartition(":")
    if not kind:
        return code(name, lang)
    label = code(value, lang)
    return t(f"metric_{kind}", lang, name=label, lower=label.lower())


# big numbers: thousands, millions, billions in the reader's language
SCALES = ((1e9, ("bn", "млрд")), (1e6, ("m", "млн")), (1e3, ("k", "тыс.")))


def compact(value: float | None, lang: Lang, digits: int = 1, smallest: float = 1e6) -> str:
    """1 275 000 000 -> '1.3 bn' / '1,3 млрд'; values below `smallest` in full ('18 270')."""
    if value is None or missing(value):
        return DASH
    for size, names in SCALES:
        if size >= smallest and abs(value) >= size:
            return f"{num(value / size, lang, digits)}\u00a0{names[1] if lang == 'ru' else names[0]}"
    return num(value, lang)


def plan_value(value: float | None, unit: str, lang: Lang) -> str:
    """A plan target's value: percentages with one decimal, amounts in millions or billions, counts in full."""
    if unit == "percent":
        return pct(value, lang)
    return compact(value, lang)


def ticks(top: float, lang: Lang, count: int = 5, bottom: float = 0.0) -> tuple[list[float], list[str]]:
    """Round axis ticks from `bottom` to at least `top`, labelled in тыс./млн/млрд (k/m/bn) where they are
    thousands or more: a chart's axis reads as the rest of the page."""
    span = max(top - bottom, 1e-9)
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(bottom / step) * step
    values = [first + i * step for i in range(int(math.ceil((top - first) / step)) + 1)]
    biggest = max(abs(v) for v in values)
    size, names = next(((s, n) for s, n in SCALES if biggest >= s * 10 or (s >= 1e6 and biggest >= s)), (1, None))
    digits = max(0, -math.floor(math.log10(step / size) + 1e-9)) if step / size < 1 else 0
    if names is None:
        digits = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
        return values, [num(v, lang, digits) for v in values]
    suffix = names[1] if lang == "ru" else names[0]
    return values, [f"{num(v / size, lang, digits)}\u00a0{suffix}" if v else "0" for v in values]


# Latin-script words a Russian page or e-mail may show: names of systems and standard abbreviations. A code with
# a hyphen (KG-GB, CAM-00017, build ids) is not a word; a raw code (bad_timestamp) or a unit (30d, 5k) is.
LATIN_ALLOWED = frozenset(
    {"SafeLake", "SQL", "CompStat", "MTTR", "MTBF", "SSO", "CSV", "Parquet", "SMS", "KPI", "SELECT", "DuckDB"}
    | {"marts", "analytics", "meta", "build", "make", "up", "safelake", "users", "demo", "add", "ingest"}
    | {"Language", "English"}  # the language switch names itself in both languages
    | {"OCHA", "HDX", "CC", "BY", "IGO", "geokz"}  # maps: the boundaries' sources and licences
)
_WORD = re.compile(r"(?<![\w\-.@/`])\d*[.,]?\d*[A-Za-z][A-Za-z_']*(?![\w\-.@/`])")


def latin_words(text: str) -> set[str]:
    """The Latin-script words of a text that are not in LATIN_ALLOWED (for the Russian-only tests)."""
    return {w for w in _WORD.findall(text) if w not in LATIN_ALLOWED}
