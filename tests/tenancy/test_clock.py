"""The application's one clock: today is the Europe/London date; tests set it for one
test or for a whole run (and the processes the run starts)."""

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from epep.tenancy import clock

LONDON = ZoneInfo("Europe/London")


def test_today_is_the_london_date_not_the_utc_one():
    moment = datetime(2026, 3, 30, 0, 30, tzinfo=LONDON)  # Monday 00:30 BST, Sunday in UTC
    with clock.travel(moment):
        assert clock.now().astimezone(UTC).date() == date(2026, 3, 29)
        assert clock.today() == date(2026, 3, 30)


def test_a_date_alone_is_noon_in_london_and_the_clock_runs_on():
    with clock.travel(date(2028, 2, 29)):
        first = clock.now()
        assert first.astimezone(LONDON).replace(microsecond=0, second=0) == datetime(
            2028, 2, 29, 12, 0, tzinfo=LONDON
        )
        time.sleep(0.01)
        assert clock.now() > first
        assert clock.today() == date(2028, 2, 29)


def test_travel_ends_with_its_block_and_nests():
    before = clock.today()
    with clock.travel(date(2027, 3, 31)):
        with clock.travel(date(2026, 12, 31)):
            assert clock.today() == date(2026, 12, 31)
        assert clock.today() == date(2027, 3, 31)
    assert clock.today() == before


def test_the_run_setting_gives_a_later_process_the_same_clock(settings):
    value = clock.setting_for(date(2026, 9, 1))
    settings.EPEP_TEST_CLOCK = value
    # A worker started a little later parses the same value: same offset, same moment.
    offset = clock._parse_setting(value)
    assert offset == clock._parse_setting(value)
    assert abs(clock.now() - (timezone.now() + offset)) < timedelta(seconds=1)
    assert clock.today() == date(2026, 9, 1)
    settings.EPEP_TEST_CLOCK = "2027-08-31"  # a date alone, typed by hand
    assert clock.today() == date(2027, 8, 31)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        with clock.travel(datetime(2026, 9, 1, 9, 0)):
            pass
