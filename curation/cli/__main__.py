"""`python -m curation.cli`: the same commands as the `curation` script (what the benches call)."""

from curation.cli import main

main()
