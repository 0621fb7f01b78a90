import builtins

def lookup(name):
    return getattr(builtins, name)
