"""One date format on every page (the admin's fields, lists and our own templates alike):
2026-12-03 and 2026-12-03 07:30, instead of English's "Dec. 3, 2026, 7:30 a.m."."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
