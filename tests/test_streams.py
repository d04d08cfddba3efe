"""Tests for the random-number streams (sim.streams)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.streams import SOURCES, Stream, Streams

BLOCK = 1024  # the documented block size of Stream's buffered draws


def head(stream: Stream, n: int = 20) -> list[float]:
    return [stream.uniform() for _ in range(n)]


def generator(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def kinds(seed: int) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """The documented layout: uniforms, exponentials and normals each come from a child
    generator spawned (in that order) from the stream's generator."""
    uniforms, exponentials, normals = generator(seed).spawn(3)
    return uniforms, exponentials, normals


# ----------------------------------------------------------------------------- Streams
def test_same_root_and_replication_give_identical_sequences() -> None:
    a, b = Streams(42, 3), Streams(42, 3)
    for source in SOURCES:
        sa, sb = getattr(a, source), getattr(b, source)
        assert head(sa) == head(sb)
        assert [sa.exponential() for _ in range(5)] == [sb.exponential() for _ in range(5)]
        assert [sa.normal() for _ in range(5)] == [sb.normal() for _ in range(5)]
        assert sa.rng.integers(0, 2**62, 4).tolist() == sb.rng.integers(0, 2**62, 4).tolist()


def test_replications_roots_and_sources_give_different_sequences() -> None:
    firsts = {}
    for root in (0, 1, 2018):
        for replication in (0, 1, 7):
            streams = Streams(root, replication)
            for source in SOURCES:
                firsts[(root, replication, source)] = tuple(head(getattr(streams, source), 4))
    # every (root, replication, source) has its own sequence
    assert len(set(firsts.values())) == len(firsts) == 3 * 3 * len(SOURCES)


def test_streams_are_derived_from_root_replication_and_source_index() -> None:
    """The documented derivation: SeedSequence(root, spawn_key=(replication, source index))."""
    streams = Streams(2018, 5)
    for index, source in enumerate(SOURCES):
        seq = np.random.SeedSequence(2018, spawn_key=(5, index))
        uniforms = np.random.Generator(np.random.PCG64(seq)).spawn(3)[0]
        expected = uniforms.random(BLOCK)[:10]
        assert head(getattr(streams, source), 10) == expected.tolist()


def test_a_source_does_not_depend_on_draws_from_another_source() -> None:
    busy = Streams(9, 2)
    for _ in range(1000):
        busy.arrivals.uniform()
        busy.arrivals.exponential()
    busy.arrivals.rng.gamma(2.0, size=50)
    for _ in range(3000):
        busy.admission.normal()
    fresh = Streams(9, 2)
    assert head(busy.certification, 2500) == head(fresh.certification, 2500)
    assert [busy.lifecycle.exponential() for _ in range(100)] == [
        fresh.lifecycle.exponential() for _ in range(100)
    ]


@pytest.mark.parametrize(("root", "replication"), [(-1, 0), (0, -1), (-5, -5)])
def test_negative_seeds_are_rejected(root: int, replication: int) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        Streams(root, replication)


def test_large_seeds_are_accepted() -> None:
    a, b = Streams(2**64 + 1, 10**6), Streams(2**64 + 1, 10**6)
    assert head(a.funding) == head(b.funding)


def test_unknown_source_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no random stream named 'weather'"):
        Streams(0, 0).weather  # noqa: B018


# ----------------------------------------------------------------------------- Stream blocks
@pytest.mark.parametrize("n", [1, 5, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17])
def test_uniforms_come_in_blocks_of_the_generator(n: int) -> None:
    stream, reference = Stream(generator(77)), kinds(77)[0]
    blocks = np.concatenate([reference.random(BLOCK) for _ in range(n // BLOCK + 1)])
    got = [stream.uniform() for _ in range(n)]
    assert got == blocks[:n].tolist()
    assert all(isinstance(x, float) for x in got[:3])


@pytest.mark.parametrize("n", [1, BLOCK, 2 * BLOCK + 3])
def test_exponentials_come_in_blocks_of_the_generator(n: int) -> None:
    stream, reference = Stream(generator(78)), kinds(78)[1]
    blocks = np.concatenate([reference.standard_exponential(BLOCK) for _ in range(n // BLOCK + 1)])
    assert [stream.exponential() for _ in range(n)] == blocks[:n].tolist()


@pytest.mark.parametrize("n", [1, BLOCK, 2 * BLOCK + 3])
def test_normals_come_in_blocks_of_the_generator(n: int) -> None:
    stream, reference = Stream(generator(79)), kinds(79)[2]
    blocks = np.concatenate([reference.standard_normal(BLOCK) for _ in range(n // BLOCK + 1)])
    assert [stream.normal() for _ in range(n)] == blocks[:n].tolist()


def test_each_kind_draws_its_block_when_first_needed() -> None:
    """Mixed use: each kind reads its own child generator, whatever the order of use."""
    stream = Stream(generator(80))
    e = stream.exponential()
    u = [stream.uniform() for _ in range(3)]
    stream.rng.random(10)  # the parent generator's own draws do not shift the kinds
    n = stream.normal()
    e2 = stream.exponential()
    uniforms, exponentials, normals = kinds(80)
    e_block = exponentials.standard_exponential(BLOCK)
    u_block = uniforms.random(BLOCK)
    n_block = normals.standard_normal(BLOCK)
    assert (e, e2) == (e_block[0], e_block[1])
    assert u == u_block[:3].tolist()
    assert n == n_block[0]


def test_bernoulli_compares_one_uniform_with_p() -> None:
    stream, reference = Stream(generator(81)), kinds(81)[0]
    us = reference.random(BLOCK)
    ps = np.linspace(0.0, 1.0, 200)
    got = [stream.bernoulli(p) for p in ps]
    assert got == [bool(u < p) for u, p in zip(us, ps, strict=False)]
    assert stream.bernoulli(0.0) is False and stream.bernoulli(1.0) is True


def test_uniform_draws_are_in_the_unit_interval() -> None:
    stream = Stream(generator(82))
    xs = np.array([stream.uniform() for _ in range(5 * BLOCK)])
    assert xs.min() >= 0.0 and xs.max() < 1.0
    # mean within 5 standard errors (sd of U(0,1) is 1/sqrt(12))
    assert abs(xs.mean() - 0.5) <= 5 / np.sqrt(12 * xs.size)


def test_one_kinds_sequence_does_not_depend_on_another_kinds_use() -> None:
    few, many = Stream(generator(83)), Stream(generator(83))
    few.exponential()
    many.exponential()
    u_few = [few.uniform() for _ in range(BLOCK)]
    u_many = [many.uniform() for _ in range(BLOCK)]
    for _ in range(2 * BLOCK):  # a second and third block of exponentials
        many.exponential()
    u_few += [few.uniform() for _ in range(10)]
    u_many += [many.uniform() for _ in range(10)]
    assert u_few == u_many


# ----------------------------------------------------------------------------- keyed draws
def test_keyed_draws_depend_on_the_key_alone() -> None:
    a, b = Streams(5, 1), Streams(5, 1)
    for i in range(100):  # other draws in between change nothing
        a.keyed.uniform(a.keyed.key(9), i)
        a.certification.uniform()
    round_a, round_b = a.keyed.key(1, 3), b.keyed.key(1, 3)
    assert round_a == round_b
    assert [a.keyed.uniform(round_a, firm) for firm in range(50)] == [
        b.keyed.uniform(round_b, firm) for firm in range(50)
    ]
    assert a.keyed.normal(a.keyed.key(2, 1), 7) == b.keyed.normal(b.keyed.key(2, 1), 7)
    assert a.keyed.key(1, 2) != a.keyed.key(2, 1)
    assert a.keyed.uniform(round_a, 2) != a.keyed.uniform(round_a, 3)
    assert Streams(5, 2).keyed.key(1, 3) != round_a


def test_keyed_uniforms_and_normals_have_the_right_moments() -> None:
    keyed = Streams(3, 0).keyed
    u = np.array([keyed.uniform(keyed.key(4), i) for i in range(20000)])
    assert u.min() > 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 5 / np.sqrt(12 * u.size)
    z = np.array([keyed.normal(keyed.key(5), i) for i in range(20000)])
    assert abs(z.mean()) < 5 / np.sqrt(z.size)
    assert abs(z.std() - 1) < 0.03
