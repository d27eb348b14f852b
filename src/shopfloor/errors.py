"""Errors services raise; the API and views translate them to 4xx answers."""


class InvalidInput(Exception):
    """Input that breaks a rule (422). `errors` is a list of (location, message) pairs."""

    def __init__(self, errors: list[tuple[tuple, str]] | tuple[tuple, str]):
        if isinstance(errors, tuple):
            errors = [errors]
        self.errors = [(tuple(loc), msg) for loc, msg in errors]
        super().__init__("; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in self.errors))

    @classmethod
    def field(cls, name: str, message: str) -> "InvalidInput":
        return cls([(("body", name), message)])

    def as_detail(self) -> list[dict]:
        return [{"loc": list(loc), "msg": msg, "type": "value_error"} for loc, msg in self.errors]


class Conflict(Exception):
    """The request is valid but clashes with the current state (409)."""
