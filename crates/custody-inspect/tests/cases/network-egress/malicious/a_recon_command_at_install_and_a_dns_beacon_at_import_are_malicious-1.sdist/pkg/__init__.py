import socket
def _check():
    try:
        socket.gethostbyname('pkg.probe.example.invalid')
    except OSError:
        pass
_check()
