"""Reading what wrk reports: the Lua script's result line, or wrk's own summary text."""

import pytest
from bench.wrk import RESULT_MARKER, THREAD_DONE_MARKER, lua_script, parse_wrk_output

pytestmark = pytest.mark.unit

RESULT_LINE = (
    RESULT_MARKER + '{"requests":21000,"duration_us":10000000,"errors_connect":1,"errors_read":2,'
    '"errors_write":3,"errors_status":7,"errors_timeout":4,'
    '"p50_us":4200.0,"p95_us":9100.5,"p99_us":14800.0}'
)

SUMMARY_TEXT = """\
Running 10s test @ http://127.0.0.1:8000/register
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.21ms    1.23ms  1.02s    90.00%
    Req/Sec     1.93k   120.00     2.10k    80.00%
  Latency Distribution
     50%  812.00us
     75%    5.50ms
     90%    6.50ms
     99%    1.20s
  19300 requests in 10.00s, 3.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 5
  Non-2xx or 3xx responses: 12
Requests/sec:   1930.00
Transfer/sec:    300.00KB
"""


def test_the_result_line_gives_throughput_latency_and_non_2xx():
    result = parse_wrk_output(f"Running 10s test\n{RESULT_LINE}\n")

    assert result.requests == 21000
    assert result.requests_per_s == pytest.approx(2100)
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == pytest.approx((4.2, 9.1005, 14.8))
    assert result.non_2xx == 7
    assert result.answered_2xx == 21000 - 7


def test_socket_errors_of_every_kind_are_added_up():
    assert parse_wrk_output(RESULT_LINE).socket_errors == 1 + 2 + 3 + 4


def test_without_the_result_line_the_summary_text_is_read_in_milliseconds():
    result = parse_wrk_output(SUMMARY_TEXT)

    assert result.requests == 19300
    assert result.duration_s == pytest.approx(10.0)
    assert result.p50_ms == pytest.approx(0.812)
    assert result.p99_ms == pytest.approx(1200.0)
    assert result.non_2xx == 12
    assert result.socket_errors == 7


def test_the_summary_text_has_no_p95():
    assert parse_wrk_output(SUMMARY_TEXT).p95_ms is None


def test_a_summary_without_errors_counts_none():
    clean = "\n".join(
        line for line in SUMMARY_TEXT.splitlines() if "errors" not in line and "Non-2xx" not in line
    )

    result = parse_wrk_output(clean)

    assert (result.non_2xx, result.socket_errors) == (0, 0)


def test_the_result_line_wins_over_the_summary_text():
    assert parse_wrk_output(SUMMARY_TEXT + RESULT_LINE + "\n").requests == 21000


def test_output_without_a_request_count_is_rejected():
    with pytest.raises(ValueError, match="no request count"):
        parse_wrk_output("unable to connect to 127.0.0.1:8000 Connection refused\n")


def test_a_timed_run_does_not_read_response_bodies():
    assert "function response" not in lua_script("btoken")


def test_a_run_bounded_by_count_stops_each_thread_and_says_so():
    script = lua_script("btoken", requests_per_thread=500)

    assert "local budget = 500" in script
    assert "wrk.thread:stop()" in script
    assert THREAD_DONE_MARKER in script


def test_the_script_carries_the_run_token_into_every_address():
    assert 'local token = "btoken"' in lua_script("btoken")
