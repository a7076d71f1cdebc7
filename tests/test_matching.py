"""One of each (`register/matching.py`): the same answer as trying every assignment, and in
time that does not explode with a policy file or a name that has many needs."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from managed_contact.register.matching import match_all


def by_trying_everything(fits: list[list[bool]], offers: int) -> bool:
    needs = len(fits)
    return any(
        all(fits[i][j] for i, j in enumerate(chosen))
        for chosen in itertools.permutations(range(offers), needs)
    )


@given(
    st.integers(min_value=0, max_value=5).flatmap(
        lambda offers: st.tuples(
            st.just(offers),
            st.lists(st.lists(st.booleans(), min_size=offers, max_size=offers), max_size=5),
        )
    )
)
def test_the_same_answer_as_trying_every_assignment(case: tuple[int, list[list[bool]]]) -> None:
    offers, fits = case
    found = match_all(range(len(fits)), range(offers), lambda i, j: fits[i][j])
    assert found == by_trying_everything(fits, offers)


def test_a_path_that_moves_earlier_needs_to_other_offers() -> None:
    # Need 0 can take A or B; need 1 only A; need 2 only B or C: taking A for need 0 first must
    # be undone for need 1, and B then moves on to C.
    fits = {0: {"A", "B"}, 1: {"A"}, 2: {"B", "C"}}
    assert match_all([0, 1, 2], ["A", "B", "C"], lambda n, o: o in fits[n])
    assert not match_all([0, 1, 2], ["A", "B"], lambda n, o: o in fits[n])


def test_many_needs_that_cannot_all_be_met_are_answered_at_once() -> None:
    """2,000 needs that every one of 1,999 offers meets: trying every assignment would never
    end, and a recursive search would overflow the stack."""
    assert not match_all(range(2000), range(1999), lambda n, o: True)
    assert match_all(range(2000), range(2000), lambda n, o: True)
    # One offer fits no need at all: counted out without search.
    assert not match_all(range(300), range(300), lambda n, o: o != 0)
