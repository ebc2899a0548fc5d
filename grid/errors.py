"""The one error type for bad input, shared by every package."""


class InputError(Exception):
    """Bad user input: names the file, the field path, the bad value and what is allowed.

    `str(err)` is one line, e.g.
    ``case.yaml: thermal[3].p_min_mw = -5: allowed >= 0 (MW)``.
    """

    def __init__(self, path, field, value=None, allowed="", *, show_value=True):
        self.path = str(path) if path else "<input>"
        self.field = field
        self.value = value
        self.allowed = allowed
        parts = [self.path]
        if field:
            parts.append(f"{field} = {value!r}" if show_value else str(field))
        msg = ": ".join(parts)
        if allowed:
            msg += f": {allowed}"
        super().__init__(msg.replace("\n", " "))
