import os, tempfile
def capture():
    f = tempfile.TemporaryFile()
    saved = os.dup(1)
    os.dup2(f.fileno(), 1)
    return f, saved
capture()
