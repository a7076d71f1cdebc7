"""One of each: whether every need can be met by a different offer.

Two questions in the register take this shape: may these people approve an action (each set
of roles a rule needs met by a different person, `index.Index.approves`), and does a typed name
match a customer's (each word typed matched by a different word of the name,
`finding.find_cases`). Trying every assignment in turn takes time exponential in the needs, so
a policy file or a typed name with many of them could stall a check; this is bipartite
matching by augmenting paths (Kuhn's algorithm, searched breadth first), in time polynomial in
the needs and offers and without recursion.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import TypeVar

Need = TypeVar("Need")
Offer = TypeVar("Offer")


def match_all(
    needs: Sequence[Need], offers: Sequence[Offer], fits: Callable[[Need, Offer], bool]
) -> bool:
    """Whether each of `needs` can be met by a different one of `offers` (`fits(need, offer)`
    says which offers meet which need)."""
    if len(needs) > len(offers):
        return False
    can = [[j for j, offer in enumerate(offers) if fits(need, offer)] for need in needs]
    holder: dict[int, int] = {}  # offer -> the need it meets
    held: dict[int, int] = {}  # need -> the offer meeting it
    for start in range(len(needs)):
        reached_from: dict[int, int] = {}  # offer -> the need whose search reached it
        queue = deque([start])
        free: int | None = None
        while queue and free is None:
            need = queue.popleft()
            for offer in can[need]:
                if offer in reached_from:
                    continue
                reached_from[offer] = need
                if offer not in holder:
                    free = offer
                    break
                queue.append(holder[offer])
        if free is None:
            return False
        # Shift each need on the path to the offer that reached it, ending at `start`.
        offer = free
        while True:
            need = reached_from[offer]
            previous = held.get(need)
            holder[offer], held[need] = need, offer
            if need == start:
                break
            assert previous is not None
            offer = previous
    return True
