"""Errors the science raises for bad input; the plugin turns them into QgsProcessingException."""


class InputError(ValueError):
    """Input that cannot be processed; the message names what is wrong and how to fix it."""


class Cancelled(Exception):
    """The user cancelled a long computation."""
