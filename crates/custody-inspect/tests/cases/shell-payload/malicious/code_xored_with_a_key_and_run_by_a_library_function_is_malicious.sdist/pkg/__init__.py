from .initialise import deinit
