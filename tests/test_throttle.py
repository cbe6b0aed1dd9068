from bot.throttle import QuestionLimiter


def test_sliding_window_per_user() -> None:
    now = [0.0]
    limiter = QuestionLimiter(3, clock=lambda: now[0])
    assert [limiter.wait_time(1) for _ in range(3)] == [0, 0, 0]
    assert limiter.wait_time(1) == 60
    assert limiter.wait_time(2) == 0  # other users are not affected
    now[0] = 59.5
    assert limiter.wait_time(1) == 0.5
    now[0] = 60.0
    assert limiter.wait_time(1) == 0
