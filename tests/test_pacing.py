"""The pacer: what it learns from 429s and how it spaces requests, on a fake clock (and real threads)."""

from __future__ import annotations

import itertools
import math
import threading

import pytest

from pulumi_apikeys._pacing import (
    GROWTH,
    NOTICE_EVERY_SECONDS,
    PROBE_INITIAL_SECONDS,
    PaceModel,
    Pacer,
    PaceTimeout,
    pacer_for,
)

INF = float("inf")


class Bucket:
    """A server's token bucket: ``burst`` tokens refilled continuously over ``window`` seconds."""

    def __init__(self, burst: int, window: float) -> None:
        self.burst, self.rate, self.tokens, self.updated = burst, burst / window, float(burst), 0.0

    def admits(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def drive(
    model: PaceModel, bucket: Bucket, requests: int, *, start: float = 0.0, retry_after: bool = False
) -> tuple[float, int]:
    """Sends ``requests`` requests one after another through ``model`` to ``bucket``; (end, 429s).

    ``retry_after``: each 429 says, as the emulator's does, the whole seconds until a token is back.
    """
    now, done, refused = start, 0, 0
    while done < requests:
        now += model.wait(now)
        permit = model.send(now)
        if bucket.admits(now):
            model.succeeded(permit, now)
            done += 1
        else:
            told = float(math.ceil((1 - bucket.tokens) / bucket.rate)) if retry_after else None
            model.throttled_by(permit, now, told)
            refused += 1
    return now, refused


def throttle_once(model: PaceModel, now: float = 0.0) -> None:
    model.throttled_by(model.send(now), now, None)


def test_nothing_is_paced_before_the_api_throttles():
    model = PaceModel()
    for _ in range(100):
        assert model.wait(0.0) == 0.0
        model.succeeded(model.send(0.0), 0.0)
    assert not model.throttled


def test_the_users_limit_spaces_requests_from_the_first():
    model = PaceModel()
    model.send(10.0, floor=2.0)
    assert model.wait(10.0) == 2.0
    assert model.wait(12.0) == 0.0


def test_the_first_429_holds_every_request_for_the_first_probe():
    model = PaceModel()
    throttle_once(model, 5.0)
    assert model.throttled
    assert model.wait(5.0) == PROBE_INITIAL_SECONDS


def test_probing_waits_double_while_the_api_keeps_refusing():
    model = PaceModel()
    throttle_once(model, 0.0)
    now, waits = 0.0, []
    for _ in range(3):
        now += model.wait(now)
        waits.append(model.throttled_by(model.send(now), now, None))
    assert waits == [2 * PROBE_INITIAL_SECONDS, 4 * PROBE_INITIAL_SECONDS, 8 * PROBE_INITIAL_SECONDS]


def test_after_the_first_success_what_refilled_is_drained_one_request_at_a_time():
    model = PaceModel()
    throttle_once(model, 0.0)
    permit = model.send(1.0)
    assert model.wait(1.0) == INF  # the probe is in flight: nothing else goes
    model.succeeded(permit, 1.1)
    assert model.wait(1.1) == 0.0  # not measured yet: take what the bucket refilled, now


def test_the_rate_is_what_was_admitted_between_two_429s():
    model = PaceModel()
    throttle_once(model, 0.0)
    for at in (1.0, 1.1, 1.2):
        model.succeeded(model.send(at), at)
    model.throttled_by(model.send(3.0), 3.0, None)
    assert model.interval == pytest.approx(1.0)  # 3 admitted in the 3 s between the two 429s
    assert model.rate_per_minute == pytest.approx(60.0)
    assert model.wait(3.0) == pytest.approx(1.0)


@pytest.mark.parametrize(("burst", "window"), [(7, 6.0), (7, 60.0), (60, 60.0), (3, 1.0)])
def test_the_rate_learned_is_the_buckets_own(burst, window):
    model, bucket = PaceModel(), Bucket(burst, window)
    drive(model, bucket, 10 * burst)
    assert model.measured == pytest.approx(window / burst, rel=0.05)
    # Between measurements the interval is probed downwards, a little faster than the bucket refills.
    assert model.interval <= model.measured


@pytest.mark.parametrize(("burst", "window", "requests"), [(7, 6.0, 30), (7, 6.0, 100), (7, 60.0, 100)])
def test_a_fleet_takes_within_a_tenth_of_the_buckets_minimum_with_fewer_429s_than_requests(
    burst, window, requests
):
    end, refused = drive(PaceModel(), Bucket(burst, window), requests)
    minimum = (requests - burst) * window / burst
    assert end <= 1.1 * minimum
    assert refused < requests / 3


def test_a_429_sent_before_the_lesson_teaches_nothing():
    model = PaceModel()
    early = model.send(0.0)  # in flight when the first 429 comes back
    throttle_once(model, 0.0)
    assert model.throttled_by(early, 0.1, None) == pytest.approx(PROBE_INITIAL_SECONDS - 0.1)
    assert model.wait(0.1) == pytest.approx(PROBE_INITIAL_SECONDS - 0.1)  # the probe did not double


def test_a_retry_after_is_waited_out_by_every_request():
    model = PaceModel()
    assert model.throttled_by(model.send(0.0), 0.0, 7.5) == 7.5
    assert model.wait(0.0) == 7.5


def test_a_retry_after_sent_before_the_lesson_still_holds_everyone():
    model = PaceModel()
    early = model.send(0.0)
    throttle_once(model, 0.0)
    model.throttled_by(early, 0.1, 5.0)
    assert model.wait(0.1) == pytest.approx(5.0)


def test_what_follows_a_retry_after_is_paced_not_sent_as_a_burst():
    model = PaceModel()
    _, refused = drive(model, Bucket(7, 6.0), 60, retry_after=True)
    assert model.measured == pytest.approx(6.0 / 7, rel=0.05)
    assert refused < 60 / 3


def test_an_api_that_stops_throttling_is_probed_back_to_full_speed():
    model = PaceModel()
    throttle_once(model, 0.0)
    model.succeeded(model.send(1.0), 1.0)
    model.throttled_by(model.send(1.5), 1.5, None)
    assert model.interval == pytest.approx(1.5)
    now, shrinking = 1.5, []
    while model.throttled:
        now += model.wait(now)
        model.succeeded(model.send(now), now)
        shrinking.append(model.interval)
    assert shrinking[:3] == pytest.approx([1.5 * (1 - GROWTH) ** n for n in (1, 2, 3)])
    assert model.wait(now) == 0.0
    assert len(shrinking) < 200


def test_a_rate_that_drops_is_followed():
    model = PaceModel()
    drive(model, Bucket(7, 6.0), 60)
    drive(model, Bucket(7, 60.0), 80, start=1000.0)  # another process now shares the credential
    assert model.measured == pytest.approx(60.0 / 7, rel=0.05)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_slot_past_the_deadline_fails_at_once_without_waiting():
    clock = FakeClock()
    pacer = Pacer("test", clock=clock, sleep=clock.sleep, notice=lambda line: None)
    pacer.throttled_by(pacer.acquire(), server_wait=30.0)
    with pytest.raises(PaceTimeout) as caught:
        pacer.acquire(deadline=clock.now + 10)
    assert caught.value.wait == 30.0
    assert clock.sleeps == []


def test_a_throttle_is_announced_once_per_notice_period():
    clock = FakeClock()
    lines: list[str] = []
    pacer = Pacer("https://api.example.test/v1", clock=clock, sleep=clock.sleep, notice=lines.append)
    pacer.throttled_by(pacer.acquire(), server_wait=None)
    for _ in range(4):  # probes of 1, 2, 4 and 8 s: 7 s in all before the last, under the period
        pacer.throttled_by(pacer.acquire(), server_wait=None)
    assert lines == [
        "pulumi-apikeys: https://api.example.test/v1: the API is rate limiting requests (HTTP 429); "
        "pacing them from now on"
    ]
    pacer.acquire()  # a 16 s wait, 15 s after the first line: announced
    assert clock.now - 100.0 > NOTICE_EVERY_SECONDS
    assert lines[1] == (
        "pulumi-apikeys: https://api.example.test/v1: the API is rate limiting requests; "
        "waiting 16.0 s for the next slot (a rate still being measured)"
    )


def test_threads_sharing_a_pacer_are_spaced_at_its_interval():
    pacer = Pacer("test", notice=lambda line: None)
    model = pacer.model
    model.throttled, model.interval = True, 0.02
    sent: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            permit = pacer.acquire()
            with lock:
                sent.append(permit.sent_at)
            pacer.failed(permit)  # releases the slot, leaves the interval alone

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent.sort()
    assert len(sent) == 20
    assert all(later - earlier >= 0.02 for earlier, later in itertools.pairwise(sent))


def test_waiting_requests_are_served_in_the_order_they_asked():
    pacer = Pacer("test", notice=lambda line: None)
    pacer.throttled_by(pacer.acquire(), server_wait=0.3)  # everyone waits 0.3 s
    served: dict[int, float] = {}

    def request(number: int) -> None:
        permit = pacer.acquire()
        served[number] = permit.sent_at  # taken under the pacer's lock, in the order it served them
        pacer.failed(permit)

    threads = []
    for number in range(4):
        thread = threading.Thread(target=request, args=(number,))
        thread.start()
        threads.append(thread)
        while pacer.waiting < number + 1 and number not in served:  # queued before the next starts
            threading.Event().wait(0.001)
    for thread in threads:
        thread.join()
    assert sorted(served, key=served.__getitem__) == [0, 1, 2, 3]


def test_one_pacer_per_api_and_credential():
    assert pacer_for("https://a.test/v1", "k1") is pacer_for("https://a.test/v1", "k1")
    assert pacer_for("https://a.test/v1", "k1") is not pacer_for("https://a.test/v1", "k2")
    assert pacer_for("https://a.test/v1", "k1") is not pacer_for("https://b.test/v1", "k1")
