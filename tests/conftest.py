from hypothesis import HealthCheck, settings

# Every property runs at least 200 examples, locally and in CI.
settings.register_profile(
    "skvanilla",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("skvanilla")


def pytest_terminal_summary(terminalreporter):
    from test_gradients import WORST

    if WORST["examples"]:
        terminalreporter.write_line(
            f"backprop vs finite differences: worst relative error {WORST['error']:.3e} "
            f"over {WORST['examples']} examples"
        )
