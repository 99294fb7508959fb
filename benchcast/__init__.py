"""The shell of benchcast: the `benchcast` command, the market server and its web page, and
the database. The only package that talks to the outside world.

Dependency rule: `benchcast -> markets -> forecast -> priors`; nothing inward imports it.
"""

__version__ = "0.1.0"
