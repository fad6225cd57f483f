"""The one pseudo-random generator: SplitMix64, with rejection sampling for ranges.

Every random choice of a run (select's poll order, map iteration offsets) draws from one
generator per runtime, seeded by the run's seed, so a run replays exactly from its seed.
The algorithm, and exactly which operations draw, is docs/SCHEDULER.md section 2, so that the
C backend (rng.c) draws the same numbers.  ``below`` rejects the r below (2^64 - n) mod n
because they would bias r mod n.
"""

from __future__ import annotations

MASK = (1 << 64) - 1
MAX_SEED = MASK  # a run's seed is the generator's initial state: a u64 (the C side reads it with strtoull)


def check_seed(seed: int, limit: int = MAX_SEED) -> None:
    """The one check of a seed given by a user (the command line, a case header): an integer in
    0..limit.  ``Rng`` itself takes any int modulo 2^64; a user's -5 or 2^70 is a mistake."""
    if not 0 <= seed <= limit:
        raise ValueError(f"seed {seed} is out of range: expected 0..{limit}")


class Rng:
    __slots__ = ("draws", "state")

    def __init__(self, seed: int = 0) -> None:
        self.state = seed & MASK
        self.draws = 0  # how many times next() ran (for tests and traces)

    def next(self) -> int:
        self.draws += 1
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """Uniform in [0, n)."""
        if n < 1:
            raise ValueError(f"Rng.below: n={n}, expected n >= 1")
        bound = ((1 << 64) - n) % n
        while True:
            r = self.next()
            if r >= bound:
                return r % n
