"""Errors of the database services (all subclasses of `benchcast.errors.BenchcastError`).

Hierarchy::

    BenchcastError
    └── ServiceError            a request the services refuse (maps to an HTTP 4xx)
        ├── NotFound            no such user, question or order                     (404)
        ├── Forbidden           the caller may not do this                           (403)
        ├── Conflict            the request clashes with the current state           (409)
        │   └── InsufficientFunds  a balance or holding would go below zero          (409)
        ├── InvalidRequest      the request is malformed or out of range             (400)
        └── LedgerImbalance     a posting does not sum to zero (a bug, never input)  (500)
"""

from __future__ import annotations

from benchcast.errors import BenchcastError


class ServiceError(BenchcastError):
    """A request the services refuse."""

    status = 400


class NotFound(ServiceError):
    """No such user, question or order."""

    status = 404


class Forbidden(ServiceError):
    """The caller may not do this."""

    status = 403


class Conflict(ServiceError):
    """The request clashes with the current state."""

    status = 409


class InsufficientFunds(Conflict):
    """A balance or a holding would go below zero."""


class InvalidRequest(ServiceError):
    """The request is malformed or out of range."""

    status = 400


class LedgerImbalance(ServiceError):
    """A ledger posting does not sum to zero: a bug, never the caller's fault."""

    status = 500
