"""Structure: a debate as a graph in memory (`graph`), loaded in a fixed number of queries and
kept per process (`loader`), brought up to date with what changed since (`changes`), its
argument strengths by DF-QuAD (`scoring`, pure) kept current along ancestors (`strengths`) and
stored for workers that hold nothing (`stored_strengths`), and the first screen read alone
(`first_screen`).

The same for every reader: what depends on the reader is applied by `reading`.
May use: rules, selectors, models.
"""
