from .main import perm
