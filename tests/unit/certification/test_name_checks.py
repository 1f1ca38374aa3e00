"""The count of names a client checked against a certificate, over a sliding window."""

from services.certification.api.certificates import NameChecks


def test_a_name_check_is_allowed_again_once_the_first_of_the_window_ages_out() -> None:
    checks = NameChecks(limit=2, window=60.0)
    assert checks.wait_before("client", "S1", now=0.0) == 0
    assert checks.wait_before("client", "S1", now=10.0) == 0
    assert checks.wait_before("client", "S1", now=20.0) == 40.0  # refused: not counted
    assert checks.wait_before("client", "S1", now=60.5) == 0  # the first aged out
    assert checks.wait_before("client", "S1", now=61.0) == 9.0


def test_clients_and_certificates_are_counted_apart() -> None:
    checks = NameChecks(limit=1, window=60.0)
    assert checks.wait_before("client", "S1", now=0.0) == 0
    assert checks.wait_before("client", "S2", now=1.0) == 0
    assert checks.wait_before("another", "S1", now=2.0) == 0
    assert checks.wait_before("client", "S1", now=3.0) == 57.0
