"""Percentiles as the benchmark computes them: linear interpolation between ranks."""

import pytest
from bench.stats import median, percentile

pytestmark = pytest.mark.unit


def test_percentiles_interpolate_between_neighbouring_values():
    values = [10.0, 20.0, 30.0, 40.0]

    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 99) == pytest.approx(39.7)


def test_the_extremes_are_the_smallest_and_largest_value():
    values = [3.0, 1.0, 2.0]

    assert (percentile(values, 0), percentile(values, 100)) == (1.0, 3.0)


def test_order_of_the_input_does_not_matter():
    assert median([5.0, 1.0, 3.0]) == median([1.0, 3.0, 5.0]) == 3.0


def test_a_single_value_is_every_percentile():
    assert percentile([7.0], 99) == 7.0


def test_no_values_have_no_percentile():
    assert percentile([], 50) is None


def test_a_percentile_outside_0_to_100_is_refused():
    with pytest.raises(ValueError):
        percentile([1.0], 101)
