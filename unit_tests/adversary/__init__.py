"""An adversarial model of Confluence's list APIs, for stateful property-based tests of the walks.

The project's double agrees with the connector by construction; this model does not: it is written
from Atlassian's contracts and, wherever they are silent, does the worst they allow (see `site`,
`cloud`, `datacenter`). `machine` drives the connector's real code against it; `checks` holds the
invariants. Run by unit_tests/test_adversary_*.py; `make soak` runs them much longer.
"""
