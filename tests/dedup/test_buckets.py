"""The candidate pairs of the LSH bands: read back as the distinct pairs of every band file, sorted,
however many bands found a pair and whatever order the files fold in."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from curation.dedup.buckets import read_pairs

PAIR = st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))


@settings(max_examples=60, deadline=None)
@given(bands=st.lists(st.lists(PAIR, max_size=30), max_size=12), exact=st.lists(PAIR, max_size=5))
def test_the_pairs_read_back_are_every_band_files_distinct_pairs_in_order(tmp_path_factory, bands, exact):
    folder = tmp_path_factory.mktemp("pairs")
    for number, pairs in enumerate(bands):
        np.save(folder / f"band-{number:03d}.npy", np.array(pairs, np.uint64).reshape(-1, 2))
    np.save(folder / "band-exact.npy", np.array(exact, np.uint64).reshape(-1, 2))
    every = [pair for pairs in bands for pair in pairs]
    assert read_pairs(folder, exact=False).tolist() == [list(pair) for pair in sorted(set(every))]
    assert read_pairs(folder, exact=True).tolist() == [list(pair) for pair in sorted(set(exact))]
    assert read_pairs(folder, exact=False).dtype == np.uint64
